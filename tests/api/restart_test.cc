// Durability: a clean stop (SIGTERM) and a crash (SIGKILL) lose nothing that
// was acknowledged; the server starts again on the same database file.

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

std::string S(int64_t id) { return std::to_string(id); }

// GET answers of every object of `w`, to compare across a restart.
std::map<std::string, std::string> Snapshot(HttpClient& http, const World& w) {
  std::map<std::string, std::string> out;
  for (const std::string& path :
       {"/v1/needs/" + S(w.need_a), "/v1/needs/" + S(w.need_b), "/v1/lots/" + S(w.lot_a),
        "/v1/lots/" + S(w.lot_b), "/v1/requesters/" + S(w.requester_a),
        "/v1/requesters/" + S(w.requester_b), "/v1/donors/" + S(w.donor_a_id),
        "/v1/donors/" + S(w.donor_b_id), std::string("/v1/items"), std::string("/v1/depots"),
        std::string("/v1/stations"), std::string("/v1/needs"), std::string("/v1/lots"),
        std::string("/v1/requesters")}) {
    Response r = http.Get(path, w.dispatcher);
    INFO("GET " << path);
    REQUIRE_STATUS(r, 200);
    // Re-serialized, so that only content (not whitespace) is compared.
    out[path] = json::serialize(r.Json());
  }
  return out;
}

TEST_CASE("after SIGTERM the server exits 0 and a restart serves everything again",
          "[api][restart]") {
  TestServer server;
  std::map<std::string, std::string> before;
  std::map<std::string, int64_t> counts;
  World w;
  {
    Fixture f(server);
    w = MakeWorld(f);
    REQUIRE_OK(f.http().Post("/v1/lots/" + S(w.lot_a) + ":write_off",
                             json::object{{"quantity", 10}, {"reason", "破损"}}, w.dispatcher));
    REQUIRE_OK(f.http().Post("/v1/needs/" + S(w.need_b) + ":cancel",
                             json::object{{"reason", "重复"}}, w.station_b));
    before = Snapshot(f.http(), w);
    counts = CountAllRows(server.db_path());
  }
  const std::string admin = server.admin_token();
  REQUIRE(server.Stop() == 0);
  CHECK(CountAllRows(server.db_path()) == counts);
  server.Restart();
  CHECK(server.admin_token() == admin);

  HttpClient http(server.port());
  CHECK(Snapshot(http, w) == before);
  // Every token still works, and the server still writes.
  for (const std::string& token : {w.admin, w.dispatcher, w.station_a, w.station_b}) {
    CHECK_STATUS(http.Get("/v1/items", token), 200);
  }
  CHECK_STATUS(http.Get("/v1/lots/" + S(w.lot_a), w.donor_a), 200);
  Response need = http.Post("/v1/needs", SampleNeed(w.requester_a, w.item_id, 1), w.station_a);
  REQUIRE_STATUS(need, 201);
  CHECK(IdOf(need) > w.need_b);
  REQUIRE(server.Stop() == 0);
}

TEST_CASE("SIGTERM during a burst of writes: every acknowledged write survives and exit is 0",
          "[api][restart]") {
  TestServerOptions options;
  options.threads = 4;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  std::mutex mu;
  std::vector<int64_t> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::jthread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      try {
        HttpClient http(server.port());
        http.set_timeout(std::chrono::seconds(15));
        for (int k = 0; k < 200 && !stop; ++k) {
          Response r = http.Post(
              "/v1/needs", SampleNeed(w.requester_a, w.item_id, t * 1000 + k + 1), w.station_a);
          if (r.status != 201) break;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(IdOf(r));
        }
      } catch (const std::exception&) {
        // The server went away mid-request: that write was not acknowledged.
      }
    });
  }
  // Let some writes land, then stop the server under load.
  for (int spins = 0; spins < 2000; ++spins) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acknowledged.size() >= 20) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int exit_code = server.Stop();
  stop = true;
  writers.clear();
  CHECK(exit_code == 0);
  server.Restart();
  HttpClient http(server.port());
  INFO(acknowledged.size() << " acknowledged needs");
  REQUIRE(acknowledged.size() >= 20);
  for (int64_t id : acknowledged) {
    Response r = http.Get("/v1/needs/" + S(id), w.dispatcher);
    INFO("need " << id);
    CHECK(r.status == 200);
  }
}

