// POST /v1/match/runs and GET /v1/match/runs/{id}: the store loads a
// snapshot, the pure engine plans, the store commits the plan in one
// transaction.
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/match_io.h"
#include "api/quotas.h"
#include "api/validate.h"
#include "match/engine.h"
#include "store/matching.h"
#include "util/date.h"
#include "util/time_zone.h"

namespace aidlink::api {
// POST /v1/match/runs {dry_run, as_of?, item_ids[]?, min_shelf_days?}:
// allocates available stock to open needs by the matching policy;
// dispatcher. A dry run only answers the plan. A real run commits it in one
// transaction; if lots or needs changed while it planned, it re-plans on the
// fresh state inside that transaction, so a stale plan is never committed.
Response CreateMatchRun(Context& ctx) {
  v1::MatchRunRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);

  match::Policy policy;
  // The default delivery date is today where the server is (--time-zone),
  // so that a run just after local midnight on Monday is in the new week.
  policy.as_of = req.as_of().empty() ? tz::LocalDay(ctx.accounts().Now(), ctx.store().time_zone())
                                     : *date::ParseDate(req.as_of());
  policy.min_shelf_days = req.has_min_shelf_days() ? static_cast<int>(req.min_shelf_days()) : 1;
  policy.threads = 2;
  const std::vector<int64_t> item_ids(req.item_ids().begin(), req.item_ids().end());

  v1::MatchRun preview;
  preview.set_dry_run(req.dry_run());
  preview.set_as_of(date::FormatDate(policy.as_of));
  preview.set_min_shelf_days(policy.min_shelf_days);
  for (int64_t id : item_ids) preview.add_item_ids(id);

  auto loaded = ctx.Read([&](store::Database& db) {
    return LoadCappedMatchInput(db, item_ids, policy.as_of, ctx.store().duplicate_hold());
  });
  if (!loaded.ok()) return ctx.Error(loaded.status());
  match::Plan plan = match::Allocate(loaded->snapshot, policy);
  if (req.dry_run()) {
    FillPlan(&preview, plan);
    return ctx.Reply(200, preview);
  }
  // Shared, not copied: the write runs later on the store's writer thread.
  auto input = std::make_shared<MatchInput>(std::move(*loaded));
  auto planned = std::make_shared<match::Plan>(std::move(plan));
  const auto write = [&ctx, input, planned, policy, item_ids](store::Database& db,
                                                              v1::MatchRun& out) -> Status {
    match::Plan& current = *planned;
    auto changed = store::StockChangedSince(db, input->mark);
    if (!changed.ok()) return changed.status();
    if (*changed) {
      // Re-plan on the writer's view, which no one else can change now.
      auto fresh = LoadCappedMatchInput(db, item_ids, policy.as_of, ctx.store().duplicate_hold());
      if (!fresh.ok()) return fresh.status();
      *input = std::move(*fresh);
      current = match::Allocate(input->snapshot, policy);
    }
    store::RunRecord run =
        RunRecordOf(current, date::FormatDate(policy.as_of), policy.min_shelf_days, item_ids);
    auto committed = store::CommitRun(db, run, PlannedAllocations(current, input->snapshot),
                                      ctx.principal().actor());
    if (!committed.ok()) return committed.status();
    out = ToProto(committed->run);
    out.set_dry_run(false);
    FillPlan(&out, current);
    // Each allocation names the planned delivery it travels on.
    for (int i = 0; i < out.allocations_size(); ++i) {
      out.mutable_allocations(i)->set_delivery_id(committed->delivery_ids[static_cast<size_t>(i)]);
    }
    return Status::Ok();
  };
  return ctx.Commit<v1::MatchRun>(201, write, /*alone=*/true);
}

// GET /v1/match/runs: committed runs, newest first, with their stats only
// (GET /v1/match/runs/{id} has the allocations); dispatcher.
Response ListMatchRuns(Context& ctx) { return ReplyPage<v1::MatchRunList>(ctx, store::ListRuns); }

// GET /v1/match/runs/{id}: a committed run with its allocations and unmet
// needs; dispatcher.
Response GetMatchRun(Context& ctx) {
  v1::MatchRun out;
  Status s = ctx.Read([&](store::Database& db) -> Status {
    auto run = store::GetRun(db, ctx.id());
    if (!run.ok()) return run.status();
    auto rows = store::ListRunAllocations(db, run->id);
    if (!rows.ok()) return rows.status();
    out = ToProto(*run);
    for (const auto& a : *rows) {
      v1::MatchAllocation* o = out.add_allocations();
      o->set_lot_id(a.lot_id);
      o->set_need_id(a.need_id);
      o->set_quantity(a.quantity);
      for (const auto& r : a.reasons) o->add_reasons(r);
      o->set_delivery_id(a.delivery_id);
    }
    for (const auto& u : run->unmet) {
      v1::MatchUnmet* o = out.add_unmet();
      o->set_need_id(u.need_id);
      o->set_outstanding(u.outstanding);
      o->set_reason(u.reason);
    }
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  return ctx.Reply(200, out);
}

}  // namespace aidlink::api
