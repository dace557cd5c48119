#include "store/repo.h"

#include <string_view>
#include <utility>

#include "store/internal.h"
#include "util/date.h"
#include "util/logging.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::BindEarmark;
using internal::GetById;
using internal::JoinList;
using internal::ListTable;
using internal::Many;
using internal::MaybeOne;
using internal::MustExist;
using internal::One;
using internal::ReadColumns;
using internal::ReadColumnsFrom;
using internal::ReadEarmark;
using internal::SplitList;

std::string LotQuantities(const Lot& l) {
  return LotQuantitiesJson(l.available, l.allocated, l.delivered, l.written_off);
}

std::string NeedQuantities(const Need& n) {
  return NeedQuantitiesJson(n.outstanding, n.allocated, n.delivered, n.cancelled);
}

// --- row readers -----------------------------------------------------------

TokenRecord ReadToken(const Statement& st) {
  TokenRecord t;
  ReadColumns(st, t.id, t.hash, t.role, t.station_id, t.donor_id, t.label, t.created_at,
              t.revoked_at);
  t.revoked = !st.IsNull(7);
  return t;
}
constexpr const char* kTokenCols =
    "id, hash, role, station_id, donor_id, label, created_at, revoked_at";

Item ReadItem(const Statement& st) {
  Item i;
  ReadColumns(st, i.id, i.code, i.name, i.category, i.unit, i.pack_size, i.perishable, i.created_at,
              i.version);
  return i;
}
constexpr const char* kItemCols =
    "id, code, name, category, unit, pack_size, perishable, created_at, version";

Donor ReadDonor(const Statement& st) {
  Donor d;
  ReadColumns(st, d.id, d.name, d.kind, d.phone, d.note, d.created_at, d.version);
  return d;
}
constexpr const char* kDonorCols = "id, name, kind, phone, note, created_at, version";

Depot ReadDepot(const Statement& st) {
  Depot d;
  ReadColumns(st, d.id, d.name, d.address, d.district, d.lat, d.lon, d.created_at, d.city,
              d.serves_cities, d.serves_districts, d.version);
  return d;
}
constexpr const char* kDepotCols =
    "id, name, address, district, lat, lon, created_at, city, serves_cities, serves_districts, "
    "version";

Station ReadStation(const Statement& st) {
  Station s;
  ReadColumns(st, s.id, s.name, s.district, s.created_at, s.city, s.version, s.phone);
  return s;
}
constexpr const char* kStationCols = "id, name, district, created_at, city, version, phone";

Requester ReadRequester(const Statement& st) {
  Requester r;
  ReadColumns(st, r.id, r.station_id, r.kind, r.name, r.contact_name, r.phone, r.address,
              r.district, r.lat, r.lon, r.household_size, r.tags, r.created_at, r.version, r.active,
              r.deactivated_reason, r.deactivated_note, r.deactivated_at);
  return r;
}
constexpr const char* kRequesterCols =
    "id, station_id, kind, name, contact_name, phone, address, district, lat, lon, "
    "household_size, tags, created_at, version, active, deactivated_reason, deactivated_note, "
    "deactivated_at";

Lot ReadLot(const Statement& st) {
  Lot l;
  ReadColumns(st, l.id, l.donor_id, l.item_id, l.depot_id, l.quantity, l.expires_on);
  l.earmark = ReadEarmark(st, 6);
  ReadColumnsFrom(st, 10, l.note, l.available, l.allocated, l.delivered, l.written_off,
                  l.created_at, l.version, l.status, l.quantity_pledged, l.received_at,
                  l.receive_note);
  return l;
}
constexpr const char* kLotCols =
    "id, donor_id, item_id, depot_id, quantity, expires_on, earmark_districts, earmark_kinds, "
    "earmark_tags, earmark_stations, note, available, allocated, delivered, written_off, "
    "created_at, version, status, quantity_pledged, received_at, receive_note";

Need ReadNeed(const Statement& st) {
  Need n;
  ReadColumns(st, n.id, n.requester_id, n.item_id, n.quantity, n.urgency, n.needed_by, n.note,
              n.status, n.outstanding, n.allocated, n.delivered, n.cancelled, n.cancel_reason,
              n.created_at, n.station_id, n.version, n.last_run_id, n.last_unmet_reason);
  return n;
}
constexpr const char* kNeedSelect =
    "SELECT n.id, n.requester_id, n.item_id, n.quantity, n.urgency, n.needed_by, n.note, "
    "n.status, n.outstanding, n.allocated, n.delivered, n.cancelled, n.cancel_reason, "
    "n.created_at, r.station_id, n.version, n.last_run_id, n.last_unmet_reason FROM needs n "
    "JOIN requesters r ON r.id = n.requester_id";

}  // namespace

