// Lot expiry, the donor trace and the donation receipt.
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/print_io.h"
#include "api/validate.h"
#include "print/receipt.h"
#include "store/dispatch.h"
#include "store/repo.h"

namespace aidlink::api {

// POST /v1/lots:expire {as_of}: writes off (reason "expired") the available
// part of every lot that expired before as_of; dispatcher.
Response ExpireLots(Context& ctx) {
  v1::ExpireRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::ExpireResponse>(
      200, [=, &ctx](store::Database& db, v1::ExpireResponse& out) -> Status {
        auto lots = store::ExpireLots(db, req.as_of(), ctx.principal().actor());
        if (!lots.ok()) return lots.status();
        out.set_as_of(req.as_of());
        out.set_lots_expired(static_cast<int64_t>(lots->size()));
        int64_t units = 0;
        for (const auto& e : *lots) {
          *out.add_lots() = api::ToProto(e.lot);
          units += e.expired;
        }
        out.set_units_written_off(units);
        return Status::Ok();
      });
}

// GET /v1/donors/{id}/trace: where each of the donor's lots went, by
// district and requester kind, with no names, phones or addresses;
// dispatcher or that donor.
Response GetDonorTrace(Context& ctx) {
  const Principal& p = ctx.principal();
  if (!p.MaySeeDonor(ctx.id())) return ctx.Error(NotFound("donor not found", "id"));
  v1::DonorTrace out;
  Status s = ctx.Read([&](store::Database& db) -> Status {
    auto donor = store::GetDonor(db, ctx.id());
    if (!donor.ok()) return donor.status();
    auto traces = store::TraceDonor(db, ctx.id());
    if (!traces.ok()) return traces.status();
    out.set_donor_id(donor->id);
    out.set_donor_name(donor->name);
    for (const auto& t : *traces) *out.add_lots() = ToProto(t);
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  return ctx.Reply(200, out);
}

// GET /v1/lots/{id}/receipt?format=html|txt&lang=zh|en: the printable
// donation receipt with the lot's trace, no household data; dispatcher or
// the lot's donor (another donor's lot is 404). Default html, zh.
Response GetLotReceipt(Context& ctx) {
  const Principal& p = ctx.principal();
  static constexpr std::string_view kFormats[] = {"txt", "html"};
  auto format = QueryChoice(ctx, "format", "html", kFormats);
  if (!format.ok()) return ctx.Error(format.status());
  auto l = LangQuery(ctx);
  if (!l.ok()) return ctx.Error(l.status());
  print::Receipt receipt;
  Status s = ctx.Read([&](store::Database& db) -> Status {
    auto trace = store::TraceLot(db, ctx.id());
    if (!trace.ok()) return trace.status();
    if (!p.MaySeeDonor(trace->lot.donor_id)) {
      return NotFound("lot not found", "id");
    }
    auto loaded = LoadReceipt(db, *trace, *l);
    if (!loaded.ok()) return loaded.status();
    receipt = std::move(*loaded);
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  Response r;
  const bool html = *format == "html";
  r.body = print::RenderReceipt(receipt, html ? print::Format::kHtml : print::Format::kTxt, *l);
  r.content_type = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
  return r;
}

}  // namespace aidlink::api
