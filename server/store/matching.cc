#include "store/matching.h"

#include <map>
#include <utility>

#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::store {
namespace {

using internal::SplitList;

// "1,2,3" for the SQL IN list of item ids (integers only, so no injection).
std::string IdList(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

std::string EncodeUnmet(const std::vector<UnmetRow>& unmet) {
  std::string out;
  for (const UnmetRow& u : unmet) {
    out += std::to_string(u.need_id) + ":" + std::to_string(u.outstanding) + ":" + u.reason + ";";
  }
  return out;
}

std::vector<UnmetRow> DecodeUnmet(const std::string& s) {
  std::vector<UnmetRow> out;
  for (const std::string& entry : SplitList(s, ';')) {
    const auto a = entry.find(':'), b = entry.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out.push_back({std::stoll(entry.substr(0, a)), std::stoll(entry.substr(a + 1, b - a - 1)),
                   entry.substr(b + 1)});
  }
  return out;
}

}  // namespace

Status ScanOpenNeeds(Database& db, const std::vector<int64_t>& item_ids,
                     const std::function<void(const OpenNeedRow&)>& fn) {
  std::string sql =
      "SELECT n.id, n.requester_id, n.item_id, n.quantity, n.outstanding, n.allocated, "
      "n.delivered, n.cancelled, n.urgency, ifnull(n.needed_by, ''), r.household_size, r.tags, "
      "r.kind, r.district, r.station_id, r.lat, r.lon, i.pack_size "
      "FROM needs n JOIN requesters r ON r.id = n.requester_id JOIN items i ON i.id = n.item_id "
      "WHERE n.outstanding > 0";
  if (!item_ids.empty()) sql += " AND n.item_id IN (" + IdList(item_ids) + ")";
  sql += " ORDER BY n.id";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  OpenNeedRow row;
  for (;;) {
    StatusOr<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    row.id = st->Int(0);
    row.requester_id = st->Int(1);
    row.item_id = st->Int(2);
    row.quantity = st->Int(3);
    row.outstanding = st->Int(4);
    row.allocated = st->Int(5);
    row.delivered = st->Int(6);
    row.cancelled = st->Int(7);
    row.urgency = st->Text(8);
    row.needed_by = st->Text(9);
    row.household_size = st->Int(10);
    row.tags = SplitList(st->Text(11));
    row.kind = st->Text(12);
    row.district = st->Text(13);
    row.station_id = st->Int(14);
    row.lat = st->OptDouble(15);
    row.lon = st->OptDouble(16);
    row.pack_size = st->Int(17);
    fn(row);
  }
  st->Reset();
  return Status::Ok();
}

Status ScanAvailableLots(Database& db, const std::vector<int64_t>& item_ids,
                         const std::function<void(const AvailableLotRow&)>& fn) {
  std::string sql =
      "SELECT id, item_id, depot_id, available, ifnull(expires_on, ''), earmark_districts, "
      "earmark_kinds, earmark_tags, earmark_stations FROM lots WHERE available > 0";
  if (!item_ids.empty()) sql += " AND item_id IN (" + IdList(item_ids) + ")";
  sql += " ORDER BY id";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  for (;;) {
    StatusOr<bool> more = st->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    AvailableLotRow row;
    row.id = st->Int(0);
    row.item_id = st->Int(1);
    row.depot_id = st->Int(2);
    row.available = st->Int(3);
    row.expires_on = st->Text(4);
    row.earmark.districts = SplitList(st->Text(5));
    row.earmark.requester_kinds = SplitList(st->Text(6));
    row.earmark.tags = SplitList(st->Text(7));
    for (const std::string& s : SplitList(st->Text(8))) row.earmark.station_ids.push_back(std::stoll(s));
    fn(row);
  }
  st->Reset();
  return Status::Ok();
}

StatusOr<std::vector<Depot>> AllDepots(Database& db) {
  std::vector<Depot> out;
  Page page{0, 1000};
  for (;;) {
    auto rows = ListDepots(db, page);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    page.after_id = rows->back().id;
    for (auto& d : *rows) out.push_back(std::move(d));
  }
  return out;
}

StatusOr<int64_t> LedgerMark(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT ifnull(max(id), 0) FROM events");
  StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  const int64_t mark = st->Int(0);
  st->Reset();
  return mark;
}

StatusOr<bool> StockChangedSince(Database& db, int64_t mark) {
  AIDLINK_ASSIGN_STMT(st, db,
              "SELECT 1 FROM events WHERE id > ? AND entity IN ('lot', 'need') LIMIT 1");
  st->Bind(1, mark);
  StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  st->Reset();
  return *row;
}

StatusOr<RunRecord> CommitRun(Database& db, RunRecord run,
                              const std::vector<PlannedAllocation>& allocations,
                              const Actor& actor) {
  run.created_at = date::NowRfc3339();
  {
    AIDLINK_ASSIGN_STMT(st, db,
                "INSERT INTO match_runs (created_at, actor_token_id, as_of, min_shelf_days, "
                "item_ids, needs_considered, lots_considered, units_allocated, needs_filled, "
                "needs_partial, needs_unmet, unmet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st->Bind(1, run.created_at);
    if (actor.token_id) st->Bind(2, actor.token_id); else st->BindNull(2);
    st->Bind(3, run.as_of).Bind(4, run.min_shelf_days).Bind(5, IdList(run.item_ids))
        .Bind(6, run.stats.needs_considered).Bind(7, run.stats.lots_considered)
        .Bind(8, run.stats.units_allocated).Bind(9, run.stats.needs_filled)
        .Bind(10, run.stats.needs_partial).Bind(11, run.stats.needs_unmet)
        .Bind(12, EncodeUnmet(run.unmet));
    AIDLINK_RETURN_IF_ERROR(st->Run());
    run.id = db.LastInsertId();
  }
  AIDLINK_RETURN_IF_ERROR(AppendEvent(
      db, actor, "match_run_committed", "match_run", run.id,
      "{\"units_allocated\":" + std::to_string(run.stats.units_allocated) +
          ",\"allocations\":" + std::to_string(allocations.size()) + "}"));

  // One planned delivery per (requester, depot), in that order.
  std::map<std::pair<int64_t, int64_t>, int64_t> deliveries;
  for (const PlannedAllocation& a : allocations) deliveries[{a.requester_id, a.depot_id}] = 0;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                "INSERT INTO deliveries (run_id, requester_id, depot_id, status, created_at, "
                "updated_at) VALUES (?, ?, ?, 'planned', ?, ?)");
    for (auto& [key, id] : deliveries) {
      st->Reset();
      st->Bind(1, run.id).Bind(2, key.first).Bind(3, key.second).Bind(4, run.created_at)
          .Bind(5, run.created_at);
      AIDLINK_RETURN_IF_ERROR(st->Run());
      // No event per delivery: the run's event records that it planned them
      // (deliveries carry run_id), and a run plans hundreds of thousands.
      id = db.LastInsertId();
    }
  }