std::string LotQuantitiesJson(int64_t available, int64_t allocated, int64_t delivered,
                              int64_t written_off) {
  return "{\"available\":" + std::to_string(available) +
         ",\"allocated\":" + std::to_string(allocated) +
         ",\"delivered\":" + std::to_string(delivered) +
         ",\"written_off\":" + std::to_string(written_off) + "}";
}

std::string NeedQuantitiesJson(int64_t outstanding, int64_t allocated, int64_t delivered,
                               int64_t cancelled) {
  return "{\"outstanding\":" + std::to_string(outstanding) +
         ",\"allocated\":" + std::to_string(allocated) +
         ",\"delivered\":" + std::to_string(delivered) +
         ",\"cancelled\":" + std::to_string(cancelled) + "}";
}

std::string NeedStatus(const Need& n) {
  if (n.outstanding == 0 && n.allocated == 0) return n.cancelled > 0 ? "cancelled" : "fulfilled";
  if (n.outstanding == 0) return "allocated";
  if (n.allocated + n.delivered > 0) return "partial";
  return "open";
}

// --- tokens -----------------------------------------------------------------

StatusOr<TokenRecord> InsertToken(Database& db, TokenRecord t, const Actor& actor) {
  AIDLINK_RETURN_IF_ERROR(internal::ScopeMustExist(db, t.station_id, t.donor_id));
  t.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO tokens (hash, role, station_id, donor_id, label, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)");
  BindAll(st, t.hash, t.role, t.station_id, t.donor_id, t.label, t.created_at);
  AIDLINK_RETURN_IF_ERROR(
      internal::InsertRow(db, st, actor, "token", &t.id, "{\"role\":\"" + t.role + "\"}"));
  return t;
}

StatusOr<std::optional<TokenRecord>> FindTokenByHash(Database& db, const std::string& hash) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      std::string("SELECT ") + kTokenCols + " FROM tokens WHERE hash = ? AND revoked_at IS NULL");
  st->Bind(1, hash);
  return MaybeOne<TokenRecord>(st, ReadToken);
}

StatusOr<std::vector<TokenRecord>> ListTokens(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db, std::string("SELECT ") + kTokenCols + " FROM tokens ORDER BY id");
  return Many<TokenRecord>(st, ReadToken);
}

StatusOr<TokenRecord> RevokeToken(Database& db, int64_t id, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(find, db, std::string("SELECT ") + kTokenCols + " FROM tokens WHERE id = ?");
  find->Bind(1, id);
  StatusOr<std::optional<TokenRecord>> found = MaybeOne<TokenRecord>(find, ReadToken);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound("no token " + std::to_string(id), "id");
  TokenRecord& t = **found;
  if (t.revoked) return FailedPrecondition("token " + std::to_string(id) + " is already revoked");
  t.revoked = true;
  t.revoked_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(st, db, "UPDATE tokens SET revoked_at = ? WHERE id = ?");
  st->Bind(1, t.revoked_at).Bind(2, id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "token_revoked", "token", id, "{\"role\":\"" + t.role + "\"}"));
  return t;
}

// --- gauges -------------------------------------------------------------------

StatusOr<std::vector<UrgencyCount>> OpenNeedsByUrgency(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT urgency, count(*), sum(outstanding) FROM needs "
                      "WHERE outstanding > 0 GROUP BY urgency");
  return Many<UrgencyCount>(st, [](const Statement& row) {
    return UrgencyCount{row.Text(0), row.Int(1), row.Int(2)};
  });
}

StatusOr<std::vector<ItemStock>> AvailableStockByItem(Database& db) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT i.id, i.code, coalesce(s.available, 0) FROM items i LEFT JOIN "
      "(SELECT item_id, sum(available) AS available FROM lots INDEXED BY lots_in_stock "
      "WHERE available > 0 GROUP BY item_id) s ON s.item_id = i.id ORDER BY i.id");
  return Many<ItemStock>(st, [](const Statement& row) {
    return ItemStock{row.Int(0), row.Text(1), row.Int(2)};
  });
}

// --- items, donors, depots, stations ------------------------------------------

