#include "match/engine.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "match/internal.h"

namespace aidlink::match {
namespace {

using internal::ChoiceLot;
using internal::ChoiceNeed;
using internal::ChoiceProblem;
using internal::FairClass;
using internal::FairNeed;
using internal::FairProblem;
using internal::TieKey;

constexpr uint32_t kTierReasons[4] = {kReasonTierCritical, kReasonTierHigh, kReasonTierNormal,
                                      kReasonTierLow};

// Lookups shared read-only by the workers.
struct Context {
  const Snapshot* snapshot = nullptr;
  const Policy* policy = nullptr;
  std::unordered_map<int64_t, int32_t> depot_index;
  std::unordered_map<std::string_view, int32_t> district_ids;  // depots' and earmarks' districts

  int32_t DistrictId(std::string_view district) const {
    auto it = district_ids.find(district);
    return it == district_ids.end() ? -1 : it->second;
  }
  const Depot* DepotOf(const Lot& lot) const {
    auto it = depot_index.find(lot.depot_id);
    return it == depot_index.end() ? nullptr : &snapshot->depots[static_cast<size_t>(it->second)];
  }
};

// The earmark of a group of lots, normalised so that equal restrictions
// compare equal.
struct EarmarkKey {
  std::vector<int32_t> districts;  // sorted district ids
  uint32_t kinds = 0;              // bit per RequesterKind
  uint32_t tags = 0;
  std::vector<int64_t> stations;  // sorted

  friend auto operator<=>(const EarmarkKey&, const EarmarkKey&) = default;

  bool Open() const { return districts.empty() && kinds == 0 && tags == 0 && stations.empty(); }

