// aidlink-server backup: a hot copy taken while the server keeps writing.

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

using Clock = std::chrono::steady_clock;

// Stations created by writer threads, with the moment each was acknowledged.
struct Acks {
  std::mutex mu;
  std::vector<std::pair<Clock::time_point, int64_t>> ids;  // guarded by mu

  void Add(int64_t id) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu);
    ids.emplace_back(now, id);
  }
  // Ids acknowledged strictly before `t`, and how many after it.
  std::set<int64_t> Before(Clock::time_point t, size_t* after) {
    std::lock_guard<std::mutex> lock(mu);
    std::set<int64_t> out;
    *after = 0;
    for (const auto& [at, id] : ids) {
      if (at < t)
        out.insert(id);
      else
        ++*after;
    }
    return out;
  }
};

TEST_CASE("a backup taken under write load holds every write acknowledged before it",
          "[ops][backup]") {
  TestServerOptions options;
  options.threads = 2;
  TestServer server(options);
  const std::string copy = server.dir() + "/copy.db";
  Acks acks;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::jthread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      HttpClient http(server.port());
      for (int k = 0; !stop; ++k) {
        json::object body =
            SampleStation("备份测试社工站-" + std::to_string(t) + "-" + std::to_string(k));
        try {
          Response r = http.Post("/v1/stations", body, server.admin_token());
          if (r.status == 201)
            acks.Add(IdOf(r));
          else
            failures++;
        } catch (const std::exception&) {
          failures++;
        }
      }
    });
  }
  // Let the database grow past a few hundred pages, so the copy takes many
  // steps of 4 pages while the writers go on.
  const auto grow_until = Clock::now() + std::chrono::seconds(20);
  while (QueryInt(server.db_path(), "PRAGMA page_count") < 300 && Clock::now() < grow_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto started = Clock::now();
  ServerRun backup =
      RunServerToExit({"backup", "--db", server.db_path(), "--to", copy, "--step-pages", "4"},
                      std::chrono::seconds(60));
  const auto finished = Clock::now();
  // Keep writing a little after the copy, then stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  writers.clear();
  INFO(backup.output);
  REQUIRE(backup.exit_code == 0);
  CHECK(backup.output.find(" pages, ") != std::string::npos);
  CHECK(failures == 0);

  size_t after_start = 0, after_end = 0;
  const std::set<int64_t> before = acks.Before(started, &after_start);
  (void)acks.Before(finished, &after_end);
  INFO(before.size() << " writes acknowledged before the backup, " << after_start - after_end
                     << " while it ran, " << after_end << " after");
  REQUIRE(before.size() > 100);
  CHECK(after_end > 0);  // the server kept writing: the copy was hot

  CHECK(QueryInt(copy,
                 "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  // The copy is a snapshot: it never holds more than the source did later.
  CHECK(QueryInt(copy, "SELECT count(*) FROM stations") <= CountRows(server.db_path(), "stations"));

  // A server started on the copy has every acknowledged station, and its
  // ledger holds together.
  TestServerOptions restored_options;
  restored_options.initial_db = copy;
  restored_options.preset_admin_token = server.admin_token();
  TestServer restored(restored_options);
  Fixture f(restored);
  std::set<int64_t> found;
  for (const json::object& s : f.ListAll("/v1/stations", f.admin(), 1000))
    found.insert(Id(s.at("id")));
  std::vector<int64_t> missing;
  for (int64_t id : before) {
    if (!found.count(id)) missing.push_back(id);
  }
  INFO("missing " << missing.size() << " stations, first " << (missing.empty() ? 0 : missing[0]));
  CHECK(missing.empty());
  // Every station in the copy was created by an event in the copy.
  CHECK(QueryInt(copy,
                 "SELECT count(*) FROM stations WHERE id NOT IN "
                 "(SELECT entity_id FROM events WHERE entity = 'station')") == 0);
  Response ledger = f.http().Get("/v1/reports/ledger", f.admin());
  REQUIRE_STATUS(ledger, 200);
  CHECK(ledger.Json().at("ok").as_bool());
}

// The drill an operator runs after a dead disk: a backup taken while
// stations file needs, donors log lots, the desk commits match runs and
// records deliveries; restored into a fresh server, the copy passes
// integrity_check, holds every lot and need acknowledged before the backup,
// and its ledger holds. Once the writers stop, a second backup restored
// gives a ledger report identical to the source's.
TEST_CASE(
    "backup restore drill: under a full workload, then the ledger of a quiet copy is "
    "identical to the source's",
    "[ops][backup][drill]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  Acks acks;  // needs and lots: ids < 0 are lots
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::jthread> writers;
  writers.emplace_back([&] {  // a station files needs
    HttpClient http(server.port());
    for (int k = 0; !stop; ++k) {
      const Response r = http.Post(
          "/v1/needs", SampleNeed(w.requester_a, w.item_id, 1 + k % 3, "high"), w.station_a);
      r.status == 201 ? acks.Add(r.Json().at("id").to_number<int64_t>()) : void(failures++);
    }
  });
  writers.emplace_back([&] {  // a donor logs lots
    HttpClient http(server.port());
    while (!stop) {
      const Response r =
          http.Post("/v1/lots", SampleLot(w.donor_a_id, w.item_id, w.depot_id, 4), w.donor_a);
      r.status == 201 ? acks.Add(-r.Json().at("id").to_number<int64_t>()) : void(failures++);
    }
  });
  writers.emplace_back([&] {  // the desk matches and delivers
    HttpClient http(server.port());
    while (!stop) {
      const Response run =
          http.Post("/v1/match/runs", json::object{{"dry_run", false}}, w.dispatcher);
      if (run.status != 201) failures++;
      const Response list = http.Get("/v1/deliveries?status=planned&page_size=5", w.dispatcher);
      if (list.status != 200) continue;
      const json::value planned = list.Json();
      for (const json::value& d : planned.at("items").as_array()) {
        const std::string path =
            "/v1/deliveries/" + std::to_string(d.at("id").to_number<int64_t>()) + ":deliver";
        if (http.Post(path, json::object{{"received_by", "本人"}}, w.dispatcher).status != 200)
          failures++;
      }
    }
  });
  while (QueryInt(server.db_path(), "PRAGMA page_count") < 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string hot = server.dir() + "/hot.db";
  const auto started = Clock::now();
  ServerRun backup =
      RunServerToExit({"backup", "--db", server.db_path(), "--to", hot, "--step-pages", "4"},
                      std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  writers.clear();
  INFO(backup.output);
  REQUIRE(backup.exit_code == 0);
  CHECK(failures == 0);
  size_t after = 0;
  const std::set<int64_t> before = acks.Before(started, &after);
  REQUIRE(before.size() > 20);
  CHECK(after > 0);  // writes went on while the copy was taken

  {
    TestServerOptions restored_options;
    restored_options.initial_db = hot;
    restored_options.preset_admin_token = server.admin_token();
    TestServer restored(restored_options);
    CHECK(QueryInt(restored.db_path(),
                   "SELECT count(*) FROM pragma_integrity_check "
                   "WHERE integrity_check = 'ok'") == 1);
    HttpClient http(restored.port());
    for (int64_t id : before) {
      const std::string path =
          id < 0 ? "/v1/lots/" + std::to_string(-id) : "/v1/needs/" + std::to_string(id);
      INFO(path);
      CHECK_STATUS(http.Get(path, restored.admin_token()), 200);
    }
    const Response ledger = http.Get("/v1/reports/ledger", restored.admin_token());
    REQUIRE_STATUS(ledger, 200);
    CHECK(ledger.Json().at("ok").as_bool());
  }

  // Quiet now: a second copy restored reports the very same ledger.
  const std::string quiet = server.dir() + "/quiet.db";
  REQUIRE(RunServerToExit({"backup", "--db", server.db_path(), "--to", quiet}).exit_code == 0);
  const Response source = f.http().Get("/v1/reports/ledger", f.admin());
  REQUIRE_STATUS(source, 200);
  TestServerOptions restored_options;
  restored_options.initial_db = quiet;
  restored_options.preset_admin_token = server.admin_token();
  TestServer restored(restored_options);
  HttpClient http(restored.port());
  const Response copy = http.Get("/v1/reports/ledger", restored.admin_token());
  REQUIRE_STATUS(copy, 200);
  CHECK(copy.Json() == source.Json());
  CHECK(copy.Json().at("lots_checked").to_number<int64_t>() > 20);
}

TEST_CASE("backup refuses to overwrite a file unless --force, and a missing database",
          "[ops][backup]") {
  TestServer server;
  Fixture f(server);
  (void)f.CreateStation("第一个社工站");
  const std::string copy = server.dir() + "/copy.db";
  ServerRun first = RunServerToExit({"backup", "--db", server.db_path(), "--to", copy});
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  (void)f.CreateStation("第二个社工站");
  ServerRun again = RunServerToExit({"backup", "--db", server.db_path(), "--to", copy});
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("--force") != std::string::npos);
  CHECK(QueryInt(copy, "SELECT count(*) FROM stations") == 1);  // untouched
  ServerRun forced = RunServerToExit({"backup", "--db", server.db_path(), "--to", copy, "--force"});
  CHECK(forced.exit_code == 0);
  CHECK(QueryInt(copy, "SELECT count(*) FROM stations") == 2);
  CHECK_FALSE(std::filesystem::exists(copy + ".partial"));

  ServerRun none = RunServerToExit({"backup", "--db", "{dir}/none.db", "--to", "{dir}/x.db"});
  CHECK(none.exit_code == 1);
  CHECK(none.output.find("no database") != std::string::npos);
  CHECK(RunServerToExit({"backup", "--db", server.db_path()}).exit_code == 2);  // no --to
}

}  // namespace
}  // namespace aidlink::test