StatusOr<Item> InsertItem(Database& db, Item i, const Actor& actor) {
  // Codes are one name whatever the case of their ASCII letters (people
  // type med-bp for MED-BP); the UNIQUE column only compares bytes, and the
  // write transaction keeps this check and the insert together.
  {
    AIDLINK_ASSIGN_STMT(taken, db, "SELECT code FROM items WHERE code = ? COLLATE NOCASE LIMIT 1");
    taken->Bind(1, i.code);
    StatusOr<std::optional<std::string>> existing =
        MaybeOne<std::string>(taken, [](const Statement& row) { return row.Text(0); });
    if (!existing.ok()) return existing.status();
    if (*existing) return Conflict("item code " + **existing + " already exists", "code");
  }
  i.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO items (code, name, category, unit, pack_size, perishable, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  BindAll(st, i.code, i.name, i.category, i.unit, i.pack_size, i.perishable, i.created_at);
  Status s = st->Run();
  if (s.code() == Code::kConflict)
    return Conflict("item code " + i.code + " already exists", "code");
  AIDLINK_RETURN_IF_ERROR(s);
  i.id = db.LastInsertId();
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "item_created", "item", i.id, "{}"));
  return i;
}

StatusOr<Item> GetItem(Database& db, int64_t id) {
  return GetById<Item>(db, kItemCols, "items", id, ReadItem, "item");
}

StatusOr<std::vector<Item>> ListItems(Database& db, const Page& page) {
  return ListTable<Item>(db, kItemCols, "items", page, ReadItem);
}

StatusOr<Donor> InsertDonor(Database& db, Donor d, const Actor& actor) {
  d.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(
      st, db, "INSERT INTO donors (name, kind, phone, note, created_at) VALUES (?, ?, ?, ?, ?)");
  BindAll(st, d.name, d.kind, d.phone, d.note, d.created_at);
  AIDLINK_RETURN_IF_ERROR(internal::InsertRow(db, st, actor, "donor", &d.id));
  return d;
}

StatusOr<Donor> GetDonor(Database& db, int64_t id) {
  return GetById<Donor>(db, kDonorCols, "donors", id, ReadDonor, "donor");
}

StatusOr<std::vector<Donor>> ListDonors(Database& db, const Page& page) {
  return ListTable<Donor>(db, kDonorCols, "donors", page, ReadDonor);
}

StatusOr<Depot> InsertDepot(Database& db, Depot d, const Actor& actor) {
  d.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO depots (name, address, district, lat, lon, created_at, city, "
                      "serves_cities, serves_districts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  BindAll(st, d.name, d.address, d.district, d.lat, d.lon, d.created_at, d.city, d.serves_cities,
          d.serves_districts);
  AIDLINK_RETURN_IF_ERROR(internal::InsertRow(db, st, actor, "depot", &d.id));
  return d;
}

StatusOr<Depot> GetDepot(Database& db, int64_t id) {
  return GetById<Depot>(db, kDepotCols, "depots", id, ReadDepot, "depot");
}

StatusOr<std::vector<Depot>> ListDepots(Database& db, const Page& page) {
  return ListTable<Depot>(db, kDepotCols, "depots", page, ReadDepot);
}

StatusOr<Station> InsertStation(Database& db, Station s, const Actor& actor) {
  s.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO stations (name, district, created_at, city, phone) VALUES (?, ?, ?, ?, ?)");
  BindAll(st, s.name, s.district, s.created_at, s.city, s.phone);
  AIDLINK_RETURN_IF_ERROR(internal::InsertRow(db, st, actor, "station", &s.id));
  return s;
}

StatusOr<Station> GetStation(Database& db, int64_t id) {
  return GetById<Station>(db, kStationCols, "stations", id, ReadStation, "station");
}

StatusOr<std::vector<Station>> ListStations(Database& db, const Page& page) {
  return ListTable<Station>(db, kStationCols, "stations", page, ReadStation);
}

// --- requesters ---------------------------------------------------------------

StatusOr<Requester> InsertRequester(Database& db, Requester r, const Actor& actor) {
  AIDLINK_RETURN_IF_ERROR(MustExist(db, "stations", r.station_id, "station_id", "station"));
  r.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO requesters (station_id, kind, name, contact_name, phone, address, "
      "district, lat, lon, household_size, tags, created_at, phone_digits) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  BindAll(st, r.station_id, r.kind, r.name, r.contact_name, r.phone, r.address, r.district, r.lat,
          r.lon, r.household_size, r.tags, r.created_at, text::PhoneDigits(r.phone));
  AIDLINK_RETURN_IF_ERROR(st->Run());
  r.id = db.LastInsertId();
  r.version = 1;
  r.active = true;
  // The ledger never holds a household's name, phone or address.
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "requester_created", "requester", r.id,
                                      "{\"station_id\":" + std::to_string(r.station_id) + "}"));
  return r;
}

