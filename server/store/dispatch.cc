#include "store/dispatch.h"

#include <algorithm>
#include <array>
#include <map>

#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"
#include "util/logging.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::Many;
using internal::MaybeOne;
using internal::One;
using internal::ReadColumns;
using internal::ReadId;

constexpr const char* kDeliverySelect =
    "SELECT d.id, d.run_id, d.requester_id, d.depot_id, r.station_id, d.status, d.route_id, "
    "ifnull(d.seq, 0), d.received_by, d.note, d.fail_reason, d.created_at, d.updated_at, "
    "ifnull(t.date, ''), ifnull(t.status, '') "
    "FROM deliveries d JOIN requesters r ON r.id = d.requester_id "
    "LEFT JOIN routes t ON t.id = d.route_id";

Delivery ReadDelivery(const Statement& st) {
  Delivery d;
  ReadColumns(st, d.id, d.run_id, d.requester_id, d.depot_id, d.station_id, d.status, d.route_id,
              d.seq, d.received_by, d.note, d.fail_reason, d.created_at, d.updated_at, d.route_date,
              d.route_status);
  return d;
}

constexpr const char* kRouteCols =
    "r.id, r.depot_id, r.date, r.driver, r.district, r.status, r.created_at";

Route ReadRoute(const Statement& st) {
  Route r;
  ReadColumns(st, r.id, r.depot_id, r.date, r.driver, r.district, r.status, r.created_at);
  return r;
}

// Binds `ids` as a JSON array, for "IN (SELECT value FROM json_each(?))",
// or NULL (no such filter) if there are none.
void BindJsonIds(Statement* st, int index, const std::optional<std::vector<int64_t>>& ids) {
  if (!ids) {
    st->BindNull(index);
    return;
  }
  std::string json = "[";
  for (size_t i = 0; i < ids->size(); ++i) json += (i ? "," : "") + std::to_string((*ids)[i]);
  st->Bind(index, json + "]");
}

Status LoadLines(Database& db, Delivery* d) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT a.id, a.need_id, a.lot_id, l.item_id, a.quantity, a.delivered, a.returned, "
      "a.damaged FROM allocations a JOIN lots l ON l.id = a.lot_id WHERE a.delivery_id = ? "
      "ORDER BY a.id");
  st->Bind(1, d->id);
  auto lines = Many<DeliveryLine>(st, [](const Statement& row) {
    return DeliveryLine{row.Int(0), row.Int(1), row.Int(2), row.Int(3),
                        row.Int(4), row.Int(5), row.Int(6), row.Int(7)};
  });
  if (!lines.ok()) return lines.status();
  d->lines = std::move(*lines);
  return Status::Ok();
}

Status SetDeliveryStatus(Database& db, int64_t id, const std::string& status,
                         const std::string& received_by, const std::string& note,
                         const std::string& fail_reason) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "UPDATE deliveries SET status = ?1, received_by = ?2, note = ?3, fail_reason = ?4, "
      "updated_at = ?5, outcome_at = CASE WHEN ?1 IN ('delivered', 'failed', 'cancelled') "
      "THEN ifnull(outcome_at, ?5) ELSE outcome_at END WHERE id = ?6");
  BindAll(st, status, received_by, note, fail_reason, date::NowRfc3339(), id);
  return st->Run();
}

// What returns to a need of a deactivated requester is cancelled with the
// deactivation's reason instead of waiting for a run that will never serve it.
Status CancelIfRequesterLeft(Database& db, int64_t need_id, const Actor& actor) {
  auto need = GetNeed(db, need_id);
  if (!need.ok()) return need.status();
  if (need->outstanding == 0) return Status::Ok();
  auto requester = GetRequester(db, need->requester_id);
  if (!requester.ok()) return requester.status();
  if (requester->active) return Status::Ok();
  return internal::CancelOutstanding(db, std::move(*need), requester->deactivated_reason, actor)
      .status();
}

// The ledger detail of a settled allocation, up to its "after" object.
std::string SettledRef(int64_t delivery_id, int64_t delivered, int64_t returned, int64_t damaged) {
  std::string ref = "{\"delivery_id\":" + std::to_string(delivery_id) +
                    ",\"delivered\":" + std::to_string(delivered) +
                    ",\"returned\":" + std::to_string(returned);
  if (damaged > 0) {
    ref += ",\"written_off\":" + std::to_string(damaged) + ",\"reason\":\"" +
           std::string(kDamagedInDelivery) + "\"";
  }
  return ref + ",\"after\":";
}

Status SetAllocationOutcome(Database& db, int64_t allocation_id, int64_t delivered,
                            int64_t returned, int64_t damaged) {
  AIDLINK_ASSIGN_STMT(
      st, db, "UPDATE allocations SET delivered = ?, returned = ?, damaged = ? WHERE id = ?");
  BindAll(st, delivered, returned, damaged, allocation_id);
  return st->Run();
}

