#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "api/auth.h"
#include "api/context.h"
#include "api/convert.h"
#include "api/http.h"
#include "api/validate.h"
#include "print/manifest.h"

// The endpoint handlers of API.md. Each starts with its route contract.
// They run on the server's blocking pool, never on the I/O threads.
namespace aidlink::api {

// Narrows a list's station (donor) filter to the caller's own station
// (donor) when the caller is a station (donor): naming another one is
// kNotFound, as for any out-of-scope object. Staff filters pass unchanged.
Status NarrowToOwnStation(const Principal& p, std::optional<int64_t>& station_id);
Status NarrowToOwnDonor(const Principal& p, std::optional<int64_t>& donor_id);

// The requester, need or lot with `id` if the caller may see it (a station:
// its own requesters and their needs; a donor: its own lots), else
// kNotFound naming id, exactly as for an unknown id (scoped_handlers.cc).
StatusOr<store::Requester> ScopedRequester(store::Database& db, const Principal& p, int64_t id);
StatusOr<store::Need> ScopedNeed(store::Database& db, const Principal& p, int64_t id);
StatusOr<store::Lot> ScopedLot(store::Database& db, const Principal& p, int64_t id);

// Decodes the request body into `msg` and checks it with its Validate
// (api/validate.h).
template <typename Message>
Status DecodeValid(Context& ctx, Message* msg) {
  AIDLINK_RETURN_IF_ERROR(ctx.Decode(msg));
  return Validate(*msg);
}

// The query parameter `name`, or `fallback` when it is absent or empty;
// kInvalidArgument naming it unless it is one of `allowed`.
StatusOr<std::string> QueryChoice(const Context& ctx, const char* name, std::string_view fallback,
                                  std::span<const std::string_view> allowed);
// Reads each optional positive id query parameter into its field, in order;
// the first that is present but not one is the error (Context::QueryId).
Status QueryIds(const Context& ctx,
                std::initializer_list<std::pair<const char*, std::optional<int64_t>*>> ids);
// The lang query parameter of a printout: zh (the default) or en.
StatusOr<print::Lang> LangQuery(const Context& ctx);

// Fills `out` with ToProto of `row` and returns Ok, or returns the error of
// `row`: the end of most writes.
template <typename Msg, typename Row>
Status FillFrom(Msg& out, const StatusOr<Row>& row) {
  if (!row.ok()) return row.status();
  out = ToProto(*row);
  return Status::Ok();
}

// Commits `write(db)`, which returns a StatusOr of a store record, and
// answers `status` with ToProto of the record (see Context::Commit: `write`
// runs later, so it must own what it uses).
template <typename Msg, typename Write>
Response CommitRow(Context& ctx, int status, Write write) {
  return ctx.Commit<Msg>(status, [write = std::move(write)](store::Database& db, Msg& out) {
    return FillFrom(out, write(db));
  });
}

// POST of an object anyone in the route's roles may create: decodes and
// validates a `Msg`, inserts FromProto of it with `insert(db, record,
// actor)` and answers 201 with the stored object.
template <typename Msg, typename Insert>
Response CreateFromBody(Context& ctx, Insert insert) {
  Msg req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return CommitRow<Msg>(ctx, 201, [record = FromProto(req), insert, &ctx](store::Database& db) {
    return insert(db, record, ctx.principal().actor());
  });
}

// Answers 200 with ToProto of what `read(db)` returns on the request's read
// transaction, or its error.
template <typename Read>
Response ReplyRead(Context& ctx, Read read) {
  auto row = ctx.Read(read);
  if (!row.ok()) return ctx.Error(row.status());
  return ctx.Reply(200, ToProto(*row));
}

// A list endpoint's answer: the page of the query (page_size, page_token)
// that `load(db, page)` reads, as a `List` of ToProto of each row with the
// next_page_token that `token(rows, page)` makes of it (and trims the rows).
template <typename List, typename Load, typename Token>
Response ReplyPage(Context& ctx, Load load, Token token) {
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return load(db, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  List out;
  out.set_next_page_token(token(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// The same for a list ordered by id.
template <typename List, typename Load>
Response ReplyPage(Context& ctx, Load load) {
  return ReplyPage<List>(
      ctx, load, [](auto& rows, const store::Page& page) { return NextPageToken(rows, page); });
}

Response CreateToken(Context& ctx);

Response CreateUser(Context& ctx);
Response ListUsers(Context& ctx);
Response DisableUser(Context& ctx);
Response SetUserPassword(Context& ctx);
Response Login(Context& ctx);
Response Logout(Context& ctx);
Response Me(Context& ctx);

Response CreateItem(Context& ctx);
Response ListItems(Context& ctx);
Response GetItem(Context& ctx);
Response CreateDonor(Context& ctx);
Response ListDonors(Context& ctx);
Response GetDonor(Context& ctx);
Response CreateDepot(Context& ctx);
Response ListDepots(Context& ctx);
Response GetDepot(Context& ctx);
Response CreateStation(Context& ctx);
Response ListStations(Context& ctx);
Response GetStation(Context& ctx);

Response CreateRequester(Context& ctx);
Response ListRequesters(Context& ctx);
Response GetRequester(Context& ctx);
Response CreateNeed(Context& ctx);
Response ListNeeds(Context& ctx);
Response GetNeed(Context& ctx);
Response CancelNeed(Context& ctx);

// Duplicate cases (duplicate_handlers.cc).
Response ListDuplicates(Context& ctx);
Response GetDuplicate(Context& ctx);
Response ResolveDuplicate(Context& ctx);
Response ReopenDuplicate(Context& ctx);

Response CreateLot(Context& ctx);
Response ListLots(Context& ctx);
Response GetLot(Context& ctx);
Response WriteOffLot(Context& ctx);
Response ReceiveLot(Context& ctx);

Response CreateMatchRun(Context& ctx);
Response GetMatchRun(Context& ctx);

Response CreateRoute(Context& ctx);
Response GetRoute(Context& ctx);
Response DispatchRoute(Context& ctx);
Response AssignRoute(Context& ctx);
Response GetManifest(Context& ctx);
Response ListDeliveries(Context& ctx);
Response GetDelivery(Context& ctx);
Response DispatchDelivery(Context& ctx);
Response DeliverDelivery(Context& ctx);
Response FailDelivery(Context& ctx);
Response CorrectDelivery(Context& ctx);
Response CancelDelivery(Context& ctx);
Response ExpireLots(Context& ctx);
Response GetDonorTrace(Context& ctx);
Response GetLedgerReport(Context& ctx);
Response GetLotReceipt(Context& ctx);

// Edits (patch_handlers.cc): merge-patch bodies, If-Match versions.
Response PatchItem(Context& ctx);
Response PatchDonor(Context& ctx);
Response PatchDepot(Context& ctx);
Response PatchStation(Context& ctx);
Response PatchRequester(Context& ctx);
Response PatchLot(Context& ctx);
Response PatchNeed(Context& ctx);
Response DeactivateRequester(Context& ctx);
Response ListRoutes(Context& ctx);
Response ListMatchRuns(Context& ctx);

// Quotas (quota_handlers.cc).
Response CreateQuota(Context& ctx);
Response ListQuotas(Context& ctx);
Response GetQuota(Context& ctx);
Response PatchQuota(Context& ctx);
Response DisableQuota(Context& ctx);
Response GetEntitlements(Context& ctx);

}  // namespace aidlink::api