StatusOr<Requester> GetRequester(Database& db, int64_t id) {
  return GetById<Requester>(db, kRequesterCols, "requesters", id, ReadRequester, "requester");
}

namespace {

// `s` as an FTS5 string (a phrase): in double quotes, quotes doubled.
std::string FtsPhrase(std::string_view s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// How a search text is looked for: `name` in the name and contact name
// (ASCII case folded), `digits` in the phone's digits (when the text reads
// as a phone number). The trigram index finds substrings of 3 or more
// characters; shorter ones are found by scanning the rows in scope.
struct SearchPlan {
  std::string name, digits;
  bool fold_case = false;  // the text has ASCII letters: compare in lower case
  bool use_index = false;
  std::string fts_query;
};

SearchPlan PlanSearch(const std::string& q, bool station_scoped) {
  SearchPlan plan;
  plan.name = text::AsciiLower(q);
  // lower() costs an allocation per row; without letters to fold, skip it.
  plan.fold_case =
      plan.name != q || q.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos;
  if (text::LooksLikePhone(q)) plan.digits = text::DropMobileCountryCode(text::PhoneDigits(q));
  const bool name_indexable = text::CodePointCount(q) >= 3;
  const bool digits_indexable = plan.digits.empty() || plan.digits.size() >= 3;
  // A station's own rows are few (its index range); the whole registry is
  // what needs the trigram index.
  plan.use_index = !station_scoped && name_indexable && digits_indexable;
  if (plan.use_index) {
    plan.fts_query = "{name contact_name}: " + FtsPhrase(q);
    if (!plan.digits.empty()) plan.fts_query += " OR phone_digits: " + FtsPhrase(plan.digits);
  }
  return plan;
}

}  // namespace

StatusOr<std::vector<Requester>> ListRequesters(Database& db, const RequesterFilter& f,
                                                const Page& page) {
  const bool search = !f.q.empty();
  const SearchPlan plan = PlanSearch(f.q, f.station_id.has_value());
  std::string cols;
  for (std::string_view c : SplitList(kRequesterCols, ',')) {
    cols += (cols.empty() ? "r." : ", r.") + std::string(text::Trim(c));
  }
  // Only the filters given go into the SQL, so SQLite can use the station
  // index; each variant is prepared once and cached.
  std::string sql = "SELECT " + cols + " FROM ";
  sql += plan.use_index ? "requester_search s JOIN requesters r ON r.id = s.rowid WHERE "
                          "requester_search MATCH ?8 AND s.rowid > ?1"
                        : "requesters r WHERE r.id > ?1";
  if (f.station_id) sql += " AND r.station_id = ?2";
  if (!f.kind.empty()) sql += " AND r.kind = ?3";
  if (!f.tag.empty())
    sql += " AND instr(char(31) || r.tags || char(31), char(31) || ?4 || char(31))";
  if (!f.district.empty()) sql += " AND r.district = ?5";
  if (f.active) sql += " AND r.active = ?6";
  if (search && !plan.use_index) {
    sql += plan.fold_case ? " AND (instr(lower(r.name), ?9) OR instr(lower(r.contact_name), ?9)"
                          : " AND (instr(r.name, ?9) OR instr(r.contact_name, ?9)";
    if (!plan.digits.empty()) sql += " OR instr(r.phone_digits, ?10)";
    sql += ")";
  }
  sql += plan.use_index ? " ORDER BY s.rowid LIMIT ?7" : " ORDER BY r.id LIMIT ?7";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  st->Bind(1, page.after_id).Bind(7, page.limit);
  if (f.station_id) st->Bind(2, *f.station_id);
  if (!f.kind.empty()) st->Bind(3, f.kind);
  if (!f.tag.empty()) st->Bind(4, f.tag);
  if (!f.district.empty()) st->Bind(5, f.district);
  if (f.active) st->Bind(6, static_cast<int64_t>(*f.active ? 1 : 0));
  if (plan.use_index) st->Bind(8, plan.fts_query);
  if (search && !plan.use_index) st->Bind(9, plan.name);
  if (search && !plan.use_index && !plan.digits.empty()) st->Bind(10, plan.digits);
  return Many<Requester>(st, ReadRequester);
}

// --- lots ---------------------------------------------------------------------

// kFailedPrecondition if `l` would be the donor's (kMaxEarmarkGroups+1)-th
// distinct earmark among its lots of the item that still hold stock.
Status CheckEarmarkGroups(Database& db, const Lot& l) {
  if (l.earmark.empty()) return Status::Ok();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT count(*), coalesce(sum(d = ?1 AND k = ?2 AND t = ?3 AND s = ?4), 0) FROM ("
      "SELECT DISTINCT earmark_districts AS d, earmark_kinds AS k, earmark_tags AS t, "
      "earmark_stations AS s FROM lots WHERE donor_id = ?5 AND item_id = ?6 AND "
      "(available > 0 OR status = 'pledged') "
      "AND (earmark_districts <> '' OR earmark_kinds <> '' OR earmark_tags <> '' OR "
      "earmark_stations <> ''))");
  BindEarmark(st, 1, l.earmark).Bind(5, l.donor_id).Bind(6, l.item_id);
  // count(*) always returns its one row.
  StatusOr<std::optional<std::pair<int64_t, int64_t>>> counts =
      MaybeOne<std::pair<int64_t, int64_t>>(
          st, [](const Statement& row) { return std::make_pair(row.Int(0), row.Int(1)); });
  if (!counts.ok()) return counts.status();
  const auto [groups, same] = counts->value_or(std::make_pair(int64_t{0}, int64_t{0}));
  if (same > 0 || groups < vocab::kMaxEarmarkGroups) return Status::Ok();
  return FailedPrecondition("this donor's lots of this item in stock already carry " +
                                std::to_string(vocab::kMaxEarmarkGroups) +
                                " different earmarks; reuse one of them",
                            "earmark");
}

Status internal::CheckPerishableExpiry(Database& db, const Lot& l) {
  if (!l.expires_on.empty()) return Status::Ok();
  auto item = GetItem(db, l.item_id);
  if (!item.ok()) return item.status();
  if (!item->perishable) return Status::Ok();
  return InvalidArgument("a lot of perishable item " + item->code + " needs expires_on",
                         "expires_on");
}

StatusOr<Lot> InsertLot(Database& db, Lot l, const Actor& actor) {
  AIDLINK_RETURN_IF_ERROR(MustExist(db, "donors", l.donor_id, "donor_id", "donor"));
  AIDLINK_RETURN_IF_ERROR(MustExist(db, "items", l.item_id, "item_id", "item"));
  AIDLINK_RETURN_IF_ERROR(MustExist(db, "depots", l.depot_id, "depot_id", "depot"));
  AIDLINK_RETURN_IF_ERROR(internal::CheckPerishableExpiry(db, l));
  for (int64_t station : l.earmark.station_ids) {
    AIDLINK_RETURN_IF_ERROR(MustExist(db, "stations", station, "earmark.station_ids", "station"));
  }
  AIDLINK_RETURN_IF_ERROR(CheckEarmarkGroups(db, l));
  const bool pledged = l.status == "pledged";
  l.status = pledged ? "pledged" : "received";
  l.quantity_pledged = l.quantity;
  l.available = pledged ? 0 : l.quantity;
  l.allocated = l.delivered = l.written_off = 0;
  l.created_at = date::NowRfc3339();
  l.received_at = pledged ? "" : l.created_at;
  l.receive_note.clear();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO lots (donor_id, item_id, depot_id, quantity, expires_on, "
      "earmark_districts, earmark_kinds, earmark_tags, earmark_stations, note, available, "
      "allocated, delivered, written_off, created_at, status, quantity_pledged, received_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)");
  st->Bind(1, l.donor_id)
      .Bind(2, l.item_id)
      .Bind(3, l.depot_id)
      .Bind(4, l.quantity)
      .BindTextOrNull(5, l.expires_on);
  BindEarmark(st, 6, l.earmark)
      .Bind(10, l.note)
      .Bind(11, l.available)
      .Bind(12, l.created_at)
      .Bind(13, l.status)
      .Bind(14, l.quantity_pledged)
      .BindTextOrNull(15, l.received_at);  // a pledge has not been received
  AIDLINK_RETURN_IF_ERROR(st->Run());
  l.id = db.LastInsertId();
  // A pledge holds no stock yet; lot_received is when stock arrives.
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, pledged ? "lot_pledged" : "lot_received", "lot",
                                      l.id,
                                      "{\"quantity\":" + std::to_string(l.quantity) +
                                          ",\"before\":null,\"after\":" + LotQuantities(l) + "}"));
  return l;
}

