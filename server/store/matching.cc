#include "store/matching.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::ForEachRow;
using internal::Many;
using internal::ReadColumns;
using internal::SplitList;

// "1,2,3" for the SQL IN list of item ids (integers only, so no injection).
std::string IdList(const std::vector<int64_t>& ids) { return internal::JoinIds(ids, ','); }

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
    const auto need_id = internal::ParseInt64(std::string_view(entry).substr(0, a));
    const auto outstanding = internal::ParseInt64(std::string_view(entry).substr(a + 1, b - a - 1));
    if (!need_id || !outstanding) continue;
    out.push_back({*need_id, *outstanding, entry.substr(b + 1)});
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
      "WHERE n.outstanding > 0 AND r.active = 1";
  if (!item_ids.empty()) sql += " AND n.item_id IN (" + IdList(item_ids) + ")";
  sql += " ORDER BY n.id";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  OpenNeedRow row;
  return ForEachRow(st, [&](const Statement& r) {
    ReadColumns(r, row.id, row.requester_id, row.item_id, row.quantity, row.outstanding,
                row.allocated, row.delivered, row.cancelled, row.urgency, row.needed_by,
                row.household_size, row.tags, row.kind, row.district, row.station_id, row.lat,
                row.lon, row.pack_size);
    fn(row);
  });
}

Status ScanAvailableLots(Database& db, const std::vector<int64_t>& item_ids,
                         const std::function<void(const AvailableLotRow&)>& fn) {
  std::string sql =
      "SELECT id, item_id, depot_id, available, ifnull(expires_on, ''), earmark_districts, "
      "earmark_kinds, earmark_tags, earmark_stations FROM lots WHERE available > 0";
  if (!item_ids.empty()) sql += " AND item_id IN (" + IdList(item_ids) + ")";
  sql += " ORDER BY id";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  return ForEachRow(st, [&](const Statement& r) {
    AvailableLotRow row;
    ReadColumns(r, row.id, row.item_id, row.depot_id, row.available, row.expires_on);
    row.earmark = internal::ReadEarmark(r, 5);
    fn(row);
  });
}

StatusOr<std::vector<Depot>> AllDepots(Database& db) {
  return internal::AllPages<Depot>([&](const Page& page) { return ListDepots(db, page); });
}

StatusOr<std::vector<Station>> AllStations(Database& db) {
  return internal::AllPages<Station>([&](const Page& page) { return ListStations(db, page); });
}

StatusOr<int64_t> LedgerMark(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT ifnull(max(id), 0) FROM events");
  auto mark = internal::MaybeOne<int64_t>(st, internal::ReadId);  // always one row
  if (!mark.ok()) return mark.status();
  return mark->value_or(0);
}

StatusOr<bool> StockChangedSince(Database& db, int64_t mark) {
  // A committed run changes lots and needs under its one match_run event;
  // a requester's edit (district, tags) or deactivation changes what it may
  // receive, and so does a quota's creation, edit or disabling, and a duplicate case's
  // resolution or reopening (it links or unlinks a household and lifts or restores a hold).
  // "+entity" keeps SQLite on the id range (a few events past the mark) instead of every lot
  // and need event in events_by_entity.
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT 1 FROM events WHERE id > ? AND +entity IN ('lot', 'need', 'match_run', "
      "'requester', 'quota', 'duplicate_case') LIMIT 1");
  st->Bind(1, mark);
  return internal::Exists(st);
}

namespace {

// Quantities of a plan summed per lot or per need, by increasing id.
std::vector<std::pair<int64_t, int64_t>> SumById(std::vector<std::pair<int64_t, int64_t>> rows) {
  const auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  // Plans list allocations by need, so the per-need list is usually sorted.
  if (!std::is_sorted(rows.begin(), rows.end(), by_id)) std::sort(rows.begin(), rows.end(), by_id);
  size_t out = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (out > 0 && rows[out - 1].first == rows[i].first) {
      rows[out - 1].second += rows[i].second;
    } else {
      rows[out++] = rows[i];
    }
  }
  rows.resize(out);
  return rows;
}

