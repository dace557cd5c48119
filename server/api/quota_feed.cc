#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "api/quotas.h"
#include "store/quotas.h"

namespace aidlink::api {
namespace {

// The quota's tags as the engine's tag bits; 0 binds everyone.
uint32_t TagMask(const store::Quota& q) {
  uint32_t mask = 0;
  for (const std::string& t : q.tags) {
    if (auto bit = match::ParseTag(t)) mask |= *bit;
  }
  return mask;
}

}  // namespace

Status AddQuotaCaps(store::Database& db, int64_t as_of, match::Snapshot* snapshot) {
  auto quotas = store::ActiveQuotas(db, as_of);
  if (!quotas.ok()) return quotas.status();
  if (quotas->empty()) return Status::Ok();
  auto categories = store::ItemCategories(db);
  if (!categories.ok()) return categories.status();
  const std::unordered_map<int64_t, std::string> category_of(categories->begin(),
                                                             categories->end());
  const auto category = [&](int64_t item_id) {
    const auto it = category_of.find(item_id);
    return it == category_of.end() ? std::string() : it->second;
  };
  // A linked household (same_household) is one household for every quota.
  auto clusters = store::LoadHouseholdClusters(db);
  if (!clusters.ok()) return clusters.status();
  std::vector<uint32_t> masks;
  for (const store::Quota& q : *quotas) masks.push_back(TagMask(q));

  // The quotas covering each item of the snapshot, found once per item.
  std::unordered_map<int64_t, std::vector<int32_t>> covering;
  const auto quotas_of = [&](int64_t item_id) -> const std::vector<int32_t>& {
    auto [it, fresh] = covering.try_emplace(item_id);
    if (fresh) {
      for (size_t i = 0; i < quotas->size(); ++i) {
        if (store::Covers((*quotas)[i], item_id, category(item_id))) {
          it->second.push_back(static_cast<int32_t>(i));
        }
      }
    }
    return it->second;
  };

  // One cap per (quota, household), in the order needs first name them.
  std::map<std::pair<int32_t, int64_t>, int32_t> cap_of;
  std::vector<int32_t> quota_of_cap;
  std::vector<int64_t> household_size;  // per cap: the largest registration's
  const size_t first_cap = snapshot->caps.size();
  for (match::Need& n : snapshot->needs) {
    if (n.outstanding <= 0) continue;
    const int64_t household = store::HouseholdOf(*clusters, n.requester_id);
    for (int32_t qi : quotas_of(n.item_id)) {
      const uint32_t mask = masks[static_cast<size_t>(qi)];
      if (mask != 0 && (mask & n.tags) == 0) continue;
      auto [it, fresh] = cap_of.try_emplace({qi, household}, 0);
      if (fresh) {
        it->second = static_cast<int32_t>(snapshot->caps.size());
        const store::Quota& q = (*quotas)[static_cast<size_t>(qi)];
        snapshot->caps.push_back({q.id, 0, q.enforcement == "soft"});
        quota_of_cap.push_back(qi);
        household_size.push_back(n.household_size);
      }
      const size_t local = static_cast<size_t>(it->second) - first_cap;
      household_size[local] = std::max<int64_t>(household_size[local], n.household_size);
      n.caps.push_back(it->second);
    }
  }
  if (quota_of_cap.empty()) return Status::Ok();

  // What each household used, read once per distinct window.
  std::vector<int64_t> used(quota_of_cap.size(), 0);
  std::map<std::pair<int64_t, int64_t>, std::vector<int32_t>> quotas_by_window;
  for (size_t i = 0; i < quotas->size(); ++i) {
    const store::Window w = store::WindowOf((*quotas)[i], as_of);
    quotas_by_window[{w.start, w.end}].push_back(static_cast<int32_t>(i));
  }
  for (const auto& [bounds, in_window] : quotas_by_window) {
    auto use = store::UseIn(db, {bounds.first, bounds.second}, {});
    if (!use.ok()) return use.status();
    for (const store::ItemUse& u : *use) {
      const int64_t household = store::HouseholdOf(*clusters, u.requester_id);
      for (int32_t qi : in_window) {
        const auto it = cap_of.find({qi, household});
        if (it == cap_of.end()) continue;
        if (!store::Covers((*quotas)[static_cast<size_t>(qi)], u.item_id, category(u.item_id))) {
          continue;
        }
        used[static_cast<size_t>(it->second) - first_cap] += u.units;
      }
    }
  }
  for (size_t c = 0; c < quota_of_cap.size(); ++c) {
    const store::Quota& q = (*quotas)[static_cast<size_t>(quota_of_cap[c])];
    snapshot->caps[first_cap + c].remaining = store::CapFor(q, household_size[c]) - used[c];
  }
  return Status::Ok();
}

StatusOr<MatchInput> LoadCappedMatchInput(store::Database& db, const std::vector<int64_t>& item_ids,
                                          int64_t as_of, std::chrono::seconds duplicate_hold) {
  auto input = LoadMatchInput(db, item_ids, duplicate_hold);
  if (!input.ok()) return input.status();
  AIDLINK_RETURN_IF_ERROR(AddQuotaCaps(db, as_of, &input->snapshot));
  return input;
}

}  // namespace aidlink::api
