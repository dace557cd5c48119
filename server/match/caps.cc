// Rule 9: sharing each household cap out among the needs it binds.

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "match/engine.h"
#include "match/internal.h"

namespace aidlink::match::internal {
namespace {

bool TakesPart(const Need& need, bool stocked) {
  return stocked && !need.held && need.outstanding > 0 && need.quantity - need.cancelled > 0;
}

// The needs that take part in each cap, by cap index.
std::vector<std::vector<int32_t>> NeedsByCap(const Snapshot& snapshot,
                                             const std::vector<char>& stocked) {
  std::vector<std::vector<int32_t>> by_cap(snapshot.caps.size());
  for (size_t i = 0; i < snapshot.needs.size(); ++i) {
    const Need& need = snapshot.needs[i];
    if (need.caps.empty() || !TakesPart(need, stocked[i] != 0)) continue;
    for (int32_t c : need.caps) {
      if (c >= 0 && static_cast<size_t>(c) < by_cap.size()) {
        by_cap[static_cast<size_t>(c)].push_back(static_cast<int32_t>(i));
      }
    }
  }
  return by_cap;
}

}  // namespace

std::vector<NeedLimit> ApportionCaps(const Snapshot& snapshot, const Policy& policy,
                                     const std::vector<char>& stocked) {
  if (snapshot.caps.empty()) return {};
  std::vector<std::vector<int32_t>> by_cap = NeedsByCap(snapshot, stocked);
  std::vector<NeedLimit> limits(snapshot.needs.size());
  auto order = [&](int32_t i) {
    const Need& need = snapshot.needs[static_cast<size_t>(i)];
    return std::make_tuple(EffectiveTier(need, policy.as_of), MakeTieKey(need, policy.as_of));
  };
  for (size_t c = 0; c < by_cap.size(); ++c) {
    std::vector<int32_t>& needs = by_cap[c];
    std::sort(needs.begin(), needs.end(),
              [&](int32_t a, int32_t b) { return order(a) < order(b); });
    needs.erase(std::unique(needs.begin(), needs.end()), needs.end());
    int64_t left = std::max<int64_t>(0, snapshot.caps[c].remaining);
    for (int32_t i : needs) {
      const int64_t share = std::min(left, snapshot.needs[static_cast<size_t>(i)].outstanding);
      left -= share;
      int64_t& limit = snapshot.caps[c].soft ? limits[static_cast<size_t>(i)].soft
                                             : limits[static_cast<size_t>(i)].hard;
      limit = std::min(limit, share);
    }
  }
  return limits;
}

}  // namespace aidlink::match::internal