// Moves each lot's (or need's) planned quantity to allocated and records the
// run's ledger entry with the quantities after it. `update` takes ?1 the
// quantity and ?2 the id and returns the four quantities and the row's
// owner (a lot's depot, a need's requester), which goes to `owners`; it
// updates no row when the plan is stale (the WHERE clause guards the stock).
Status AllocatePerId(Database& db, const std::string& update, const char* entity,
                     const std::vector<std::pair<int64_t, int64_t>>& per_id, int64_t event_id,
                     std::vector<int64_t>* owners) {
  AIDLINK_ASSIGN_STMT(up, db, update);
  AIDLINK_ASSIGN_STMT(entry, db,
                      "INSERT INTO run_ledger (entity, entity_id, event_id, quantity, after_0, "
                      "after_1, after_2, after_3) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  entry->Bind(1, entity).Bind(3, event_id);
  owners->clear();
  owners->reserve(per_id.size());
  for (const auto& [id, q] : per_id) {
    up->Bind(1, q).Bind(2, id);
    StatusOr<bool> row = up->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return Conflict(std::string(entity) + " " + std::to_string(id) +
                      " changed while the run was planned");
    }
    entry->Bind(2, id).Bind(4, q);
    for (int i = 0; i < 4; ++i) entry->Bind(5 + i, up->Int(i));
    owners->push_back(up->Int(4));
    up->Rewind();
    AIDLINK_RETURN_IF_ERROR(entry->Run());
    entry->Rewind();
  }
  return Status::Ok();
}

// Turns the connection's foreign key checks off while it lives. SQLite
// refuses PRAGMA foreign_keys inside a transaction because of deferred
// constraints; aidlink's are all immediate, so switching inside one is safe
// (every statement prepared meanwhile is recompiled on its next use).
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Database& db) : db_(db.handle()) {
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &was_on_);
    sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_FKEY, 0, nullptr);
  }
  ~ForeignKeysOff() { sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_FKEY, was_on_, nullptr); }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  sqlite3* db_;
  int was_on_ = 1;
};

}  // namespace

