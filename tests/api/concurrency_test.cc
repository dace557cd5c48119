// Races through the real server: uniqueness, quantity rules and state
// changes hold when many clients act on the same object at once.

#include <functional>
#include <sstream>
#include <thread>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

// Runs `body(thread_index, client)` on `threads` threads, each with its own
// connection, and returns every answer (status 0 and the exception text in
// the body if the transport failed).
std::vector<Response> RunConcurrently(uint16_t port, int threads,
                                      const std::function<Response(int, HttpClient&)>& body) {
  std::vector<Response> answers(threads);
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        try {
          HttpClient http(port);
          answers[t] = body(t, http);
        } catch (const std::exception& e) {
          answers[t].status = 0;
          answers[t].body = e.what();
        }
      });
    }
  }
  return answers;
}

int CountStatus(const std::vector<Response>& answers, int status) {
  int n = 0;
  for (const Response& r : answers) n += r.status == status;
  return n;
}

std::string DescribeAll(const std::vector<Response>& answers) {
  std::string out;
  for (const Response& r : answers) out += r.Describe().substr(0, 200) + "\n";
  return out;
}

TEST_CASE("racing creates of one item code: one wins, the rest conflict", "[api][concurrency]") {
  TestServerOptions options;
  options.threads = 4;
  TestServer server(options);
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  auto answers = RunConcurrently(server.port(), 8, [&](int, HttpClient& http) {
    return http.Post("/v1/items", SampleItem("RACE-CODE"), desk);
  });
  INFO(DescribeAll(answers));
  CHECK(CountStatus(answers, 201) == 1);
  CHECK(CountStatus(answers, 409) == 7);
  CHECK(CountRows(server.db_path(), "items") == 1);
}

TEST_CASE("racing write-offs never take a lot below zero", "[api][concurrency]") {
  TestServerOptions options;
  options.threads = 4;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);  // lot A holds 500
  const std::string path = "/v1/lots/" + std::to_string(w.lot_a);
  auto answers = RunConcurrently(server.port(), 10, [&](int, HttpClient& http) {
    return http.Post(path + ":write_off", json::object{{"quantity", 60}, {"reason", "受潮"}},
                     w.dispatcher);
  });
  INFO(DescribeAll(answers));
  int ok = 0;
  for (const Response& r : answers) ok += r.status >= 200 && r.status < 300;
  CHECK(ok == 8);
  CHECK(CountStatus(answers, 422) == 2);
  json::object lot = f.Fetch(path, w.dispatcher);
  CHECK(IntOr(lot, "available") == 20);
  CHECK(IntOr(lot, "written_off") == 480);
}

TEST_CASE("racing cancels of one need: one succeeds, the rest are failed preconditions",
          "[api][concurrency]") {
  TestServerOptions options;
  options.threads = 4;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string path = "/v1/needs/" + std::to_string(w.need_a);
  auto answers = RunConcurrently(server.port(), 6, [&](int t, HttpClient& http) {
    return http.Post(path + ":cancel", json::object{{"reason", "取消"}},
                     t % 2 == 0 ? w.station_a : w.dispatcher);
  });
  INFO(DescribeAll(answers));
  int ok = 0;
  for (const Response& r : answers) ok += r.status >= 200 && r.status < 300;
  CHECK(ok == 1);
  CHECK(CountStatus(answers, 422) == 5);
  json::object need = f.Fetch(path, w.dispatcher);
  CHECK(Str(need.at("status")) == "cancelled");
  CHECK(IntOr(need, "cancelled") == 2);
  CHECK(IntOr(need, "outstanding") == 0);
}

TEST_CASE("reads stay consistent while writes pour in", "[api][concurrency]") {
  TestServerOptions options;
  options.threads = 2;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string path = "/v1/lots/" + std::to_string(w.lot_a);
  auto answers = RunConcurrently(server.port(), 6, [&](int t, HttpClient& http) {
    Response last;
    for (int k = 0; k < 20; ++k) {
      if (t < 2) {
        last = http.Post(path + ":write_off", json::object{{"quantity", 1}, {"reason", "抽检"}},
                         w.dispatcher);
        if (last.status < 200 || last.status >= 300) return last;
      } else {
        last = http.Get(path, w.dispatcher);
        if (last.status != 200) return last;
        json::object lot = last.Json().as_object();
        // Conservation holds in every answer, not only at the end.
        if (IntOr(lot, "available") + IntOr(lot, "written_off") + IntOr(lot, "allocated") +
                IntOr(lot, "delivered") !=
            500) {
          last.status = 599;
          return last;
        }
      }
    }
    return last;
  });
  INFO(DescribeAll(answers));
  for (const Response& r : answers) CHECK((r.status >= 200 && r.status < 300));
  json::object lot = f.Fetch(path, w.dispatcher);
  CHECK(IntOr(lot, "available") == 460);
  CHECK(IntOr(lot, "written_off") == 40);
}

// The value of an unlabelled metric in Prometheus text, or -1.
double Metric(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

TEST_CASE("concurrent writes share group commits, and do not without --group-commit",
          "[api][concurrency][metrics]") {
  const bool group_commit = GENERATE(true, false);
  INFO("--group-commit " << (group_commit ? "on" : "off"));
  TestServerOptions options;
  options.threads = 4;
  options.group_commit = group_commit;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string before = f.http().Get("/metrics").body;
  auto answers = RunConcurrently(server.port(), 16, [&](int, HttpClient& http) {
    Response last;
    for (int k = 0; k < 25; ++k) {
      last = http.Post("/v1/needs", SampleNeed(w.requester_a, w.item_id, k + 1), w.station_a);
      if (last.status != 201) return last;
    }
    return last;
  });
  for (const Response& r : answers) CHECK_STATUS(r, 201);
  const std::string after = f.http().Get("/metrics").body;
  INFO(after);
  const double writes =
      Metric(after, "aidlink_store_writes_total") - Metric(before, "aidlink_store_writes_total");
  const double commits =
      Metric(after, "aidlink_store_commits_total") - Metric(before, "aidlink_store_commits_total");
  CHECK(writes >= 400);
  if (group_commit) {
    CHECK(commits < writes);
    CHECK(Metric(after, "aidlink_store_max_batch") > 1);
  } else {
    CHECK(commits == writes);
  }
}

}  // namespace
}  // namespace aidlink::test
