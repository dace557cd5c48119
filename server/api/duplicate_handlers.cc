// Duplicate detection's endpoints (issue 13, docs/DEDUP.md): the check on
// every requester write, and the duplicate cases a dispatcher resolves. A
// station sees only its own side(s) of a case and the basis, never another
// station's record or its id; a case without a side of its own is 404.
#include <algorithm>
#include <chrono>
#include <set>

#include "aidlink/v1/duplicates.pb.h"
#include "api/convert.h"
#include "api/duplicates.h"
#include "api/handlers.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::api {
namespace {

constexpr int kSideNeedsLimit = 1000;

// The members of `c` that `p` may see, by index into c.member_ids.
std::vector<size_t> VisibleSides(const store::DuplicateCaseRecord& c, const Principal& p) {
  std::vector<size_t> out;
  for (size_t i = 0; i < c.member_ids.size(); ++i) {
    if (p.MaySeeStation(c.member_stations[i])) out.push_back(i);
  }
  return out;
}

// The case as `p` may see it; kNotFound if none of its sides is in scope.
StatusOr<v1::DuplicateCase> CaseView(store::Database& db, const store::Store& store,
                                     const Principal& p, const store::DuplicateCaseRecord& c,
                                     bool english) {
  const std::vector<size_t> visible = VisibleSides(c, p);
  if (visible.empty()) return NotFound("duplicate case not found", "id");
  v1::DuplicateCase out;
  out.set_id(c.id);
  out.set_status(c.status);
  out.set_likelihood(c.likelihood);
  for (const auto& b : c.basis) out.add_basis(b);
  out.set_decision(c.decision);
  out.set_reason(c.reason);
  out.set_created_at(c.created_at);
  out.set_resolved_at(c.resolved_at);
  out.set_version(c.version);
  std::set<int64_t> seen_needs;
  for (size_t i : visible) {
    const int64_t id = c.member_ids[i];
    auto r = store::GetRequester(db, id);
    if (!r.ok()) return r.status();
    v1::DuplicateSide* side = out.add_sides();
    *side->mutable_requester() = ToProto(*r);
    side->set_station_id(r->station_id);
    auto station = store::GetStation(db, r->station_id);
    if (station.ok()) side->set_station_name(station->name);
    side->set_primary(c.primary_id == id);
    if (c.primary_id == id) out.set_primary_id(id);
    store::NeedFilter filter;
    filter.requester_id = id;
    auto needs = store::ListNeeds(db, filter, store::Page{0, kSideNeedsLimit});
    if (!needs.ok()) return needs.status();
    for (const auto& n : *needs) {
      v1::DuplicateNeedSummary* s = side->add_needs();
      s->set_need_id(n.id);
      s->set_item_id(n.item_id);
      s->set_quantity(n.quantity);
      s->set_status(n.status);
      s->set_outstanding(n.outstanding);
      s->set_allocated(n.allocated);
      s->set_delivered(n.delivered);
      s->set_cancelled(n.cancelled);
      s->set_cancel_reason(n.cancel_reason);
      seen_needs.insert(n.id);
    }
  }
  for (int64_t need_id : c.cancelled_need_ids) {
    if (seen_needs.count(need_id)) out.add_cancelled_need_ids(need_id);
  }
  if (visible.size() < c.member_ids.size()) {
    out.set_other_sides_hidden(true);
    out.set_note(english ? "may already be registered at another station"
                         : "可能已在辖区其他站登记");
  }
  if (c.status == "open" && c.likelihood == "likely" && store.duplicate_hold().count() > 0) {
    if (auto opened = date::ParseRfc3339(c.created_at)) {
      out.set_hold_until(date::Rfc3339(*opened + store.duplicate_hold()));
    }
  }
  return out;
}

bool English(const Context& ctx) { return ctx.Query("lang") == "en"; }

Status ValidateResolve(const v1::ResolveDuplicateRequest& req) {
  if (req.decision() != "same_household" && req.decision() != "different_households") {
    return InvalidArgument("decision must be same_household or different_households", "decision");
  }
  if (req.primary_id() < 0) return InvalidArgument("primary_id must be positive", "primary_id");
  if (req.decision() == "same_household" && req.primary_id() == 0) {
    return InvalidArgument("primary_id is required for same_household", "primary_id");
  }
  return CheckText(req.reason(), "reason", 0);
}

// The case `id` for a transition by `p`: a station only for a case whose
// sides are all its own (one without any is 404, one with another
// station's side 403).
StatusOr<store::DuplicateCaseRecord> CaseForChange(store::Database& db, const Principal& p,
                                                   int64_t id) {
  auto c = store::GetDuplicateCase(db, id);
  if (!c.ok()) return c.status();
  const size_t visible = VisibleSides(*c, p).size();
  if (visible == 0) return NotFound("duplicate case not found", "id");
  if (visible < c->member_ids.size()) {
    return PermissionDenied(
        "this case has a registration of another station: a dispatcher resolves it");
  }
  return c;
}

}  // namespace

// The requester's `duplicate` field from what the check found.
Status SetDuplicate(const StatusOr<store::DuplicateFinding>& found, v1::Requester& out) {
  if (!found.ok()) return found.status();
  v1::DuplicateCheck* d = out.mutable_duplicate();
  d->set_status(found->status);
  d->set_case_id(found->case_id);
  for (const auto& b : found->basis) d->add_basis(b);
  return Status::Ok();
}

Status CheckDuplicates(store::Database& db, const store::Store& store,
                       const store::Requester& requester, const store::Actor& actor,
                       v1::Requester& out) {
  return SetDuplicate(store::RecordRequesterKeys(db, requester, store.dedup_secret(), actor), out);
}