// Steps `st`, an UPDATE of lot or need `id` (`entity`) RETURNING its four
// quantities in LedgerQuantities order, and appends event `kind` with
// `ref` and those quantities as "after"; a need's status follows them.
// `if_none` if `st` updated no row (the stock it needed is gone).
Status RecordMove(Database& db, Statement* st, const std::string& entity, int64_t id,
                  const Status& if_none, const std::string& kind, const std::string& ref,
                  const Actor& actor) {
  auto moved = MaybeOne<LedgerQuantities>(st, [](const Statement& row) {
    return LedgerQuantities{row.Int(0), row.Int(1), row.Int(2), row.Int(3)};
  });
  if (!moved.ok()) return moved.status();
  if (!*moved) return if_none;
  const LedgerQuantities& q = **moved;
  if (entity == "lot") {
    return AppendEvent(db, actor, kind, entity, id,
                       ref + LotQuantitiesJson(q.open, q.allocated, q.delivered, q.closed) + "}");
  }
  Need n;
  n.outstanding = q.open;
  n.allocated = q.allocated;
  n.delivered = q.delivered;
  n.cancelled = q.closed;
  AIDLINK_ASSIGN_STMT(status, db, "UPDATE needs SET status = ? WHERE id = ?");
  status->Bind(1, NeedStatus(n)).Bind(2, id);
  AIDLINK_RETURN_IF_ERROR(status->Run());
  return AppendEvent(db, actor, kind, entity, id,
                     ref + NeedQuantitiesJson(q.open, q.allocated, q.delivered, q.closed) + "}");
}

// Settles one allocation: `delivered` units reached the recipient,
// `damaged` units are written off at the lot, the rest returns to the lot
// (available); what did not arrive reopens the need (outstanding).
Status Settle(Database& db, const DeliveryLine& line, int64_t delivered, int64_t damaged,
              int64_t delivery_id, const Actor& actor) {
  const int64_t returned = line.quantity - delivered - damaged;
  const std::string ref = SettledRef(delivery_id, delivered, returned, damaged);
  AIDLINK_RETURN_IF_ERROR(
      SetAllocationOutcome(db, line.allocation_id, delivered, returned, damaged));
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "UPDATE lots SET allocated = allocated - ?1, delivered = delivered + ?2, "
                        "available = available + ?3, written_off = written_off + ?5 WHERE id = ?4 "
                        "RETURNING available, allocated, delivered, written_off");
    BindAll(st, line.quantity, delivered, returned, line.lot_id, damaged);
    AIDLINK_RETURN_IF_ERROR(
        RecordMove(db, st, "lot", line.lot_id, Internal("allocation names a missing lot"),
                   delivered == 0 ? "lot_returned" : "lot_delivered", ref, actor));
  }
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "UPDATE needs SET allocated = allocated - ?1, delivered = delivered + ?2, "
                        "outstanding = outstanding + ?3 WHERE id = ?4 "
                        "RETURNING outstanding, allocated, delivered, cancelled");
    BindAll(st, line.quantity, delivered, returned + damaged, line.need_id);
    AIDLINK_RETURN_IF_ERROR(
        RecordMove(db, st, "need", line.need_id, Internal("allocation names a missing need"),
                   delivered == 0 ? "need_reopened" : "need_delivered", ref, actor));
  }
  return delivered < line.quantity ? CancelIfRequesterLeft(db, line.need_id, actor) : Status::Ok();
}

bool Open(const std::string& status) { return status == "planned" || status == "dispatched"; }

// What became of one line of a delivery.
struct LineOutcome {
  int64_t delivered = 0, damaged = 0;
};

// Per item: {delivered, damaged} as claimed, checked against what was allotted.
StatusOr<std::map<int64_t, LineOutcome>> ClaimsByItem(const std::vector<DeliveryLine>& lines,
                                                      const std::vector<DeliveredQuantity>& taken) {
  std::map<int64_t, int64_t> allotted;
  for (const DeliveryLine& l : lines) allotted[l.item_id] += l.quantity;
  std::map<int64_t, LineOutcome> claims;
  for (const DeliveredQuantity& t : taken) {
    const std::string item = "item " + std::to_string(t.item_id);
    if (claims.count(t.item_id)) return InvalidArgument(item + " is listed twice", "lines");
    auto it = allotted.find(t.item_id);
    if (it == allotted.end()) {
      return InvalidArgument(item + " is not on this delivery", "lines.item_id");
    }
    const int64_t delivered = t.quantity.value_or(std::max<int64_t>(0, it->second - t.damaged));
    if (delivered + t.damaged > it->second) {
      return InvalidArgument(item + ": " + std::to_string(delivered) + " delivered and " +
                                 std::to_string(t.damaged) + " damaged but only " +
                                 std::to_string(it->second) + " allotted",
                             t.damaged > 0 ? "lines.damaged" : "lines.quantity");
    }
    claims[t.item_id] = {delivered, t.damaged};
  }
  for (const auto& [item, q] : allotted) claims.try_emplace(item, LineOutcome{q, 0});  // in full
  return claims;
}