StatusOr<Lot> ReceiveLot(Database& db, int64_t lot_id, int64_t quantity_received,
                         const std::string& note, const Actor& actor) {
  StatusOr<Lot> lot = GetLot(db, lot_id);
  if (!lot.ok()) return lot.status();
  if (lot->status != "pledged") {
    return Conflict("lot " + std::to_string(lot_id) +
                        (lot->received_at == lot->created_at
                             ? " was logged as received; only a pledged lot is received"
                             : " was already received on " + lot->received_at),
                    "id");
  }
  if (quantity_received > lot->quantity) {
    return InvalidArgument("quantity_received " + std::to_string(quantity_received) +
                               " is more than the " + std::to_string(lot->quantity) + " pledged",
                           "quantity_received");
  }
  const std::string before = LotQuantities(*lot);
  lot->status = "received";
  lot->quantity = quantity_received;
  lot->available = quantity_received;
  lot->received_at = date::NowRfc3339();
  lot->receive_note = note;
  lot->version += 1;
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE lots SET status = 'received', quantity = ?1, available = ?1, "
                      "received_at = ?2, receive_note = ?3, version = version + 1 "
                      "WHERE id = ?4 AND status = 'pledged'");
  BindAll(st, quantity_received, lot->received_at, note, lot_id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  // The shortfall stays in the ledger: what was pledged, what arrived.
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "lot_received", "lot", lot_id,
                  "{\"pledged\":" + std::to_string(lot->quantity_pledged) +
                      ",\"received\":" + std::to_string(quantity_received) + ",\"short\":" +
                      std::to_string(lot->quantity_pledged - quantity_received) + ",\"note\":\"" +
                      log::JsonEscape(note) + "\",\"version\":" + std::to_string(lot->version) +
                      ",\"before\":" + before + ",\"after\":" + LotQuantities(*lot) + "}"));
  return lot;
}