TEST_CASE("after SIGKILL right after acknowledged writes, a restart has every one of them",
          "[api][restart][crash]") {
  TestServerOptions options;
  options.threads = 4;
  options.group_commit = GENERATE(true, false);
  INFO("--group-commit " << (*options.group_commit ? "on" : "off"));
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);

  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::vector<std::pair<int64_t, int64_t>>> acked(kThreads);  // (id, quantity)
  std::vector<std::string> errors(kThreads);
  {
    std::vector<std::jthread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        try {
          HttpClient http(server.port());
          for (int k = 0; k < kPerThread; ++k) {
            int64_t quantity = t * 1000 + k + 1;
            std::string token = t % 2 == 0 ? w.station_a : w.dispatcher;
            Response r =
                http.Post("/v1/needs", SampleNeed(w.requester_a, w.item_id, quantity), token);
            if (r.status != 201) {
              errors[t] = r.Describe();
              return;
            }
            acked[t].emplace_back(IdOf(r), quantity);
          }
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    }
  }
  // Also one acknowledged write of each other kind just before the crash.
  int64_t lot = f.CreateLot(w.donor_a, SampleLot(w.donor_a_id, w.item_id, w.depot_id, 77));
  REQUIRE_OK(f.http().Post("/v1/lots/" + S(w.lot_a) + ":write_off",
                           json::object{{"quantity", 5}, {"reason", "破损"}}, w.dispatcher));
  REQUIRE_OK(f.http().Post("/v1/needs/" + S(w.need_a) + ":cancel", json::object{{"reason", "取消"}},
                           w.station_a));
  server.Kill();

  for (int t = 0; t < kThreads; ++t) {
    INFO("writer " << t << ": " << errors[t]);
    CHECK(errors[t].empty());
  }
  server.Restart();
  HttpClient http(server.port());
  int checked = 0;
  for (const auto& list : acked) {
    for (const auto& [id, quantity] : list) {
      Response r = http.Get("/v1/needs/" + S(id), w.dispatcher);
      INFO("need " << id << " -> " << r.Describe());
      REQUIRE(r.status == 200);
      CHECK(IntOr(r.Json().as_object(), "quantity") == quantity);
      ++checked;
    }
  }
  CHECK(checked == kThreads * kPerThread);
  // Each acknowledged need came with its ledger event, in the same transaction.
  for (const auto& list : acked) {
    for (const auto& [id, quantity] : list) {
      INFO("events of need " << id);
      CHECK(QueryInt(server.db_path(),
                     "SELECT count(*) FROM events WHERE entity = 'need' AND "
                     "entity_id = " +
                         S(id)) >= 1);
    }
  }
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'") == 0);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM pragma_foreign_key_check") == 0);
  Response lot_after = http.Get("/v1/lots/" + S(lot), w.dispatcher);
  REQUIRE_STATUS(lot_after, 200);
  CHECK(IntOr(lot_after.Json().as_object(), "quantity") == 77);
  Response lot_a = http.Get("/v1/lots/" + S(w.lot_a), w.dispatcher);
  REQUIRE_STATUS(lot_a, 200);
  CHECK(IntOr(lot_a.Json().as_object(), "written_off") == 5);
  Response need_a = http.Get("/v1/needs/" + S(w.need_a), w.dispatcher);
  REQUIRE_STATUS(need_a, 200);
  CHECK(Str(need_a.Json().at("status")) == "cancelled");
}

}  // namespace
}  // namespace aidlink::test
