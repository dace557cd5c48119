#include "dispatch/desk.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace aidlink::test::dispatch {

json::array Arr(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return {};
  if (!it->value().is_array()) throw std::runtime_error(std::string(key) + " is not an array");
  return it->value().as_array();
}

std::string StrOr(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return "";
  return Str(it->value());
}

LotQ LotQOf(const json::object& lot) {
  return {IntOr(lot, "quantity"), IntOr(lot, "available"), IntOr(lot, "allocated"),
          IntOr(lot, "delivered"), IntOr(lot, "written_off")};
}

NeedQ NeedQOf(const json::object& need) {
  return {IntOr(need, "quantity"), IntOr(need, "outstanding"), IntOr(need, "allocated"),
          IntOr(need, "delivered"), IntOr(need, "cancelled")};
}

std::string Describe(const LotQ& q) {
  return "{quantity " + std::to_string(q.quantity) + ", available " + std::to_string(q.available) +
         ", allocated " + std::to_string(q.allocated) + ", delivered " +
         std::to_string(q.delivered) + ", written_off " + std::to_string(q.written_off) + "}";
}

std::string Describe(const NeedQ& q) {
  return "{quantity " + std::to_string(q.quantity) + ", outstanding " +
         std::to_string(q.outstanding) + ", allocated " + std::to_string(q.allocated) +
         ", delivered " + std::to_string(q.delivered) + ", cancelled " +
         std::to_string(q.cancelled) + "}";
}

std::vector<Alloc> AllocsOf(const json::object& run) {
  std::vector<Alloc> out;
  for (const json::value& v : Arr(run, "allocations")) {
    const json::object& a = v.as_object();
    out.push_back(
        {IntOr(a, "lot_id"), IntOr(a, "need_id"), IntOr(a, "quantity"), IntOr(a, "delivery_id")});
  }
  return out;
}

json::object Household::Body() const {
  json::array t;
  for (const auto& s : tags) t.push_back(json::string(s));
  json::object o{{"station_id", station_id},
                 {"kind", kind},
                 {"name", name},
                 {"address", address},
                 {"district", district},
                 {"household_size", household_size},
                 {"tags", t}};
  if (!contact_name.empty()) o["contact_name"] = contact_name;
  if (!phone.empty()) o["phone"] = phone;
  if (lat && lon) {
    o["lat"] = *lat;
    o["lon"] = *lon;
  }
  return o;
}

Desk::Desk(TestServer& server) : f_(server) {
  dispatcher_ = f_.NewDispatcherToken();
  station_id = f_.CreateStation("江汉区民族街社工站", "江汉区");
  station_token = f_.NewStationToken(station_id);
  donor_id = f_.CreateDonor(dispatcher_);
  donor_token = f_.NewDonorToken(donor_id);
  depot_id = f_.CreateDepot(dispatcher_);
}

int64_t Desk::Item(std::string_view name, std::string_view unit, int64_t pack_size, bool perishable,
                   std::string_view category) {
  json::object body{{"code", Unique("IT-")}, {"name", name},           {"category", category},
                    {"unit", unit},          {"pack_size", pack_size}, {"perishable", perishable}};
  return Id(f_.Create("/v1/items", body, dispatcher_).at("id"));
}

int64_t Desk::Depot(std::string_view name, std::string_view address, std::string_view district,
                    std::optional<std::pair<double, double>> latlon) {
  json::object body{{"name", name}, {"address", address}, {"district", district}};
  if (latlon) {
    body["lat"] = latlon->first;
    body["lon"] = latlon->second;
  }
  return Id(f_.Create("/v1/depots", body, dispatcher_).at("id"));
}

int64_t Desk::Station(std::string_view name, std::string_view district) {
  return f_.CreateStation(name, district);
}

int64_t Desk::Requester(const Household& h) {
  Household copy = h;
  if (copy.station_id == 0) copy.station_id = station_id;
  return f_.CreateRequester(dispatcher_, copy.Body());
}

