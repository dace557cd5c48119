// Handlers for the scoped objects: requesters and needs (a station sees only
// its own), lots (a donor sees only its own). Out-of-scope ids answer 404
// exactly as unknown ids do, so a caller cannot probe what exists.
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/duplicates.h"
#include "api/handlers.h"
#include "api/validate.h"
#include "store/repo.h"
#include "util/text.h"

namespace aidlink::api {
StatusOr<store::Requester> ScopedRequester(store::Database& db, const Principal& p, int64_t id) {
  auto r = store::GetRequester(db, id);
  if (!r.ok()) return r.status();
  if (!p.MaySeeStation(r->station_id)) return NotFound("requester not found", "id");
  return r;
}

StatusOr<store::Need> ScopedNeed(store::Database& db, const Principal& p, int64_t id) {
  auto need = store::GetNeed(db, id);
  if (!need.ok()) return need.status();
  if (!p.MaySeeStation(need->station_id)) return NotFound("need not found", "id");
  return need;
}

StatusOr<store::Lot> ScopedLot(store::Database& db, const Principal& p, int64_t id) {
  auto lot = store::GetLot(db, id);
  if (!lot.ok()) return lot.status();
  if (!p.MaySeeDonor(lot->donor_id)) return NotFound("lot not found", "id");
  return lot;
}

// POST /v1/requesters: registers a household, community, institution or
// frontline post; a station for itself only (another station_id is 404),
// or a dispatcher.
Response CreateRequester(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::Requester req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  // A station filing for itself need not repeat its own id.
  if (p.role == Role::kStation && req.station_id() == 0) req.set_station_id(*p.station_id);
  // Scope before validation: another station's id is 404 whatever the rest holds.
  if (!p.MaySeeStation(req.station_id())) {
    return ctx.Error(NotFound("station not found", "station_id"));
  }
  if (Status s = Validate(req); !s.ok()) return ctx.Error(s);
  const store::Store* the_store = &ctx.store();
  return ctx.Commit<v1::Requester>(201, [=](store::Database& db, v1::Requester& out) -> Status {
    auto r = store::InsertRequester(db, FromProto(req), p.actor());
    AIDLINK_RETURN_IF_ERROR(FillFrom(out, r));
    return CheckDuplicates(db, *the_store, *r, p.actor(), out);
  });
}

namespace {

// The requester list's filters from the query, checked.
StatusOr<store::RequesterFilter> RequesterFilterOf(const Context& ctx) {
  store::RequesterFilter f;
  AIDLINK_RETURN_IF_ERROR(QueryIds(ctx, {{"station_id", &f.station_id}}));
  f.q = std::string(text::Trim(ctx.Query("q")));
  f.kind = ctx.Query("kind");
  f.tag = ctx.Query("tag");
  f.district = ctx.Query("district");
  const std::string active = ctx.Query("active");
  if (!f.q.empty()) AIDLINK_RETURN_IF_ERROR(CheckText(f.q, "q"));
  AIDLINK_RETURN_IF_ERROR(CheckOptionalEnum(f.kind, "kind", vocab::kRequesterKinds));
  AIDLINK_RETURN_IF_ERROR(CheckOptionalEnum(f.tag, "tag", vocab::kTags));
  if (!f.district.empty()) AIDLINK_RETURN_IF_ERROR(CheckText(f.district, "district"));
  if (active == "true" || active == "1") f.active = true;
  if (active == "false" || active == "0") f.active = false;
  if (!active.empty() && !f.active)
    return InvalidArgument("active must be true or false", "active");
  return f;
}

}  // namespace

// GET /v1/requesters?station_id=&q=&kind=&tag=&district=&active=: requesters
// in scope (a station sees only its own: asking for another's is 404; a
// dispatcher sees all), by id. q finds a name or contact name containing it,
// or, when it reads as a phone number, a phone whose digits contain its
// digits.
Response ListRequesters(Context& ctx) {
  const Principal& p = ctx.principal();
  auto filter = RequesterFilterOf(ctx);
  if (!filter.ok()) return ctx.Error(filter.status());
  if (Status s = NarrowToOwnStation(p, filter->station_id); !s.ok()) return ctx.Error(s);
  return ReplyPage<v1::RequesterList>(ctx, [&](store::Database& db, const store::Page& page) {
    return store::ListRequesters(db, *filter, page);
  });
}

// GET /v1/requesters/{id}: one requester; 404 if another station's.
Response GetRequester(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::Requester out;
  Status s = ctx.Read([&](store::Database& db) -> Status {
    auto row = ScopedRequester(db, p, ctx.id());
    AIDLINK_RETURN_IF_ERROR(FillFrom(out, row));
    return ReadDuplicate(db, ctx.store(), *row, out);
  });
  if (!s.ok()) return ctx.Error(s);
  return ctx.Reply(200, out);
}

// POST /v1/needs: files a need for a requester of the caller's station (or
// any, for a dispatcher); 404 naming requester_id if it is unknown or
// another station's, 404 naming item_id for an unknown item.
Response CreateNeed(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::Need req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  auto not_found = [id = req.requester_id()] {
    return NotFound("requester " + std::to_string(id) + " not found", "requester_id");
  };
  if (req.requester_id() > 0 && p.role == Role::kStation) {
    // Scope before validation (and again inside the write, which is what counts).
    auto requester =
        ctx.Read([&](store::Database& db) { return store::GetRequester(db, req.requester_id()); });
    if (!requester.ok() || !p.MaySeeStation(requester->station_id)) return ctx.Error(not_found());
  }
  if (Status s = Validate(req); !s.ok()) return ctx.Error(s);
  return CommitRow<v1::Need>(ctx, 201, [=](store::Database& db) -> StatusOr<store::Need> {
    auto requester = store::GetRequester(db, req.requester_id());
    if (!requester.ok() || !p.MaySeeStation(requester->station_id)) return not_found();
    return store::InsertNeed(db, FromProto(req), p.actor());
  });
}

namespace {

// The need list's filters from the query, checked.
StatusOr<store::NeedFilter> NeedFilterOf(const Context& ctx) {
  store::NeedFilter f;
  f.status = ctx.Query("status");
  f.urgency = ctx.Query("urgency");
  f.needed_before = ctx.Query("needed_before");
  AIDLINK_RETURN_IF_ERROR(CheckOptionalEnum(f.status, "status", vocab::kNeedStatuses));
  AIDLINK_RETURN_IF_ERROR(CheckOptionalEnum(f.urgency, "urgency", vocab::kUrgencies));
  AIDLINK_RETURN_IF_ERROR(CheckDate(f.needed_before, "needed_before", true));
  AIDLINK_RETURN_IF_ERROR(QueryIds(
      ctx,
      {{"station_id", &f.station_id}, {"item_id", &f.item_id}, {"requester_id", &f.requester_id}}));
  return f;
}

}  // namespace

// GET /v1/needs?status=&station_id=&item_id=&requester_id=: needs in scope.
Response ListNeeds(Context& ctx) {
  auto filter = NeedFilterOf(ctx);
  if (!filter.ok()) return ctx.Error(filter.status());
  if (Status s = NarrowToOwnStation(ctx.principal(), filter->station_id); !s.ok()) {
    return ctx.Error(s);
  }
  return ReplyPage<v1::NeedList>(ctx, [&](store::Database& db, const store::Page& page) {
    return store::ListNeeds(db, *filter, page);
  });
}

// GET /v1/needs/{id}: one need with its status; 404 if another station's.
Response GetNeed(Context& ctx) {
  const Principal& p = ctx.principal();
  return ReplyRead(ctx, [&](store::Database& db) { return ScopedNeed(db, p, ctx.id()); });
}

// POST /v1/needs/{id}:cancel {reason}: cancels what is still outstanding;
// the station that owns it or a dispatcher. 422 if nothing is outstanding.
Response CancelNeed(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::CancelRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return CommitRow<v1::Need>(ctx, 200, [=, &ctx](store::Database& db) -> StatusOr<store::Need> {
    auto need = ScopedNeed(db, p, ctx.id());
    if (!need.ok()) return need.status();
    return store::CancelNeed(db, ctx.id(), req.reason(), p.actor());
  });
}

// POST /v1/lots: logs a donation of one item at one depot; a donor for
// itself only (another donor_id is 404), or a dispatcher.
Response CreateLot(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::Lot req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  if (p.role == Role::kDonor && req.donor_id() == 0) req.set_donor_id(*p.donor_id);
  // Scope before validation: another donor's id is 404 whatever the rest holds.
  if (!p.MaySeeDonor(req.donor_id())) return ctx.Error(NotFound("donor not found", "donor_id"));
  if (Status s = Validate(req); !s.ok()) return ctx.Error(s);
  // A donor pledges: the stock counts once the depot has it (:receive).
  // What the desk logs is at the depot already.
  store::Lot lot = FromProto(req);
  lot.status = p.role == Role::kDonor ? "pledged" : "received";
  return CommitRow<v1::Lot>(
      ctx, 201, [=](store::Database& db) { return store::InsertLot(db, lot, p.actor()); });
}

namespace {

// The lot list's filters from the query, checked.
StatusOr<store::LotFilter> LotFilterOf(const Context& ctx) {
  store::LotFilter f;
  AIDLINK_RETURN_IF_ERROR(QueryIds(
      ctx, {{"item_id", &f.item_id}, {"depot_id", &f.depot_id}, {"donor_id", &f.donor_id}}));
  f.expiring_before = ctx.Query("expiring_before");
  f.status = ctx.Query("status");
  AIDLINK_RETURN_IF_ERROR(CheckDate(f.expiring_before, "expiring_before", true));
  AIDLINK_RETURN_IF_ERROR(CheckOptionalEnum(f.status, "status", vocab::kLotStatuses));
  return f;
}

}  // namespace

// GET /v1/lots?item_id=&depot_id=&donor_id=&expiring_before=: lots in scope
// (a donor sees only its own).
Response ListLots(Context& ctx) {
  auto filter = LotFilterOf(ctx);
  if (!filter.ok()) return ctx.Error(filter.status());
  if (Status s = NarrowToOwnDonor(ctx.principal(), filter->donor_id); !s.ok()) {
    return ctx.Error(s);
  }
  // With expiring_before the lots come soonest expiry first (store::ListLots),
  // and the page token carries the expiry.
  const bool by_expiry = !filter->expiring_before.empty();
  return ReplyPage<v1::LotList>(
      ctx,
      [&](store::Database& db, const store::Page& page) {
        return store::ListLots(db, *filter, page);
      },
      [by_expiry](std::vector<store::Lot>& rows, const store::Page& page) {
        return by_expiry
                   ? NextPageToken(rows, page, [](const store::Lot& l) { return l.expires_on; })
                   : NextPageToken(rows, page);
      });
}

// GET /v1/lots/{id}: one lot; 404 if another donor's.
Response GetLot(Context& ctx) {
  const Principal& p = ctx.principal();
  return ReplyRead(ctx, [&](store::Database& db) { return ScopedLot(db, p, ctx.id()); });
}

// POST /v1/lots/{id}:receive {quantity_received, note}: the depot confirms
// what arrived of a pledged lot; only then is it stock that match runs
// allocate. Less than pledged is fine (the shortfall is in the ledger), more
// is 400; a lot that is not pledged is 409. Dispatcher.
Response ReceiveLot(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::ReceiveRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return CommitRow<v1::Lot>(ctx, 200, [=, &ctx](store::Database& db) {
    return store::ReceiveLot(db, ctx.id(), req.quantity_received(), req.note(), p.actor());
  });
}

// POST /v1/lots/{id}:write_off {quantity, reason}: removes damaged, lost or
// expired stock from what is available; dispatcher. 422 if more than is
// available.
Response WriteOffLot(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::WriteOffRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return CommitRow<v1::Lot>(ctx, 200, [=, &ctx](store::Database& db) {
    return store::WriteOffLot(db, ctx.id(), req.quantity(), req.reason(), p.actor());
  });
}

}  // namespace aidlink::api
