// I/O errors as SQLite tests itself (issue 14): a VFS shim fails the N-th
// write, sync or read with SQLITE_IOERR for N = 1, 2, 3 ... through a whole
// workload (registrations, lots, needs, a committed match run, a route,
// deliveries). Every failed request answers a clean error, nothing that was
// acknowledged is lost, and after a restart integrity_check and the ledger
// report hold.
//
// The store and router run in this process (the shim must be inside the
// process that opens the database) on real SQLite files. CI runs every N up
// to kDenseRounds and a stride after; AIDLINK_FAULT_ROUNDS=all runs every N
// until the workload sees no more operations of the kind (the long run,
// outside CI).

#include <sqlite3.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/router.h"
#include "fault/faulty_vfs.h"
#include "store/store.h"
#include "util/logging.h"

namespace aidlink::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using fault::Op;

constexpr char kAdmin[] = "io-error-test-admin-token-0123456789";
constexpr int64_t kDenseRounds = 40;
constexpr int64_t kStride = 9;

fs::path MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "aidlink-ioerr-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// One store and router over `path`.
struct Server {
  explicit Server(const std::string& path) {
    store::StoreOptions options;
    options.path = path;
    // The injected faults count the process's writes and syncs: a
    // checkpointer thread would take some of them at times of its own.
    options.background_checkpoint = false;
    auto opened = store::Store::Open(options);
    REQUIRE(opened.ok());
    store = std::move(*opened);
    router = std::make_unique<api::Router>(*store);
  }
  ~Server() {
    router.reset();
    store.reset();
  }
  api::Response Call(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    api::Request request;
    request.method = method;
    request.target = target;
    request.authorization = std::string("Bearer ") + kAdmin;
    request.content_type = "application/json";
    request.body = body;
    request.from_loopback = true;
    api::Response response = router->Handle(request);
    store->WaitIdle();
    return response;
  }
  std::unique_ptr<store::Store> store;
  std::unique_ptr<api::Router> router;
};

// What the workload had acknowledged: the path of every object a 2xx
// created, to be read back after the restart.
struct Acked {
  std::vector<std::string> paths;
  int failures = 0;
};

int64_t IdOf(const api::Response& r) {
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("id")) return 0;
  return v.as_object().at("id").to_number<int64_t>();
}

// Sends one write; a 2xx is acknowledged (and `path_prefix` + id recorded
// when given); anything else must be a clean error: 5xx for the injected
// fault, 4xx for a request that depended on a failed one.
int64_t Write(Server& s, Acked& acked, const std::string& target, const std::string& body,
              const std::string& path_prefix = "") {
  const api::Response r = s.Call("POST", target, body);
  INFO("POST " << target << " -> " << r.status << " " << r.body);
  if (r.status >= 200 && r.status < 300) {
    const int64_t id = IdOf(r);
    if (!path_prefix.empty() && id > 0) acked.paths.push_back(path_prefix + std::to_string(id));
    return id;
  }
  ++acked.failures;
  CHECK(r.status >= 400);
  CHECK(r.body.find("\"error\"") != std::string::npos);
  return 0;
}

std::string N(int64_t v) { return std::to_string(v); }

Acked RunWorkload(Server& s) {
  Acked a;
  const int64_t station = Write(s, a, "/v1/stations",
                                R"({"name":"民权街社工站","district":"江汉区"})", "/v1/stations/");
  const int64_t med = Write(
      s, a, "/v1/items",
      R"({"code":"MED-BP","name":"降压药","category":"medicine","unit":"box","pack_size":1,"perishable":false})",
      "/v1/items/");
  const int64_t donor =
      Write(s, a, "/v1/donors",
            R"({"name":"九州通医药","kind":"enterprise","phone":"027-88880000"})", "/v1/donors/");
  const int64_t depot = Write(
      s, a, "/v1/depots",
      R"({"name":"城东物资仓","address":"东湖路88号","district":"江汉区","lat":30.58,"lon":114.27})",
      "/v1/depots/");
  std::vector<int64_t> requesters;
  for (int k = 0; k < 4; ++k) {
    requesters.push_back(
        Write(s, a, "/v1/requesters",
              R"({"station_id":)" + N(station) + R"(,"kind":"household","name":"住户)" + N(k) +
                  R"(","phone":"1380000111)" + N(k) + R"(","address":"幸福里)" + N(k) +
                  R"(幢","district":"江汉区","household_size":2,"tags":[]})",
              "/v1/requesters/"));
  }
  for (int k = 0; k < 2; ++k) {
    Write(s, a, "/v1/lots",
          R"({"donor_id":)" + N(donor) + R"(,"item_id":)" + N(med) + R"(,"depot_id":)" + N(depot) +
              R"(,"quantity":5,"note":"批号)" + N(k) + R"("})",
          "/v1/lots/");
  }
  for (size_t k = 0; k < requesters.size() * 2; ++k) {
    Write(s, a, "/v1/needs",
          R"({"requester_id":)" + N(requesters[k % requesters.size()]) + R"(,"item_id":)" + N(med) +
              R"(,"quantity":2,"urgency":"high","note":""})",
          "/v1/needs/");
  }
  Write(s, a, "/v1/match/runs", R"({"dry_run":false,"as_of":"2026-11-20"})", "/v1/match/runs/");
  const int64_t route =
      Write(s, a, "/v1/routes",
            R"({"depot_id":)" + N(depot) + R"(,"date":"2026-11-23","driver":"志愿者小刘"})",
            "/v1/routes/");
  Write(s, a, "/v1/routes/" + N(route) + ":dispatch", "{}");
  const api::Response got = s.Call("GET", "/v1/routes/" + N(route));
  if (got.status == 200) {
    const json::value v = json::parse(got.body);
    int k = 0;
    for (const json::value& stop : v.at("stops").as_array()) {
      const int64_t delivery = stop.at("delivery_id").to_number<int64_t>();
      const std::string base = "/v1/deliveries/" + N(delivery);
      if (k++ % 2 == 0) {
        Write(s, a, base + ":deliver", R"({"received_by":"本人","note":""})");
      } else {
        Write(s, a, base + ":fail", R"({"reason":"无人应门"})");
      }
    }
  }
  return a;
}