int64_t Desk::Lot(int64_t item_id, int64_t quantity, std::optional<std::string> expires_on,
                  int64_t depot, int64_t donor) {
  json::object body{{"donor_id", donor ? donor : donor_id},
                    {"item_id", item_id},
                    {"depot_id", depot ? depot : depot_id},
                    {"quantity", quantity},
                    {"note", "爱心企业捐赠"}};
  if (expires_on) body["expires_on"] = *expires_on;
  return f_.CreateLot(dispatcher_, body);
}

int64_t Desk::Need(int64_t requester_id, int64_t item_id, int64_t quantity,
                   std::string_view urgency, std::optional<std::string> needed_by,
                   std::string_view note) {
  json::object body{{"requester_id", requester_id},
                    {"item_id", item_id},
                    {"quantity", quantity},
                    {"urgency", urgency}};
  if (needed_by) body["needed_by"] = *needed_by;
  if (!note.empty()) body["note"] = note;
  return f_.CreateNeed(dispatcher_, body);
}

json::object Desk::Match(std::string_view as_of) {
  Response r = http().Post("/v1/match/runs", json::object{{"dry_run", false}, {"as_of", as_of}},
                           dispatcher_);
  REQUIRE_STATUS(r, 201);
  return r.Json().as_object();
}

json::object Desk::GetLot(int64_t id) {
  return f_.Fetch("/v1/lots/" + std::to_string(id), dispatcher_);
}
json::object Desk::GetNeed(int64_t id) {
  return f_.Fetch("/v1/needs/" + std::to_string(id), dispatcher_);
}
json::object Desk::GetDelivery(int64_t id) {
  return f_.Fetch("/v1/deliveries/" + std::to_string(id), dispatcher_);
}

json::object Desk::Route(int64_t depot, std::string_view driver,
                         std::optional<std::string> district, std::optional<int> max_stops) {
  json::object body{{"depot_id", depot}, {"date", "2026-11-02"}, {"driver", driver}};
  if (district) body["district"] = *district;
  if (max_stops) body["max_stops"] = *max_stops;
  Response r = http().Post("/v1/routes", body, dispatcher_);
  INFO("POST /v1/routes " << json::serialize(body));
  REQUIRE_STATUS(r, 201);
  return r.Json().as_object();
}

json::object Desk::RequireLedgerOk() {
  json::object report = f_.Fetch("/v1/reports/ledger", dispatcher_);
  std::string bad;
  for (const char* kind : {"lots", "needs"}) {
    for (const json::value& v : Arr(report, kind)) {
      const json::object& e = v.as_object();
      const bool sum = e.contains("sum_holds") && e.at("sum_holds").as_bool();
      const bool replay = e.contains("replay_holds") && e.at("replay_holds").as_bool();
      if (!sum || !replay) bad += std::string(kind) + " " + json::serialize(e) + "\n";
    }
  }
  INFO("ledger entries that do not hold:\n" << bad);
  REQUIRE(report.contains("ok"));
  REQUIRE(report.at("ok").as_bool());
  REQUIRE(bad.empty());
  return report;
}

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("open " + db_path + " read-only failed");
  sqlite3_busy_timeout(db.get(), 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> stmt(st);
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db.get()));
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const unsigned char* t = sqlite3_column_text(st, i);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  auto rows = Query(db_path, sql);
  if (rows.size() != 1 || rows[0].size() != 1) throw std::runtime_error(sql + ": not one value");
  return std::stoll(rows[0][0]);
}

void ExecWritable(const std::string& db_path, const std::string& sql) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("open " + db_path + " failed");
  sqlite3_busy_timeout(db.get(), 10000);
  char* error = nullptr;
  if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(sql + ": " + message);
  }
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) output->append(buf.data(), n);
  int status = pclose(pipe);
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/aidlink-dispatch-XXXXXX";
  if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!getenv("AIDLINK_KEEP_TEST_DIR")) std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace aidlink::test::dispatch
