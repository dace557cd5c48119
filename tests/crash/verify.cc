#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <span>
#include <stdexcept>
#include <tuple>

#include "crash/journal.h"
#include "support/fixture.h"

namespace aidlink::crash {
namespace {

// Fields a create answer states that nothing may change afterwards.
constexpr std::string_view kLotFields[] = {"donor_id",   "item_id", "depot_id", "quantity",
                                           "expires_on", "earmark", "note",     "created_at"};
constexpr std::string_view kNeedFields[] = {"requester_id", "item_id", "quantity",   "urgency",
                                            "needed_by",    "note",    "station_id", "created_at"};

std::string Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v == nullptr ? "<absent>" : json::serialize(*v);
}

// "" if `now` states every field of `acked` in `keys` the same way.
std::string Differences(const json::object& acked, const json::object& now,
                        std::span<const std::string_view> keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (Field(acked, k) != Field(now, k)) {
      out += " " + std::string(k) + ": acknowledged " + Field(acked, k) + ", now " + Field(now, k);
    }
  }
  return out;
}

// Every item of a paged list endpoint, by id.
std::map<int64_t, json::object> ListAll(test::HttpClient& http, const std::string& path,
                                        const std::string& token) {
  std::map<int64_t, json::object> out;
  std::string page_token;
  for (int page = 0; page < 100000; ++page) {
    std::string target = path + "?page_size=1000";
    if (!page_token.empty()) target += "&page_token=" + test::UrlEncode(page_token);
    test::Response r = http.Get(target, token);
    if (r.status != 200) throw std::runtime_error("GET " + target + ": " + r.Describe());
    json::object o = ObjectOf(r);
    if (const json::value* items = o.if_contains("items")) {
      for (const json::value& v : items->as_array())
        out[IntOf(v.as_object(), "id")] = v.as_object();
    }
    page_token = StrOf(o, "next_page_token");
    if (page_token.empty()) return out;
  }
  throw std::runtime_error("GET " + path + ": too many pages");
}

int Rank(const std::string& status) {
  if (status == "planned") return 0;
  if (status == "dispatched") return 1;
  return 2;
}

