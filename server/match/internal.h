#pragma once

// Internal pieces of the matching engine, one item at a time. Not part of the
// public API (tests may use them). All functions are pure and thread-safe.

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "match/engine.h"

namespace aidlink::match::internal {

// The rule-3 tie order of a need: a smaller key wins a tie. Unique per need.
struct TieKey {
  uint64_t hi = 0;  // needed_by (none last), then more tags, then larger household
  int64_t seq = 0;  // created_seq: older first
  int64_t id = 0;   // smaller id first

  friend auto operator<=>(const TieKey&, const TieKey&) = default;
};

// One need of the item as the fair-share solver sees it.
// REQUIRES: 0 <= filled < demand, 1 <= outstanding, pack >= 1, all < 2^31.
struct FairNeed {
  int64_t filled = 0;       // allocated + delivered before this run
  int64_t demand = 0;       // quantity - cancelled: the fill fraction's denominator
  int64_t pack = 1;         // granularity
  int64_t outstanding = 0;  // the most this run may give
  TieKey tie;
  int32_t cls = -1;  // index into FairProblem::classes; -1: no eligible stock
};

// Rule 2's tiers: critical, high, normal, low.
inline constexpr int kUrgencyTiers = 4;

// Needs of one tier admitted by exactly the same lot groups.
struct FairClass {
  int tier = 0;                 // 0 = critical .. 3 = low; later tiers (rule 9) after them
  std::vector<int32_t> groups;  // indices into FairProblem::group_capacity
};

// Rules 2-4 for one item: lots pooled into groups of interchangeable stock
// (same admission), needs into classes.
struct FairProblem {
  std::vector<FairNeed> needs;
  std::vector<FairClass> classes;
  std::vector<int64_t> group_capacity;
  int tiers = kUrgencyTiers;  // classes' tiers are in [0, tiers), served in that order
  uint64_t seed = 0;          // for the solver's pivot choice; never changes the result
};

// Returns the units this run gives each need (same order as problem.needs;
// needs with cls -1 get 0): exactly the outcome of handing out packs one at a
// time in tier order, each
// to the need of the tier with the lowest fill fraction (ties by TieKey) that
// can still take at least one unit while some assignment of lots to all
// amounts handed out so far exists; a pack is cut to what that need can still
// take. Computed on the class graph with max-flows (LEMON Preflow).
std::vector<int64_t> SolveFairShare(const FairProblem& problem);

// An unknown latitude or longitude (NaN).
inline constexpr double kUnknownCoordinate = std::numeric_limits<double>::quiet_NaN();

// Rule 5 input: the amounts are fixed, the lots are to be chosen.
struct ChoiceNeed {
  int64_t id = 0;
  int64_t amount = 0;     // > 0
  int32_t cls = 0;        // index into ChoiceProblem::class_groups
  int32_t district = -1;  // interned; -1 matches nothing
  double lat = kUnknownCoordinate, lon = kUnknownCoordinate;
};

struct ChoiceLot {
  int64_t id = 0;
  int64_t available = 0;
  std::optional<int64_t> expires_on;
  int32_t group = 0;
  int32_t district = -1;
  double lat = kUnknownCoordinate, lon = kUnknownCoordinate;  // the depot's
  int64_t created_seq = 0;
};

// One item's rule-5 problem. A need may draw on every lot of every group of
// its class.
struct ChoiceProblem {
  std::vector<ChoiceNeed> needs;
  std::vector<ChoiceLot> lots;                     // usable lots only
  std::vector<std::vector<int32_t>> class_groups;  // class -> lot groups
  int32_t group_count = 0;
  // Up to this many (need, eligible lot) pairs: exact lexicographic min-cost
  // flow; above: exact on expiry, greedy on district (see lot_choice.cc).
  int64_t exact_pair_limit = 0;
};

// Units of one lot for one need; `nearest` when both locations are known and
// no eligible lot's depot is closer.
struct Chosen {
  int32_t need = 0;  // index into ChoiceProblem::needs
  int32_t lot = 0;   // index into ChoiceProblem::lots
  int64_t quantity = 0;
  bool nearest = false;
};

// Chooses lots for the fixed amounts (rule 5). REQUIRES: the amounts are
// feasible. Returns one entry per (need, lot) pair with quantity > 0, sorted by
// (need, lot) index.
std::vector<Chosen> ChooseLots(const ChoiceProblem& problem);

// The tier a need is served in (0 = critical): its urgency, raised by a near
// deadline (rule 2).
int EffectiveTier(const Need& need, int64_t as_of);

// Rule 3's tie order of `need` as of day `as_of`.
TieKey MakeTieKey(const Need& need, int64_t as_of);

// No cap binds: larger than any quantity.
inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// What the caps let one need receive this run (rule 9): at most `hard`
// units; more than `soft` only with stock no need within its caps can use.
struct NeedLimit {
  int64_t hard = kNoLimit;
  int64_t soft = kNoLimit;
};

// Rule 9's shares: each cap's remaining units are shared out among the open,
// unheld needs that name it and whose item has stock (`stocked[i]` for
// snapshot need i), in rule 2-3 order (tier, then tie key), each taking up to
// its outstanding; a need's limit is its smallest share of a hard cap and of a
// soft cap. Needs that name no cap, or do not take part, are unlimited.
// Returns one entry per snapshot need, or an empty vector when no need names a
// cap.
std::vector<NeedLimit> ApportionCaps(const Snapshot& snapshot, const Policy& policy,
                                     const std::vector<char>& stocked);

// Distance in metres between two points, or a large constant if either is
// unknown. Deterministic.
int64_t DistanceMetres(double lat1, double lon1, double lat2, double lon2);
inline constexpr int64_t kUnknownDistance = 100'000'000;

}  // namespace aidlink::match::internal