// Each line's outcome: an item's delivered units, then its damaged units,
// spread over the item's lines in order; the rest of a line returns.
StatusOr<std::vector<LineOutcome>> SplitOutcome(const std::vector<DeliveryLine>& lines,
                                                const std::vector<DeliveredQuantity>& taken) {
  auto claims = ClaimsByItem(lines, taken);
  if (!claims.ok()) return claims.status();
  std::vector<LineOutcome> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    LineOutcome& left = (*claims)[lines[i].item_id];
    out[i].delivered = std::min(left.delivered, lines[i].quantity);
    out[i].damaged = std::min(left.damaged, lines[i].quantity - out[i].delivered);
    left.delivered -= out[i].delivered;
    left.damaged -= out[i].damaged;
  }
  return out;
}

// Marks the delivery's route completed once every stop has an outcome.
Status CompleteRouteIfDone(Database& db, int64_t delivery_id, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "UPDATE routes SET status = 'completed' WHERE status != 'completed' AND id = "
      "(SELECT route_id FROM deliveries WHERE id = ?1) AND NOT EXISTS (SELECT 1 FROM deliveries "
      "WHERE route_id = routes.id AND status IN ('planned', 'dispatched')) RETURNING id");
  st->Bind(1, delivery_id);
  auto route = MaybeOne<int64_t>(st, ReadId);
  if (!route.ok()) return route.status();
  if (!*route) return Status::Ok();
  return AppendEvent(db, actor, "route_completed", "route", **route, "{}");
}

// The time a delivery's outcome was first recorded (RFC 3339).
StatusOr<std::string> OutcomeAt(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT ifnull(outcome_at, updated_at) FROM deliveries WHERE id = ?");
  st->Bind(1, id);
  auto at = MaybeOne<std::string>(st, [](const Statement& row) { return row.Text(0); });
  if (!at.ok()) return at.status();
  return at->value_or("");
}

// The ledger detail of a corrected line, up to its "after" object: the new
// figures, what was recorded before, and why.
std::string CorrectionRef(int64_t delivery_id, const DeliveryLine& was, const LineOutcome& now,
                          int64_t returned, const std::string& reason) {
  std::string ref =
      "{\"delivery_id\":" + std::to_string(delivery_id) + ",\"correction\":\"" +
      log::JsonEscape(reason) + "\",\"was\":{\"delivered\":" + std::to_string(was.delivered) +
      ",\"returned\":" + std::to_string(was.returned) +
      ",\"damaged\":" + std::to_string(was.damaged) +
      "},\"delivered\":" + std::to_string(now.delivered) +
      ",\"returned\":" + std::to_string(returned) + ",\"damaged\":" + std::to_string(now.damaged);
  if (now.damaged != was.damaged)
    ref += ",\"written_off_reason\":\"" + std::string(kDamagedInDelivery) + "\"";
  return ref + ",\"after\":";
}

// A correction's move at the lot: delivered, written off and available by
// the differences. kFailedPrecondition if units that come back from
// available are no longer there.
Status RebookLot(Database& db, const DeliveryLine& line, int64_t dd, int64_t dx, int64_t dr,
                 const std::string& ref, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE lots SET delivered = delivered + ?1, written_off = written_off + ?2, "
                      "available = available + ?3 WHERE id = ?4 AND available + ?3 >= 0 "
                      "RETURNING available, allocated, delivered, written_off");
  BindAll(st, dd, dx, dr, line.lot_id);
  return RecordMove(db, st, "lot", line.lot_id,
                    FailedPrecondition("lot " + std::to_string(line.lot_id) +
                                       " no longer has the returned units this correction takes "
                                       "back: they were allocated or written off since"),
                    "lot_outcome_corrected", ref, actor);
}

// A correction's move at the need: delivered up by `dd`, outstanding down
// by it. kFailedPrecondition if the need no longer has that much open.
Status RebookNeed(Database& db, const DeliveryLine& line, int64_t dd, const std::string& ref,
                  const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE needs SET delivered = delivered + ?1, outstanding = outstanding - ?1 "
                      "WHERE id = ?2 AND outstanding - ?1 >= 0 "
                      "RETURNING outstanding, allocated, delivered, cancelled");
  st->Bind(1, dd).Bind(2, line.need_id);
  return RecordMove(db, st, "need", line.need_id,
                    FailedPrecondition("need " + std::to_string(line.need_id) +
                                       " was allocated again or cancelled since; fail or cancel "
                                       "that first"),
                    "need_outcome_corrected", ref, actor);
}