StatusOr<Lot> GetLot(Database& db, int64_t id) {
  return GetById<Lot>(db, kLotCols, "lots", id, ReadLot, "lot");
}

StatusOr<std::vector<Lot>> ListLots(Database& db, const LotFilter& f, const Page& page) {
  // Each filter is optional: "? IS NULL OR column = ?" keeps one statement
  // per order. What expires soonest is what to give out first.
  const bool by_expiry = !f.expiring_before.empty();
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kLotCols + " FROM lots WHERE " +
                          (by_expiry ? "(expires_on, id) > (?8, ?1)" : "id > ?1") +
                          " AND (?2 IS NULL OR item_id = ?2) AND "
                          "(?3 IS NULL OR depot_id = ?3) AND (?4 IS NULL OR donor_id = ?4) AND "
                          "(?5 IS NULL OR (expires_on IS NOT NULL AND expires_on < ?5 AND "
                          "available > 0)) AND (?7 = '' OR status = ?7) ORDER BY " +
                          (by_expiry ? "expires_on, id" : "id") + " LIMIT ?6");
  BindAll(st, page.after_id, f.item_id, f.depot_id, f.donor_id);
  st->BindTextOrNull(5, f.expiring_before).Bind(6, page.limit).Bind(7, f.status);
  if (by_expiry) st->Bind(8, page.after_key);
  return Many<Lot>(st, ReadLot);
}

StatusOr<Lot> WriteOffLot(Database& db, int64_t lot_id, int64_t quantity, const std::string& reason,
                          const Actor& actor) {
  StatusOr<Lot> lot = GetLot(db, lot_id);
  if (!lot.ok()) return lot.status();
  if (quantity > lot->available) {
    return FailedPrecondition("cannot write off " + std::to_string(quantity) + ": only " +
                                  std::to_string(lot->available) + " available",
                              "quantity");
  }
  const std::string before = LotQuantities(*lot);
  lot->available -= quantity;
  lot->written_off += quantity;
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE lots SET available = available - ?1, written_off = written_off + ?1 "
                      "WHERE id = ?2");
  st->Bind(1, quantity).Bind(2, lot_id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  AIDLINK_RETURN_IF_ERROR(AppendEvent(
      db, actor, "lot_written_off", "lot", lot_id,
      "{\"quantity\":" + std::to_string(quantity) + ",\"reason\":\"" + log::JsonEscape(reason) +
          "\",\"before\":" + before + ",\"after\":" + LotQuantities(*lot) + "}"));
  return lot;
}