namespace {

// Inserts the run's row (its stats and unmet needs) and sets its id.
Status InsertRun(Database& db, RunRecord* run, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO match_runs (created_at, actor_token_id, as_of, min_shelf_days, "
                      "item_ids, needs_considered, lots_considered, units_allocated, needs_filled, "
                      "needs_partial, needs_unmet, unmet, units_held_by_quota) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st->Bind(1, run->created_at)
      .BindIdOrNull(2, actor.token_id)
      .Bind(3, run->as_of)
      .Bind(4, run->min_shelf_days)
      .Bind(5, IdList(run->item_ids))
      .Bind(6, run->stats.needs_considered)
      .Bind(7, run->stats.lots_considered)
      .Bind(8, run->stats.units_allocated)
      .Bind(9, run->stats.needs_filled)
      .Bind(10, run->stats.needs_partial)
      .Bind(11, run->stats.needs_unmet)
      .Bind(12, EncodeUnmet(run->unmet))
      .Bind(13, run->stats.units_held_by_quota);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  run->id = db.LastInsertId();
  return Status::Ok();
}

// The plan's quantities per lot and per need (by increasing id) and the
// owner each row had when its stock moved: a lot's depot, a need's requester.
struct MovedStock {
  std::vector<std::pair<int64_t, int64_t>> per_lot, per_need;
  std::vector<int64_t> lot_depot, need_requester;
};

// Moves the plan's quantities from available to allocated on its lots and
// needs, so that a stale plan is refused before anything else is written.
Status MoveStock(Database& db, const RunRecord& run,
                 const std::vector<PlannedAllocation>& allocations, int64_t event_id,
                 MovedStock* moved) {
  moved->per_lot.reserve(allocations.size());
  moved->per_need.reserve(allocations.size());
  for (const PlannedAllocation& a : allocations) {
    moved->per_lot.emplace_back(a.lot_id, a.quantity);
    moved->per_need.emplace_back(a.need_id, a.quantity);
  }
  moved->per_lot = SumById(std::move(moved->per_lot));
  moved->per_need = SumById(std::move(moved->per_need));
  AIDLINK_RETURN_IF_ERROR(
      AllocatePerId(db,
                    "UPDATE lots SET available = available - ?1, allocated = allocated + ?1 "
                    "WHERE id = ?2 AND available >= ?1 "
                    "RETURNING available, allocated, delivered, written_off, depot_id",
                    "lot", moved->per_lot, event_id, &moved->lot_depot));
  // Each need the run reached remembers the run (and, below, why it left
  // part of the need unmet), for the station that answers its caller.
  return AllocatePerId(
      db,
      "UPDATE needs SET outstanding = outstanding - ?1, allocated = allocated + ?1, "
      "status = CASE WHEN outstanding - ?1 = 0 THEN 'allocated' ELSE 'partial' END, "
      "last_run_id = " +
          std::to_string(run.id) +
          ", last_unmet_reason = '' "
          "WHERE id = ?2 AND outstanding >= ?1 "
          "RETURNING outstanding, allocated, delivered, cancelled, requester_id",
      "need", moved->per_need, event_id, &moved->need_requester);
}

// Records on each need the run left (partly) unmet the run and why.
Status RecordUnmetReasons(Database& db, const RunRecord& run) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE needs SET last_run_id = ?1, last_unmet_reason = ?2 WHERE id = ?3");
  st->Bind(1, run.id);
  for (const UnmetRow& u : run.unmet) {
    st->Bind(2, u.reason).Bind(3, u.need_id);
    AIDLINK_RETURN_IF_ERROR(st->Run());
    st->Rewind();
  }
  return Status::Ok();
}

// InvalidArgument unless every allocation names its lot's depot and its
// need's requester.
Status CheckOwners(const MovedStock& moved, const std::vector<PlannedAllocation>& allocations) {
  const auto owner = [](const std::vector<std::pair<int64_t, int64_t>>& per_id,
                        const std::vector<int64_t>& owners, int64_t id) {
    const auto it = std::lower_bound(per_id.begin(), per_id.end(), id,
                                     [](const auto& p, int64_t v) { return p.first < v; });
    return owners[static_cast<size_t>(it - per_id.begin())];
  };
  for (const PlannedAllocation& a : allocations) {
    if (owner(moved.per_lot, moved.lot_depot, a.lot_id) != a.depot_id ||
        owner(moved.per_need, moved.need_requester, a.need_id) != a.requester_id) {
      return InvalidArgument("the allocation of lot " + std::to_string(a.lot_id) + " to need " +
                             std::to_string(a.need_id) +
                             " names another depot or requester than theirs");
    }
  }
  return Status::Ok();
}

// Inserts one planned delivery per (depot, requester), in that order, which
// is the order of the index routes read them by; `delivery_ids[i]` is the
// delivery of allocations[i].
Status InsertDeliveries(Database& db, const RunRecord& run,
                        const std::vector<PlannedAllocation>& allocations,
                        std::vector<int64_t>* delivery_ids) {
  struct Key {
    int64_t depot_id, requester_id;
    uint32_t index;
  };
  std::vector<Key> keys(allocations.size());
  for (size_t i = 0; i < allocations.size(); ++i) {
    keys[i] = {allocations[i].depot_id, allocations[i].requester_id, static_cast<uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.depot_id != b.depot_id ? a.depot_id < b.depot_id : a.requester_id < b.requester_id;
  });
  delivery_ids->assign(allocations.size(), 0);
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO deliveries (run_id, requester_id, depot_id, status, created_at, "
                      "updated_at) VALUES (?, ?, ?, 'planned', ?, ?)");
  st->Bind(1, run.id).Bind(4, run.created_at).Bind(5, run.created_at);
  int64_t id = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || keys[i].depot_id != keys[i - 1].depot_id ||
        keys[i].requester_id != keys[i - 1].requester_id) {
      st->Bind(2, keys[i].requester_id).Bind(3, keys[i].depot_id);
      AIDLINK_RETURN_IF_ERROR(st->Run());
      st->Rewind();
      // No event per delivery: the run's event records that it planned
      // them (deliveries carry run_id), and a run plans hundreds of
      // thousands.
      id = db.LastInsertId();
    }
    (*delivery_ids)[keys[i].index] = id;
  }
  return Status::Ok();
}

// Inserts the allocations by need and lot: the run's are then the id range
// that match_runs records, in the order ListRunAllocations answers.
Status InsertAllocations(Database& db, const RunRecord& run,
                         const std::vector<PlannedAllocation>& allocations,
                         const std::vector<int64_t>& delivery_ids) {
  std::vector<uint32_t> order(allocations.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  const auto by_need_lot = [&](uint32_t a, uint32_t b) {
    const PlannedAllocation& x = allocations[a];
    const PlannedAllocation& y = allocations[b];
    return x.need_id != y.need_id ? x.need_id < y.need_id : x.lot_id < y.lot_id;
  };
  if (!std::is_sorted(order.begin(), order.end(), by_need_lot)) {
    std::sort(order.begin(), order.end(), by_need_lot);
  }
  int64_t first_id = 1, last_id = 0;
  {
    AIDLINK_ASSIGN_STMT(
        st, db,
        "INSERT INTO allocations (run_id, delivery_id, lot_id, need_id, quantity, reasons) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    st->Bind(1, run.id);
    for (size_t k = 0; k < order.size(); ++k) {
      const PlannedAllocation& a = allocations[order[k]];
      st->Bind(2, delivery_ids[order[k]])
          .Bind(3, a.lot_id)
          .Bind(4, a.need_id)
          .Bind(5, a.quantity)
          .Bind(6, a.reasons);
      AIDLINK_RETURN_IF_ERROR(st->Run());
      st->Rewind();
      last_id = db.LastInsertId();
      if (k == 0) first_id = last_id;
    }
  }
  if (last_id - first_id + 1 != static_cast<int64_t>(allocations.size())) {
    // Impossible while rowids are max + 1; checked because the range is the
    // only way to find a run's allocations.
    return Internal("a run's allocation ids are not one range");
  }
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE match_runs SET first_allocation_id = ?, last_allocation_id = ? "
                      "WHERE id = ?");
  BindAll(st, first_id, last_id, run.id);
  return st->Run();
}

}  // namespace

