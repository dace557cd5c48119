#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/validate.h"
#include "store/repo.h"

namespace aidlink::api {
namespace {

Status NarrowToOwn(bool scoped, const std::optional<int64_t>& own, std::optional<int64_t>& filter,
                   const char* what, const char* field) {
  if (!scoped) return Status::Ok();
  if (filter && filter != own) return NotFound(std::string(what) + " not found", field);
  filter = own;
  return Status::Ok();
}

}  // namespace

Status NarrowToOwnStation(const Principal& p, std::optional<int64_t>& station_id) {
  return NarrowToOwn(p.role == Role::kStation, p.station_id, station_id, "station", "station_id");
}

Status NarrowToOwnDonor(const Principal& p, std::optional<int64_t>& donor_id) {
  return NarrowToOwn(p.role == Role::kDonor, p.donor_id, donor_id, "donor", "donor_id");
}

// POST /v1/tokens: issues a token bound to a role (and station or donor);
// admin, or a dispatcher for a volunteer. The token is shown once, in this
// answer.
Response CreateToken(Context& ctx) {
  v1::Token req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  // Who may issue the role (403) before the rest of the body (400).
  if (Status s = CheckEnum(req.role(), "role", vocab::kRoles); !s.ok()) return ctx.Error(s);
  if (Status s = MayIssueRole(ctx.principal(), req.role()); !s.ok()) return ctx.Error(s);
  if (Status s = Validate(req); !s.ok()) return ctx.Error(s);
  const std::string token = NewToken();
  store::TokenRecord record;
  record.hash = HashToken(token);
  record.role = req.role();
  if (req.has_station_id()) record.station_id = req.station_id();
  if (req.has_donor_id()) record.donor_id = req.donor_id();
  record.label = req.label();
  // A replay of this answer (same Idempotency-Key) says the token was shown
  // once: the idempotency table must not hold it in plaintext.
  ctx.RedactOnReplay([](google::protobuf::Message& m) {
    auto& t = static_cast<v1::Token&>(m);
    t.clear_token();
    t.set_token_shown_once(true);
  });
  return ctx.Commit<v1::Token>(201, [=, &ctx](store::Database& db, v1::Token& out) -> Status {
    auto t = store::InsertToken(db, record, ctx.principal().actor());
    if (!t.ok()) return t.status();
    out.set_id(t->id);
    out.set_role(t->role);
    if (t->station_id) out.set_station_id(*t->station_id);
    if (t->donor_id) out.set_donor_id(*t->donor_id);
    out.set_label(t->label);
    out.set_token(token);
    out.set_created_at(t->created_at);
    return Status::Ok();
  });
}

// POST /v1/items: adds a catalog entry; dispatcher. 409 if the code exists.
Response CreateItem(Context& ctx) {
  v1::Item req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Item>(201, [=, &ctx](store::Database& db, v1::Item& out) -> Status {
    auto item = store::InsertItem(db, FromProto(req), ctx.principal().actor());
    if (!item.ok()) return item.status();
    out = ToProto(*item);
    return Status::Ok();
  });
}

// GET /v1/items: the catalog, any role.
Response ListItems(Context& ctx) {
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListItems(db, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::ItemList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// GET /v1/items/{id}: one catalog entry, any role.
Response GetItem(Context& ctx) {
  auto row = ctx.Read([&](store::Database& db) { return store::GetItem(db, ctx.id()); });
  if (!row.ok()) return ctx.Error(row.status());
  return ctx.Reply(200, ToProto(*row));
}

// POST /v1/donors: registers a donor; dispatcher.
Response CreateDonor(Context& ctx) {
  v1::Donor req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Donor>(201, [=, &ctx](store::Database& db, v1::Donor& out) -> Status {
    auto donor = store::InsertDonor(db, FromProto(req), ctx.principal().actor());
    if (!donor.ok()) return donor.status();
    out = ToProto(*donor);
    return Status::Ok();
  });
}

// GET /v1/donors: every donor; dispatcher.
Response ListDonors(Context& ctx) {
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListDonors(db, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::DonorList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// GET /v1/donors/{id}: dispatcher, or that donor; 404 for any other donor.
Response GetDonor(Context& ctx) {
  const Principal& p = ctx.principal();
  if (!p.MaySeeDonor(ctx.id())) return ctx.Error(NotFound("donor not found", "id"));
  auto row = ctx.Read([&](store::Database& db) { return store::GetDonor(db, ctx.id()); });
  if (!row.ok()) return ctx.Error(row.status());
  return ctx.Reply(200, ToProto(*row));
}

// POST /v1/depots: adds a depot; dispatcher.
Response CreateDepot(Context& ctx) {
  v1::Depot req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Depot>(201, [=, &ctx](store::Database& db, v1::Depot& out) -> Status {
    auto depot = store::InsertDepot(db, FromProto(req), ctx.principal().actor());
    if (!depot.ok()) return depot.status();
    out = ToProto(*depot);
    return Status::Ok();
  });
}

// GET /v1/depots: every depot, any role.
Response ListDepots(Context& ctx) {
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListDepots(db, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::DepotList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// GET /v1/depots/{id}: one depot, any role.
Response GetDepot(Context& ctx) {
  auto row = ctx.Read([&](store::Database& db) { return store::GetDepot(db, ctx.id()); });
  if (!row.ok()) return ctx.Error(row.status());
  return ctx.Reply(200, ToProto(*row));
}

// POST /v1/stations: registers a social-work station; admin only.
Response CreateStation(Context& ctx) {
  v1::Station req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Station>(201, [=, &ctx](store::Database& db, v1::Station& out) -> Status {
    auto station = store::InsertStation(db, FromProto(req), ctx.principal().actor());
    if (!station.ok()) return station.status();
    out = ToProto(*station);
    return Status::Ok();
  });
}

// GET /v1/stations: every station, any role.
Response ListStations(Context& ctx) {
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListStations(db, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::StationList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// GET /v1/stations/{id}: one station, any role.
Response GetStation(Context& ctx) {
  auto row = ctx.Read([&](store::Database& db) { return store::GetStation(db, ctx.id()); });
  if (!row.ok()) return ctx.Error(row.status());
  return ctx.Reply(200, ToProto(*row));
}

}  // namespace aidlink::api