// Moves one line from its recorded outcome to `now`.
Status Rebook(Database& db, const DeliveryLine& line, const LineOutcome& now, int64_t delivery_id,
              const std::string& reason, const Actor& actor) {
  const int64_t returned = line.quantity - now.delivered - now.damaged;
  const int64_t dd = now.delivered - line.delivered, dx = now.damaged - line.damaged;
  if (dd == 0 && dx == 0) return Status::Ok();
  AIDLINK_RETURN_IF_ERROR(
      SetAllocationOutcome(db, line.allocation_id, now.delivered, returned, now.damaged));
  const std::string ref = CorrectionRef(delivery_id, line, now, returned, reason);
  AIDLINK_RETURN_IF_ERROR(RebookLot(db, line, dd, dx, returned - line.returned, ref, actor));
  return RebookNeed(db, line, dd, ref, actor);
}

// The delivery event of a correction: who (the event's actor), from what,
// to what, why.
std::string CorrectionDetail(const Delivery& was, const std::vector<LineOutcome>& now,
                             const std::string& status, const std::string& reason) {
  std::string lines;
  for (size_t i = 0; i < was.lines.size(); ++i) {
    const DeliveryLine& l = was.lines[i];
    lines += std::string(lines.empty() ? "" : ",") +
             "{\"allocation_id\":" + std::to_string(l.allocation_id) +
             ",\"was_delivered\":" + std::to_string(l.delivered) +
             ",\"was_damaged\":" + std::to_string(l.damaged) +
             ",\"delivered\":" + std::to_string(now[i].delivered) +
             ",\"damaged\":" + std::to_string(now[i].damaged) + "}";
  }
  return "{\"reason\":\"" + log::JsonEscape(reason) + "\",\"from\":\"" + was.status +
         "\",\"to\":\"" + status + "\",\"lines\":[" + lines + "]}";
}

}  // namespace

StatusOr<std::vector<Delivery>> ListDeliveries(Database& db, const DeliveryFilter& f,
                                               const Page& page) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string(kDeliverySelect) +
                          " WHERE d.id > ?1 AND (?2 IS NULL OR d.route_id = ?2) AND "
                          "(?3 IS NULL OR d.requester_id = ?3) AND (?4 IS NULL OR "
                          "r.station_id = ?4) AND (?5 IS NULL OR d.status = ?5) AND "
                          "(?7 IS NULL OR d.route_id IN (SELECT value FROM json_each(?7))) "
                          "ORDER BY d.id LIMIT ?6");
  BindAll(st, page.after_id, f.route_id, f.requester_id, f.station_id);
  st->BindTextOrNull(5, f.status).Bind(6, page.limit);
  BindJsonIds(st, 7, f.route_ids);
  auto out = Many<Delivery>(st, ReadDelivery);
  if (!out.ok()) return out.status();
  for (Delivery& d : *out) AIDLINK_RETURN_IF_ERROR(LoadLines(db, &d));
  return out;
}

StatusOr<Delivery> GetDelivery(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db, std::string(kDeliverySelect) + " WHERE d.id = ?");
  st->Bind(1, id);
  auto d = One<Delivery>(st, ReadDelivery, "delivery", "id");
  if (!d.ok()) return d.status();
  AIDLINK_RETURN_IF_ERROR(LoadLines(db, &*d));
  return d;
}

StatusOr<Delivery> DispatchDelivery(Database& db, int64_t id, const Actor& actor) {
  auto d = GetDelivery(db, id);
  if (!d.ok()) return d.status();
  if (d->status != "planned") {
    return FailedPrecondition("delivery " + std::to_string(id) + " is " + d->status +
                              ", not planned");
  }
  AIDLINK_RETURN_IF_ERROR(SetDeliveryStatus(db, id, "dispatched", "", "", ""));
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "delivery_dispatched", "delivery", id, "{}"));
  return GetDelivery(db, id);
}

StatusOr<Delivery> CompleteDelivery(Database& db, int64_t id, const std::string& received_by,
                                    const std::string& note,
                                    const std::optional<std::vector<DeliveredQuantity>>& taken,
                                    const Actor& actor) {
  auto d = GetDelivery(db, id);
  if (!d.ok()) return d.status();
  if (!Open(d->status)) {
    return FailedPrecondition("delivery " + std::to_string(id) + " is already " + d->status);
  }
  auto outcome = SplitOutcome(d->lines, taken.value_or(std::vector<DeliveredQuantity>{}));
  if (!outcome.ok()) return outcome.status();
  for (size_t i = 0; i < d->lines.size(); ++i) {
    const LineOutcome& o = (*outcome)[i];
    AIDLINK_RETURN_IF_ERROR(Settle(db, d->lines[i], o.delivered, o.damaged, id, actor));
  }
  AIDLINK_RETURN_IF_ERROR(SetDeliveryStatus(db, id, "delivered", received_by, note, ""));
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "delivery_delivered", "delivery", id, "{}"));
  AIDLINK_RETURN_IF_ERROR(CompleteRouteIfDone(db, id, actor));
  return GetDelivery(db, id);
}

