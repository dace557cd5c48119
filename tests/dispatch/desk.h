#pragma once

// Helpers for the dispatch tests: a dispatcher's desk that creates the
// registry through the real API (on top of support/Fixture), readers for
// the answers of the match, route and delivery endpoints, read-only SQL
// against the server's database, a strict CSV reader and a subprocess
// runner for the print test.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/fixture.h"

namespace aidlink::test::dispatch {

// The array `o[key]`, or an empty array if absent or null (proto3 JSON
// leaves out empty repeated fields).
json::array Arr(const json::object& o, std::string_view key);
// The string `o[key]`, or "" if absent.
std::string StrOr(const json::object& o, std::string_view key);

// Quantities of a lot or a need as the server answers them.
struct LotQ {
  int64_t quantity = 0, available = 0, allocated = 0, delivered = 0, written_off = 0;
  bool operator==(const LotQ&) const = default;
};
struct NeedQ {
  int64_t quantity = 0, outstanding = 0, allocated = 0, delivered = 0, cancelled = 0;
  bool operator==(const NeedQ&) const = default;
};
LotQ LotQOf(const json::object& lot);
NeedQ NeedQOf(const json::object& need);
std::string Describe(const LotQ& q);
std::string Describe(const NeedQ& q);

// One allocation of a match run answer.
struct Alloc {
  int64_t lot_id = 0, need_id = 0, quantity = 0, delivery_id = 0;
  auto operator<=>(const Alloc&) const = default;
};
std::vector<Alloc> AllocsOf(const json::object& run);

// A requester body; lat/lon only when given.
struct Household {
  int64_t station_id = 0;
  std::string kind = "household";
  std::string name;
  std::string contact_name;
  std::string phone;
  std::string address;
  std::string district = "江汉区";
  int household_size = 2;
  std::vector<std::string> tags;
  std::optional<double> lat, lon;
  json::object Body() const;
};

// The dispatcher's desk on one TestServer: tokens, a station, a donor and a
// depot ready, and helpers that REQUIRE success.
class Desk {
 public:
  explicit Desk(TestServer& server);

  Fixture& f() { return f_; }
  HttpClient& http() { return f_.http(); }
  const std::string& token() const { return dispatcher_; }

  int64_t station_id = 0, donor_id = 0, depot_id = 0;
  std::string station_token, donor_token;

  int64_t Item(std::string_view name, std::string_view unit, int64_t pack_size,
               bool perishable = false, std::string_view category = "food");
  int64_t Depot(std::string_view name, std::string_view address, std::string_view district,
                std::optional<std::pair<double, double>> latlon = std::nullopt);
  int64_t Station(std::string_view name, std::string_view district);
  int64_t Requester(const Household& h);
  int64_t Lot(int64_t item_id, int64_t quantity,
              std::optional<std::string> expires_on = std::nullopt, int64_t depot_id = 0,
              int64_t donor_id = 0);
  int64_t Need(int64_t requester_id, int64_t item_id, int64_t quantity,
               std::string_view urgency = "normal",
               std::optional<std::string> needed_by = std::nullopt, std::string_view note = "");

  // POST /v1/match/runs, committed; REQUIRES 201.
  json::object Match(std::string_view as_of);
  json::object GetLot(int64_t id);
  json::object GetNeed(int64_t id);
  json::object GetDelivery(int64_t id);
  LotQ LotQuantities(int64_t id) { return LotQOf(GetLot(id)); }
  NeedQ NeedQuantities(int64_t id) { return NeedQOf(GetNeed(id)); }
  // POST /v1/routes; REQUIRES 201.
  json::object Route(int64_t depot_id, std::string_view driver,
                     std::optional<std::string> district = std::nullopt,
                     std::optional<int> max_stops = std::nullopt);
  // GET /v1/reports/ledger; REQUIRES 200 and ok = true (printing the failing
  // entries otherwise).
  json::object RequireLedgerOk();

 private:
  Fixture f_;
  std::string dispatcher_;
};

// The rows of `sql` on the server's database opened read-only; every column
// is read as text (NULL as "").
std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql);
// The single integer `sql` answers.
int64_t QueryInt(const std::string& db_path, const std::string& sql);

// Runs `sql` on the server's database opened read-write: only for tests
// that tamper with the data behind the server's back on purpose.
void ExecWritable(const std::string& db_path, const std::string& sql);

// RFC 4180 records (CRLF ends a record, line breaks only inside quotes).
std::vector<std::vector<std::string>> ParseCsv(std::string_view s);

// Runs `command` with /bin/sh; returns its exit status (or -1) and puts its
// stdout and stderr together in `output`.
int RunCommand(const std::string& command, std::string* output);
bool FileExists(const std::string& path);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, std::string_view contents);
// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The lines of `s` split at '\n' (a trailing '\r' kept).
std::vector<std::string> Lines(std::string_view s);

}  // namespace aidlink::test::dispatch
