#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Deliveries, routes and their outcomes; lot expiry; the donor trace and the
// ledger check. Every write keeps the conservation sums of DESIGN.md and
// appends lot/need events whose "after" quantities replay to today's state.
namespace aidlink::store {

// One allocation travelling on a delivery.
struct DeliveryLine {
  int64_t allocation_id = 0, need_id = 0, lot_id = 0, item_id = 0;
  int64_t quantity = 0, delivered = 0, returned = 0;
  int64_t damaged = 0;  // written off at the lot (damaged_in_delivery)
};

struct Delivery {
  int64_t id = 0, run_id = 0, requester_id = 0, depot_id = 0, station_id = 0;
  std::string status;  // planned, dispatched, delivered, failed, cancelled
  std::optional<int64_t> route_id;
  int64_t seq = 0;
  std::string received_by, note, fail_reason, created_at, updated_at;
  std::vector<DeliveryLine> lines;
  std::string route_date, route_status;  // of its route; empty while on none
};

struct DeliveryFilter {
  std::optional<int64_t> route_id, requester_id, station_id;
  std::string status;
  // Only deliveries on these routes (a volunteer's); nullopt: any.
  std::optional<std::vector<int64_t>> route_ids;
};

StatusOr<std::vector<Delivery>> ListDeliveries(Database& db, const DeliveryFilter& filter,
                                               const Page& page);
StatusOr<Delivery> GetDelivery(Database& db, int64_t id);

// planned -> dispatched; kFailedPrecondition from any other status.
StatusOr<Delivery> DispatchDelivery(Database& db, int64_t id, const Actor& actor);

// What the recipient actually took of one item, and what was damaged on the
// way. No quantity: everything allotted but the damaged part.
struct DeliveredQuantity {
  int64_t item_id = 0;
  std::optional<int64_t> quantity;
  int64_t damaged = 0;
};

// The reason recorded when damaged units are written off.
inline constexpr const char* kDamagedInDelivery = "damaged_in_delivery";

// Records the delivery as delivered (from planned or dispatched). Items not
// in `taken` are delivered in full. A listed item's quantity, then its
// damaged units, are spread over that item's lines in order; damaged units
// are written off at their lots (reason damaged_in_delivery), the rest
// returns to its lots; both reopen the needs. kInvalidArgument if an item is
// listed twice or is not on the delivery, or more than was allotted is
// claimed.
StatusOr<Delivery> CompleteDelivery(Database& db, int64_t id, const std::string& received_by,
                                    const std::string& note,
                                    const std::optional<std::vector<DeliveredQuantity>>& taken,
                                    const Actor& actor);

// A corrected outcome: the figures as they should have been recorded (as for
// CompleteDelivery: items not listed were delivered in full), the signer if
// it changes, and why.
struct Correction {
  std::vector<DeliveredQuantity> lines;
  std::optional<std::string> received_by;
  std::string reason;
};

// Re-records the outcome of a delivered or failed delivery recorded at or
// after `not_before` (RFC 3339): moves each line's stock and need from the
// recorded figures to the corrected ones, in the caller's transaction, with
// a ledger event per lot, need and the delivery (who corrected what, from
// what, why). The delivery becomes delivered, or failed if nothing reached
// the door. kFailedPrecondition for another status, an outcome older than
// `not_before`, or when returned stock or a reopened need has been used
// since (allocated again, written off, cancelled); kInvalidArgument as for
// CompleteDelivery.
StatusOr<Delivery> CorrectDelivery(Database& db, int64_t id, const Correction& correction,
                                   const std::string& not_before, const Actor& actor);

// Records a failed (or, with `cancel`, cancelled) delivery: everything
// returns to its lots and the needs reopen. Only from planned or dispatched.
StatusOr<Delivery> FailDelivery(Database& db, int64_t id, const std::string& reason, bool cancel,
                                const Actor& actor);

// A lot after expiry and the units it had available, now written off.
struct ExpiredLot {
  Lot lot;
  int64_t expired = 0;
};

// Writes off the available part of every lot that expired before `as_of`
// (YYYY-MM-DD) with reason "expired". Returns the lots touched.
StatusOr<std::vector<ExpiredLot>> ExpireLots(Database& db, const std::string& as_of,
                                             const Actor& actor);

// A planned delivery not yet on a route, with what ordering needs.
struct RouteCandidate {
  int64_t delivery_id = 0;
  std::string district, address;
  std::optional<double> lat, lon;
  int urgency_rank = 2;  // most urgent of its needs: 0 critical .. 3 low
};
StatusOr<std::vector<RouteCandidate>> UnroutedDeliveries(Database& db, int64_t depot_id);

// A volunteer a route is assigned to: a user or a token (the other id 0).
struct RouteVolunteer {
  int64_t user_id = 0, token_id = 0;
  std::string name;  // the user's display name or the token's label
  std::string assigned_at;
};

struct Route {
  int64_t id = 0, depot_id = 0;
  std::string date, driver, district, status, created_at;
  std::vector<Delivery> stops;  // in visiting order
  int64_t stop_count = 0;
  std::vector<RouteVolunteer> volunteers;  // GetRoute only
};

// Creates a route holding `delivery_ids` in that order. kConflict if one of
// them is no longer a planned delivery of the depot without a route.
StatusOr<Route> InsertRoute(Database& db, Route route, const std::vector<int64_t>& delivery_ids,
                            const Actor& actor);
StatusOr<Route> GetRoute(Database& db, int64_t id);
struct RouteFilter {
  std::string date, status;  // empty: any
  std::optional<int64_t> depot_id;
  std::optional<std::vector<int64_t>> ids;  // only these (a volunteer's); nullopt: any
};
// Routes matching `filter`, by id, without their stops (stop_count set).
StatusOr<std::vector<Route>> ListRoutes(Database& db, const RouteFilter& filter, const Page& page);
// Assigns route `route_id` to a volunteer: the user `user_id` or the token
// `token_id` (exactly one is non-zero), with a route_assigned event; a
// second assignment of the same volunteer changes nothing. kNotFound naming
// id (route), user_id or token_id (unknown, or a revoked token);
// kFailedPrecondition naming user_id or token_id if it is not a
// volunteer's or the user is disabled.
StatusOr<Route> AssignRoute(Database& db, int64_t route_id, int64_t user_id, int64_t token_id,
                            const Actor& actor);
// The routes assigned to the volunteer user `user_id` (when non-zero) or
// token `token_id`, by id.
StatusOr<std::vector<int64_t>> AssignedRouteIds(Database& db, int64_t user_id, int64_t token_id);
// Marks the route dispatched and its planned deliveries dispatched.
StatusOr<Route> DispatchRoute(Database& db, int64_t id, const Actor& actor);
// The ids of the route's deliveries that were ever dispatched (a
// delivery_dispatched event), whatever their status now: the stops the van
// took, as a reprint of the route shows them.
StatusOr<std::set<int64_t>> DispatchedStops(Database& db, int64_t route_id);

// Donor trace: what happened to a lot's stock, by requester district and
// kind. No names, phones or addresses.
struct TraceBucket {
  std::string district, requester_kind;
  int64_t allocated = 0;   // on planned or dispatched deliveries
  int64_t dispatched = 0;  // of which on the road
  int64_t delivered = 0, returned = 0;
};
struct LotTrace {
  Lot lot;
  std::string item_name, item_unit, depot_name, depot_district;
  std::vector<TraceBucket> buckets;
};
StatusOr<std::vector<LotTrace>> TraceDonor(Database& db, int64_t donor_id);
StatusOr<LotTrace> TraceLot(Database& db, int64_t lot_id);

// The four quantities of a lot (available, allocated, delivered,
// written_off) or a need (outstanding, allocated, delivered, cancelled).
struct LedgerQuantities {
  int64_t open = 0;  // a lot's available, a need's outstanding
  int64_t allocated = 0;
  int64_t delivered = 0;
  int64_t closed = 0;  // a lot's written_off, a need's cancelled

  int64_t Sum() const { return open + allocated + delivered + closed; }
  friend bool operator==(const LedgerQuantities&, const LedgerQuantities&) = default;
};

// The ledger check of one lot or need: its quantities today and what the
// newest "after" of its ledger says (its events and the entries of
// committed match runs, whichever is newer).
struct LedgerRow {
  std::string entity;  // "lot" or "need"
  int64_t id = 0, total = 0;
  LedgerQuantities now;
  std::optional<LedgerQuantities> last_after;  // none: no event states one
  // JSON of that newest event, or of the run entry if newer:
  // {"run_event_id":N,"quantity":Q,"after":{...}}; for diagnostics.
  std::string last_event_detail;
};
StatusOr<std::vector<LedgerRow>> LedgerRows(Database& db);

}  // namespace aidlink::store