StatusOr<Delivery> CorrectDelivery(Database& db, int64_t id, const Correction& c,
                                   const std::string& not_before, const Actor& actor) {
  auto d = GetDelivery(db, id);
  if (!d.ok()) return d.status();
  const std::string name = "delivery " + std::to_string(id);
  if (d->status != "delivered" && d->status != "failed") {
    return FailedPrecondition(name + " is " + d->status +
                              ": only a delivered or failed delivery can be corrected");
  }
  auto at = OutcomeAt(db, id);
  if (!at.ok()) return at.status();
  if (*at < not_before) {
    return FailedPrecondition(name + ": its outcome was recorded at " + *at +
                              ", before the correction window (outcomes since " + not_before + ")");
  }
  auto outcome = SplitOutcome(d->lines, c.lines);
  if (!outcome.ok()) return outcome.status();
  int64_t delivered = 0;
  for (const LineOutcome& o : *outcome) delivered += o.delivered;
  const std::string status = delivered > 0 ? "delivered" : "failed";
  const std::string received_by = c.received_by.value_or(d->received_by);
  if (status == "delivered" && received_by.empty()) {
    return InvalidArgument("received_by: who received the delivery", "received_by");
  }
  for (size_t i = 0; i < d->lines.size(); ++i) {
    AIDLINK_RETURN_IF_ERROR(Rebook(db, d->lines[i], (*outcome)[i], id, c.reason, actor));
  }
  const std::string fail_reason =
      status == "delivered" ? "" : (d->status == "failed" ? d->fail_reason : c.reason);
  AIDLINK_RETURN_IF_ERROR(SetDeliveryStatus(
      db, id, status, status == "delivered" ? received_by : "", d->note, fail_reason));
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "delivery_corrected", "delivery", id,
                                      CorrectionDetail(*d, *outcome, status, c.reason)));
  return GetDelivery(db, id);
}

StatusOr<Delivery> FailDelivery(Database& db, int64_t id, const std::string& reason, bool cancel,
                                const Actor& actor) {
  auto d = GetDelivery(db, id);
  if (!d.ok()) return d.status();
  if (!Open(d->status)) {
    return FailedPrecondition("delivery " + std::to_string(id) + " is already " + d->status);
  }
  for (const DeliveryLine& line : d->lines) {
    AIDLINK_RETURN_IF_ERROR(Settle(db, line, 0, 0, id, actor));
  }
  const std::string status = cancel ? "cancelled" : "failed";
  AIDLINK_RETURN_IF_ERROR(SetDeliveryStatus(db, id, status, "", "", reason));
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "delivery_" + status, "delivery", id,
                                      "{\"reason\":\"" + log::JsonEscape(reason) + "\"}"));
  AIDLINK_RETURN_IF_ERROR(CompleteRouteIfDone(db, id, actor));
  return GetDelivery(db, id);
}

StatusOr<std::vector<ExpiredLot>> ExpireLots(Database& db, const std::string& as_of,
                                             const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT id FROM lots WHERE expires_on IS NOT NULL AND expires_on < ? AND "
                      "available > 0 ORDER BY id");
  st->Bind(1, as_of);
  auto ids = Many<int64_t>(st, ReadId);
  if (!ids.ok()) return ids.status();
  std::vector<ExpiredLot> out;
  for (int64_t id : *ids) {
    auto lot = GetLot(db, id);
    if (!lot.ok()) return lot.status();
    auto written = WriteOffLot(db, id, lot->available, "expired", actor);
    if (!written.ok()) return written.status();
    out.push_back({std::move(*written), lot->available});
  }
  return out;
}

StatusOr<std::vector<RouteCandidate>> UnroutedDeliveries(Database& db, int64_t depot_id) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT d.id, r.district, r.address, r.lat, r.lon, "
      "min(CASE n.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 "
      "ELSE 3 END) FROM deliveries d JOIN requesters r ON r.id = d.requester_id "
      "JOIN allocations a ON a.delivery_id = d.id JOIN needs n ON n.id = a.need_id "
      "WHERE d.depot_id = ? AND d.status = 'planned' AND d.route_id IS NULL "
      "GROUP BY d.id ORDER BY d.id");
  st->Bind(1, depot_id);
  return Many<RouteCandidate>(st, [](const Statement& row) {
    return RouteCandidate{row.Int(0),       row.Text(1),      row.Text(2),
                          row.OptDouble(3), row.OptDouble(4), static_cast<int>(row.Int(5))};
  });
}