// --- needs --------------------------------------------------------------------

StatusOr<Need> InsertNeed(Database& db, Need n, const Actor& actor) {
  StatusOr<Requester> requester = GetRequester(db, n.requester_id);
  if (!requester.ok())
    return NotFound("requester " + std::to_string(n.requester_id) + " not found", "requester_id");
  if (!requester->active) {
    return FailedPrecondition("requester " + std::to_string(n.requester_id) + " is deactivated (" +
                                  requester->deactivated_reason + ") and takes no new needs",
                              "requester_id");
  }
  AIDLINK_RETURN_IF_ERROR(MustExist(db, "items", n.item_id, "item_id", "item"));
  n.station_id = requester->station_id;
  n.outstanding = n.quantity;
  n.allocated = n.delivered = n.cancelled = 0;
  n.status = NeedStatus(n);
  n.created_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO needs (requester_id, item_id, quantity, urgency, needed_by, note, "
      "status, outstanding, allocated, delivered, cancelled, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?)");
  BindAll(st, n.requester_id, n.item_id, n.quantity, n.urgency);
  st->BindTextOrNull(5, n.needed_by)
      .Bind(6, n.note)
      .Bind(7, n.status)
      .Bind(8, n.outstanding)
      .Bind(9, n.created_at);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  n.id = db.LastInsertId();
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "need_filed", "need", n.id,
                                      "{\"before\":null,\"after\":" + NeedQuantities(n) + "}"));
  return n;
}

StatusOr<Need> GetNeed(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db, std::string(kNeedSelect) + " WHERE n.id = ?");
  st->Bind(1, id);
  return One<Need>(st, ReadNeed, "need", "id");
}

StatusOr<std::vector<Need>> ListNeeds(Database& db, const NeedFilter& f, const Page& page) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string(kNeedSelect) +
                          " WHERE n.id > ?1 AND (?2 IS NULL OR n.status = ?2) AND "
                          "(?3 IS NULL OR r.station_id = ?3) AND (?4 IS NULL OR n.item_id = ?4) "
                          "AND (?5 IS NULL OR n.requester_id = ?5) AND "
                          "(?7 = '' OR n.urgency = ?7) AND "
                          "(?8 = '' OR (n.needed_by IS NOT NULL AND n.needed_by < ?8)) "
                          "ORDER BY n.id LIMIT ?6");
  st->Bind(1, page.after_id).BindTextOrNull(2, f.status);
  st->Bind(3, f.station_id).Bind(4, f.item_id).Bind(5, f.requester_id).Bind(6, page.limit);
  st->Bind(7, f.urgency).Bind(8, f.needed_before);
  return Many<Need>(st, ReadNeed);
}

StatusOr<Need> CancelNeed(Database& db, int64_t need_id, const std::string& reason,
                          const Actor& actor) {
  StatusOr<Need> need = GetNeed(db, need_id);
  if (!need.ok()) return need.status();
  if (need->allocated > 0) {
    // Tell the caller (often a station, who cannot act on deliveries) which
    // delivery holds the stock and who can release it. Only this refusal
    // reads allocations by need, so it scans rather than keep an index that
    // every match run would pay for.
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT d.id, d.status FROM allocations a JOIN deliveries d ON "
                        "d.id = a.delivery_id WHERE a.need_id = ? AND d.status IN "
                        "('planned', 'dispatched') ORDER BY d.id LIMIT 1");
    st->Bind(1, need_id);
    struct Holder {
      int64_t delivery_id;
      bool on_road;
    };
    StatusOr<std::optional<Holder>> holder = MaybeOne<Holder>(st, [](const Statement& row) {
      return Holder{row.Int(0), row.Text(1) == "dispatched"};
    });
    if (!holder.ok()) return holder.status();
    const std::string delivery = *holder ? std::to_string((*holder)->delivery_id) : "";
    const bool on_road = *holder && (*holder)->on_road;
    const std::string id = std::to_string(need_id);
    if (on_road) {
      return FailedPrecondition("need " + id + " has stock on delivery " + delivery +
                                    ", which is on the road: a dispatcher must record it "
                                    "delivered or failed (:fail reopens the need) before the "
                                    "need can be cancelled",
                                "delivery_id");
    }
    return FailedPrecondition("need " + id + " has stock allocated on planned delivery " +
                                  delivery + ": a dispatcher must fail or cancel delivery " +
                                  delivery + " (which reopens the need) before it can be cancelled",
                              "delivery_id");
  }
  if (need->outstanding == 0) {
    return FailedPrecondition("need " + std::to_string(need_id) + " is already " + need->status);
  }
  return internal::CancelOutstanding(db, std::move(*need), reason, actor);
}

