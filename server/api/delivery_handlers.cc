// Deliveries and their outcomes: listing, dispatching, delivering,
// correcting, failing and cancelling.
#include <chrono>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/validate.h"
#include "store/dispatch.h"
#include "util/date.h"

namespace aidlink::api {
namespace {

// The delivery with `id` if the caller may see it (a station: only its own
// requesters'; a volunteer: those on its routes), else kNotFound.
StatusOr<store::Delivery> ScopedDelivery(store::Database& db, const Principal& p, int64_t id) {
  auto d = store::GetDelivery(db, id);
  if (!d.ok()) return d.status();
  if (!p.MaySeeDelivery(d->station_id, d->route_id)) {
    return NotFound("delivery not found", "id");
  }
  return d;
}

}  // namespace

// GET /v1/deliveries?route_id=&status=&requester_id=: deliveries with their
// lines; dispatcher, or a station for its own requesters.
Response ListDeliveries(Context& ctx) {
  const Principal& p = ctx.principal();
  store::DeliveryFilter filter;
  if (Status s = QueryIds(ctx, {{"route_id", &filter.route_id},
                                {"requester_id", &filter.requester_id},
                                {"station_id", &filter.station_id}});
      !s.ok()) {
    return ctx.Error(s);
  }
  filter.status = ctx.Query("status");
  if (Status s = CheckOptionalEnum(filter.status, "status", vocab::kDeliveryStatuses); !s.ok()) {
    return ctx.Error(s);
  }
  if (Status s = NarrowToOwnStation(p, filter.station_id); !s.ok()) return ctx.Error(s);
  if (p.role == Role::kVolunteer) {
    // Only the stops of its own routes; another route is 404 as for any
    // object out of scope.
    if (filter.route_id && !p.MaySeeRoute(*filter.route_id))
      return ctx.Error(NotFound("route not found", "route_id"));
    filter.route_ids = p.route_ids;
  }
  return ReplyPage<v1::DeliveryList>(ctx, [&](store::Database& db, const store::Page& page) {
    return store::ListDeliveries(db, filter, page);
  });
}

// GET /v1/deliveries/{id}: one delivery; 404 if another station's.
Response GetDelivery(Context& ctx) {
  const Principal& p = ctx.principal();
  return ReplyRead(ctx, [&](store::Database& db) { return ScopedDelivery(db, p, ctx.id()); });
}

// POST /v1/deliveries/{id}:dispatch {}: planned -> dispatched; dispatcher.
Response DispatchDelivery(Context& ctx) {
  return CommitRow<v1::Delivery>(ctx, 200, [&ctx](store::Database& db) {
    return store::DispatchDelivery(db, ctx.id(), ctx.principal().actor());
  });
}

namespace {

// 0..kMaxQuantity.
Status CheckCount(int64_t value, const char* field) {
  if (value >= 0 && value <= kMaxQuantity) return Status::Ok();
  return InvalidArgument(std::string(field) + " must be between 0 and 1000000000", field);
}

// The lines of a :deliver or :correct request, checked field by field.
StatusOr<std::vector<store::DeliveredQuantity>> TakenOf(
    const google::protobuf::RepeatedPtrField<v1::DeliveredLine>& lines) {
  AIDLINK_RETURN_IF_ERROR(CheckListSize(lines.size(), "lines"));
  std::vector<store::DeliveredQuantity> taken;
  for (const auto& l : lines) {
    AIDLINK_RETURN_IF_ERROR(CheckId(l.item_id(), "lines.item_id"));
    if (l.has_quantity()) AIDLINK_RETURN_IF_ERROR(CheckCount(l.quantity(), "lines.quantity"));
    AIDLINK_RETURN_IF_ERROR(CheckCount(l.damaged(), "lines.damaged"));
    store::DeliveredQuantity t{l.item_id(), std::nullopt, l.damaged()};
    if (l.has_quantity()) t.quantity = l.quantity();
    taken.push_back(t);
  }
  return taken;
}

}  // namespace

// POST /v1/deliveries/{id}:deliver {received_by, note, lines?}: records
// what reached the door. Per listed item: the quantity taken and the units
// damaged on the way (written off); items not listed are delivered in full.
// What was not delivered reopens the needs. Dispatcher, or the station of
// the requester (confirmation of receipt).
Response DeliverDelivery(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::DeliverRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  auto lines = TakenOf(req.lines());
  if (!lines.ok()) return ctx.Error(lines.status());
  std::optional<std::vector<store::DeliveredQuantity>> taken;
  if (!lines->empty()) taken = std::move(*lines);
  return CommitRow<v1::Delivery>(ctx, 200,
                                 [=, &ctx](store::Database& db) -> StatusOr<store::Delivery> {
                                   auto scoped = ScopedDelivery(db, p, ctx.id());
                                   if (!scoped.ok()) return scoped.status();
                                   return store::CompleteDelivery(db, ctx.id(), req.received_by(),
                                                                  req.note(), taken, p.actor());
                                 });
}

// POST /v1/deliveries/{id}:correct {lines, received_by?, reason}: re-records
// a delivered or failed delivery's outcome within --outcome-correction-hours
// of it, moving stock and needs to the corrected figures; dispatcher. 422 if
// the delivery has no outcome, the window has passed, or stock it would take
// back has been used since.
Response CorrectDelivery(Context& ctx) {
  v1::CorrectRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  auto lines = TakenOf(req.lines());
  if (!lines.ok()) return ctx.Error(lines.status());
  store::Correction c;
  c.lines = std::move(*lines);
  if (req.has_received_by()) c.received_by = req.received_by();
  c.reason = req.reason();
  const std::string not_before =
      date::Rfc3339(std::chrono::system_clock::now() - ctx.store().outcome_correction());
  return CommitRow<v1::Delivery>(ctx, 200, [=, &ctx](store::Database& db) {
    return store::CorrectDelivery(db, ctx.id(), c, not_before, ctx.principal().actor());
  });
}

namespace {

Response FailOrCancel(Context& ctx, bool cancel) {
  const Principal& p = ctx.principal();
  v1::FailRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return CommitRow<v1::Delivery>(
      ctx, 200, [=, &ctx](store::Database& db) -> StatusOr<store::Delivery> {
        auto scoped = ScopedDelivery(db, p, ctx.id());
        if (!scoped.ok()) return scoped.status();
        return store::FailDelivery(db, ctx.id(), req.reason(), cancel, ctx.principal().actor());
      });
}

}  // namespace

// POST /v1/deliveries/{id}:fail {reason}: not home, refused, wrong address,
// vehicle problem; everything returns to its lots and the needs reopen.
Response FailDelivery(Context& ctx) { return FailOrCancel(ctx, false); }

// POST /v1/deliveries/{id}:cancel {reason}: as :fail, recorded as cancelled.
Response CancelDelivery(Context& ctx) { return FailOrCancel(ctx, true); }

}  // namespace aidlink::api
