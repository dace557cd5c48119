#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "match/engine.h"
#include "store/database.h"
#include "store/matching.h"
#include "util/status.h"

// The bridge between the store and the matching engine: what a match run
// reads and the form in which its plan is written. Used by the match
// handlers and by aidlink-bench.
namespace aidlink::api {

// The engine's input as of one ledger mark.
struct MatchInput {
  match::Snapshot snapshot;
  int64_t mark = 0;  // the newest event id the snapshot is consistent with
};

// Loads open needs (with their requester and item), available lots and
// depots of `item_ids` (all items when empty). Call it inside one read
// transaction, or on the writer, so that everything is one consistent state.
// Each need carries its household cluster with what the household's other
// registrations received of the item outside the snapshot folded in, and is
// held while a likely duplicate case opened less than `duplicate_hold` ago
// (rule 8; 0: no holds) says it may be a re-registration.
StatusOr<MatchInput> LoadMatchInput(store::Database& db, const std::vector<int64_t>& item_ids,
                                    std::chrono::seconds duplicate_hold = std::chrono::seconds(0));

store::RunStats RunStatsOf(const match::Stats& stats);

// The plan's allocations with the requester and depot that group them into
// deliveries, reasons as comma-separated codes.
std::vector<store::PlannedAllocation> PlannedAllocations(const match::Plan& plan,
                                                         const match::Snapshot& snapshot);

// The run row of a plan.
store::RunRecord RunRecordOf(const match::Plan& plan, const std::string& as_of, int min_shelf_days,
                             const std::vector<int64_t>& item_ids);

}  // namespace aidlink::api