using AllocationKey = std::tuple<int64_t, int64_t, int64_t, int64_t>;
std::vector<AllocationKey> Allocations(const json::object& run) {
  std::vector<AllocationKey> out;
  if (const json::value* allocs = run.if_contains("allocations")) {
    for (const json::value& v : allocs->as_array()) {
      const json::object& a = v.as_object();
      out.emplace_back(IntOf(a, "lot_id"), IntOf(a, "need_id"), IntOf(a, "quantity"),
                       IntOf(a, "delivery_id"));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<int64_t, int64_t>> Stops(const json::object& route) {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (const json::value* stops = route.if_contains("stops")) {
    for (const json::value& v : stops->as_array()) {
      out.emplace_back(IntOf(v.as_object(), "seq"), IntOf(v.as_object(), "delivery_id"));
    }
  }
  return out;
}

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Db OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path + ": " +
                             (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

// The rows of `sql`, each row's columns joined by '|'.
std::vector<std::string> Rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  std::vector<std::string> rows;
  int rc = 0;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(raw); ++c) {
      if (c > 0) row += '|';
      const unsigned char* text = sqlite3_column_text(raw, c);
      if (text != nullptr) row += reinterpret_cast<const char*>(text);
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
  return rows;
}

}  // namespace

Findings Verify(test::HttpClient& http, const Setup& setup, Journal& journal) {
  Findings f;
  const std::string& d = setup.dispatcher;
  const auto lots = ListAll(http, "/v1/lots", d);
  const auto needs = ListAll(http, "/v1/needs", d);
  const auto deliveries = ListAll(http, "/v1/deliveries", d);

  std::lock_guard lock(journal.mu);
  // `what` starts with the object's name ("lot 12 ...").
  auto lost = [&](std::string what) {
    ++f.lost;
    const size_t space = what.find(' ', what.find(' ') + 1);
    f.lost_objects.insert(what.substr(0, space));
    f.Problem("lost: " + std::move(what));
  };

  // Final outcomes are immutable: what they delivered is a floor for the
  // lots and needs they drew on.
  std::map<int64_t, int64_t> lot_delivered, need_delivered;
  for (const auto& [id, p] : journal.deliveries) {
    const std::string name = "delivery " + std::to_string(id);
    auto it = deliveries.find(id);
    if (it == deliveries.end()) {
      lost(name + " of an acknowledged run is missing");
      continue;
    }
    const std::string status = StrOf(it->second, "status");
    if (Rank(status) < p.rank) {
      lost(name + " is " + status + " after an acknowledged move to rank " +
           std::to_string(p.rank));
      continue;
    }
    if (p.rank < 2) continue;
    std::string diff = Differences(
        p.outcome, it->second,
        std::array<std::string_view, 5>{"status", "lines", "received_by", "note", "fail_reason"});
    if (!diff.empty()) lost(name + " outcome changed:" + diff);
    if (const json::value* lines = p.outcome.if_contains("lines")) {
      for (const json::value& v : lines->as_array()) {
        const json::object& l = v.as_object();
        lot_delivered[IntOf(l, "lot_id")] += IntOf(l, "delivered");
        need_delivered[IntOf(l, "need_id")] += IntOf(l, "delivered");
      }
    }
  }

  for (const auto& [id, acked] : journal.lots) {
    const std::string name = "lot " + std::to_string(id);
    auto it = lots.find(id);
    if (it == lots.end()) {
      lost(name + " (acknowledged create) is missing");
      continue;
    }
    std::string diff = Differences(acked, it->second, kLotFields);
    if (!diff.empty()) lost(name + " differs from its acknowledged create:" + diff);
    auto w = journal.lot_written_off.find(id);
    if (w != journal.lot_written_off.end() && IntOf(it->second, "written_off") < w->second) {
      lost(name + " written_off " + std::to_string(IntOf(it->second, "written_off")) +
           " < acknowledged " + std::to_string(w->second));
    }
    if (IntOf(it->second, "delivered") < lot_delivered[id]) {
      lost(name + " delivered " + std::to_string(IntOf(it->second, "delivered")) +
           " < acknowledged deliveries " + std::to_string(lot_delivered[id]));
    }
  }
  for (const auto& [id, acked] : journal.needs) {
    const std::string name = "need " + std::to_string(id);
    auto it = needs.find(id);
    if (it == needs.end()) {
      lost(name + " (acknowledged create) is missing");
      continue;
    }
    std::string diff = Differences(acked, it->second, kNeedFields);
    if (!diff.empty()) lost(name + " differs from its acknowledged create:" + diff);
    auto c = journal.need_cancelled.find(id);
    if (c != journal.need_cancelled.end() && IntOf(it->second, "cancelled") < c->second) {
      lost(name + " cancelled " + std::to_string(IntOf(it->second, "cancelled")) +
           " < acknowledged " + std::to_string(c->second));
    }
    if (IntOf(it->second, "delivered") < need_delivered[id]) {
      lost(name + " delivered " + std::to_string(IntOf(it->second, "delivered")) +
           " < acknowledged deliveries " + std::to_string(need_delivered[id]));
    }
  }
  // A cancel acknowledged for a need whose create answer was lost with the
  // server is still checked.
  for (const auto& [id, floor] : journal.need_cancelled) {
    if (!needs.contains(id))
      lost("need " + std::to_string(id) + " (acknowledged cancel) is missing");
  }

  for (const auto& [id, acked] : journal.runs) {
    const std::string name = "run " + std::to_string(id);
    test::Response r = http.Get("/v1/match/runs/" + std::to_string(id), d);
    if (r.status != 200) {
      lost(name + " (acknowledged commit): " + r.Describe());
      continue;
    }
    json::object now = ObjectOf(r);
    if (Allocations(now) != Allocations(acked))
      lost(name + " allocations differ from the commit's answer");
    std::string diff =
        Differences(acked, now, std::array<std::string_view, 3>{"as_of", "stats", "created_at"});
    if (!diff.empty()) lost(name + " differs:" + diff);
  }

  for (const auto& [id, acked] : journal.routes) {
    const std::string name = "route " + std::to_string(id);
    test::Response r = http.Get("/v1/routes/" + std::to_string(id), d);
    if (r.status != 200) {
      lost(name + " (acknowledged create): " + r.Describe());
      continue;
    }
    json::object now = ObjectOf(r);
    std::string diff = Differences(
        acked, now,
        std::array<std::string_view, 5>{"depot_id", "date", "driver", "district", "created_at"});
    if (Stops(acked) != Stops(now)) diff += " stops differ";
    // A dispatched route is completed once every stop has an outcome.
    const std::string status = StrOf(now, "status");
    if (journal.dispatched_routes.contains(id) && status != "dispatched" && status != "completed") {
      diff += " status " + StrOf(now, "status") + " after an acknowledged dispatch";
    }
    if (!diff.empty()) lost(name + " differs:" + diff);
    for (const auto& [seq, delivery] : Stops(acked)) {
      auto it = deliveries.find(delivery);
      if (it == deliveries.end() || IntOf(it->second, "route_id") != id) {
        lost(name + ": delivery " + std::to_string(delivery) + " is not on it");
      } else if (status == "completed" && (StrOf(it->second, "status") == "planned" ||
                                           StrOf(it->second, "status") == "dispatched")) {
        lost(name + " is completed but delivery " + std::to_string(delivery) + " is open");
      }
    }
  }

  // Notes are unique per write: a note seen twice is a keyed write that
  // acted twice.
  std::map<std::string, int> notes;
  for (const auto& [id, lot] : lots) ++notes[StrOf(lot, "note")];
  for (const auto& [id, need] : needs) ++notes[StrOf(need, "note")];
  for (const auto& [note, count] : notes) {
    if (count > 1 && note.starts_with("crash-")) {
      ++f.duplicates;
      f.Problem("duplicate: " + std::to_string(count) + " objects with note " + note);
    }
  }

  // Idempotency records are written with the write: a replay must answer
  // the first answer again, without acting.
  for (const KeyedWrite& k : journal.keyed_acked) {
    test::Response r = http.PostRaw(k.target, k.body, k.token, {{"Idempotency-Key", k.key}});
    const bool same = r.status == k.status && r.Header("Idempotent-Replayed") == "true" &&
                      r.IsJson() && IntOf(ObjectOf(r), "id") == k.id;
    if (!same) lost("keyed " + k.kind + " " + k.key + " does not replay: " + r.Describe());
  }

  test::Response ledger = http.Get("/v1/reports/ledger", d);
  if (ledger.status == 200 && ledger.IsJson()) {
    json::object o = ObjectOf(ledger);
    const json::value* ok = o.if_contains("ok");
    f.ledger_ok = ok != nullptr && ok->is_bool() && ok->get_bool();
    if (!f.ledger_ok) {
      f.Problem("ledger: sum_failures=" + std::to_string(IntOf(o, "sum_failures")) +
                " replay_failures=" + std::to_string(IntOf(o, "replay_failures")));
    }
  } else {
    f.Problem("ledger: " + ledger.Describe());
  }
  return f;
}

std::string CheckIntegrity(const std::string& db_path) {
  Db db = OpenDb(db_path, SQLITE_OPEN_READONLY);
  std::vector<std::string> integrity = Rows(db.get(), "PRAGMA integrity_check");
  if (integrity != std::vector<std::string>{"ok"}) {
    std::string out = "integrity_check:";
    for (const auto& row : integrity) out += " " + row;
    return out;
  }
  std::vector<std::string> fk = Rows(db.get(), "PRAGMA foreign_key_check");
  if (!fk.empty())
    return "foreign_key_check: " + std::to_string(fk.size()) + " rows, first " + fk[0];
  return "";
}

void Tamper(const std::string& db_path, const std::string& sql) {
  Db db = OpenDb(db_path, SQLITE_OPEN_READWRITE);
  // Foreign keys stay off on this connection (SQLite's default): a row goes
  // even if others point at it.
  Rows(db.get(), sql);
  if (sqlite3_changes(db.get()) != 1)
    throw std::runtime_error("self-check: " + sql + " changed no row");
}

}  // namespace aidlink::crash
