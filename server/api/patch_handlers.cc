// PATCH handlers (merge-patch with If-Match) and deactivating a requester.
// Each reads the object in scope (404 otherwise) before looking at the body,
// then, in the write transaction, checks the version, applies the patch to
// the object as read there, validates the result with the create rules
// (api/validate.h) and lets the store check the quantity rules and write.
#include <functional>
#include <type_traits>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/duplicates.h"
#include "api/handlers.h"
#include "api/patch.h"
#include "api/validate.h"
#include "store/repo.h"

namespace aidlink::api {
namespace {

// How one resource is patched.
template <typename Record>
struct PatchSpec {
  PatchRules rules;
  // The object, or kNotFound if the caller may not see it.
  std::function<StatusOr<Record>(store::Database&, const Principal&, int64_t)> load;
  // A rule on who may change the object as it is now (optional).
  std::function<Status(store::Database&, const Principal&, const Record&)> may_edit;
  std::function<StatusOr<Record>(store::Database&, Record, const store::FieldChanges&,
                                 const store::Actor&)>
      update;
};

// Runs after an update in its transaction and may add to the answer (a
// requester's duplicate check).
template <typename Record, typename Proto>
using AfterUpdate =
    std::function<Status(store::Database&, const Principal&, const Record&, Proto&)>;

// The record `merged` describes, with what no patch sets kept from `current`.
template <typename Record, typename Proto>
Record Rebase(const Record& current, const Proto& merged) {
  Record r = FromProto(merged);
  r.id = current.id;
  r.version = current.version;
  r.created_at = current.created_at;
  if constexpr (std::is_same_v<Record, store::Item>) r.code = current.code;
  if constexpr (std::is_same_v<Record, store::Requester>) {
    r.active = current.active;
    r.deactivated_reason = current.deactivated_reason;
    r.deactivated_note = current.deactivated_note;
    r.deactivated_at = current.deactivated_at;
  }
  if constexpr (std::is_same_v<Record, store::Need>) {
    r.station_id = current.station_id;
    r.cancel_reason = current.cancel_reason;
  }
  return r;
}

Status StaleIfMatch(int64_t id, int64_t current) {
  return Conflict("object " + std::to_string(id) + " is at version " + std::to_string(current) +
                      ", not the If-Match version: someone else changed it; reload and retry",
                  "If-Match");
}

template <typename PatchMsg, typename Proto, typename Record>
Response PatchObject(Context& ctx, PatchSpec<Record> spec,
                     AfterUpdate<Record, Proto> after = nullptr) {
  const Principal& p = ctx.principal();
  // Scope before validation: another station's object is 404 whatever the body holds.
  auto seen = ctx.Read([&](store::Database& db) { return spec.load(db, p, ctx.id()); });
  if (!seen.ok()) return ctx.Error(seen.status());
  PatchMsg patch;
  if (Status s = ctx.DecodePatch(&patch); !s.ok()) return ctx.Error(s);
  if (Status s = CheckMask(patch, spec.rules); !s.ok()) return ctx.Error(s);
  auto if_match = ctx.IfMatch();
  if (!if_match.ok()) return ctx.Error(if_match.status());
  const std::optional<int64_t> expected = *if_match;
  return ctx.Commit<Proto>(200, [=, &ctx](store::Database& db, Proto& out) -> Status {
    auto current = spec.load(db, p, ctx.id());
    if (!current.ok()) return current.status();
    if (expected && *expected != current->version) return StaleIfMatch(ctx.id(), current->version);
    if (spec.may_edit) AIDLINK_RETURN_IF_ERROR(spec.may_edit(db, p, *current));
    const Proto before = ToProto(*current);
    Proto merged = before;
    ApplyPatch(patch, &merged);
    AIDLINK_RETURN_IF_ERROR(Validate(merged));
    const store::FieldChanges changes = Changes(before, merged, patch, spec.rules);
    if (changes.fields == "[]") {  // nothing changes: no new version, no event
      out = before;
      if (after) AIDLINK_RETURN_IF_ERROR(after(db, p, *current, out));
      return Status::Ok();
    }
    auto updated = spec.update(db, Rebase(*current, merged), changes, p.actor());
    AIDLINK_RETURN_IF_ERROR(FillFrom(out, updated));
    if (after) AIDLINK_RETURN_IF_ERROR(after(db, p, *updated, out));
    return Status::Ok();
  });
}

// Unscoped objects: the route table admits the roles.
template <typename Record>
std::function<StatusOr<Record>(store::Database&, const Principal&, int64_t)> Unscoped(
    StatusOr<Record> (*get)(store::Database&, int64_t)) {
  return [get](store::Database& db, const Principal&, int64_t id) { return get(db, id); };
}

// A donor edits its lot only until stock of it is first allocated; then the
// dispatcher does.
Status DonorMayEditLot(store::Database& db, const Principal& p, const store::Lot& lot) {
  if (p.role != Role::kDonor) return Status::Ok();
  auto allocated = store::LotEverAllocated(db, lot.id);
  if (!allocated.ok()) return allocated.status();
  if (*allocated) {
    return FailedPrecondition("stock of lot " + std::to_string(lot.id) +
                              " has been allocated; only the dispatcher can change it now");
  }
  return Status::Ok();
}

constexpr std::string_view kItemFields[] = {"name", "category", "unit", "pack_size", "perishable"};
constexpr std::string_view kDonorFields[] = {"name", "kind", "phone", "note"};
constexpr std::string_view kDonorPersonal[] = {"phone"};
constexpr std::string_view kDepotFields[] = {"name", "address", "district", "lat",
                                             "lon",  "city",    "serves"};
constexpr std::string_view kStationFields[] = {"name", "district", "city", "phone"};
constexpr std::string_view kRequesterFields[] = {
    "name", "contact_name", "phone", "address", "district", "lat", "lon", "household_size", "tags"};
constexpr std::string_view kRequesterPersonal[] = {"name",    "contact_name", "phone",
                                                   "address", "lat",          "lon"};
constexpr std::string_view kLotFields[] = {"quantity", "expires_on", "note", "earmark"};
constexpr std::string_view kNeedFields[] = {"quantity", "urgency", "needed_by", "note"};
constexpr std::string_view kNeedPersonal[] = {"note"};

}  // namespace

// PATCH /v1/items/{id}: name, category, unit, pack_size, perishable;
// dispatcher. Unit and pack size only while no lot of the item exists (422).
Response PatchItem(Context& ctx) {
  return PatchObject<v1::ItemPatch, v1::Item>(
      ctx,
      PatchSpec<store::Item>{{kItemFields, {}}, Unscoped(&store::GetItem), {}, &store::UpdateItem});
}

// PATCH /v1/donors/{id}: name, kind, phone, note; dispatcher.
Response PatchDonor(Context& ctx) {
  return PatchObject<v1::DonorPatch, v1::Donor>(
      ctx,
      PatchSpec<store::Donor>{
          {kDonorFields, kDonorPersonal}, Unscoped(&store::GetDonor), {}, &store::UpdateDonor});
}

// PATCH /v1/depots/{id}: name, address, district, lat, lon, city, serves;
// dispatcher.
Response PatchDepot(Context& ctx) {
  return PatchObject<v1::DepotPatch, v1::Depot>(
      ctx, PatchSpec<store::Depot>{
               {kDepotFields, {}}, Unscoped(&store::GetDepot), {}, &store::UpdateDepot});
}

// PATCH /v1/stations/{id}: name, district, city (its requesters' city); admin.
Response PatchStation(Context& ctx) {
  return PatchObject<v1::StationPatch, v1::Station>(
      ctx, PatchSpec<store::Station>{
               {kStationFields, {}}, Unscoped(&store::GetStation), {}, &store::UpdateStation});
}

// PATCH /v1/requesters/{id}: name, contact_name, phone, address, district,
// lat/lon, household_size, tags; its station or a dispatcher (404 for
// another station's).
Response PatchRequester(Context& ctx) {
  return PatchObject<v1::RequesterPatch, v1::Requester>(
      ctx,
      PatchSpec<store::Requester>{
          {kRequesterFields, kRequesterPersonal}, ScopedRequester, {}, &store::UpdateRequester},
      CheckDuplicatesAfter(ctx));
}

// PATCH /v1/lots/{id}: quantity (never below allocated + delivered +
// written off: 422), expires_on, note, earmark (only while nothing is
// allocated: 422); its donor until stock of it is first allocated (422
// after), or a dispatcher.
Response PatchLot(Context& ctx) {
  return PatchObject<v1::LotPatch, v1::Lot>(
      ctx, PatchSpec<store::Lot>{{kLotFields, {}}, ScopedLot, DonorMayEditLot, &store::UpdateLot});
}

// PATCH /v1/needs/{id}: quantity (never below allocated + delivered: 422),
// urgency, needed_by, note; its requester's station or a dispatcher.
Response PatchNeed(Context& ctx) {
  return PatchObject<v1::NeedPatch, v1::Need>(
      ctx,
      PatchSpec<store::Need>{{kNeedFields, kNeedPersonal}, ScopedNeed, {}, &store::UpdateNeed});
}

// POST /v1/requesters/{id}:deactivate {reason, note?}: marks the requester
// inactive (it takes no new needs: 422) and cancels the outstanding part of
// its needs with the reason, in one transaction; deliveries already planned
// are listed for the dispatcher. Its station or a dispatcher; 422 if it is
// already inactive; If-Match as for PATCH.
Response DeactivateRequester(Context& ctx) {
  const Principal& p = ctx.principal();
  auto seen = ctx.Read([&](store::Database& db) { return ScopedRequester(db, p, ctx.id()); });
  if (!seen.ok()) return ctx.Error(seen.status());
  v1::DeactivateRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  auto if_match = ctx.IfMatch();
  if (!if_match.ok()) return ctx.Error(if_match.status());
  const std::optional<int64_t> expected = *if_match;
  return ctx.Commit<v1::Deactivation>(
      200, [=, &ctx](store::Database& db, v1::Deactivation& out) -> Status {
        auto current = ScopedRequester(db, p, ctx.id());
        if (!current.ok()) return current.status();
        if (expected && *expected != current->version)
          return StaleIfMatch(ctx.id(), current->version);
        auto done =
            store::DeactivateRequester(db, ctx.id(), req.reason(), req.note(), {}, p.actor());
        if (!done.ok()) return done.status();
        *out.mutable_requester() = ToProto(done->requester);
        for (const auto& n : done->cancelled_needs) *out.add_cancelled_needs() = ToProto(n);
        for (int64_t id : done->open_delivery_ids) out.add_open_delivery_ids(id);
        return Status::Ok();
      });
}

}  // namespace aidlink::api