  std::map<int64_t, int64_t> per_lot, per_need;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                "INSERT INTO allocations (run_id, delivery_id, lot_id, need_id, quantity, reasons) "
                "VALUES (?, ?, ?, ?, ?, ?)");
    for (const PlannedAllocation& a : allocations) {
      st->Reset();
      st->Bind(1, run.id).Bind(2, deliveries[{a.requester_id, a.depot_id}]).Bind(3, a.lot_id)
          .Bind(4, a.need_id).Bind(5, a.quantity).Bind(6, a.reasons);
      AIDLINK_RETURN_IF_ERROR(st->Run());
      per_lot[a.lot_id] += a.quantity;
      per_need[a.need_id] += a.quantity;
    }
  }
  const std::string run_ref = "\"run_id\":" + std::to_string(run.id);
  {
    // The WHERE clause is the guard against a stale plan: if the lot no
    // longer has the stock, nothing is updated and the run is refused.
    AIDLINK_ASSIGN_STMT(st, db,
                "UPDATE lots SET available = available - ?1, allocated = allocated + ?1 "
                "WHERE id = ?2 AND available >= ?1 "
                "RETURNING available, allocated, delivered, written_off");
    for (const auto& [lot, q] : per_lot) {
      st->Reset();
      st->Bind(1, q).Bind(2, lot);
      StatusOr<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Conflict("lot " + std::to_string(lot) + " changed while the run was planned");
      const std::string after =
          LotQuantitiesJson(st->Int(0), st->Int(1), st->Int(2), st->Int(3));
      st->Reset();
      AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "lot_allocated", "lot", lot,
                                          "{" + run_ref + ",\"quantity\":" + std::to_string(q) +
                                              ",\"after\":" + after + "}"));
    }
  }
  {
    AIDLINK_ASSIGN_STMT(st, db,
                "UPDATE needs SET outstanding = outstanding - ?1, allocated = allocated + ?1, "
                "status = CASE WHEN outstanding - ?1 = 0 THEN 'allocated' ELSE 'partial' END "
                "WHERE id = ?2 AND outstanding >= ?1 "
                "RETURNING outstanding, allocated, delivered, cancelled");
    for (const auto& [need, q] : per_need) {
      st->Reset();
      st->Bind(1, q).Bind(2, need);
      StatusOr<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Conflict("need " + std::to_string(need) + " changed while the run was planned");
      const std::string after =
          NeedQuantitiesJson(st->Int(0), st->Int(1), st->Int(2), st->Int(3));
      st->Reset();
      AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "need_allocated", "need", need,
                                          "{" + run_ref + ",\"quantity\":" + std::to_string(q) +
                                              ",\"after\":" + after + "}"));
    }
  }
  return run;
}

StatusOr<RunRecord> GetRun(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db,
              "SELECT id, created_at, as_of, min_shelf_days, item_ids, needs_considered, "
              "lots_considered, units_allocated, needs_filled, needs_partial, needs_unmet, unmet "
              "FROM match_runs WHERE id = ?");
  st->Bind(1, id);
  StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound("match run not found", "id");
  RunRecord r;
  r.id = st->Int(0);
  r.created_at = st->Text(1);
  r.as_of = st->Text(2);
  r.min_shelf_days = static_cast<int>(st->Int(3));
  for (const std::string& s : SplitList(st->Text(4), ',')) r.item_ids.push_back(std::stoll(s));
  r.stats = {st->Int(5), st->Int(6), st->Int(7), st->Int(8), st->Int(9), st->Int(10)};
  r.unmet = DecodeUnmet(st->Text(11));
  st->Reset();
  return r;
}

StatusOr<std::vector<AllocationRow>> ListRunAllocations(Database& db, int64_t run_id) {
  AIDLINK_ASSIGN_STMT(st, db,
              "SELECT id, run_id, delivery_id, lot_id, need_id, quantity, reasons FROM allocations "
              "WHERE run_id = ? ORDER BY need_id, lot_id");
  st->Bind(1, run_id);
  std::vector<AllocationRow> out;
  for (;;) {
    StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Int(0), st->Int(1), st->Int(2), st->Int(3), st->Int(4), st->Int(5),
                   SplitList(st->Text(6), ',')});
  }
  st->Reset();
  return out;
}

}  // namespace aidlink::store
