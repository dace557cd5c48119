#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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

// Which of the active quotas cover an item (by the item's category), found
// once per item.
class Coverage {
 public:
  Coverage(const std::vector<store::Quota>& quotas,
           const std::vector<std::pair<int64_t, std::string>>& categories)
      : quotas_(quotas), category_of_(categories.begin(), categories.end()) {}

  bool Covers(int32_t quota, int64_t item_id) const {
    return store::Covers(quotas_[static_cast<size_t>(quota)], item_id, Category(item_id));
  }

  const std::vector<int32_t>& QuotasOf(int64_t item_id) {
    auto [it, fresh] = covering_.try_emplace(item_id);
    if (fresh) {
      for (size_t i = 0; i < quotas_.size(); ++i) {
        if (Covers(static_cast<int32_t>(i), item_id)) it->second.push_back(static_cast<int32_t>(i));
      }
    }
    return it->second;
  }

 private:
  std::string Category(int64_t item_id) const {
    const auto it = category_of_.find(item_id);
    return it == category_of_.end() ? std::string() : it->second;
  }

  const std::vector<store::Quota>& quotas_;
  const std::unordered_map<int64_t, std::string> category_of_;
  std::unordered_map<int64_t, std::vector<int32_t>> covering_;
};

// The caps AddQuotaCaps adds: one per (quota, household), in the order the
// snapshot's needs first name them, from snapshot cap `first` on.
struct Caps {
  size_t first = 0;
  std::map<std::pair<int32_t, int64_t>, int32_t> index;  // (quota, household) -> cap
  std::vector<int32_t> quota;                            // per cap
  std::vector<int64_t> household_size;                   // per cap: its largest registration's
};

// Adds a cap (remaining 0 for now) for each (quota, household) an open need
// falls under, and the cap to the need. A quota with tags binds only needs
// with one of them.
Caps AssignCaps(const std::vector<store::Quota>& quotas, Coverage& coverage,
                const store::HouseholdClusters& clusters, match::Snapshot* snapshot) {
  std::vector<uint32_t> masks;
  for (const store::Quota& q : quotas) masks.push_back(TagMask(q));
  Caps caps;
  caps.first = snapshot->caps.size();
  for (match::Need& n : snapshot->needs) {
    if (n.outstanding <= 0) continue;
    const int64_t household = store::HouseholdOf(clusters, n.requester_id);
    for (int32_t qi : coverage.QuotasOf(n.item_id)) {
      const uint32_t mask = masks[static_cast<size_t>(qi)];
      if (mask != 0 && (mask & n.tags) == 0) continue;
      auto [it, fresh] = caps.index.try_emplace({qi, household}, 0);
      if (fresh) {
        it->second = static_cast<int32_t>(snapshot->caps.size());
        const store::Quota& q = quotas[static_cast<size_t>(qi)];
        snapshot->caps.push_back({q.id, 0, q.enforcement == "soft"});
        caps.quota.push_back(qi);
        caps.household_size.push_back(n.household_size);
      }
      const size_t local = static_cast<size_t>(it->second) - caps.first;
      caps.household_size[local] = std::max<int64_t>(caps.household_size[local], n.household_size);
      n.caps.push_back(it->second);
    }
  }
  return caps;
}

// What each cap's household already received of its quota's items in the
// quota's current window, read once per distinct window.
StatusOr<std::vector<int64_t>> UsedPerCap(store::Database& db, int64_t as_of,
                                          const std::vector<store::Quota>& quotas,
                                          const Coverage& coverage,
                                          const store::HouseholdClusters& clusters,
                                          const Caps& caps) {
  std::vector<int64_t> used(caps.quota.size(), 0);
  std::map<std::pair<int64_t, int64_t>, std::vector<int32_t>> quotas_by_window;
  for (size_t i = 0; i < quotas.size(); ++i) {
    const store::Window w = store::WindowOf(quotas[i], as_of);
    quotas_by_window[{w.start, w.end}].push_back(static_cast<int32_t>(i));
  }
  for (const auto& [bounds, in_window] : quotas_by_window) {
    auto use = store::UseIn(db, {bounds.first, bounds.second}, {});
    if (!use.ok()) return use.status();
    for (const store::ItemUse& u : *use) {
      const int64_t household = store::HouseholdOf(clusters, u.requester_id);
      for (int32_t qi : in_window) {
        const auto it = caps.index.find({qi, household});
        if (it == caps.index.end() || !coverage.Covers(qi, u.item_id)) continue;
        used[static_cast<size_t>(it->second) - caps.first] += u.units;
      }
    }
  }
  return used;
}

}  // namespace

Status AddQuotaCaps(store::Database& db, int64_t as_of, match::Snapshot* snapshot) {
  auto quotas = store::ActiveQuotas(db, as_of);
  if (!quotas.ok()) return quotas.status();
  if (quotas->empty()) return Status::Ok();
  auto categories = store::ItemCategories(db);
  if (!categories.ok()) return categories.status();
  Coverage coverage(*quotas, *categories);
  // A linked household (same_household) is one household for every quota.
  auto clusters = store::LoadHouseholdClusters(db);
  if (!clusters.ok()) return clusters.status();
  const Caps caps = AssignCaps(*quotas, coverage, *clusters, snapshot);
  if (caps.quota.empty()) return Status::Ok();
  auto used = UsedPerCap(db, as_of, *quotas, coverage, *clusters, caps);
  if (!used.ok()) return used.status();
  for (size_t c = 0; c < caps.quota.size(); ++c) {
    const store::Quota& q = (*quotas)[static_cast<size_t>(caps.quota[c])];
    snapshot->caps[caps.first + c].remaining =
        store::CapFor(q, caps.household_size[c]) - (*used)[c];
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
