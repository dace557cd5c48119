#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The matching engine: allocates available stock (lots) to open needs by the
// matching policy of DESIGN.md ("Matching policy", rules 1-7).
//
// Pure: plain structs in, plain structs out; no I/O, no clock, no globals.
// The date is an input (Policy::as_of). Allocate() is thread-safe (it shares
// nothing between calls) and its output depends only on its arguments, never on
// Policy::threads.
namespace aidlink::match {

// ---------------------------------------------------------------------------
// Vocabulary shared with the API layer.

// Declared urgency of a need, most urgent first. The numeric order is the
// tier order (kCritical is tier 0).
enum class Urgency { kCritical = 0, kHigh = 1, kNormal = 2, kLow = 3 };

enum class RequesterKind { kHousehold = 0, kCommunity = 1, kInstitution = 2, kFrontlinePost = 3 };

// Vulnerability tags as bits of a uint32_t mask, in DESIGN.md order.
inline constexpr int kTagCount = 9;
inline constexpr uint32_t kTagElderlyAlone = 1u << 0;
inline constexpr uint32_t kTagChronicIllness = 1u << 1;
inline constexpr uint32_t kTagDisability = 1u << 2;
inline constexpr uint32_t kTagChildInDifficulty = 1u << 3;
inline constexpr uint32_t kTagQuarantined = 1u << 4;
inline constexpr uint32_t kTagPregnant = 1u << 5;
inline constexpr uint32_t kTagLowIncome = 1u << 6;
inline constexpr uint32_t kTagFrontlineWorker = 1u << 7;
inline constexpr uint32_t kTagLeftBehindChild = 1u << 8;

// "critical", "high", "normal", "low".
std::string_view UrgencyName(Urgency urgency);
// The urgency named `name` (exact, lower case), or nullopt.
std::optional<Urgency> ParseUrgency(std::string_view name);

// "household", "community", "institution", "frontline_post".
std::string_view RequesterKindName(RequesterKind kind);
std::optional<RequesterKind> ParseRequesterKind(std::string_view name);

// Name of tag bit `bit` (0..kTagCount-1), e.g. TagName(0) == "elderly_alone"; "" if out
// of range.
std::string_view TagName(int bit);
// The mask bit (e.g. kTagPregnant) of tag `name`, or nullopt if unknown.
std::optional<uint32_t> ParseTag(std::string_view name);
// Names of the tags set in `tags`, in bit order.
std::vector<std::string> TagNames(uint32_t tags);

// ---------------------------------------------------------------------------
// Input.

// One open need: a requester asking for one item. Requester fields are copied
// in so that the engine needs no joins. The requester's place is its station's
// city and its own district.
// REQUIRES: ids unique within the snapshot; all quantities in [0, 2^31)
// (larger values are treated as 2^31 - 1).
struct Need {
  int64_t id = 0;
  int64_t requester_id = 0;
  int64_t item_id = 0;
  int64_t quantity = 0;
  int64_t cancelled = 0;
  // Allocated + delivered by earlier runs; counts toward the fill fraction.
  int64_t filled = 0;
  // quantity - cancelled - filled: the most this run may allocate. Needs with
  // outstanding <= 0 or quantity - cancelled <= 0 are ignored.
  int64_t outstanding = 0;
  Urgency urgency = Urgency::kNormal;
  std::optional<int64_t> needed_by;  // day number (util/date.h)
  int household_size = 1;
  uint32_t tags = 0;  // kTag* bits
  RequesterKind kind = RequesterKind::kHousehold;
  int64_t station_id = 0;
  std::string city;  // the station's city; "" is the one city of a database that names none
  std::string district;
  std::optional<double> lat, lon;  // requester location, degrees
  int64_t created_seq = 0;         // older needs have smaller values
  // The item's pack size (allocation granularity); values < 1 count as 1. All
  // needs of one item are expected to carry the item's pack size.
  int64_t pack_size = 1;
  // The household this registration belongs to (rule 8): needs of one item
  // with the same non-zero cluster_id that are admitted by the same stock are
  // one need for rules 3 and 4 (their quantities, fills and outstanding
  // summed; the cluster's best tie key). 0: the registration is its own
  // household. The caller folds what the household's other registrations
  // already received of the item into `filled` and `quantity`.
  int64_t cluster_id = 0;
  // A likely duplicate registration under review (rule 8): gets nothing this
  // run (unmet reason held_as_possible_duplicate).
  bool held = false;
  // Indexes into Snapshot::caps of the caps that apply to this need (rule 9).
  std::vector<int32_t> caps;
};

// What is left of one quota for one household cluster in the quota's current
// window (rule 9): the caller computes it (cap minus what the cluster was
// allocated or delivered in the window). Needs name the caps that bind them.
struct Cap {
  int64_t id = 0;         // the caller's; e.g. the quota's id
  int64_t remaining = 0;  // units; <= 0 means the cap is reached
  // Soft caps are exceeded, but only with stock that no need within its caps
  // of the run can use (reason over_soft_quota); hard caps never.
  bool soft = false;
};

// Restrictions a donor put on a lot. An empty list admits everyone; a
// non-empty list must admit the requester (its value is in the list; for
// tags, the requester has at least one of them). Every non-empty list must
// admit, so an empty Earmark admits everyone.
struct Earmark {
  std::vector<std::string> districts;
  std::vector<RequesterKind> requester_kinds;
  uint32_t tags = 0;
  std::vector<int64_t> station_ids;