StatusOr<Route> InsertRoute(Database& db, Route route, const std::vector<int64_t>& delivery_ids,
                            const Actor& actor) {
  route.created_at = date::NowRfc3339();
  route.status = "planned";
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "INSERT INTO routes (depot_id, date, driver, district, status, created_at) "
                        "VALUES (?, ?, ?, ?, 'planned', ?)");
    BindAll(st, route.depot_id, route.date, route.driver, route.district, route.created_at);
    AIDLINK_RETURN_IF_ERROR(st->Run());
    route.id = db.LastInsertId();
  }
  {
    AIDLINK_ASSIGN_STMT(
        st, db,
        "UPDATE deliveries SET route_id = ?, seq = ?, updated_at = ? WHERE id = ? AND "
        "depot_id = ? AND status = 'planned' AND route_id IS NULL");
    int64_t seq = 0;
    for (int64_t id : delivery_ids) {
      st->Reset();
      BindAll(st, route.id, ++seq, route.created_at, id, route.depot_id);
      AIDLINK_RETURN_IF_ERROR(st->Run());
      if (db.Changes() != 1) {
        return Conflict("delivery " + std::to_string(id) + " was taken by another route");
      }
    }
  }
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "route_created", "route", route.id,
                                      "{\"stops\":" + std::to_string(delivery_ids.size()) + "}"));
  return GetRoute(db, route.id);
}

StatusOr<Route> GetRoute(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(route, db,
                      std::string("SELECT ") + kRouteCols + " FROM routes r WHERE r.id = ?");
  route->Bind(1, id);
  StatusOr<Route> r = One<Route>(route, ReadRoute, "route", "id");
  if (!r.ok()) return r.status();
  AIDLINK_ASSIGN_STMT(stops, db, "SELECT id FROM deliveries WHERE route_id = ? ORDER BY seq");
  stops->Bind(1, id);
  StatusOr<std::vector<int64_t>> ids = Many<int64_t>(stops, ReadId);
  if (!ids.ok()) return ids.status();
  for (int64_t d : *ids) {
    auto delivery = GetDelivery(db, d);
    if (!delivery.ok()) return delivery.status();
    r->stops.push_back(std::move(*delivery));
  }
  r->stop_count = static_cast<int64_t>(r->stops.size());
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT ifnull(a.user_id, 0), ifnull(a.token_id, 0), "
      "coalesce(u.display_name, t.label, ''), a.assigned_at FROM route_assignments a "
      "LEFT JOIN users u ON u.id = a.user_id LEFT JOIN tokens t ON t.id = a.token_id "
      "WHERE a.route_id = ? ORDER BY a.id");
  st->Bind(1, id);
  auto volunteers = Many<RouteVolunteer>(st, [](const Statement& row) {
    return RouteVolunteer{row.Int(0), row.Int(1), row.Text(2), row.Text(3)};
  });
  if (!volunteers.ok()) return volunteers.status();
  r->volunteers = std::move(*volunteers);
  return r;
}

StatusOr<std::vector<Route>> ListRoutes(Database& db, const RouteFilter& f, const Page& page) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      std::string("SELECT ") + kRouteCols +
          ", (SELECT count(*) FROM deliveries d WHERE d.route_id = r.id) FROM routes r "
          "WHERE r.id > ?1 AND (?2 = '' OR r.date = ?2) AND (?3 = '' OR r.status = ?3) AND "
          "(?4 IS NULL OR r.depot_id = ?4) AND "
          "(?6 IS NULL OR r.id IN (SELECT value FROM json_each(?6))) ORDER BY r.id LIMIT ?5");
  BindAll(st, page.after_id, f.date, f.status, f.depot_id);
  st->Bind(5, page.limit);
  BindJsonIds(st, 6, f.ids);
  return Many<Route>(st, [](const Statement& row) {
    Route r = ReadRoute(row);
    r.stop_count = row.Int(7);
    return r;
  });
}

StatusOr<Route> AssignRoute(Database& db, int64_t route_id, int64_t user_id, int64_t token_id,
                            const Actor& actor) {
  AIDLINK_RETURN_IF_ERROR(internal::MustExist(db, "routes", route_id, "id", "route"));
  const char* field = user_id != 0 ? "user_id" : "token_id";
  const int64_t who = user_id != 0 ? user_id : token_id;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        user_id != 0
                            ? "SELECT role, disabled_at IS NOT NULL FROM users WHERE id = ?"
                            : "SELECT role, 0 FROM tokens WHERE id = ? AND revoked_at IS "
                              "NULL");
    st->Bind(1, who);
    StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    const std::string what = std::string(user_id != 0 ? "user " : "token ") + std::to_string(who);
    if (!*row) return NotFound(what + " not found", field);
    const std::string role = st->Text(0);
    const bool disabled = st->Int(1) != 0;
    st->Reset();
    if (role != "volunteer") {
      return FailedPrecondition(what + " is a " + role + "'s, not a volunteer's", field);
    }
    if (disabled) return FailedPrecondition(what + " is disabled", field);
  }
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO route_assignments (route_id, user_id, token_id, assigned_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
  st->Bind(1, route_id);
  if (user_id != 0) {
    st->Bind(2, user_id).BindNull(3);
  } else {
    st->BindNull(2).Bind(3, token_id);
  }
  st->Bind(4, date::NowRfc3339());
  AIDLINK_RETURN_IF_ERROR(st->Run());
  if (db.Changes() > 0) {
    AIDLINK_RETURN_IF_ERROR(
        AppendEvent(db, actor, "route_assigned", "route", route_id,
                    std::string("{\"") + field + "\":" + std::to_string(who) + "}"));
  }
  return GetRoute(db, route_id);
}

