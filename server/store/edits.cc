// Edits of registry objects (PATCH) and deactivating a requester: each
// checks the object's version and its quantity rules in the write
// transaction, then writes the row and one ledger event.
#include <string>
#include <vector>

#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"
#include "util/logging.h"
#include "util/text.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::JoinList;

Status Stale(const char* what, int64_t id) {
  return Conflict(std::string(what) + " " + std::to_string(id) +
                      " was changed by someone else since it was read; reload it and retry",
                  "version");
}

// Fails with kConflict unless the row's current version is `expected`.
Status CheckVersion(int64_t current, int64_t expected, const char* what, int64_t id) {
  return current == expected ? Status::Ok() : Stale(what, id);
}

// The detail of an `<entity>_updated` event. `quantities` (lots and needs)
// come last as "before"/"after", as the ledger replay reads them.
std::string UpdateDetail(int64_t version, const FieldChanges& c,
                         const std::string& quantities_before = "",
                         const std::string& quantities_after = "") {
  std::string out = "{\"version\":" + std::to_string(version) + ",\"fields\":" + c.fields;
  if (quantities_after.empty())
    return out + ",\"before\":" + c.before + ",\"after\":" + c.after + "}";
  return out + ",\"changed\":{\"before\":" + c.before + ",\"after\":" + c.after +
         "},\"before\":" + quantities_before + ",\"after\":" + quantities_after + "}";
}

// Runs an UPDATE whose last two parameters are (id, expected version) and
// fails with kConflict if no row had that version.
Status RunVersioned(Database& db, Statement* st, const char* what, int64_t id) {
  AIDLINK_RETURN_IF_ERROR(st->Run());
  return db.Changes() == 1 ? Status::Ok() : Stale(what, id);
}

// Runs a versioned UPDATE of `row` (see RunVersioned), bumps its version
// and appends its `<entity>_updated` event with the changed fields (and, for
// lots and needs, the quantities before and after).
template <typename Row>
Status ApplyUpdate(Database& db, Statement* st, const char* entity, Row& row,
                   const FieldChanges& changes, const Actor& actor,
                   const std::string& quantities_before = "",
                   const std::string& quantities_after = "") {
  AIDLINK_RETURN_IF_ERROR(RunVersioned(db, st, entity, row.id));
  row.version += 1;
  return AppendEvent(db, actor, std::string(entity) + "_updated", entity, row.id,
                     UpdateDetail(row.version, changes, quantities_before, quantities_after));
}

StatusOr<bool> ItemHasLots(Database& db, int64_t item_id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT 1 FROM lots WHERE item_id = ? LIMIT 1");
  st->Bind(1, item_id);
  return internal::Exists(st);
}

bool SameEarmark(const Earmark& a, const Earmark& b) {
  return a.districts == b.districts && a.requester_kinds == b.requester_kinds && a.tags == b.tags &&
         a.station_ids == b.station_ids;
}

}  // namespace

StatusOr<Item> UpdateItem(Database& db, Item item, const FieldChanges& changes,
                          const Actor& actor) {
  auto current = GetItem(db, item.id);
  if (!current.ok()) return current.status();
  AIDLINK_RETURN_IF_ERROR(CheckVersion(current->version, item.version, "item", item.id));
  if (item.unit != current->unit || item.pack_size != current->pack_size) {
    auto has_lots = ItemHasLots(db, item.id);
    if (!has_lots.ok()) return has_lots.status();
    if (*has_lots) {
      const char* field = item.unit != current->unit ? "unit" : "pack_size";
      return FailedPrecondition(std::string(field) + " cannot change once a lot of item " +
                                    std::to_string(item.id) + " exists",
                                field);
    }
  }
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE items SET name = ?, category = ?, unit = ?, pack_size = ?, "
                      "perishable = ?, version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, item.name, item.category, item.unit, item.pack_size, item.perishable, item.id,
          item.version);
  AIDLINK_RETURN_IF_ERROR(ApplyUpdate(db, st, "item", item, changes, actor));
  item.code = current->code;
  item.created_at = current->created_at;
  return item;
}

StatusOr<Donor> UpdateDonor(Database& db, Donor donor, const FieldChanges& changes,
                            const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE donors SET name = ?, kind = ?, phone = ?, note = ?, "
                      "version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, donor.name, donor.kind, donor.phone, donor.note, donor.id, donor.version);
  AIDLINK_RETURN_IF_ERROR(ApplyUpdate(db, st, "donor", donor, changes, actor));
  return donor;
}

