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
