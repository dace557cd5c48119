// Quotas (caps, DESIGN.md rule 9) and a requester's entitlements under
// them. Quotas are city policy, with no household data: every role may read
// them; the desk sets, edits and disables them.
#include <string>
#include <string_view>

#include "aidlink/v1/quotas.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/patch.h"
#include "api/validate.h"
#include "store/quotas.h"
#include "store/repo.h"
#include "util/date.h"
#include "util/time_zone.h"

namespace aidlink::api {
namespace {

// The rules of a quota as created and as an edit leaves it; kInvalidArgument
// naming the field.
Status ValidateQuota(const v1::Quota& q) {
  if (q.has_item_id() && !q.category().empty()) {
    return InvalidArgument("a quota is for one item_id or one category, not both", "category");
  }
  if (!q.has_item_id() && q.category().empty()) {
    return InvalidArgument("item_id or category is required", "item_id");
  }
  if (q.has_item_id()) AIDLINK_RETURN_IF_ERROR(CheckId(q.item_id(), "item_id"));
  if (!q.category().empty()) {
    AIDLINK_RETURN_IF_ERROR(CheckEnum(q.category(), "category", vocab::kCategories));
  }
  AIDLINK_RETURN_IF_ERROR(CheckEnum(q.per(), "per", vocab::kQuotaPer));
  AIDLINK_RETURN_IF_ERROR(CheckQuantity(q.amount(), "amount"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(q.window(), "window", vocab::kQuotaWindows));
  if (q.window() == "rolling_days") {
    if (!q.has_days()) return InvalidArgument("days is required for rolling_days", "days");
    if (q.days() < 1 || q.days() > vocab::kMaxQuotaDays) {
      return InvalidArgument("days must be between 1 and 366", "days");
    }
  } else if (q.has_days()) {
    return InvalidArgument("days is only for window rolling_days", "days");
  }
  if (q.has_max_persons()) {
    if (q.per() != "person") {
      return InvalidArgument("max_persons is only for quotas per person", "max_persons");
    }
    if (q.max_persons() < 1 || q.max_persons() > kMaxHouseholdSize) {
      return InvalidArgument("max_persons must be between 1 and 100000", "max_persons");
    }
  }
  AIDLINK_RETURN_IF_ERROR(CheckListSize(q.tags_size(), "tags"));
  for (const std::string& tag : q.tags()) {
    AIDLINK_RETURN_IF_ERROR(CheckEnum(tag, "tags", vocab::kTags));
  }
  AIDLINK_RETURN_IF_ERROR(CheckEnum(q.enforcement(), "enforcement", vocab::kQuotaEnforcements));
  AIDLINK_RETURN_IF_ERROR(CheckDate(q.active_from(), "active_from", true));
  AIDLINK_RETURN_IF_ERROR(CheckDate(q.active_to(), "active_to", true));
  if (!q.active_from().empty() && !q.active_to().empty() && q.active_to() < q.active_from()) {
    return InvalidArgument("active_to must not be before active_from", "active_to");
  }
  return CheckNote(q.note(), "note");
}

constexpr std::string_view kQuotaFields[] = {"item_id",     "category",    "per",         "amount",
                                             "window",      "days",        "max_persons", "tags",
                                             "enforcement", "active_from", "active_to",   "note"};

Status StaleIfMatch(int64_t id, int64_t current) {
  return Conflict("quota " + std::to_string(id) + " is at version " + std::to_string(current) +
                      ", not the If-Match version: someone else changed it; reload and retry",
                  "If-Match");
}

// The day `as_of` names, or today in the server's time zone when it is
// empty; kInvalidArgument naming as_of if it is not a date.
StatusOr<int64_t> DayOf(const Context& ctx, const std::string& as_of) {
  if (as_of.empty()) return tz::LocalDay(ctx.accounts().Now(), ctx.store().time_zone());
  AIDLINK_RETURN_IF_ERROR(CheckDate(as_of, "as_of", false));
  return *date::ParseDate(as_of);
}

}  // namespace

// POST /v1/quotas {item_id | category, per, amount, window, days?,
// max_persons?, tags?, enforcement, active_from?, active_to?, note?}:
// dispatcher. 400 naming the field for any bad value; 404 naming item_id
// for an unknown item.
Response CreateQuota(Context& ctx) {
  v1::Quota req;
  Status s = ctx.Decode(&req);
  if (s.ok()) s = ValidateQuota(req);
  if (!s.ok()) return ctx.Error(s);
  const Principal p = ctx.principal();
  return ctx.Commit<v1::Quota>(201, [=](store::Database& db, v1::Quota& out) -> Status {
    auto q = store::InsertQuota(db, FromProto(req), p.actor());
    if (!q.ok()) return q.status();
    out = ToProto(*q);
    return Status::Ok();
  });
}

// GET /v1/quotas?item_id=&category=&disabled=: quotas by id; any role.
Response ListQuotas(Context& ctx) {
  store::QuotaFilter filter;
  auto item = ctx.QueryId("item_id");
  if (!item.ok()) return ctx.Error(item.status());
  filter.item_id = *item;
  filter.category = ctx.Query("category");
  if (!filter.category.empty()) {
    if (Status s = CheckEnum(filter.category, "category", vocab::kCategories); !s.ok()) {
      return ctx.Error(s);
    }
  }
  const std::string disabled = ctx.Query("disabled");
  if (disabled == "true" || disabled == "1") filter.disabled = true;
  if (disabled == "false" || disabled == "0") filter.disabled = false;
  if (!disabled.empty() && !filter.disabled) {
    return ctx.Error(InvalidArgument("disabled must be true or false", "disabled"));
  }
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListQuotas(db, filter, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::QuotaList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& q : *rows) *out.add_items() = ToProto(q);
  return ctx.Reply(200, out);
}

// GET /v1/quotas/{id}: one quota; any role.
Response GetQuota(Context& ctx) {
  auto q = ctx.Read([&](store::Database& db) { return store::GetQuota(db, ctx.id()); });
  if (!q.ok()) return ctx.Error(q.status());
  return ctx.Reply(200, ToProto(*q));
}

// PATCH /v1/quotas/{id}: merge-patch of item_id, category, per, amount,
// window, days, max_persons, tags, enforcement, active_from, active_to,
// note (If-Match: the version; stale is 409); the quota it leaves must pass
// the create rules (400 naming the field). 422 once disabled; dispatcher.
Response PatchQuota(Context& ctx) {
  auto seen = ctx.Read([&](store::Database& db) { return store::GetQuota(db, ctx.id()); });
  if (!seen.ok()) return ctx.Error(seen.status());
  v1::QuotaPatch patch;
  const PatchRules rules{kQuotaFields, {}};
  Status s = ctx.DecodePatch(&patch);
  if (s.ok()) s = CheckMask(patch, rules);
  if (!s.ok()) return ctx.Error(s);
  auto if_match = ctx.IfMatch();
  if (!if_match.ok()) return ctx.Error(if_match.status());
  const std::optional<int64_t> expected = *if_match;
  const Principal p = ctx.principal();
  const int64_t id = ctx.id();
  return ctx.Commit<v1::Quota>(200, [=](store::Database& db, v1::Quota& out) -> Status {
    auto current = store::GetQuota(db, id);
    if (!current.ok()) return current.status();
    if (expected && *expected != current->version) return StaleIfMatch(id, current->version);
    const v1::Quota before = ToProto(*current);
    v1::Quota merged = before;
    ApplyPatch(patch, &merged);
    AIDLINK_RETURN_IF_ERROR(ValidateQuota(merged));
    const store::FieldChanges changes = Changes(before, merged, patch, rules);
    if (changes.fields == "[]") {  // nothing changes: no new version, no event
      out = before;
      return Status::Ok();
    }
    store::Quota record = FromProto(merged);
    record.id = id;
    record.version = current->version;
    auto updated = store::UpdateQuota(db, record, changes, p.actor());
    if (!updated.ok()) return updated.status();
    out = ToProto(*updated);
    return Status::Ok();
  });
}

// POST /v1/quotas/{id}:disable {}: no later match run applies the quota;
// it stays readable (disabled: true). 422 if already disabled; If-Match as
// for PATCH; dispatcher.
Response DisableQuota(Context& ctx) {
  auto seen = ctx.Read([&](store::Database& db) { return store::GetQuota(db, ctx.id()); });
  if (!seen.ok()) return ctx.Error(seen.status());
  auto if_match = ctx.IfMatch();
  if (!if_match.ok()) return ctx.Error(if_match.status());
  const std::optional<int64_t> expected = *if_match;
  const Principal p = ctx.principal();
  const int64_t id = ctx.id();
  return ctx.Commit<v1::Quota>(200, [=](store::Database& db, v1::Quota& out) -> Status {
    auto q = store::DisableQuota(db, id, expected, p.actor());
    if (!q.ok()) return q.status();
    out = ToProto(*q);
    return Status::Ok();
  });
}

// GET /v1/requesters/{id}/entitlements?as_of=: per quota active on as_of
// (default today in the server's time zone) that binds the requester: its
// cap for the household, what the household used in the window containing
// as_of, what remains, and the window. The requester's station, or a
// dispatcher; 404 for another station's requester.
Response GetEntitlements(Context& ctx) {
  const Principal& p = ctx.principal();
  auto day = DayOf(ctx, ctx.Query("as_of"));
  if (!day.ok()) return ctx.Error(day.status());
  v1::EntitlementList out;
  Status s = ctx.Read([&](store::Database& db) -> Status {
    auto r = store::GetRequester(db, ctx.id());
    if (!r.ok()) return r.status();
    if (!p.MaySeeStation(r->station_id)) return NotFound("requester not found", "id");
    auto rows = store::EntitlementsOf(db, *r, *day);
    if (!rows.ok()) return rows.status();
    out.set_requester_id(r->id);
    auto household = store::HouseholdOf(db, r->id);
    if (!household.ok()) return household.status();
    out.set_household_id(*household);
    out.set_as_of(date::FormatDate(*day));
    out.set_time_zone(ctx.store().time_zone());
    for (const store::Entitlement& e : *rows) {
      v1::Entitlement* o = out.add_items();
      o->set_quota_id(e.quota.id);
      if (e.quota.item_id) o->set_item_id(*e.quota.item_id);
      o->set_category(e.quota.category);
      o->set_per(e.quota.per);
      o->set_window(e.quota.window);
      o->set_enforcement(e.quota.enforcement);
      o->set_cap(e.cap);
      o->set_used(e.used);
      o->set_remaining(std::max<int64_t>(0, e.cap - e.used));
      o->set_window_start(date::FormatDate(e.window.start));
      o->set_window_end(date::FormatDate(e.window.end));
    }
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  return ctx.Reply(200, out);
}

}  // namespace aidlink::api