StatusOr<Depot> UpdateDepot(Database& db, Depot depot, const FieldChanges& changes,
                            const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE depots SET name = ?, address = ?, district = ?, lat = ?, lon = ?, "
                      "city = ?, serves_cities = ?, serves_districts = ?, "
                      "version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, depot.name, depot.address, depot.district, depot.lat, depot.lon, depot.city,
          depot.serves_cities, depot.serves_districts, depot.id, depot.version);
  AIDLINK_RETURN_IF_ERROR(ApplyUpdate(db, st, "depot", depot, changes, actor));
  return depot;
}

StatusOr<Station> UpdateStation(Database& db, Station station, const FieldChanges& changes,
                                const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE stations SET name = ?, district = ?, city = ?, phone = ?, "
                      "version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, station.name, station.district, station.city, station.phone, station.id,
          station.version);
  AIDLINK_RETURN_IF_ERROR(ApplyUpdate(db, st, "station", station, changes, actor));
  return station;
}

StatusOr<Requester> UpdateRequester(Database& db, Requester r, const FieldChanges& changes,
                                    const Actor& actor) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "UPDATE requesters SET name = ?, contact_name = ?, phone = ?, phone_digits = ?, "
      "address = ?, district = ?, lat = ?, lon = ?, household_size = ?, tags = ?, "
      "version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, r.name, r.contact_name, r.phone, text::PhoneDigits(r.phone), r.address, r.district,
          r.lat, r.lon, r.household_size, r.tags, r.id, r.version);
  AIDLINK_RETURN_IF_ERROR(ApplyUpdate(db, st, "requester", r, changes, actor));
  return r;
}

StatusOr<Lot> UpdateLot(Database& db, Lot lot, const FieldChanges& changes, const Actor& actor) {
  auto current = GetLot(db, lot.id);
  if (!current.ok()) return current.status();
  AIDLINK_RETURN_IF_ERROR(CheckVersion(current->version, lot.version, "lot", lot.id));
  AIDLINK_RETURN_IF_ERROR(internal::CheckPerishableExpiry(db, lot));
  const int64_t floor = current->allocated + current->delivered + current->written_off;
  if (lot.quantity < floor) {
    return FailedPrecondition("quantity cannot be below allocated + delivered + written off (" +
                                  std::to_string(floor) + ")",
                              "quantity");
  }
  if (!SameEarmark(lot.earmark, current->earmark) && current->allocated > 0) {
    return FailedPrecondition(
        "the earmark cannot change while stock of lot " + std::to_string(lot.id) + " is allocated",
        "earmark");
  }
  lot.allocated = current->allocated;
  lot.delivered = current->delivered;
  lot.written_off = current->written_off;
  lot.status = current->status;
  lot.received_at = current->received_at;
  lot.receive_note = current->receive_note;
  // A pledge holds no stock: changing its quantity changes the pledge.
  const bool pledged = current->status == "pledged";
  lot.available = pledged ? 0 : lot.quantity - floor;
  lot.quantity_pledged = pledged ? lot.quantity : current->quantity_pledged;
  AIDLINK_ASSIGN_STMT(
      st, db,
      "UPDATE lots SET quantity = ?, available = ?, expires_on = ?, note = ?, "
      "earmark_districts = ?, earmark_kinds = ?, earmark_tags = ?, earmark_stations = ?, "
      "quantity_pledged = ?11, version = version + 1 WHERE id = ?9 AND version = ?10");
  st->Bind(1, lot.quantity)
      .Bind(2, lot.available)
      .BindTextOrNull(3, lot.expires_on)
      .Bind(4, lot.note);
  internal::BindEarmark(st, 5, lot.earmark)
      .Bind(9, lot.id)
      .Bind(10, lot.version)
      .Bind(11, lot.quantity_pledged);
  const auto quantities = [](const Lot& l) {
    return LotQuantitiesJson(l.available, l.allocated, l.delivered, l.written_off);
  };
  AIDLINK_RETURN_IF_ERROR(
      ApplyUpdate(db, st, "lot", lot, changes, actor, quantities(*current), quantities(lot)));
  return lot;
}