  // Rule 1: every non-empty list must admit the requester.
  bool Admits(const Need& need, int32_t district) const {
    if (!districts.empty() && !std::binary_search(districts.begin(), districts.end(), district)) {
      return false;
    }
    if (kinds != 0 && !(kinds & (1u << static_cast<unsigned>(need.kind)))) return false;
    if (tags != 0 && !(tags & need.tags)) return false;
    if (!stations.empty() && !std::binary_search(stations.begin(), stations.end(), need.station_id)) {
      return false;
    }
    return true;
  }
};

EarmarkKey Normalise(const Earmark& e, const Context& ctx) {
  EarmarkKey key;
  for (const std::string& d : e.districts) key.districts.push_back(ctx.DistrictId(d));
  std::sort(key.districts.begin(), key.districts.end());
  key.districts.erase(std::unique(key.districts.begin(), key.districts.end()), key.districts.end());
  for (RequesterKind k : e.requester_kinds) key.kinds |= 1u << static_cast<unsigned>(k);
  key.tags = e.tags;
  key.stations = e.station_ids;
  std::sort(key.stations.begin(), key.stations.end());
  key.stations.erase(std::unique(key.stations.begin(), key.stations.end()), key.stations.end());
  return key;
}

// The tier a need is served in (0 = critical): its urgency, raised by a
// near deadline (rule 2).
int EffectiveTier(const Need& need, int64_t as_of) {
  int tier = static_cast<int>(need.urgency);
  if (need.needed_by) {
    if (*need.needed_by <= as_of + 1) {
      tier = 0;
    } else if (*need.needed_by <= as_of + 3) {
      tier = std::min(tier, 1);
    }
  }
  return tier;
}

TieKey MakeTieKey(const Need& need, int64_t as_of) {
  // needed_by (none last): 31 bits; fewer tags later: 4 bits; smaller
  // household later: 20 bits.
  constexpr int64_t kNone = (int64_t{1} << 31) - 1;
  int64_t by = kNone;
  if (need.needed_by) by = std::clamp<int64_t>(*need.needed_by - as_of + (int64_t{1} << 30), 0, kNone - 1);
  const auto tags = static_cast<uint64_t>(kTagCount - std::popcount(need.tags & 0xffu));
  const auto household =
      static_cast<uint64_t>((1 << 20) - 1 - std::clamp(need.household_size, 0, (1 << 20) - 1));
  TieKey key;
  key.hi = (static_cast<uint64_t>(by) << 24) | (tags << 20) | household;
  key.seq = need.created_seq;
  key.id = need.id;
  return key;
}

struct ItemResult {
  std::vector<Allocation> allocations;
  std::vector<Unmet> unmet;
  int64_t units = 0, filled = 0, partial = 0, unmet_count = 0;
};

// Rules 1-6 for one item. `needs` and `lots` index the snapshot (open needs,
// lots with stock).
ItemResult SolveItem(const Context& ctx, int64_t item_id, const std::vector<int32_t>& needs,
                     const std::vector<int32_t>& lots) {
  const Snapshot& snap = *ctx.snapshot;
  const Policy& policy = *ctx.policy;
  const int64_t usable_from = policy.as_of + policy.min_shelf_days;

  // Lot groups: lots with the same earmark are interchangeable for rule 1.
  struct Group {
    EarmarkKey key;
    int64_t capacity = 0;  // usable stock
    bool has_expired = false;
  };
  std::vector<Group> groups;
  std::map<EarmarkKey, int32_t> group_of_key;
  std::vector<int32_t> lot_group(lots.size());
  for (size_t k = 0; k < lots.size(); ++k) {
    const Lot& lot = snap.lots[static_cast<size_t>(lots[k])];
    EarmarkKey key = Normalise(lot.earmark, ctx);
    auto [it, inserted] = group_of_key.try_emplace(std::move(key), static_cast<int32_t>(groups.size()));
    if (inserted) groups.push_back({it->first, 0, false});
    Group& g = groups[static_cast<size_t>(it->second)];
    lot_group[k] = it->second;
    if (lot.expires_on && *lot.expires_on < usable_from) {
      g.has_expired = true;
    } else {
      g.capacity += lot.available;
    }
  }

  // Classes: needs of one tier admitted by the same usable groups.
  FairProblem fair;
  fair.seed = static_cast<uint64_t>(item_id) * 0x9e3779b97f4a7c15ULL + 1;
  for (const Group& g : groups) fair.group_capacity.push_back(g.capacity);
  const size_t words = (groups.size() + 63) / 64 + 1;
  std::map<std::vector<uint64_t>, int32_t, std::less<>> class_of_key;
  std::vector<uint64_t> key(words);
  std::vector<int32_t> need_district(needs.size());
  std::vector<int> need_tier(needs.size());
  std::vector<char> admitted_expired(needs.size(), 0);
  fair.needs.resize(needs.size());
  for (size_t k = 0; k < needs.size(); ++k) {
    const Need& need = snap.needs[static_cast<size_t>(needs[k])];
    const int32_t district = ctx.DistrictId(need.district);
    need_district[k] = district;
    need_tier[k] = EffectiveTier(need, policy.as_of);
    std::fill(key.begin(), key.end(), 0);
    key[0] = static_cast<uint64_t>(need_tier[k]);
    bool any = false;
    for (size_t g = 0; g < groups.size(); ++g) {
      if (!groups[g].key.Open() && !groups[g].key.Admits(need, district)) continue;
      if (groups[g].capacity > 0) {
        key[1 + g / 64] |= uint64_t{1} << (g % 64);
        any = true;
      }
      if (groups[g].has_expired) admitted_expired[k] = 1;
    }
    FairNeed& fn = fair.needs[k];
    fn.demand = need.quantity - need.cancelled;
    fn.filled = std::clamp<int64_t>(need.filled, 0, fn.demand - 1);
    fn.outstanding = need.outstanding;
    fn.pack = std::max<int64_t>(1, need.pack_size);
    fn.tie = MakeTieKey(need, policy.as_of);
    if (!any) continue;
    auto it = class_of_key.find(key);
    if (it == class_of_key.end()) {
      it = class_of_key.emplace(key, static_cast<int32_t>(fair.classes.size())).first;
      FairClass cls;
      cls.tier = need_tier[k];
      for (size_t g = 0; g < groups.size(); ++g) {
        if (key[1 + g / 64] & (uint64_t{1} << (g % 64))) cls.groups.push_back(static_cast<int32_t>(g));
      }
      fair.classes.push_back(std::move(cls));
    }
    fn.cls = it->second;
  }

  const std::vector<int64_t> amount = internal::SolveFairShare(fair);

  // Rule 5.
  ChoiceProblem choice;
  choice.exact_pair_limit = kExactLotChoicePairs;
  choice.group_count = static_cast<int32_t>(groups.size());
  for (const FairClass& c : fair.classes) choice.class_groups.push_back(c.groups);
  std::vector<int32_t> choice_need_of;  // choice need -> local need
  for (size_t k = 0; k < needs.size(); ++k) {
    if (amount[k] == 0) continue;
    const Need& need = snap.needs[static_cast<size_t>(needs[k])];
    choice.needs.push_back({need.id, amount[k], fair.needs[k].cls, need_district[k], need.lat, need.lon});
    choice_need_of.push_back(static_cast<int32_t>(k));
  }
  std::vector<int32_t> choice_lot_of;  // choice lot -> local lot
  for (size_t k = 0; k < lots.size(); ++k) {
    const Lot& lot = snap.lots[static_cast<size_t>(lots[k])];
    if (lot.expires_on && *lot.expires_on < usable_from) continue;
    const Depot* depot = ctx.DepotOf(lot);
    ChoiceLot cl;
    cl.id = lot.id;
    cl.available = lot.available;
    cl.expires_on = lot.expires_on;
    cl.group = lot_group[k];
    if (depot) {
      cl.district = ctx.DistrictId(depot->district);
      cl.lat = depot->lat;
      cl.lon = depot->lon;
    }
    cl.created_seq = lot.created_seq;
    choice.lots.push_back(std::move(cl));
    choice_lot_of.push_back(static_cast<int32_t>(k));
  }
  const std::vector<internal::Chosen> chosen = internal::ChooseLots(choice);

  // Rule 6: reasons.
  ItemResult result;
  result.allocations.reserve(chosen.size());
  for (const internal::Chosen& c : chosen) {
    const auto k = static_cast<size_t>(choice_need_of[static_cast<size_t>(c.need)]);
    const Need& need = snap.needs[static_cast<size_t>(needs[k])];
    const ChoiceLot& cl = choice.lots[static_cast<size_t>(c.lot)];
    const Lot& lot = snap.lots[static_cast<size_t>(lots[static_cast<size_t>(choice_lot_of[static_cast<size_t>(c.lot)])])];
    uint32_t reasons = kReasonEligible | kTierReasons[need_tier[k]];
    if (need_tier[k] < static_cast<int>(need.urgency)) reasons |= kReasonDeadlineRaisedTier;
    if (amount[k] < need.outstanding) reasons |= kReasonFairShare;
    if (lot.expires_on) reasons |= kReasonFefo;
    if (cl.district >= 0 && cl.district == need_district[k]) reasons |= kReasonSameDistrict;
    if (c.nearest) reasons |= kReasonNearest;
    if (!groups[static_cast<size_t>(cl.group)].key.Open()) reasons |= kReasonEarmarkMatch;
    result.allocations.push_back({lot.id, need.id, c.quantity, reasons});
  }
  for (size_t k = 0; k < needs.size(); ++k) {
    const Need& need = snap.needs[static_cast<size_t>(needs[k])];
    result.units += amount[k];
    if (amount[k] == need.outstanding) {
      ++result.filled;
      continue;
    }
    (amount[k] == 0 ? result.unmet_count : result.partial) += 1;
    std::string_view reason;
    if (fair.needs[k].cls >= 0) {
      reason = kUnmetTierExhausted;
    } else if (lots.empty()) {
      reason = kUnmetNoStock;
    } else if (admitted_expired[k]) {
      reason = kUnmetOnlyExpiringStock;
    } else {
      reason = kUnmetExcludedByEarmark;
    }
    result.unmet.push_back({need.id, need.outstanding - amount[k], reason});
  }
  return result;
}

}  // namespace

Plan Allocate(const Snapshot& snapshot, const Policy& policy) {
  Context ctx;
  ctx.snapshot = &snapshot;
  ctx.policy = &policy;
  for (size_t d = 0; d < snapshot.depots.size(); ++d) {
    ctx.depot_index.emplace(snapshot.depots[d].id, static_cast<int32_t>(d));
    ctx.district_ids.emplace(snapshot.depots[d].district,
                             static_cast<int32_t>(ctx.district_ids.size()));
  }
  for (const Lot& lot : snapshot.lots) {
    for (const std::string& d : lot.earmark.districts) {
      ctx.district_ids.emplace(d, static_cast<int32_t>(ctx.district_ids.size()));
    }
  }

  // Items, in first-seen order; their needs and lots.
  Plan plan;
  std::unordered_map<int64_t, int32_t> item_index;
  std::vector<int64_t> item_ids;
  auto item_of = [&](int64_t item_id) {
    auto [it, inserted] = item_index.try_emplace(item_id, static_cast<int32_t>(item_ids.size()));
    if (inserted) item_ids.push_back(item_id);
    return static_cast<size_t>(it->second);
  };
  std::vector<std::vector<int32_t>> item_needs, item_lots;
  for (size_t i = 0; i < snapshot.needs.size(); ++i) {
    const Need& need = snapshot.needs[i];
    if (need.outstanding <= 0 || need.quantity - need.cancelled <= 0) continue;
    ++plan.stats.needs_considered;
    const size_t item = item_of(need.item_id);
    if (item >= item_needs.size()) item_needs.resize(item + 1), item_lots.resize(item + 1);
    item_needs[item].push_back(static_cast<int32_t>(i));
  }
  for (size_t l = 0; l < snapshot.lots.size(); ++l) {
    const Lot& lot = snapshot.lots[l];
    if (lot.available <= 0) continue;
    ++plan.stats.lots_considered;
    auto it = item_index.find(lot.item_id);
    if (it == item_index.end()) continue;  // nobody needs this item
    item_lots[static_cast<size_t>(it->second)].push_back(static_cast<int32_t>(l));
  }

  const size_t items = item_ids.size();
  std::vector<ItemResult> results(items);
  // Biggest items first, so that threads finish together.
  std::vector<size_t> order(items);
  for (size_t k = 0; k < items; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(item_needs[a].size(), b) > std::make_pair(item_needs[b].size(), a);
  });
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < items;) {
      const size_t item = order[k];
      results[item] = SolveItem(ctx, item_ids[item], item_needs[item], item_lots[item]);
    }
  };
  const int threads = std::clamp(policy.threads, 1, 64);
  std::vector<std::thread> workers;
  for (int t = 1; t < threads && static_cast<size_t>(t) < items; ++t) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();

  size_t allocation_count = 0, unmet_count = 0;
  for (const ItemResult& r : results) {
    allocation_count += r.allocations.size();
    unmet_count += r.unmet.size();
  }
  plan.allocations.reserve(allocation_count);
  plan.unmet.reserve(unmet_count);
  for (ItemResult& r : results) {
    plan.allocations.insert(plan.allocations.end(), r.allocations.begin(), r.allocations.end());
    plan.unmet.insert(plan.unmet.end(), r.unmet.begin(), r.unmet.end());
    plan.stats.units_allocated += r.units;
    plan.stats.needs_filled += r.filled;
    plan.stats.needs_partial += r.partial;
    plan.stats.needs_unmet += r.unmet_count;
    r = ItemResult();
  }
  std::sort(plan.allocations.begin(), plan.allocations.end(), [](const Allocation& a, const Allocation& b) {
    return std::tie(a.need_id, a.lot_id) < std::tie(b.need_id, b.lot_id);
  });
  std::sort(plan.unmet.begin(), plan.unmet.end(),
            [](const Unmet& a, const Unmet& b) { return a.need_id < b.need_id; });
  return plan;
}

}  // namespace aidlink::match