StatusOr<Need> internal::CancelOutstanding(Database& db, Need need, const std::string& reason,
                                           const Actor& actor) {
  const std::string before = NeedQuantities(need);
  need.cancelled += need.outstanding;
  need.outstanding = 0;
  need.cancel_reason = reason;
  need.status = NeedStatus(need);
  need.version += 1;
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE needs SET cancelled = ?, outstanding = 0, cancel_reason = ?, "
                      "status = ?, version = version + 1 WHERE id = ?");
  BindAll(st, need.cancelled, reason, need.status, need.id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "need_cancelled", "need", need.id,
                  "{\"before\":" + before + ",\"after\":" + NeedQuantities(need) + "}"));
  return need;
}

// --- ledger and idempotency -----------------------------------------------------

Status AppendEvent(Database& db, const Actor& actor, const std::string& kind,
                   const std::string& entity, int64_t entity_id, const std::string& detail_json) {
  // actor_user_id (schema: accounts) only when a user acts, so that events
  // by tokens are written the same on a file of an older version too.
  AIDLINK_ASSIGN_STMT(st, db,
                      actor.user_id
                          ? "INSERT INTO events (at, actor_token_id, actor_role, kind, entity, "
                            "entity_id, detail, actor_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                          : "INSERT INTO events (at, actor_token_id, actor_role, kind, entity, "
                            "entity_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
  st->Bind(1, date::NowRfc3339())
      .BindIdOrNull(2, actor.token_id)
      .Bind(3, actor.role.empty() ? std::string("system") : actor.role)
      .Bind(4, kind)
      .Bind(5, entity)
      .Bind(6, entity_id)
      .Bind(7, detail_json);
  if (actor.user_id) st->Bind(8, actor.user_id);
  return st->Run();
}

StatusOr<std::optional<SavedResponse>> FindSavedResponse(Database& db, int64_t token_id,
                                                         const std::string& key,
                                                         const std::string& expired_before) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT request_hash, status, content_type, body, created_at < ? FROM idempotency "
      "WHERE token_id = ? AND key = ?");
  BindAll(st, expired_before, token_id, key);
  struct Saved {
    SavedResponse response;
    bool expired;
  };
  StatusOr<std::optional<Saved>> saved = MaybeOne<Saved>(st, [](const Statement& row) {
    return Saved{{row.Text(0), static_cast<int>(row.Int(1)), row.Text(2), row.Text(3)},
                 row.Int(4) != 0};
  });
  if (!saved.ok()) return saved.status();
  if (!*saved) return std::optional<SavedResponse>();
  if (!(*saved)->expired) return std::optional<SavedResponse>(std::move((*saved)->response));
  // The writer's purge may not have reached it yet; the key must act as new
  // anyway, and SaveResponse will insert under it again.
  AIDLINK_ASSIGN_STMT(del, db, "DELETE FROM idempotency WHERE token_id = ? AND key = ?");
  del->Bind(1, token_id).Bind(2, key);
  AIDLINK_RETURN_IF_ERROR(del->Run());
  return std::optional<SavedResponse>();
}

Status SaveResponse(Database& db, int64_t token_id, const std::string& key,
                    const SavedResponse& r) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      "INSERT INTO idempotency (token_id, key, request_hash, status, content_type, body, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  st->Bind(1, token_id)
      .Bind(2, key)
      .Bind(3, r.request_hash)
      .Bind(4, r.status)
      .Bind(5, r.content_type)
      .BindBlob(6, r.body)
      .Bind(7, date::NowRfc3339());
  return st->Run();
}

StatusOr<int> DeleteExpiredResponses(Database& db, const std::string& expired_before, int limit) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency "
                      "WHERE created_at < ? ORDER BY created_at LIMIT ?)");
  st->Bind(1, expired_before).Bind(2, static_cast<int64_t>(limit));
  AIDLINK_RETURN_IF_ERROR(st->Run());
  return db.Changes();
}

}  // namespace aidlink::store
