#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "store/repo.h"
#include "util/status.h"

// Quotas (caps, DESIGN.md rule 9): the records, their windows, and what a
// household has used of them. Functions take a connection the caller owns,
// as the repositories of store/repo.h do; writes append their ledger event
// on it. Windows are calendar dates as day numbers (util/date.h) in the
// server's time zone: the caller turns "now" into the local day.
namespace aidlink::store {

// A cap on what one household (per "household") or each of its persons
// (per "person", up to max_persons of them) receives of one item or of every
// item of one category in a window. Enumerated values are those of
// util/vocab.h (kQuotaPer, kQuotaWindows, kQuotaEnforcements), already
// validated by the API layer.
struct Quota {
  int64_t id = 0;
  std::optional<int64_t> item_id;  // exactly one of item_id and category
  std::string category;
  std::string per;  // household | person
  int64_t amount = 0;
  std::string window;           // calendar_week | calendar_month | rolling_days
  std::optional<int64_t> days;  // rolling_days only: 1..366
  std::optional<int64_t> max_persons;
  // The quota binds only requesters with at least one of these tags
  // (empty: every requester).
  std::vector<std::string> tags;
  std::string enforcement;             // hard | soft
  std::string active_from, active_to;  // YYYY-MM-DD or empty (open-ended)
  std::string note;
  std::string created_at;
  std::string disabled_at;  // RFC 3339, empty while enabled
  int64_t version = 1;
};

// Inserts `quota` (its item must exist: kNotFound naming item_id) and
// appends a quota_created event; returns it with its id.
StatusOr<Quota> InsertQuota(Database& db, Quota quota, const Actor& actor);
// kNotFound naming id if there is no such quota.
StatusOr<Quota> GetQuota(Database& db, int64_t id);
struct QuotaFilter {
  std::optional<int64_t> item_id;
  std::string category;
  std::optional<bool> disabled;  // nullopt: both
};
// Quotas matching `filter`, by id.
StatusOr<std::vector<Quota>> ListQuotas(Database& db, const QuotaFilter& filter, const Page& page);
// Writes the editable fields of `quota`, whose row must still have
// quota.version (kConflict otherwise), as version + 1, with one
// quota_updated event carrying `changes`. kFailedPrecondition if the quota
// is disabled.
StatusOr<Quota> UpdateQuota(Database& db, Quota quota, const FieldChanges& changes,
                            const Actor& actor);
// Disables the quota now (no later run applies it) with a quota_disabled
// event. kFailedPrecondition if it already is; kConflict if
// `expected_version` is given and stale.
StatusOr<Quota> DisableQuota(Database& db, int64_t id, std::optional<int64_t> expected_version,
                             const Actor& actor);

// The household clusters that same_household resolutions made
// (household_links): requester -> its cluster, for requesters in one.
using HouseholdClusters = std::unordered_map<int64_t, int64_t>;
StatusOr<HouseholdClusters> LoadHouseholdClusters(Database& db);

// The household a registration belongs to: the cluster whose use of a
// quota is counted together and that a match run's snapshot names as the
// need's cluster_id. A registration in no cluster is its own household
// (the requester's id). The one rule for quotas, entitlements and runs.
int64_t HouseholdOf(const HouseholdClusters& clusters, int64_t requester_id);
// The same, reading the requester's link.
StatusOr<int64_t> HouseholdOf(Database& db, int64_t requester_id);
// The registrations of `requester_id`'s household (itself first).
StatusOr<std::vector<int64_t>> RegistrationsOf(Database& db, int64_t requester_id);

// A window of calendar days, both ends included.
struct Window {
  int64_t start = 0, end = 0;
};
// The window of `quota` that contains `day`: Monday..Sunday for
// calendar_week, the month for calendar_month, and the `days` days ending
// on `day` for rolling_days.
Window WindowOf(const Quota& quota, int64_t day);
// Enabled, and `day` within active_from..active_to.
bool ActiveOn(const Quota& quota, int64_t day);
// The quota counts units of this item (its own, or one of its category).
bool Covers(const Quota& quota, int64_t item_id, const std::string& item_category);
// The quota binds a requester with these tags.
bool Admits(const Quota& quota, const std::vector<std::string>& tags);
// The cap of a household of `household_size` persons: amount, or amount x
// min(household_size, max_persons) per person.
int64_t CapFor(const Quota& quota, int64_t household_size);

// The quotas that a run as of `day` applies, by id.
StatusOr<std::vector<Quota>> ActiveQuotas(Database& db, int64_t day);
// Every item's category, by item id.
StatusOr<std::vector<std::pair<int64_t, std::string>>> ItemCategories(Database& db);

// What one requester used of one item in a window.
struct ItemUse {
  int64_t requester_id = 0, item_id = 0;
  int64_t units = 0;
};
// Units allocated to needs in committed runs whose as_of (the delivery
// date) falls in `window`, less what came back (failed or cancelled
// deliveries, undelivered or damaged units): allocated + delivered. Per
// (requester, item), of `requester_ids` only when it is not empty. Reads
// every allocation of the window's runs.
StatusOr<std::vector<ItemUse>> UseIn(Database& db, const Window& window,
                                     const std::vector<int64_t>& requester_ids);

}  // namespace aidlink::store

namespace aidlink::store {

// One quota as it stands for one requester's household on one day.
struct Entitlement {
  Quota quota;
  int64_t cap = 0;   // CapFor(quota, the requester's household size)
  int64_t used = 0;  // UseIn the window, over every registration of the household
  Window window;     // WindowOf(quota, day)
};
// Every quota active on `day` that binds `requester` (by its tags), by
// quota id, with what its household used of it in the window containing
// `day`.
StatusOr<std::vector<Entitlement>> EntitlementsOf(Database& db, const Requester& requester,
                                                  int64_t day);

}  // namespace aidlink::store