Status ReadDuplicate(store::Database& db, const store::Store& store,
                     const store::Requester& requester, v1::Requester& out) {
  return SetDuplicate(store::CurrentDuplicate(db, requester, store.dedup_secret()), out);
}

std::function<Status(store::Database&, const Principal&, const store::Requester&, v1::Requester&)>
CheckDuplicatesAfter(const Context& ctx) {
  const store::Store* store = &ctx.store();
  return [store](store::Database& db, const Principal& p, const store::Requester& r,
                 v1::Requester& out) { return CheckDuplicates(db, *store, r, p.actor(), out); };
}

// GET /v1/duplicates?status=open|resolved&page_size=&page_token=&lang=: the
// cases in scope, by id (a station: those with a side of its own, showing
// only that side).
Response ListDuplicates(Context& ctx) {
  const Principal& p = ctx.principal();
  store::DuplicateCaseFilter filter;
  filter.status = ctx.Query("status");
  if (!filter.status.empty() && filter.status != "open" && filter.status != "resolved") {
    return ctx.Error(InvalidArgument("status must be open or resolved", "status"));
  }
  if (p.role == Role::kStation) filter.station_id = p.station_id;
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  const bool english = English(ctx);
  auto out = ctx.Read([&](store::Database& db) -> StatusOr<v1::DuplicateCaseList> {
    auto rows = store::ListDuplicateCases(db, filter, *page);
    if (!rows.ok()) return rows.status();
    v1::DuplicateCaseList list;
    list.set_next_page_token(NextPageToken(*rows, *page));
    for (const auto& c : *rows) {
      auto view = CaseView(db, ctx.store(), p, c, english);
      if (!view.ok()) return view.status();
      *list.add_items() = std::move(*view);
    }
    return list;
  });
  if (!out.ok()) return ctx.Error(out.status());
  return ctx.Reply(200, *out);
}

// GET /v1/duplicates/{id}?lang=: one case; a dispatcher or admin sees every
// side, a station its own side(s) and a note that others exist; 404 for a
// station with no side in it.
Response GetDuplicate(Context& ctx) {
  const Principal& p = ctx.principal();
  const bool english = English(ctx);
  auto out = ctx.Read([&](store::Database& db) -> StatusOr<v1::DuplicateCase> {
    auto c = store::GetDuplicateCase(db, ctx.id());
    if (!c.ok()) return c.status();
    return CaseView(db, ctx.store(), p, *c, english);
  });
  if (!out.ok()) return ctx.Error(out.status());
  return ctx.Reply(200, *out);
}

// POST /v1/duplicates/{id}:resolve {decision, primary_id?, reason?}: an
// open case becomes resolved (422 if it is not open; If-Match stale 409).
namespace {

// What :resolve and :reopen share: 404 unless `p` may change the case
// (before the body is read), the body checked by `validate`, If-Match read;
// in the write, the case checked again, `change(db, req, expected)` applied
// and the case answered as `p` sees it.
template <typename Request, typename Validate, typename Change>
Response ChangeCase(Context& ctx, Validate validate, Change change) {
  const Principal& p = ctx.principal();
  auto seen = ctx.Read([&](store::Database& db) { return CaseForChange(db, p, ctx.id()); });
  if (!seen.ok()) return ctx.Error(seen.status());
  Request req;
  Status s = ctx.Decode(&req);
  if (s.ok()) s = validate(req);
  if (!s.ok()) return ctx.Error(s);
  auto if_match = ctx.IfMatch();
  if (!if_match.ok()) return ctx.Error(if_match.status());
  const std::optional<int64_t> expected = *if_match;
  const bool english = English(ctx);
  return ctx.Commit<v1::DuplicateCase>(
      200, [=, &ctx](store::Database& db, v1::DuplicateCase& out) -> Status {
        auto current = CaseForChange(db, p, ctx.id());
        if (!current.ok()) return current.status();
        auto done = change(db, req, expected);
        if (!done.ok()) return done.status();
        auto view = CaseView(db, ctx.store(), p, *done, english);
        if (!view.ok()) return view.status();
        out = std::move(*view);
        return Status::Ok();
      });
}

}  // namespace

// same_household links the registrations into one household and cancels
// the others' open needs for the primary's items (duplicate_household);
// different_households is remembered until a key changes. A dispatcher or
// admin; a station for a case whose sides are all its own.
Response ResolveDuplicate(Context& ctx) {
  return ChangeCase<v1::ResolveDuplicateRequest>(
      ctx, ValidateResolve,
      [&ctx](store::Database& db, const v1::ResolveDuplicateRequest& req,
             std::optional<int64_t> expected) {
        return store::ResolveDuplicateCase(db, ctx.id(), req.decision(), req.primary_id(),
                                           req.reason(), expected, ctx.principal().actor());
      });
}

// POST /v1/duplicates/{id}:reopen {reason?}: a resolved case is open again;
// its household link is undone and exactly the needs its resolution
// cancelled are restored (422 if it is open). Who: as for :resolve.
Response ReopenDuplicate(Context& ctx) {
  return ChangeCase<v1::ReopenDuplicateRequest>(
      ctx,
      [](const v1::ReopenDuplicateRequest& req) { return CheckText(req.reason(), "reason", 0); },
      [&ctx](store::Database& db, const v1::ReopenDuplicateRequest& req,
             std::optional<int64_t> expected) {
        return store::ReopenDuplicateCase(db, ctx.id(), req.reason(), expected,
                                          ctx.principal().actor());
      });
}

}  // namespace aidlink::api