StatusOr<Need> UpdateNeed(Database& db, Need need, const FieldChanges& changes,
                          const Actor& actor) {
  auto current = GetNeed(db, need.id);
  if (!current.ok()) return current.status();
  AIDLINK_RETURN_IF_ERROR(CheckVersion(current->version, need.version, "need", need.id));
  if (need.quantity != current->quantity && current->status == "cancelled") {
    return FailedPrecondition("need " + std::to_string(need.id) + " is cancelled", "quantity");
  }
  const int64_t floor = current->allocated + current->delivered + current->cancelled;
  if (need.quantity < floor) {
    return FailedPrecondition(
        "quantity cannot be below allocated + delivered (" + std::to_string(floor) + ")",
        "quantity");
  }
  need.allocated = current->allocated;
  need.delivered = current->delivered;
  need.cancelled = current->cancelled;
  need.outstanding = need.quantity - floor;
  need.status = NeedStatus(need);
  AIDLINK_ASSIGN_STMT(
      st, db,
      "UPDATE needs SET quantity = ?, outstanding = ?, status = ?, urgency = ?, "
      "needed_by = ?, note = ?, version = version + 1 WHERE id = ? AND version = ?");
  BindAll(st, need.quantity, need.outstanding, need.status, need.urgency);
  st->BindTextOrNull(5, need.needed_by).Bind(6, need.note).Bind(7, need.id).Bind(8, need.version);
  const auto quantities = [](const Need& n) {
    return NeedQuantitiesJson(n.outstanding, n.allocated, n.delivered, n.cancelled);
  };
  AIDLINK_RETURN_IF_ERROR(
      ApplyUpdate(db, st, "need", need, changes, actor, quantities(*current), quantities(need)));
  return need;
}

StatusOr<bool> LotEverAllocated(Database& db, int64_t lot_id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT 1 FROM allocations WHERE lot_id = ? LIMIT 1");
  st->Bind(1, lot_id);
  return internal::Exists(st);
}

namespace {

// The needs of a requester with something outstanding, by id.
StatusOr<std::vector<Need>> OpenNeedsOf(Database& db, int64_t requester_id) {
  NeedFilter filter;
  filter.requester_id = requester_id;
  auto needs =
      internal::AllPages<Need>([&](const Page& page) { return ListNeeds(db, filter, page); });
  if (!needs.ok()) return needs.status();
  std::erase_if(*needs, [](const Need& n) { return n.outstanding <= 0; });
  return needs;
}

StatusOr<std::vector<int64_t>> OpenDeliveriesOf(Database& db, int64_t requester_id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT id FROM deliveries WHERE requester_id = ? AND status IN "
                      "('planned', 'dispatched') ORDER BY id");
  st->Bind(1, requester_id);
  return internal::Many<int64_t>(st, internal::ReadId);
}

}  // namespace

StatusOr<Deactivation> DeactivateRequester(Database& db, int64_t id, const std::string& reason,
                                           const std::string& note,
                                           std::optional<int64_t> expected_version,
                                           const Actor& actor) {
  auto r = GetRequester(db, id);
  if (!r.ok()) return r.status();
  if (expected_version)
    AIDLINK_RETURN_IF_ERROR(CheckVersion(r->version, *expected_version, "requester", id));
  if (!r->active) {
    return FailedPrecondition("requester " + std::to_string(id) + " is already deactivated (" +
                              r->deactivated_reason + ")");
  }
  Deactivation out;
  r->active = false;
  r->deactivated_reason = reason;
  r->deactivated_note = note;
  r->deactivated_at = date::NowRfc3339();
  r->version += 1;
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE requesters SET active = 0, deactivated_reason = ?, "
                      "deactivated_note = ?, deactivated_at = ?, version = version + 1 "
                      "WHERE id = ?");
  BindAll(st, reason, note, r->deactivated_at, id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  // The note may name people: the ledger keeps the reason only.
  AIDLINK_RETURN_IF_ERROR(AppendEvent(
      db, actor, "requester_deactivated", "requester", id,
      "{\"version\":" + std::to_string(r->version) + ",\"reason\":\"" + log::JsonEscape(reason) +
          "\",\"before\":{\"active\":true},\"after\":{\"active\":false}}"));
  auto needs = OpenNeedsOf(db, id);
  if (!needs.ok()) return needs.status();
  for (Need& n : *needs) {
    auto cancelled = internal::CancelOutstanding(db, std::move(n), reason, actor);
    if (!cancelled.ok()) return cancelled.status();
    out.cancelled_needs.push_back(std::move(*cancelled));
  }
  auto deliveries = OpenDeliveriesOf(db, id);
  if (!deliveries.ok()) return deliveries.status();
  out.open_delivery_ids = std::move(*deliveries);
  out.requester = std::move(*r);
  return out;
}

}  // namespace aidlink::store
