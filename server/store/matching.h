#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// What a match run reads (open needs with their requester, available lots)
// and writes (the run, its allocations, planned deliveries, ledger events).
namespace aidlink::store {

// An open need joined with what the matching policy needs of its requester
// and item.
struct OpenNeedRow {
  int64_t id = 0, requester_id = 0, item_id = 0;
  int64_t quantity = 0, outstanding = 0, allocated = 0, delivered = 0, cancelled = 0;
  std::string urgency, needed_by;
  int64_t household_size = 1;
  std::vector<std::string> tags;
  std::string kind, district;
  int64_t station_id = 0;
  std::optional<double> lat, lon;
  int64_t pack_size = 1;
};

struct AvailableLotRow {
  int64_t id = 0, item_id = 0, depot_id = 0, available = 0;
  std::string expires_on;
  Earmark earmark;
};

// Calls `fn` for every need with outstanding > 0 (of `item_ids`, or of every
// item when empty), in id order.
Status ScanOpenNeeds(Database& db, const std::vector<int64_t>& item_ids,
                     const std::function<void(const OpenNeedRow&)>& fn);
// Calls `fn` for every lot with available > 0, in id order.
Status ScanAvailableLots(Database& db, const std::vector<int64_t>& item_ids,
                         const std::function<void(const AvailableLotRow&)>& fn);
StatusOr<std::vector<Depot>> AllDepots(Database& db);
// Every station (a requester's city is its station's).
StatusOr<std::vector<Station>> AllStations(Database& db);

// The newest ledger event id: a snapshot taken at this mark is stale once a
// lot, need or requester event with a larger id exists.
StatusOr<int64_t> LedgerMark(Database& db);
StatusOr<bool> StockChangedSince(Database& db, int64_t mark);

struct RunStats {
  int64_t needs_considered = 0, lots_considered = 0, units_allocated = 0;
  int64_t needs_filled = 0, needs_partial = 0, needs_unmet = 0;
  // Stock left in stock only because hard caps bound the needs (rule 9).
  int64_t units_held_by_quota = 0;
};

struct UnmetRow {
  int64_t need_id = 0, outstanding = 0;
  std::string reason;
};

struct RunRecord {
  int64_t id = 0;
  std::string created_at;
  std::string as_of;
  int min_shelf_days = 1;
  std::vector<int64_t> item_ids;
  RunStats stats;
  std::vector<UnmetRow> unmet;
};

// One allocation of a plan, with the requester and depot that group it into
// a delivery.
struct PlannedAllocation {
  int64_t lot_id = 0, need_id = 0, requester_id = 0, depot_id = 0, quantity = 0;
  std::string reasons;  // comma-separated reason codes
};

struct AllocationRow {
  int64_t id = 0, run_id = 0, delivery_id = 0, lot_id = 0, need_id = 0, quantity = 0;
  std::vector<std::string> reasons;
};

// What CommitRun wrote: the run (with its id and created_at) and, for each
// allocation in the order given, the planned delivery it travels on.
struct CommittedRun {
  RunRecord run;
  std::vector<int64_t> delivery_ids;
};

// Writes a run: the run row and its ledger event, lots' available ->
// allocated and needs' outstanding -> allocated with their new status (each
// with the run's entry in run_ledger, the quantities after it), one planned
// delivery per (depot, requester) and the allocations. kConflict if a lot or
// need no longer has the quantity the plan takes (the caller re-plans); the
// caller's transaction must then be rolled back.
StatusOr<CommittedRun> CommitRun(Database& db, RunRecord run,
                                 const std::vector<PlannedAllocation>& allocations,
                                 const Actor& actor);
StatusOr<RunRecord> GetRun(Database& db, int64_t id);
// Committed runs, newest first, without their unmet lists: page.after_id is
// the run id to continue below (0: from the newest).
StatusOr<std::vector<RunRecord>> ListRuns(Database& db, const Page& page);
StatusOr<std::vector<AllocationRow>> ListRunAllocations(Database& db, int64_t run_id);

}  // namespace aidlink::store
