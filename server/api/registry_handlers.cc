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

StatusOr<std::string> QueryChoice(const Context& ctx, const char* name, std::string_view fallback,
                                  std::span<const std::string_view> allowed) {
  std::string value = ctx.Query(name);
  if (value.empty()) value = std::string(fallback);
  AIDLINK_RETURN_IF_ERROR(CheckEnum(value, name, allowed));
  return value;
}

Status QueryIds(const Context& ctx,
                std::initializer_list<std::pair<const char*, std::optional<int64_t>*>> ids) {
  for (const auto& [name, field] : ids) {
    auto id = ctx.QueryId(name);
    if (!id.ok()) return id.status();
    *field = *id;
  }
  return Status::Ok();
}

StatusOr<print::Lang> LangQuery(const Context& ctx) {
  static constexpr std::string_view kLangs[] = {"zh", "en"};
  auto lang = QueryChoice(ctx, "lang", "zh", kLangs);
  if (!lang.ok()) return lang.status();
  return *lang == "en" ? print::Lang::kEn : print::Lang::kZh;
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
Response CreateItem(Context& ctx) { return CreateFromBody<v1::Item>(ctx, store::InsertItem); }

// GET /v1/items: the catalog, any role.
Response ListItems(Context& ctx) { return ReplyPage<v1::ItemList>(ctx, store::ListItems); }

// GET /v1/items/{id}: one catalog entry, any role.
Response GetItem(Context& ctx) {
  return ReplyRead(ctx, [&](store::Database& db) { return store::GetItem(db, ctx.id()); });
}

// POST /v1/donors: registers a donor; dispatcher.
Response CreateDonor(Context& ctx) { return CreateFromBody<v1::Donor>(ctx, store::InsertDonor); }

// GET /v1/donors: every donor; dispatcher.
Response ListDonors(Context& ctx) { return ReplyPage<v1::DonorList>(ctx, store::ListDonors); }

// GET /v1/donors/{id}: dispatcher, or that donor; 404 for any other donor.
Response GetDonor(Context& ctx) {
  const Principal& p = ctx.principal();
  if (!p.MaySeeDonor(ctx.id())) return ctx.Error(NotFound("donor not found", "id"));
  return ReplyRead(ctx, [&](store::Database& db) { return store::GetDonor(db, ctx.id()); });
}

// POST /v1/depots: adds a depot; dispatcher.
Response CreateDepot(Context& ctx) { return CreateFromBody<v1::Depot>(ctx, store::InsertDepot); }

// GET /v1/depots: every depot, any role.
Response ListDepots(Context& ctx) { return ReplyPage<v1::DepotList>(ctx, store::ListDepots); }

// GET /v1/depots/{id}: one depot, any role.
Response GetDepot(Context& ctx) {
  return ReplyRead(ctx, [&](store::Database& db) { return store::GetDepot(db, ctx.id()); });
}

// POST /v1/stations: registers a social-work station; admin only.
Response CreateStation(Context& ctx) {
  return CreateFromBody<v1::Station>(ctx, store::InsertStation);
}

// GET /v1/stations: every station, any role.
Response ListStations(Context& ctx) { return ReplyPage<v1::StationList>(ctx, store::ListStations); }

// GET /v1/stations/{id}: one station, any role.
Response GetStation(Context& ctx) {
  return ReplyRead(ctx, [&](store::Database& db) { return store::GetStation(db, ctx.id()); });
}

}  // namespace aidlink::api
