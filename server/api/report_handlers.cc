// The ledger report.
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/validate.h"
#include "store/dispatch.h"

namespace aidlink::api {

// GET /v1/reports/ledger: per lot and per need the conservation sums,
// whether they hold, and whether the newest "after" in the event ledger
// matches today's quantities; dispatcher.
Response GetLedgerReport(Context& ctx) {
  auto rows = ctx.Read([&](store::Database& db) { return store::LedgerRows(db); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::LedgerReport out;
  int64_t sum_failures = 0, replay_failures = 0;
  for (const store::LedgerRow& r : *rows) {
    const bool lot = r.entity == "lot";
    v1::LedgerEntry* e = lot ? out.add_lots() : out.add_needs();
    e->set_id(r.id);
    e->set_total(r.total);
    e->set_allocated(r.now.allocated);
    e->set_delivered(r.now.delivered);
    if (lot) {
      e->set_available(r.now.open);
      e->set_written_off(r.now.closed);
    } else {
      e->set_outstanding(r.now.open);
      e->set_cancelled(r.now.closed);
    }
    const bool sum = r.now.Sum() == r.total;
    // The newest event must state today's quantities.
    const bool replay = r.last_after == r.now;
    e->set_sum_holds(sum);
    e->set_replay_holds(replay);
    sum_failures += !sum;
    replay_failures += !replay;
  }
  out.set_lots_checked(out.lots_size());
  out.set_needs_checked(out.needs_size());
  out.set_sum_failures(sum_failures);
  out.set_replay_failures(replay_failures);
  out.set_ok(sum_failures == 0 && replay_failures == 0);
  return ctx.Reply(200, out);
}

}  // namespace aidlink::api