StatusOr<std::vector<int64_t>> AssignedRouteIds(Database& db, int64_t user_id, int64_t token_id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      user_id != 0
                          ? "SELECT route_id FROM route_assignments WHERE user_id = ? AND "
                            "user_id IS NOT NULL ORDER BY route_id"
                          : "SELECT route_id FROM route_assignments WHERE token_id = ? AND "
                            "token_id IS NOT NULL ORDER BY route_id");
  st->Bind(1, user_id != 0 ? user_id : token_id);
  return Many<int64_t>(st, ReadId);
}

StatusOr<Route> DispatchRoute(Database& db, int64_t id, const Actor& actor) {
  auto route = GetRoute(db, id);
  if (!route.ok()) return route.status();
  if (route->status != "planned")
    return FailedPrecondition("route " + std::to_string(id) + " is already " + route->status);
  for (const Delivery& d : route->stops) {
    if (d.status == "planned") {
      auto done = DispatchDelivery(db, d.id, actor);
      if (!done.ok()) return done.status();
    }
  }
  {
    AIDLINK_ASSIGN_STMT(st, db, "UPDATE routes SET status = 'dispatched' WHERE id = ?");
    st->Bind(1, id);
    AIDLINK_RETURN_IF_ERROR(st->Run());
  }
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "route_dispatched", "route", id, "{}"));
  return GetRoute(db, id);
}

StatusOr<std::set<int64_t>> DispatchedStops(Database& db, int64_t route_id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT DISTINCT e.entity_id FROM deliveries d JOIN events e "
                      "ON e.entity = 'delivery' AND e.entity_id = d.id "
                      "AND e.kind = 'delivery_dispatched' WHERE d.route_id = ?");
  st->Bind(1, route_id);
  std::set<int64_t> out;
  AIDLINK_RETURN_IF_ERROR(
      internal::ForEachRow(st, [&](const Statement& row) { out.insert(row.Int(0)); }));
  return out;
}

namespace {

StatusOr<LotTrace> TraceOf(Database& db, Lot lot) {
  LotTrace t;
  t.lot = std::move(lot);
  AIDLINK_ASSIGN_STMT(names, db,
                      "SELECT i.name, i.unit, p.name, p.district FROM items i, depots p "
                      "WHERE i.id = ? AND p.id = ?");
  names->Bind(1, t.lot.item_id).Bind(2, t.lot.depot_id);
  // One row (the lot's item and depot exist).
  AIDLINK_RETURN_IF_ERROR(internal::ForEachRow(names, [&](const Statement& row) {
    ReadColumns(row, t.item_name, t.item_unit, t.depot_name, t.depot_district);
  }));
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT r.district, r.kind, "
      "sum(CASE WHEN d.status IN ('planned','dispatched') THEN a.quantity ELSE 0 END), "
      "sum(CASE WHEN d.status = 'dispatched' THEN a.quantity ELSE 0 END), "
      "sum(a.delivered), sum(a.returned) "
      "FROM allocations a JOIN deliveries d ON d.id = a.delivery_id "
      "JOIN requesters r ON r.id = d.requester_id WHERE a.lot_id = ? "
      "GROUP BY r.district, r.kind ORDER BY r.district, r.kind");
  st->Bind(1, t.lot.id);
  auto buckets = Many<TraceBucket>(st, [](const Statement& row) {
    return TraceBucket{row.Text(0), row.Text(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5)};
  });
  if (!buckets.ok()) return buckets.status();
  t.buckets = std::move(*buckets);
  return t;
}

}  // namespace

StatusOr<std::vector<LotTrace>> TraceDonor(Database& db, int64_t donor_id) {
  LotFilter filter;
  filter.donor_id = donor_id;
  auto lots = internal::AllPages<Lot>([&](const Page& page) { return ListLots(db, filter, page); });
  if (!lots.ok()) return lots.status();
  std::vector<LotTrace> out;
  for (Lot& lot : *lots) {
    auto t = TraceOf(db, std::move(lot));
    if (!t.ok()) return t.status();
    out.push_back(std::move(*t));
  }
  return out;
}

StatusOr<LotTrace> TraceLot(Database& db, int64_t lot_id) {
  auto lot = GetLot(db, lot_id);
  if (!lot.ok()) return lot.status();
  return TraceOf(db, std::move(*lot));
}