  bool empty() const {
    return districts.empty() && requester_kinds.empty() && tags == 0 && station_ids.empty();
  }
};

// Available stock of one donated lot of one item at one depot.
// REQUIRES: ids unique; depot_id names a Depot of the snapshot (an unknown depot
// counts as a depot of city "" with no district and no location).
struct Lot {
  int64_t id = 0;
  int64_t item_id = 0;
  int64_t depot_id = 0;
  int64_t available = 0;              // lots with available <= 0 are ignored
  std::optional<int64_t> expires_on;  // day number; none = does not expire
  Earmark earmark;
  int64_t created_seq = 0;  // older lots have smaller values
};

// A district of a city. District names repeat across cities (鼓楼区 is in
// Nanjing, Fuzhou, Xuzhou, Kaifeng), so a place is always both.
struct Place {
  std::string city;
  std::string district;
};

// Where a depot's stock may go (rule 1). Empty: every district of the depot's
// own city. Otherwise exactly the listed cities (all their districts) and
// places, the depot's own city only if listed.
struct ServiceArea {
  std::vector<std::string> cities;
  std::vector<Place> places;

  bool empty() const { return cities.empty() && places.empty(); }
};

// Where a lot is. The area decides rule 1's "the depot serves the requester";
// district (within the city) and location drive rule 5's preferences.
struct Depot {
  int64_t id = 0;
  std::string district;
  std::optional<double> lat, lon;
  std::string city;  // "" is the one city of a database that names none
  ServiceArea serves;
};

// A consistent view of open needs and available lots.
struct Snapshot {
  std::vector<Need> needs;
  std::vector<Lot> lots;
  std::vector<Depot> depots;
  std::vector<Cap> caps;
};

// Above this many (need, eligible lot) pairs for one item, rule 5 is solved in
// two steps instead of one exact lexicographic min-cost flow: a min-cost flow
// exact on expiry and then same district, between cells of needs (class,
// district) and of lots (bucket, district), then a split inside each pair of
// cells, needs by id and older lots first; distance is not optimised, but
// "nearest" is reported as on the exact path (no eligible lot's depot is
// closer). Rules 1-4 and 6-7 are exact at every size.
inline constexpr int64_t kExactLotChoicePairs = 100000;

// How to run: the delivery date and the knobs of the policy.
struct Policy {
  int64_t as_of = 0;       // day number of the delivery date
  int min_shelf_days = 1;  // a lot is usable iff expires_on >= as_of + min_shelf_days
  int threads = 1;         // worker threads (clamped to 1..64); never changes the result
  // Rule 5 exactness limit per item (see kExactLotChoicePairs); tests lower it.
  int64_t exact_lot_choice_pairs = kExactLotChoicePairs;
};

// ---------------------------------------------------------------------------
// Output.

// Reason codes of an allocation, as bits of Allocation::reasons.
enum Reason : uint32_t {
  kReasonEligible = 1u << 0,            // "eligible": rule 1 holds
  kReasonTierCritical = 1u << 1,        // "tier_critical": served in the critical tier
  kReasonTierHigh = 1u << 2,            // "tier_high"
  kReasonTierNormal = 1u << 3,          // "tier_normal"
  kReasonTierLow = 1u << 4,             // "tier_low"
  kReasonDeadlineRaisedTier = 1u << 5,  // "deadline_raised_tier": needed_by raised the tier
  kReasonFairShare = 1u << 6,           // "fair_share": the need got a fair share, not all it asked
  kReasonFefo = 1u << 7,            // "fefo": the lot expires; soonest-expiring stock goes first
  kReasonSameDistrict = 1u << 8,    // "same_district": depot in the requester's city and district
  kReasonNearest = 1u << 9,         // "nearest": no eligible lot's depot is closer to the requester
  kReasonEarmarkMatch = 1u << 10,   // "earmark_match": an earmarked lot whose earmark admits
  kReasonOverSoftQuota = 1u << 11,  // "over_soft_quota": the need went past a soft cap (rule 9)
};

// The codes of `reasons`, in bit order, e.g. {"eligible", "tier_high", "fefo"}.
// The views point to static storage.
std::vector<std::string_view> ReasonCodes(uint32_t reasons);

// `quantity` units of lot `lot_id` for need `need_id`.
struct Allocation {
  int64_t lot_id = 0;
  int64_t need_id = 0;
  int64_t quantity = 0;
  uint32_t reasons = 0;  // Reason bits; see ReasonCodes()

