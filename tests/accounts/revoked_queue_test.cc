// Authorization is checked again inside the write's transaction (issue 14,
// defect 8): a write that was admitted, then waited in the queue while its
// token was revoked (or its user disabled), answers 401 and changes nothing.
//
// The wait is made real: another connection holds SQLite's write lock while
// the write arrives, revokes the caller in that same transaction and
// commits; only then can the server's writer run the queued write.

#include <sqlite3.h>

#include <future>
#include <thread>

#include "accounts/session_support.h"
#include "support/db_rows.h"

namespace aidlink::test {
namespace {

using namespace std::chrono_literals;

// Holds the write lock on `db_path`, runs `revoke` (SQL) in it after
// `hold`, and commits.
void HoldThenRun(const std::string& db_path, const std::string& revoke, std::promise<void>& locked,
                 std::chrono::milliseconds hold) {
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  locked.set_value();
  std::this_thread::sleep_for(hold);
  CHECK(sqlite3_exec(other, revoke.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
}

// Sends a need as the caller while the caller is revoked behind the lock;
// returns the answer.
Response QueuedWhileRevoked(TestServer& server, const World& w, const Headers& auth,
                            const std::string& revoke) {
  std::promise<void> locked;
  std::thread holder([&] { HoldThenRun(server.db_path(), revoke, locked, 800ms); });
  locked.get_future().wait();
  HttpClient http(server.port());
  const Response r = http.Request("POST", "/v1/needs",
                                  json::serialize(SampleNeed(w.requester_a, w.item_id)), auth);
  holder.join();
  return r;
}

TEST_CASE("a write queued before its token was revoked answers 401 and changes nothing",
          "[accounts][trust]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const auto before = CountAllRows(server.db_path());
  const Response r = QueuedWhileRevoked(
      server, w, {{"Authorization", "Bearer " + w.station_a}, {"Content-Type", "application/json"}},
      "UPDATE tokens SET revoked_at = '2026-12-03T00:00:00Z' WHERE station_id = " +
          std::to_string(w.station_a_id));
  REQUIRE_ERROR(r, 401, "");
  auto after = CountAllRows(server.db_path());
  after["tokens"] = before.at("tokens");  // the revocation itself is not the write's
  CHECK(after == before);
  // Another station's token is untouched.
  CHECK_STATUS(f.http().Post("/v1/needs", SampleNeed(w.requester_b, w.item_id), w.station_b), 201);
}

TEST_CASE("a write queued before its user was disabled answers 401 and changes nothing",
          "[accounts][trust]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("queued-station", w.station_a_id), f.admin()),
                 201);
  const std::string cookie = LoginCookie(f.http(), "queued-station");
  const auto before = CountAllRows(server.db_path());
  const Response r = QueuedWhileRevoked(
      server, w, CsrfHeaders(cookie),
      "UPDATE users SET disabled_at = '2026-12-03T00:00:00Z' WHERE username = 'queued-station'");
  REQUIRE_ERROR(r, 401, "");
  auto after = CountAllRows(server.db_path());
  CHECK(after.at("needs") == before.at("needs"));
  CHECK(after.at("events") == before.at("events"));
}

}  // namespace
}  // namespace aidlink::test