namespace {

// The names of the four quantities in an event's "after" object, in
// LedgerQuantities order (as LotQuantitiesJson and NeedQuantitiesJson write).
using QuantityKeys = std::array<const char*, 4>;
constexpr QuantityKeys kLotKeys = {"available", "allocated", "delivered", "written_off"};
constexpr QuantityKeys kNeedKeys = {"outstanding", "allocated", "delivered", "cancelled"};

// The quantities of the last "after":{...} of an event's detail, or nullopt
// if it has none or one is missing.
std::optional<LedgerQuantities> AfterOf(const std::string& detail, const QuantityKeys& keys) {
  const size_t at = detail.rfind("\"after\":{");
  if (at == std::string::npos) return std::nullopt;
  const size_t end = detail.find('}', at);
  if (end == std::string::npos) return std::nullopt;
  const std::string_view after = std::string_view(detail).substr(at, end - at);
  int64_t values[4];
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string key = std::string("\"") + keys[i] + "\":";
    const size_t k = after.find(key);
    if (k == std::string::npos) return std::nullopt;
    const std::string_view rest = after.substr(k + key.size());
    const std::optional<int64_t> v = internal::ParseInt64(rest.substr(0, rest.find_first_of(",}")));
    if (!v) return std::nullopt;
    values[i] = *v;
  }
  return LedgerQuantities{values[0], values[1], values[2], values[3]};
}

}  // namespace

StatusOr<std::vector<LedgerRow>> LedgerRows(Database& db) {
  std::vector<LedgerRow> out;
  // Per lot (need): the newest event with an "after" and the newest entry of
  // a committed run (run_ledger); whichever is newer holds the quantities
  // that today's must equal.
  const char* queries[2] = {
      // A pledged lot has received nothing yet: its total is 0.
      "SELECT l.id, CASE WHEN l.status = 'pledged' THEN 0 ELSE l.quantity END, l.available, "
      "l.allocated, l.delivered, l.written_off, "
      "e.id, e.detail, r.event_id, r.quantity, r.after_0, r.after_1, r.after_2, r.after_3 "
      "FROM lots l "
      "LEFT JOIN events e ON e.id = (SELECT x.id FROM events x WHERE x.entity = 'lot' AND "
      "x.entity_id = l.id AND x.detail LIKE '%\"after\":{%' ORDER BY x.id DESC LIMIT 1) "
      "LEFT JOIN run_ledger r ON r.entity = 'lot' AND r.entity_id = l.id AND r.event_id = "
      "(SELECT max(y.event_id) FROM run_ledger y WHERE y.entity = 'lot' AND y.entity_id = l.id) "
      "ORDER BY l.id",
      "SELECT n.id, n.quantity, n.outstanding, n.allocated, n.delivered, n.cancelled, "
      "e.id, e.detail, r.event_id, r.quantity, r.after_0, r.after_1, r.after_2, r.after_3 "
      "FROM needs n "
      "LEFT JOIN events e ON e.id = (SELECT x.id FROM events x WHERE x.entity = 'need' AND "
      "x.entity_id = n.id AND x.detail LIKE '%\"after\":{%' ORDER BY x.id DESC LIMIT 1) "
      "LEFT JOIN run_ledger r ON r.entity = 'need' AND r.entity_id = n.id AND r.event_id = "
      "(SELECT max(y.event_id) FROM run_ledger y WHERE y.entity = 'need' AND y.entity_id = n.id) "
      "ORDER BY n.id"};
  const char* entities[2] = {"lot", "need"};
  for (int k = 0; k < 2; ++k) {
    AIDLINK_ASSIGN_STMT(st, db, queries[k]);
    AIDLINK_RETURN_IF_ERROR(internal::ForEachRow(st, [&](const Statement& row) {
      LedgerRow r;
      r.entity = entities[k];
      r.id = row.Int(0);
      r.total = row.Int(1);
      r.now = {row.Int(2), row.Int(3), row.Int(4), row.Int(5)};
      const bool run_newer = !row.IsNull(8) && (row.IsNull(6) || row.Int(8) > row.Int(6));
      if (run_newer) {
        r.last_after = LedgerQuantities{row.Int(10), row.Int(11), row.Int(12), row.Int(13)};
        const std::string after =
            k == 0 ? LotQuantitiesJson(row.Int(10), row.Int(11), row.Int(12), row.Int(13))
                   : NeedQuantitiesJson(row.Int(10), row.Int(11), row.Int(12), row.Int(13));
        r.last_event_detail = "{\"run_event_id\":" + std::to_string(row.Int(8)) +
                              ",\"quantity\":" + std::to_string(row.Int(9)) +
                              ",\"after\":" + after + "}";
      } else {
        r.last_event_detail = row.Text(7);
        r.last_after = AfterOf(r.last_event_detail, k == 0 ? kLotKeys : kNeedKeys);
      }
      out.push_back(std::move(r));
    }));
  }
  return out;
}

}  // namespace aidlink::store