StatusOr<CommittedRun> CommitRun(Database& db, RunRecord run,
                                 const std::vector<PlannedAllocation>& allocations,
                                 const Actor& actor) {
  // A foreign key check costs a B-tree lookup per reference per row (seven
  // per allocation and its delivery: about a quarter of the run's time).
  // Every reference written below is proven instead: lots and needs by the
  // UPDATE that moved their stock, a delivery's requester and depot by the
  // need's and the lot's own (checked against the plan), the run and the
  // deliveries by being inserted here.
  ForeignKeysOff fk_off(db);
  run.created_at = date::NowRfc3339();
  AIDLINK_RETURN_IF_ERROR(InsertRun(db, &run, actor));
  // The run's event says who committed it and when; the run's ledger
  // entries for each lot and need refer to it.
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "match_run_committed", "match_run", run.id,
                  "{\"units_allocated\":" + std::to_string(run.stats.units_allocated) +
                      ",\"allocations\":" + std::to_string(allocations.size()) + "}"));
  const int64_t event_id = db.LastInsertId();
  MovedStock moved;
  AIDLINK_RETURN_IF_ERROR(MoveStock(db, run, allocations, event_id, &moved));
  AIDLINK_RETURN_IF_ERROR(RecordUnmetReasons(db, run));
  AIDLINK_RETURN_IF_ERROR(CheckOwners(moved, allocations));
  CommittedRun out;
  AIDLINK_RETURN_IF_ERROR(InsertDeliveries(db, run, allocations, &out.delivery_ids));
  AIDLINK_RETURN_IF_ERROR(InsertAllocations(db, run, allocations, out.delivery_ids));
  out.run = std::move(run);
  return out;
}

namespace {

constexpr const char* kRunCols =
    "id, created_at, as_of, min_shelf_days, item_ids, needs_considered, lots_considered, "
    "units_allocated, needs_filled, needs_partial, needs_unmet, units_held_by_quota";

RunRecord ReadRun(const Statement& st) {
  RunRecord r;
  ReadColumns(st, r.id, r.created_at, r.as_of);
  r.min_shelf_days = static_cast<int>(st.Int(3));
  r.item_ids = internal::SplitIds(st.Text(4), ',');
  r.stats = {st.Int(5), st.Int(6), st.Int(7), st.Int(8), st.Int(9), st.Int(10), st.Int(11)};
  return r;
}

}  // namespace

StatusOr<RunRecord> GetRun(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kRunCols + ", unmet FROM match_runs WHERE id = ?");
  st->Bind(1, id);
  return internal::One<RunRecord>(
      st,
      [](const Statement& row) {
        RunRecord r = ReadRun(row);
        r.unmet = DecodeUnmet(row.Text(12));
        return r;
      },
      "match run", "id");
}

StatusOr<std::vector<RunRecord>> ListRuns(Database& db, const Page& page) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kRunCols +
                          " FROM match_runs WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2");
  st->Bind(1, page.after_id).Bind(2, page.limit);
  return Many<RunRecord>(st, ReadRun);
}

StatusOr<std::vector<AllocationRow>> ListRunAllocations(Database& db, int64_t run_id) {
  // A run's allocations are the id range of its row, inserted by need and
  // lot (since schema version 3; older runs were inserted in plan order,
  // which is the same).
  AIDLINK_ASSIGN_STMT(
      st, db,
      "SELECT a.id, a.run_id, a.delivery_id, a.lot_id, a.need_id, a.quantity, a.reasons "
      "FROM match_runs r JOIN allocations a ON a.id BETWEEN r.first_allocation_id AND "
      "r.last_allocation_id WHERE r.id = ?1 AND a.run_id = ?1 ORDER BY a.id");
  st->Bind(1, run_id);
  return Many<AllocationRow>(st, [](const Statement& row) {
    return AllocationRow{row.Int(0),
                         row.Int(1),
                         row.Int(2),
                         row.Int(3),
                         row.Int(4),
                         row.Int(5),
                         SplitList(row.Text(6), ',')};
  });
}

}  // namespace aidlink::store
