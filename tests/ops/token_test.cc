// aidlink-server token list|revoke against a database a running server uses.

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The token list line whose first column is `id`, or "".
std::string LineFor(const std::string& listing, int64_t id) {
  for (const std::string& line : Lines(listing)) {
    if (line.rfind(std::to_string(id) + "\t", 0) == 0) return line;
  }
  return "";
}

TEST_CASE("token list shows every token without its secret or hash", "[ops][tokens]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const std::string desk = f.NewDispatcherToken("夜班调度台");
  const std::string station_token = f.NewStationToken(station);

  ServerRun run = RunServerToExit({"token", "list", "--db", server.db_path()});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> lines = Lines(run.output);
  REQUIRE(lines.size() == 4);  // header, admin, dispatcher, station
  CHECK(lines[0] == "id\trole\tstation_id\tdonor_id\tlabel\tcreated_at\trevoked_at");
  const int64_t desk_id =
      QueryInt(server.db_path(), "SELECT id FROM tokens WHERE role = 'dispatcher'");
  const int64_t station_id =
      QueryInt(server.db_path(), "SELECT id FROM tokens WHERE role = 'station'");
  CHECK(LineFor(run.output, desk_id).find("\tdispatcher\t-\t-\t夜班调度台\t") != std::string::npos);
  CHECK(LineFor(run.output, station_id).find("\tstation\t" + std::to_string(station) + "\t-\t") !=
        std::string::npos);
  CHECK(LineFor(run.output, desk_id).substr(LineFor(run.output, desk_id).rfind('\t')) == "\t-");
  for (const std::string& secret : {server.admin_token(), desk, station_token}) {
    CHECK(run.output.find(secret) == std::string::npos);
  }
  // Nor any stored hash (64 hex digits).
  CHECK_FALSE(std::regex_search(run.output, std::regex("[0-9a-f]{64}")));
}

TEST_CASE("a revoked token is refused at the next request of a running server", "[ops][tokens]") {
  TestServer server;
  Fixture f(server);
  const std::string desk = f.NewDispatcherToken("要撤销的调度台");
  const std::string other = f.NewDispatcherToken("留用的调度台");
  const int64_t desk_id =
      QueryInt(server.db_path(), "SELECT id FROM tokens WHERE label = '要撤销的调度台'");
  HttpClient http(server.port());
  REQUIRE_STATUS(http.Get("/v1/items", desk), 200);  // the keep-alive connection is warm

  ServerRun revoke =
      RunServerToExit({"token", "revoke", "--db", server.db_path(), std::to_string(desk_id)});
  INFO(revoke.output);
  REQUIRE(revoke.exit_code == 0);
  CHECK(revoke.output.find("revoked token " + std::to_string(desk_id)) != std::string::npos);

  // Same connection, no wait: the very next request is refused.
  CHECK_ERROR(http.Get("/v1/items", desk), 401, "");
  CHECK_ERROR(HttpClient(server.port()).Get("/v1/items", desk), 401, "");
  CHECK_STATUS(http.Get("/v1/items", other), 200);
  CHECK_STATUS(http.Get("/v1/items", server.admin_token()), 200);

  ServerRun list = RunServerToExit({"token", "list", "--db", server.db_path()});
  const std::string line = LineFor(list.output, desk_id);
  INFO(list.output);
  CHECK(std::regex_search(line, std::regex("\t20[0-9]{2}-[0-9]{2}-[0-9]{2}T[^\t]*Z$")));
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE kind = 'token_revoked' "
                 "AND entity_id = " +
                     std::to_string(desk_id)) == 1);

  SECTION("revoking twice, or a token that does not exist, fails with a message") {
    ServerRun again =
        RunServerToExit({"token", "revoke", "--db", server.db_path(), std::to_string(desk_id)});
    CHECK(again.exit_code == 1);
    CHECK(again.output.find("already revoked") != std::string::npos);
    ServerRun missing = RunServerToExit({"token", "revoke", "--db", server.db_path(), "999"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.output.find("no token 999") != std::string::npos);
  }
  SECTION("a revoked admin token file stops the next start loudly") {
    ServerRun r = RunServerToExit({"token", "revoke", "--db", server.db_path(), "1"});
    REQUIRE(r.exit_code == 0);
    CHECK_ERROR(http.Get("/v1/items", server.admin_token()), 401, "");
    server.Stop();
    try {
      server.Restart();
      FAIL("the server started with a revoked admin token file");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("revoked") != std::string::npos);
    }
  }
}

// Every byte of the database file and its WAL, for scanning for secrets.
std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("a token created with an Idempotency-Key is shown once and stored nowhere in plaintext",
          "[ops][tokens][trust]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const json::object body = {{"role", "station"}, {"station_id", station}, {"label", "民族街"}};
  const Headers key = {{"Idempotency-Key", "token-once-1"}};
  const Response first = f.http().Post("/v1/tokens", body, f.admin(), key);
  REQUIRE_STATUS(first, 201);
  const std::string secret(first.Json().at("token").as_string());
  REQUIRE(secret.size() >= 32);
  CHECK_STATUS(f.http().Get("/v1/requesters", secret), 200);

  const Response replay = f.http().Post("/v1/tokens", body, f.admin(), key);
  REQUIRE_STATUS(replay, 201);
  CHECK(replay.Header("Idempotent-Replayed") == "true");
  const json::value replayed = replay.Json();
  const json::object& again = replayed.as_object();
  CHECK(again.at("id") == first.Json().at("id"));
  CHECK((!again.contains("token") || again.at("token").as_string().empty()));
  CHECK(again.at("token_shown_once") == true);
  CHECK(replay.body.find(secret) == std::string::npos);

  // Neither the database nor its WAL holds the secret (nor the admin's).
  for (const std::string& path : {server.db_path(), server.db_path() + "-wal"}) {
    const std::string bytes = FileBytes(path);
    INFO(path << " (" << bytes.size() << " bytes)");
    REQUIRE_FALSE(bytes.empty());
    CHECK(bytes.find(secret) == std::string::npos);
    CHECK(bytes.find(server.admin_token()) == std::string::npos);
  }
}

TEST_CASE("token subcommands refuse bad usage and missing databases", "[ops][tokens]") {
  CHECK(RunServerToExit({"token"}).exit_code == 2);
  CHECK(RunServerToExit({"token", "frobnicate", "--db", "{dir}/a.db"}).exit_code == 2);
  CHECK(RunServerToExit({"token", "revoke", "--db", "{dir}/a.db"}).exit_code == 2);
  CHECK(RunServerToExit({"token", "revoke", "--db", "{dir}/a.db", "abc"}).exit_code == 2);
  ServerRun missing = RunServerToExit({"token", "list", "--db", "{dir}/none.db"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.output.find("no database") != std::string::npos);
  ServerRun help = RunServerToExit({"token", "revoke", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--db") != std::string::npos);
}

}  // namespace
}  // namespace aidlink::test