// The file's integrity_check verdict, opened without the shim's faults.
std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  std::string verdict = "cannot open";
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      verdict = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return verdict;
}

// One round: the workload with the n-th operation of `op` failing, then a
// restart and the checks. Returns how many operations of `op` the workload
// saw (to know when N has passed them all).
int64_t Round(Op op, int64_t n, bool persistent) {
  const fs::path dir = MakeTempDir();
  const std::string path = (dir / "aidlink.db").string();
  Acked acked;
  int64_t seen = 0, injected = 0;
  {
    Server s(path);
    REQUIRE(api::EnsureAdminToken(*s.store, kAdmin).ok());
    fault::Arm(op, n, persistent);
    acked = RunWorkload(s);
    seen = fault::Seen();
    injected = fault::Injected();
    fault::Disarm();
    // Still up: it answers, and a write goes through now that the disk is well.
    CHECK(s.Call("GET", "/healthz").status == 200);
    CHECK(s.Call("POST", "/v1/stations", R"({"name":"恢复后社工站","district":"江岸区"})").status ==
          201);
  }
  INFO(fault::OpName(op) << " #" << n << (persistent ? " and after" : "") << ": " << injected
                         << " injected, " << acked.failures << " requests failed");
  CHECK(IntegrityCheck(path) == "ok");
  {
    Server s(path);
    for (const std::string& p : acked.paths) {
      INFO(p);
      CHECK(s.Call("GET", p).status == 200);
    }
    const api::Response ledger = s.Call("GET", "/v1/reports/ledger");
    REQUIRE(ledger.status == 200);
    CHECK(json::parse(ledger.body).at("ok") == true);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return seen;
}

void RunRounds(Op op, bool persistent) {
  const char* env = std::getenv("AIDLINK_FAULT_ROUNDS");
  const bool all = env != nullptr && std::string(env) == "all";
  int64_t rounds = 0, total = 0;
  for (int64_t n = 1;; n += (all || n < kDenseRounds) ? 1 : kStride) {
    const int64_t seen = Round(op, n, persistent);
    ++rounds;
    total = std::max(total, seen);
    if (n > seen) break;  // the workload never reached the n-th operation
  }
  std::printf("io_errors: op=%s persistent=%d rounds=%lld operations=%lld\n", fault::OpName(op),
              persistent ? 1 : 0, static_cast<long long>(rounds), static_cast<long long>(total));
}

TEST_CASE("the N-th write failing, for every N: clean errors, nothing acknowledged lost",
          "[fault][io]") {
  log::SetMinLevel(log::Level::kError);
  fault::Install();
  RunRounds(Op::kWrite, false);
}

TEST_CASE("the N-th sync failing, for every N: clean errors, nothing acknowledged lost",
          "[fault][io]") {
  log::SetMinLevel(log::Level::kError);
  fault::Install();
  RunRounds(Op::kSync, false);
}

TEST_CASE("the N-th read failing, for every N: clean errors, nothing acknowledged lost",
          "[fault][io]") {
  log::SetMinLevel(log::Level::kError);
  fault::Install();
  RunRounds(Op::kRead, false);
}

TEST_CASE("every write from the N-th on failing until the disk recovers", "[fault][io]") {
  log::SetMinLevel(log::Level::kError);
  fault::Install();
  RunRounds(Op::kWrite, true);
}

}  // namespace
}  // namespace aidlink::test