  friend bool operator==(const Allocation&, const Allocation&) = default;
};

// Why a need is left (partly) unfilled; the names are the API's codes.
inline constexpr std::string_view kUnmetNoStock = "no_stock";  // no stock of the item
inline constexpr std::string_view kUnmetExcludedByEarmark = "excluded_by_earmark";
inline constexpr std::string_view kUnmetOnlyExpiringStock = "only_expiring_stock";
inline constexpr std::string_view kUnmetTierExhausted = "tier_exhausted";
inline constexpr std::string_view kUnmetOutOfArea = "out_of_area";
inline constexpr std::string_view kUnmetQuotaReached = "quota_reached";
inline constexpr std::string_view kUnmetHeldAsPossibleDuplicate = "held_as_possible_duplicate";

// A need that this run leaves with outstanding > 0 (unfilled or partial).
struct Unmet {
  int64_t need_id = 0;
  int64_t outstanding = 0;  // left unfilled after this run
  // One of the kUnmet* codes (static storage), the first that applies:
  //  held_as_possible_duplicate - Need::held;
  //  quota_reached       - the need got all its caps allowed (rule 9);
  //  tier_exhausted      - eligible stock exists but went to more urgent needs or
  //                        was shared out fairly within the need's tier;
  //  no_stock            - no lot of the item has available stock;
  //  out_of_area         - the item has stock, but no depot holding it serves
  //                        the requester's place;
  //  only_expiring_stock - lots admitting the requester exist, but all expire
  //                        before as_of + min_shelf_days;
  //  excluded_by_earmark - the item has stock in the requester's area, but no
  //                        lot there admits the requester.
  std::string_view reason;

  friend bool operator==(const Unmet&, const Unmet&) = default;
};

// Counts over one run.
struct Stats {
  int64_t needs_considered = 0;  // open needs: outstanding > 0 and quantity > cancelled
  int64_t lots_considered = 0;   // lots with available > 0
  int64_t units_allocated = 0;
  int64_t needs_filled = 0;   // got all of their outstanding
  int64_t needs_partial = 0;  // got some but not all
  int64_t needs_unmet = 0;    // got nothing
  // Usable stock left unallocated only because hard caps bound needs that
  // could have used it (rule 9).
  int64_t units_held_by_quota = 0;

  friend bool operator==(const Stats&, const Stats&) = default;
};

// The result of a run; the store commits it in one transaction.
struct Plan {
  std::vector<Allocation> allocations;  // sorted by (need_id, lot_id), one per pair
  std::vector<Unmet> unmet;             // sorted by need_id
  Stats stats;

  friend bool operator==(const Plan&, const Plan&) = default;
};

// Allocates the snapshot's lots to its needs by rules 1-7 of DESIGN.md as of
// policy.as_of. Rule 1 includes the area: the lot's depot serves the
// requester's place (Depot::city / Depot::serves against Need::city and
// district), and rule 5 chooses among those depots only. Never fails: needs
// that cannot be served appear in
// Plan::unmet with a reason. The result is identical for every
// policy.threads.
// Rule 3 granularity: stock moves in packs of the need's pack_size; a pack is
// cut short only to reach the need's outstanding exactly or when less than a
// pack of stock the need can use is left (so that no stock is idle, rule 4).
Plan Allocate(const Snapshot& snapshot, const Policy& policy);

}  // namespace aidlink::match
