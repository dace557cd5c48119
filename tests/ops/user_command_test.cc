// aidlink-server user add|list|disable|set-password against the database a
// running server uses: an operator creates the first station accounts
// without curl, and the server honours them at the next request.

#include <fstream>
#include <sstream>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

std::string WritePassword(const TestServer& server, const std::string& name,
                          const std::string& password) {
  const std::string path = server.dir() + "/" + name;
  std::ofstream(path) << password << "\n";
  return path;
}

int LoginStatus(HttpClient& http, const std::string& username, const std::string& password) {
  return http.Post("/v1/sessions", json::object{{"username", username}, {"password", password}})
      .status;
}

TEST_CASE("user add, list, set-password and disable work on the live database", "[ops][users]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const std::string first = "幸福里-first-2026", second = "幸福里-second-2026";
  const std::string db = server.db_path();

  ServerRun add =
      RunServerToExit({"user", "add", "--db", db, "--username", "xingfuli", "--role", "station",
                       "--station-id", std::to_string(station), "--display-name", "幸福里 王社工",
                       "--password-file", WritePassword(server, "pw1", first)});
  INFO(add.output);
  REQUIRE(add.exit_code == 0);
  CHECK(add.output.find(first) == std::string::npos);
  CHECK(LoginStatus(f.http(), "xingfuli", first) == 201);

  // The API's rules hold here too.
  ServerRun bad =
      RunServerToExit({"user", "add", "--db", db, "--username", "xx", "--role", "station",
                       "--station-id", std::to_string(station), "--display-name", "x",
                       "--password-file", WritePassword(server, "pw0", first)});
  CHECK(bad.exit_code == 1);
  CHECK(bad.output.find("username") != std::string::npos);
  ServerRun taken = RunServerToExit({"user", "add", "--db", db, "--username", "XingFuLi", "--role",
                                     "dispatcher", "--display-name", "x", "--password-file",
                                     WritePassword(server, "pw0", first)});
  CHECK(taken.exit_code == 1);

  ServerRun list = RunServerToExit({"user", "list", "--db", db});
  INFO(list.output);
  REQUIRE(list.exit_code == 0);
  CHECK(list.output.rfind("id\tusername\trole\tstation_id", 0) == 0);
  CHECK(list.output.find("xingfuli\tstation\t" + std::to_string(station)) != std::string::npos);
  CHECK(list.output.find("argon2") == std::string::npos);
  const int64_t id = QueryInt(db, "SELECT id FROM users WHERE username = 'xingfuli'");

  ServerRun set = RunServerToExit({"user", "set-password", "--db", db, std::to_string(id),
                                   "--password-file", WritePassword(server, "pw2", second)});
  INFO(set.output);
  REQUIRE(set.exit_code == 0);
  CHECK(LoginStatus(f.http(), "xingfuli", first) == 401);
  CHECK(LoginStatus(f.http(), "xingfuli", second) == 201);

  ServerRun disable = RunServerToExit({"user", "disable", "--db", db, std::to_string(id)});
  INFO(disable.output);
  REQUIRE(disable.exit_code == 0);
  CHECK(LoginStatus(f.http(), "xingfuli", second) == 401);
  CHECK(QueryInt(db, "SELECT count(*) FROM sessions WHERE ended_at IS NULL") == 0);
  CHECK(RunServerToExit({"user", "disable", "--db", db, std::to_string(id)}).exit_code == 1);
  CHECK(RunServerToExit({"user", "frobnicate", "--db", db}).exit_code == 2);
  CHECK(RunServerToExit({"--session-idle-hours", "0"}).exit_code == 2);
}

}  // namespace
}  // namespace aidlink::test
