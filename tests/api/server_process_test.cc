// The server as a process: flags, start-up failures, the admin token file,
// signals, and what it writes to its log.

#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <sstream>
#include <thread>

#include "support/fixture.h"

namespace aidlink::test {
namespace {

TEST_CASE("--help documents every flag and exits 0", "[api][process]") {
  ServerRun run = RunServerToExit({"--help"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  for (const char* flag :
       {"--db", "--listen", "--threads", "--admin-token-file", "--max-body", "--read-timeout"}) {
    CHECK(run.output.find(flag) != std::string::npos);
  }
}

TEST_CASE("start-up failures are loud: non-zero exit and a message", "[api][process]") {
  const std::vector<std::string> common = {"--admin-token-file", "{dir}/admin.token", "--port-file",
                                           "{dir}/port"};
  auto run_with = [&](std::vector<std::string> args) {
    args.insert(args.end(), common.begin(), common.end());
    return RunServerToExit(args);
  };
  SECTION("an unknown flag") {
    ServerRun run = run_with({"--db", "{dir}/a.db", "--listen", "127.0.0.1:0", "--no-such-flag"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK_FALSE(run.output.empty());
  }
  SECTION("a thread count that is not a number") {
    ServerRun run = run_with({"--db", "{dir}/a.db", "--listen", "127.0.0.1:0", "--threads", "abc"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK_FALSE(run.output.empty());
  }
  SECTION("an idempotency retention under the 24 hours API.md promises") {
    ServerRun run = run_with(
        {"--db", "{dir}/a.db", "--listen", "127.0.0.1:0", "--idempotency-retention-hours", "23"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK(run.output.find("at least 24") != std::string::npos);
  }
  SECTION("a listen address without a port") {
    ServerRun run = run_with({"--db", "{dir}/a.db", "--listen", "nonsense"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK_FALSE(run.output.empty());
  }
  SECTION("a database path that cannot be created") {
    ServerRun run = run_with({"--db", "/dev/null/no/such/dir/a.db", "--listen", "127.0.0.1:0"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK_FALSE(run.output.empty());
  }
  SECTION("a port that is already taken") {
    TestServer other;
    ServerRun run =
        run_with({"--db", "{dir}/a.db", "--listen", "127.0.0.1:" + std::to_string(other.port())});
    INFO(run.output);
    CHECK(run.exit_code > 0);
    CHECK_FALSE(run.output.empty());
    HttpClient http(other.port());
    CHECK_STATUS(http.Get("/healthz"), 200);
  }
  SECTION("a file that is not a database") {
    ServerRun run =
        RunServerToExit({"--db", "/etc/passwd", "--listen", "127.0.0.1:0", "--admin-token-file",
                         "{dir}/admin.token", "--port-file", "{dir}/port"});
    INFO(run.output);
    CHECK(run.exit_code > 0);
  }
}

TEST_CASE("the generated admin token file is private and a preset token is honoured",
          "[api][process]") {
  SECTION("generated") {
    TestServer server;
    struct stat st {};
    REQUIRE(stat(server.token_file_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
    CHECK(server.admin_token().size() >= 16);
    HttpClient http(server.port());
    CHECK_STATUS(http.Get("/v1/items", server.admin_token()), 200);
  }
  SECTION("preset") {
    TestServerOptions options;
    options.preset_admin_token = "preset-admin-token-0123456789abcdef";
    TestServer server(options);
    CHECK(server.admin_token() == options.preset_admin_token);
    HttpClient http(server.port());
    CHECK_STATUS(http.Post("/v1/stations", SampleStation(), options.preset_admin_token), 201);
  }
}

TEST_CASE("every file holding household data or a secret is owner-only from birth",
          "[api][process][trust]") {
  TestServer server;
  Fixture f(server);
  MakeWorld(f);  // writes: the WAL and its index exist now
  const std::string backup = server.dir() + "/backup.db";
  ServerRun run = RunServerToExit({"backup", "--db", server.db_path(), "--to", backup});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  for (const std::string& path : {server.db_path(), server.db_path() + "-wal",
                                  server.db_path() + "-shm", server.token_file_path(), backup}) {
    INFO(path);
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
  }
}

TEST_CASE("a preset admin token shorter than 128 bits of hex is refused at start",
          "[api][process][trust]") {
  TestServerOptions options;
  options.preset_admin_token = "0123456789abcdef0123456789abcde";  // 31 characters
  options.start_deadline = std::chrono::seconds(5);
  CHECK_THROWS_WITH(TestServer(options), Catch::Contains("shorter than 32 characters"));
  options.preset_admin_token += "f";  // 32: accepted
  TestServer server(options);
  HttpClient http(server.port());
  CHECK_STATUS(http.Get("/v1/items", options.preset_admin_token), 200);
}

TEST_CASE("SIGINT stops the server cleanly like SIGTERM", "[api][process]") {
  TestServer server;
  {
    Fixture f(server);
    f.CreateStation();
  }
  CHECK(server.StopWith(SIGINT) == 0);
  server.Restart();
  Fixture f(server);
  CHECK(f.ListAll("/v1/stations", f.admin()).size() == 1);
}

TEST_CASE("SIGTERM exits promptly with idle keep-alive and half-sent requests open",
          "[api][process]") {
  TestServer server;
  HttpClient idle(server.port());
  REQUIRE_STATUS(idle.Get("/healthz"), 200);  // and keep the connection open
  // A second connection that sent half a request and waits.
  std::jthread stalled([port = server.port()] {
    HttpClient raw(port);
    try {
      (void)raw.SendRaw("POST /v1/items HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n{",
                        std::chrono::seconds(15));
    } catch (const std::exception&) {
    }
  });
  // Let the half request reach the server before the signal.
  HttpClient probe(server.port());
  REQUIRE_STATUS(probe.Get("/healthz"), 200);
  const auto start = std::chrono::steady_clock::now();
  CHECK(server.Stop() == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("the log is JSON lines without tokens or household data", "[api][process][log]") {
  TestServer server;
  std::vector<std::string> secrets;
  {
    Fixture f(server);
    World w = MakeWorld(f);
    secrets = {w.admin, w.dispatcher, w.station_a, w.station_b, w.donor_a, w.donor_b};
    secrets.insert(secrets.end(), w.household_a.begin(), w.household_a.end());
    secrets.insert(secrets.end(), w.household_b.begin(), w.household_b.end());
    // Failures are logged too; their bodies must not be.
    json::object bad = SampleRequester(w.station_a_id);
    bad["household_size"] = 0;
    CHECK_ERROR(f.http().Post("/v1/requesters", bad, w.station_a), 400, "household_size");
    CHECK_ERROR(f.http().Post("/v1/requesters", bad, "wrong-" + w.station_a), 401, "");
    CHECK_ERROR(f.http().Get("/v1/requesters/" + std::to_string(w.requester_a), w.station_b), 404,
                "");
  }
  REQUIRE(server.Stop() == 0);
  std::string log = server.ReadLog();
  REQUIRE_FALSE(log.empty());
  std::istringstream lines(log);
  int json_lines = 0, other_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (!ec && v.is_object()) {
      ++json_lines;
    } else {
      ++other_lines;
      UNSCOPED_INFO("not a JSON line: " << line);
    }
  }
  CHECK(json_lines > 10);
  // One human-readable line saying where the new admin token was written is fine.
  CHECK(other_lines <= 1);
  for (const std::string& secret : secrets) {
    INFO("the log must not contain " << secret);
    CHECK(log.find(secret) == std::string::npos);
  }
}

}  // namespace
}  // namespace aidlink::test
