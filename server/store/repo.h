#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Repositories: one function per read or write of the registry, on a
// connection the caller owns (a reader from Store::Read, or the writer inside
// Store::Write). Writes append their ledger event on the same connection, so
// they commit or roll back together. Unknown ids give kNotFound naming the
// field; a broken quantity rule gives kFailedPrecondition.
namespace aidlink::store {

// Tokens.
StatusOr<TokenRecord> InsertToken(Database& db, TokenRecord token, const Actor& actor);
// The live (not revoked) token with this hash, or nullopt.
StatusOr<std::optional<TokenRecord>> FindTokenByHash(Database& db, const std::string& hash);
// Every token, live and revoked, by id. The records carry the hashes:
// callers show ids, roles and labels, never the hash.
StatusOr<std::vector<TokenRecord>> ListTokens(Database& db);
// Marks token `id` revoked now (FindTokenByHash stops finding it at the next
// read) and appends a token_revoked event. kNotFound if there is no such
// token, kFailedPrecondition if it is already revoked.
StatusOr<TokenRecord> RevokeToken(Database& db, int64_t id, const Actor& actor);

// Catalog and registry. Insert* returns the stored record with its id.
// InsertItem answers kConflict if the code is taken (ASCII case ignored:
// MED-BP takes med-bp).
StatusOr<Item> InsertItem(Database& db, Item item, const Actor& actor);
StatusOr<Item> GetItem(Database& db, int64_t id);
StatusOr<std::vector<Item>> ListItems(Database& db, const Page& page);

StatusOr<Donor> InsertDonor(Database& db, Donor donor, const Actor& actor);
StatusOr<Donor> GetDonor(Database& db, int64_t id);
StatusOr<std::vector<Donor>> ListDonors(Database& db, const Page& page);

StatusOr<Depot> InsertDepot(Database& db, Depot depot, const Actor& actor);
StatusOr<Depot> GetDepot(Database& db, int64_t id);
StatusOr<std::vector<Depot>> ListDepots(Database& db, const Page& page);

StatusOr<Station> InsertStation(Database& db, Station station, const Actor& actor);
StatusOr<Station> GetStation(Database& db, int64_t id);
StatusOr<std::vector<Station>> ListStations(Database& db, const Page& page);

StatusOr<Requester> InsertRequester(Database& db, Requester requester, const Actor& actor);
StatusOr<Requester> GetRequester(Database& db, int64_t id);
// Which requesters a list holds; every field given narrows it.
struct RequesterFilter {
  std::optional<int64_t> station_id;  // nullopt: every station
  // Search text: the name or contact name contains it (ASCII letters in
  // any case), or, if it reads as a phone number (digits, spaces, + - ( ) .),
  // the phone's digits contain its digits: "138 0000 1111" finds
  // "13800001111".
  std::string q;
  std::string kind, tag, district;
  std::optional<bool> active;
};
// Requesters matching `filter`, by id.
StatusOr<std::vector<Requester>> ListRequesters(Database& db, const RequesterFilter& filter,
                                                const Page& page);

// Lots. InsertLot checks that the donor, item, depot and earmarked stations
// exist. A lot whose status is "pledged" (a donor's) holds no stock until
// ReceiveLot; any other is received at once, with available = quantity.
StatusOr<Lot> InsertLot(Database& db, Lot lot, const Actor& actor);
StatusOr<Lot> GetLot(Database& db, int64_t id);
struct LotFilter {
  std::optional<int64_t> item_id, depot_id, donor_id;
  std::string expiring_before;  // YYYY-MM-DD: lots with stock expiring before it
  std::string status;           // pledged or received; empty: any
};
// Lots matching `filter`, by id; with expiring_before, soonest expiry first
// (by expires_on, then id), paged after (page.after_key = the last lot's
// expires_on, page.after_id).
StatusOr<std::vector<Lot>> ListLots(Database& db, const LotFilter& filter, const Page& page);
// Confirms what arrived of a pledged lot: quantity becomes
// `quantity_received` (at most the pledge, kInvalidArgument naming
// quantity_received otherwise), all of it available; the lot_received event
// keeps the pledge, what arrived and the shortfall. kConflict if the lot is
// not pledged (received already, or logged as received).
StatusOr<Lot> ReceiveLot(Database& db, int64_t lot_id, int64_t quantity_received,
                         const std::string& note, const Actor& actor);
// Moves `quantity` from available to written_off; kFailedPrecondition if
// more than is available.
StatusOr<Lot> WriteOffLot(Database& db, int64_t lot_id, int64_t quantity, const std::string& reason,
                          const Actor& actor);

// Needs. InsertNeed opens the need with outstanding = quantity.
StatusOr<Need> InsertNeed(Database& db, Need need, const Actor& actor);
StatusOr<Need> GetNeed(Database& db, int64_t id);
struct NeedFilter {
  std::string status;
  std::optional<int64_t> station_id, item_id, requester_id;
  std::string urgency;        // empty: any
  std::string needed_before;  // YYYY-MM-DD: needs with a needed_by before it
};
StatusOr<std::vector<Need>> ListNeeds(Database& db, const NeedFilter& filter, const Page& page);
// Cancels what is still outstanding. kFailedPrecondition if nothing is
// outstanding, or if stock is allocated to it on a planned delivery.
StatusOr<Need> CancelNeed(Database& db, int64_t need_id, const std::string& reason,
                          const Actor& actor);

// Edits. Each Update* writes the editable columns of `record` to its row,
// which must still have record.version (kConflict otherwise: someone else
// changed it since it was read), as version + 1, and appends one
// `<entity>_updated` event with `changes` and the new version. Quantity
// rules are checked here, in the write transaction, so no concurrent write
// (a match run's commit) can slip between the check and the update.
// The caller leaves household names, phones, addresses and notes out of
// `changes`' values (it lists them in `fields` only).
struct FieldChanges {
  std::string fields = "[]";  // JSON array of the changed field names
  std::string before = "{}";  // JSON objects of their values
  std::string after = "{}";
};
// kFailedPrecondition naming unit or pack_size if one changes while a lot of
// the item exists.
StatusOr<Item> UpdateItem(Database& db, Item item, const FieldChanges& changes, const Actor& actor);
StatusOr<Donor> UpdateDonor(Database& db, Donor donor, const FieldChanges& changes,
                            const Actor& actor);
StatusOr<Depot> UpdateDepot(Database& db, Depot depot, const FieldChanges& changes,
                            const Actor& actor);
StatusOr<Station> UpdateStation(Database& db, Station station, const FieldChanges& changes,
                                const Actor& actor);
StatusOr<Requester> UpdateRequester(Database& db, Requester requester, const FieldChanges& changes,
                                    const Actor& actor);
// The new quantity may not fall below allocated + delivered + written_off
// (kFailedPrecondition naming quantity); available takes the difference. The
// earmark changes only while nothing is allocated (naming earmark).
StatusOr<Lot> UpdateLot(Database& db, Lot lot, const FieldChanges& changes, const Actor& actor);
// The new quantity may not fall below allocated + delivered (+ cancelled):
// kFailedPrecondition naming quantity, as for a cancelled need; outstanding
// takes the difference and the status follows.
StatusOr<Need> UpdateNeed(Database& db, Need need, const FieldChanges& changes, const Actor& actor);

// True if any stock of the lot was ever allocated (even if since returned).
StatusOr<bool> LotEverAllocated(Database& db, int64_t lot_id);

// What deactivating a requester did: the requester, the needs whose
// outstanding part it cancelled, and the deliveries still planned or on the
// road for it (left to the dispatcher).
struct Deactivation {
  Requester requester;
  std::vector<Need> cancelled_needs;
  std::vector<int64_t> open_delivery_ids;
};
// Marks the requester inactive with `reason` (and `note`), cancels the
// outstanding part of each of its needs with that reason, in one
// transaction. kFailedPrecondition if it is already inactive; kConflict if
// `expected_version` is given and stale.
StatusOr<Deactivation> DeactivateRequester(Database& db, int64_t id, const std::string& reason,
                                           const std::string& note,
                                           std::optional<int64_t> expected_version,
                                           const Actor& actor);

// Ledger. Every event that changes a lot's or a need's quantities ends its
// detail with "after": one of these objects, so that the ledger replays to
// today's quantities.
std::string LotQuantitiesJson(int64_t available, int64_t allocated, int64_t delivered,
                              int64_t written_off);
std::string NeedQuantitiesJson(int64_t outstanding, int64_t allocated, int64_t delivered,
                               int64_t cancelled);
Status AppendEvent(Database& db, const Actor& actor, const std::string& kind,
                   const std::string& entity, int64_t entity_id, const std::string& detail_json);

// Gauges for /metrics, from covering partial indexes (schema v3), so a
// scrape reads only open needs and lots with stock.
struct UrgencyCount {
  std::string urgency;
  int64_t needs = 0;        // needs with outstanding > 0
  int64_t outstanding = 0;  // their outstanding units
};
// One entry per urgency that has open needs.
StatusOr<std::vector<UrgencyCount>> OpenNeedsByUrgency(Database& db);
struct ItemStock {
  int64_t item_id = 0;
  std::string code;
  int64_t available = 0;
};
// Available units per item, for every item (0 when it has none), by id.
StatusOr<std::vector<ItemStock>> AvailableStockByItem(Database& db);

// Idempotency keys, scoped to a token. An answer saved before
// `expired_before` (RFC 3339 UTC, see date::Rfc3339) has expired: it is
// deleted and nullopt returned, so the key acts as new.
StatusOr<std::optional<SavedResponse>> FindSavedResponse(Database& db, int64_t token_id,
                                                         const std::string& key,
                                                         const std::string& expired_before);
Status SaveResponse(Database& db, int64_t token_id, const std::string& key,
                    const SavedResponse& response);
// Deletes up to `limit` saved answers older than `expired_before`, oldest
// first (through the index idempotency_by_age), and returns how many it
// deleted: fewer than `limit` means none is left.
StatusOr<int> DeleteExpiredResponses(Database& db, const std::string& expired_before, int limit);

}  // namespace aidlink::store
