#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dedup/keys.h"
#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Duplicate detection wired into the registry (issue 13, docs/DEDUP.md):
// each requester's dedup keys, the duplicate cases that writes open or join,
// their resolution into household clusters, and what a match run needs of
// them (clusters, holds). Functions run on a connection the caller owns, in
// the caller's transaction; every change appends its ledger event there.
// Nothing here reads another requester's fields: only keys are compared.
namespace aidlink::store {

// What a requester's write is told (the `duplicate` of its answer).
struct DuplicateFinding {
  std::string status = "none";  // none, possible, likely
  int64_t case_id = 0;
  std::vector<std::string> basis;  // phone, address, name
};

// Stores the keys of `requester` (as just inserted or updated) under
// `secret`, replacing its old ones, and, if it is active and shares keys
// with other active requesters (dedup::Classify; pairs in one household
// cluster and pairs judged different_households on the same keys left out),
// opens a duplicate case with them or joins the open case one of them is
// in. Returns what the write is told.
StatusOr<DuplicateFinding> RecordRequesterKeys(Database& db, const Requester& requester,
                                               const dedup::Secret& secret, const Actor& actor);

// What a write of `requester` as it is now would be told, without writing:
// the same classification, and the oldest open case that holds it (what
// GET /v1/requesters/{id} answers).
StatusOr<DuplicateFinding> CurrentDuplicate(Database& db, const Requester& requester,
                                            const dedup::Secret& secret);

struct DuplicateCaseRecord {
  int64_t id = 0;
  std::string status;      // open, resolved
  std::string likelihood;  // likely, possible
  std::vector<std::string> basis;
  std::string decision;  // same_household, different_households, or empty
  int64_t primary_id = 0;
  std::string reason;
  std::string created_at, resolved_at;
  int64_t version = 1;
  // The registrations of the case, by id (older first).
  std::vector<int64_t> member_ids;
  // Their stations, in the same order.
  std::vector<int64_t> member_stations;
  // Needs its same_household resolution cancelled, by id.
  std::vector<int64_t> cancelled_need_ids;
};

StatusOr<DuplicateCaseRecord> GetDuplicateCase(Database& db, int64_t id);

struct DuplicateCaseFilter {
  std::string status;                 // open, resolved; empty: both
  std::optional<int64_t> station_id;  // cases with a member of this station
};
// Cases matching `filter`, by id.
StatusOr<std::vector<DuplicateCaseRecord>> ListDuplicateCases(Database& db,
                                                              const DuplicateCaseFilter& filter,
                                                              const Page& page);

// Resolves open case `id`. same_household: the members become one household
// cluster; each other member's open need for an item that `primary_id` has
// an open need for is cancelled (reason duplicate_household) and recorded.
// different_households: every pair of members is remembered with its keys.
// kNotFound if there is no such case; kFailedPrecondition if it is not open;
// kInvalidArgument naming primary_id if same_household names no member;
// kConflict if `expected_version` is given and stale.
StatusOr<DuplicateCaseRecord> ResolveDuplicateCase(Database& db, int64_t id,
                                                   const std::string& decision, int64_t primary_id,
                                                   const std::string& reason,
                                                   std::optional<int64_t> expected_version,
                                                   const Actor& actor);

// Reopens resolved case `id`: unlinks the cluster its resolution made and
// restores exactly the outstanding quantities it cancelled, or forgets its
// different_households pairs. kNotFound, kFailedPrecondition if it is open,
// kConflict as for ResolveDuplicateCase.
StatusOr<DuplicateCaseRecord> ReopenDuplicateCase(Database& db, int64_t id,
                                                  const std::string& reason,
                                                  std::optional<int64_t> expected_version,
                                                  const Actor& actor);

// Writes the keys of every requester that has none (registered before
// duplicate detection existed, or under a lost secret), without opening
// cases: later writes are then checked against them. Returns how many
// requesters got keys.
StatusOr<int> BackfillRequesterKeys(Database& db, const dedup::Secret& secret);

// What a match run needs of duplicate detection (rule 8).
struct HouseholdView {
  // Requester -> its household cluster (absent: its own household).
  std::unordered_map<int64_t, int64_t> cluster_of;
  // (requester, item) pairs whose needs are held: the newer registration
  // of an open likely case opened less than the hold period ago, for an
  // item an older member of the case asked for: requester -> items.
  std::unordered_map<int64_t, std::unordered_set<int64_t>> held_items;
  // (cluster, item) -> allocated + delivered of the cluster's needs that
  // are not open (their requester inactive or nothing outstanding): what
  // the household already received outside the run's needs.
  std::unordered_map<int64_t, std::unordered_map<int64_t, int64_t>> received_outside;

  bool IsHeld(int64_t requester_id, int64_t item_id) const {
    auto it = held_items.find(requester_id);
    return it != held_items.end() && it->second.count(item_id) > 0;
  }
};

// The clusters and holds as of `now`, with holds lasting `hold` after a
// case opened (0: no holds).
StatusOr<HouseholdView> LoadHouseholdView(Database& db, std::chrono::system_clock::time_point now,
                                          std::chrono::seconds hold);

}  // namespace aidlink::store
