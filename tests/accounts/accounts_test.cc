// Users and sessions against the real server: an admin creates a station's
// account, the station logs in with a password and works through the
// session cookie exactly as with its token; the CSRF rule, logout,
// disabling, password changes and the failed-login throttle.

#include <algorithm>
#include <regex>
#include <thread>
#include <vector>

#include "accounts/session_support.h"
#include "aidlink/v1/accounts.pb.h"
#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

TEST_CASE("an admin creates users; every bad field is a 400 naming it and changes nothing",
          "[accounts][users]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const std::string desk = f.NewDispatcherToken();
  const int64_t donor = f.CreateDonor(desk);
  const auto before = CountAllRows(server.db_path());
  struct Row {
    const char* what;
    json::object body;
    int status;
    const char* field;
  };
  const json::object good = UserBody("minzu-jie", station);
  auto with = [&](const char* key, json::value v) {
    json::object b = good;
    b[key] = std::move(v);
    return b;
  };
  auto without = [&](const char* key) {
    json::object b = good;
    b.erase(key);
    return b;
  };
  const Row rows[] = {
      {"username of 2 characters", with("username", "ab"), 400, "username"},
      {"username of 65 characters", with("username", json::string(std::string(65, 'u'))), 400,
       "username"},
      {"username with a space", with("username", "min zu"), 400, "username"},
      {"username missing", without("username"), 400, "username"},
      {"password of 9 characters", with("password", "123456789"), 400, "password"},
      {"password missing", without("password"), 400, "password"},
      {"role not in the vocabulary", with("role", "boss"), 400, "role"},
      {"station role without station_id", without("station_id"), 400, "station_id"},
      {"station_id of another role", with("role", "dispatcher"), 400, "station_id"},
      {"unknown station", with("station_id", 999999), 404, "station_id"},
      {"donor role without donor_id",
       json::object{{"username", "donor-x"},
                    {"password", kPassword},
                    {"role", "donor"},
                    {"display_name", "x"}},
       400, "donor_id"},
      {"display_name missing", without("display_name"), 400, "display_name"},
      {"display_name of 201 characters", with("display_name", json::string(std::string(201, 'x'))),
       400, "display_name"},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    CHECK_ERROR(f.http().Post("/v1/users", r.body, f.admin()), r.status, r.field);
  }
  CHECK_ERROR(f.http().Post("/v1/users", good, desk), 403, "");
  CHECK(CountAllRows(server.db_path()) == before);

  const Response created = f.http().Post("/v1/users", good, f.admin());
  REQUIRE_STATUS(created, 201);
  const json::object user = created.Json().as_object();
  CHECK(Str(user.at("username")) == "minzu-jie");
  CHECK(Str(user.at("role")) == "station");
  CHECK(Id(user.at("station_id")) == station);
  CHECK(Str(user.at("display_name")) == "民族街社工站 李社工");
  CHECK_FALSE(BodyContains(created, kPassword));
  CHECK_FALSE(BodyContains(created, "argon2"));
  CHECK_FALSE(user.contains("password"));
  // The stored hash is Argon2id, never the password.
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$%' AND "
                 "instr(password_hash, '" +
                     std::string(kPassword) + "') = 0") == 1);
  // Usernames are unique whatever their case.
  CHECK_ERROR(f.http().Post("/v1/users", with("username", "MinZu-Jie"), f.admin()), 409,
              "username");
  json::object donor_user = {{"username", "renhe-pharmacy"},
                             {"password", kPassword},
                             {"role", "donor"},
                             {"donor_id", donor},
                             {"display_name", "仁和大药房"}};
  REQUIRE_STATUS(f.http().Post("/v1/users", donor_user, f.admin()), 201);

  const std::vector<json::object> users = f.ListAll("/v1/users", f.admin(), 1);
  REQUIRE(users.size() == 2);
  CHECK(Str(users[1].at("role")) == "donor");
  CHECK_ERROR(f.http().Get("/v1/users", desk), 403, "");
  CHECK(CountRows(server.db_path(), "users") == 2);
}

TEST_CASE("login answers 201 with the user and a HttpOnly SameSite=Strict cookie; /v1/me says who",
          "[accounts][sessions]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);

  const Response login = f.http().Post("/v1/sessions", Credentials("minzu-jie", kPassword));
  REQUIRE_STATUS(login, 201);
  const std::string set_cookie = login.Header("Set-Cookie");
  INFO(set_cookie);
  CHECK(std::regex_search(set_cookie, std::regex("^aidlink_session=[0-9a-f]{64};")));
  CHECK(set_cookie.find("; HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find("; Path=/") != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP here; see tls test
  const json::object session = login.Json().as_object();
  CHECK(Str(session.at("user").at("username")) == "minzu-jie");
  CHECK_FALSE(Str(session.at("expires_at")).empty());
  CHECK_FALSE(BodyContains(login, kPassword));

  const std::string cookie = CookieOf(login);
  const std::string id = cookie.substr(cookie.find('=') + 1);
  // Only the session id's hash is stored.
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM sessions WHERE hash = '" + id + "'") == 0);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM sessions WHERE ended_at IS NULL") == 1);

  const Response me = f.http().Get("/v1/me", "", {{"Cookie", cookie}});
  REQUIRE_STATUS(me, 200);
  const json::object who = me.Json().as_object();
  CHECK(Str(who.at("role")) == "station");
  CHECK(Id(who.at("station_id")) == station);
  CHECK(Str(who.at("username")) == "minzu-jie");
  CHECK(Str(who.at("display_name")) == "民族街社工站 李社工");
  CHECK(Str(who.at("auth")) == "session");

  const Response by_token = f.http().Get("/v1/me", f.NewStationToken(station));
  REQUIRE_STATUS(by_token, 200);
  CHECK(Str(by_token.Json().at("role")) == "station");
  CHECK(Str(by_token.Json().at("auth")) == "token");
  CHECK(Str(by_token.Json().at("display_name")) == "社工站账号");
  CHECK_ERROR(f.http().Get("/v1/me"), 401, "");
  CHECK_ERROR(f.http().Get("/v1/me", "", {{"Cookie", "aidlink_session=" + std::string(64, 'a')}}),
              401, "");
}

TEST_CASE("a wrong password, an unknown and a disabled user get the same 401", "[accounts]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const Response made = f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin());
  REQUIRE_STATUS(made, 201);
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("hepingli", station), f.admin()), 201);
  REQUIRE_STATUS(f.http().Post("/v1/users/" + std::to_string(IdOf(made)) + ":disable",
                               json::object{}, f.admin()),
                 200);
  const Response wrong = f.http().Post("/v1/sessions", Credentials("hepingli", "not-the-password"));
  const Response unknown = f.http().Post("/v1/sessions", Credentials("nobody-here", kPassword));
  const Response disabled = f.http().Post("/v1/sessions", Credentials("minzu-jie", kPassword));
  for (const Response* r : {&wrong, &unknown, &disabled}) {
    CHECK_ERROR(*r, 401, "");
    CHECK(r->body == wrong.body);
    CHECK(r->Header("Set-Cookie").empty());
  }
  CHECK_ERROR(f.http().Post("/v1/sessions", json::object{{"username", "hepingli"}}), 400,
              "password");
}

TEST_CASE("a cookie-authenticated write needs X-Aidlink-CSRF, a JSON type and our own Origin",
          "[accounts][csrf]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  const std::string cookie = LoginCookie(f.http(), "minzu-jie");
  const std::string body = json::serialize(SampleRequester(station));
  const std::string own = "http://127.0.0.1:" + std::to_string(server.port());
  const int64_t before = CountRows(server.db_path(), "requesters");

  auto post = [&](const Headers& headers) {
    return f.http().Request("POST", "/v1/requesters", body, headers);
  };
  CHECK_ERROR(post({{"Cookie", cookie}}), 403, "");
  CHECK_ERROR(post({{"Cookie", cookie}, {"X-Aidlink-CSRF", "yes"}}), 403, "");
  CHECK_ERROR(post({{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}, {"Content-Type", "text/plain"}}),
              403, "");
  CHECK_ERROR(post({{"Cookie", cookie},
                    {"X-Aidlink-CSRF", "1"},
                    {"Content-Type", "application/x-www-form-urlencoded"}}),
              403, "");
  CHECK_ERROR(post({{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}, {"Origin", "http://evil.test"}}),
              403, "");
  CHECK_ERROR(post({{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}, {"Origin", "null"}}), 403, "");
  CHECK(CountRows(server.db_path(), "requesters") == before);

  REQUIRE_STATUS(post({{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}}), 201);
  REQUIRE_STATUS(post({{"Cookie", cookie},
                       {"X-Aidlink-CSRF", "1"},
                       {"Content-Type", "application/json; charset=utf-8"},
                       {"Origin", own}}),
                 201);
  // The ledger names the user who acted through the session.
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE kind = 'requester_created' AND "
                 "actor_user_id = (SELECT id FROM users WHERE username = 'minzu-jie')") == 2);
  // Reads need none of it; Bearer tokens are not affected.
  CHECK_STATUS(f.http().Get("/v1/requesters", "", {{"Cookie", cookie}}), 200);
  CHECK_STATUS(f.http().Request("POST", "/v1/requesters", body,
                                {{"Authorization", "Bearer " + f.NewStationToken(station)},
                                 {"Content-Type", "text/plain"}}),
               201);
  // A login from a foreign page is refused too.
  CHECK_ERROR(f.http().Post("/v1/sessions", Credentials("minzu-jie", kPassword), "",
                            {{"Origin", "http://evil.test"}}),
              403, "");
}

TEST_CASE("logout ends the session and clears the cookie; a token has no session to end",
          "[accounts][sessions]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  const std::string cookie = LoginCookie(f.http(), "minzu-jie");
  const std::string other = LoginCookie(f.http(), "minzu-jie");

  CHECK_ERROR(f.http().Request("DELETE", "/v1/sessions/current", "", {{"Cookie", cookie}}), 403,
              "");
  const Response out = f.http().Request("DELETE", "/v1/sessions/current", "", CsrfHeaders(cookie));
  REQUIRE_STATUS(out, 200);
  CHECK(out.Header("Set-Cookie").find("aidlink_session=;") == 0);
  CHECK(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK_FALSE(Str(out.Json().at("ended_at")).empty());
  CHECK_ERROR(f.http().Get("/v1/me", "", {{"Cookie", cookie}}), 401, "");
  CHECK_STATUS(f.http().Get("/v1/me", "", {{"Cookie", other}}), 200);  // the other one lives on
  CHECK_ERROR(f.http().Request("DELETE", "/v1/sessions/current", "",
                               {{"Authorization", "Bearer " + f.admin()}}),
              404, "");
}

TEST_CASE("disabling a user ends its sessions from the next request on", "[accounts][sessions]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const Response made = f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin());
  REQUIRE_STATUS(made, 201);
  const std::string cookie = LoginCookie(f.http(), "minzu-jie");
  CHECK_STATUS(f.http().Get("/v1/requesters", "", {{"Cookie", cookie}}), 200);

  const std::string disable = "/v1/users/" + std::to_string(IdOf(made)) + ":disable";
  const Response disabled = f.http().Post(disable, json::object{}, f.admin());
  REQUIRE_STATUS(disabled, 200);
  CHECK(disabled.Json().at("disabled").as_bool());
  CHECK_ERROR(f.http().Get("/v1/requesters", "", {{"Cookie", cookie}}), 401, "");
  CHECK_ERROR(f.http().Post(disable, json::object{}, f.admin()), 422, "");
  CHECK_ERROR(f.http().Post("/v1/users/999999:disable", json::object{}, f.admin()), 404, "");
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM sessions WHERE ended_at IS NULL") == 0);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM events WHERE kind = 'user_disabled'") ==
        1);
}

TEST_CASE("a user changes its own password with the current one; an admin sets anyone's",
          "[accounts][users]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  const Response a = f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin());
  const Response b = f.http().Post("/v1/users", UserBody("hepingli", station), f.admin());
  REQUIRE_STATUS(a, 201);
  REQUIRE_STATUS(b, 201);
  const std::string path_a = "/v1/users/" + std::to_string(IdOf(a)) + ":set_password";
  const std::string path_b = "/v1/users/" + std::to_string(IdOf(b)) + ":set_password";
  const std::string cookie = LoginCookie(f.http(), "minzu-jie");
  const std::string elsewhere = LoginCookie(f.http(), "minzu-jie");
  auto post = [&](const std::string& path, const json::object& body) {
    return f.http().Request("POST", path, json::serialize(body), CsrfHeaders(cookie));
  };
  const std::string fresh = "换一个新的密码 2026";
  CHECK_ERROR(post(path_a, {{"password", fresh}}), 400, "current_password");
  CHECK_ERROR(post(path_a, {{"password", fresh}, {"current_password", "wrong-password"}}), 403,
              "current_password");
  CHECK_ERROR(post(path_a, {{"password", "short"}, {"current_password", kPassword}}), 400,
              "password");
  CHECK_ERROR(post(path_b, {{"password", fresh}, {"current_password", kPassword}}), 404, "");
  REQUIRE_STATUS(post(path_a, {{"password", fresh}, {"current_password", kPassword}}), 200);
  // This session goes on; the user's other sessions end; the new password works.
  CHECK_STATUS(f.http().Get("/v1/me", "", {{"Cookie", cookie}}), 200);
  CHECK_ERROR(f.http().Get("/v1/me", "", {{"Cookie", elsewhere}}), 401, "");
  CHECK_ERROR(f.http().Post("/v1/sessions", Credentials("minzu-jie", kPassword)), 401, "");
  CHECK_STATUS(f.http().Post("/v1/sessions", Credentials("minzu-jie", fresh)), 201);
  // An admin needs no current password.
  REQUIRE_STATUS(f.http().Post(path_b, json::object{{"password", fresh}}, f.admin()), 200);
  CHECK_STATUS(f.http().Post("/v1/sessions", Credentials("hepingli", fresh)), 201);
  // A token of another role cannot.
  CHECK_ERROR(f.http().Post(path_b, json::object{{"password", fresh}, {"current_password", fresh}},
                            f.NewStationToken(station)),
              404, "");
}

TEST_CASE("five failed logins for a username, known or not, then 429 with Retry-After",
          "[accounts][throttle]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  for (const char* name : {"minzu-jie", "nobody-here"}) {
    INFO(name);
    for (int i = 0; i < 5; ++i) {
      CHECK_ERROR(
          f.http().Post("/v1/sessions", Credentials(name, "guess-number-" + std::to_string(i))),
          401, "");
    }
    const Response blocked = f.http().Post("/v1/sessions", Credentials(name, kPassword));
    CHECK_ERROR(blocked, 429, "");
    const int retry = std::stoi(blocked.Header("Retry-After"));
    CHECK(retry > 0);
    CHECK(retry <= 15 * 60);
  }
  // The same answer for both; another username from this address still may.
  CHECK(f.http().Post("/v1/sessions", Credentials("MINZU-JIE", kPassword)).status == 429);
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("hepingli", station), f.admin()), 201);
  CHECK_STATUS(f.http().Post("/v1/sessions", Credentials("hepingli", kPassword)), 201);
}

TEST_CASE("concurrent guesses for one username get at most five password checks",
          "[accounts][throttle]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  constexpr int kGuesses = 16;
  std::vector<int> statuses(kGuesses);
  std::vector<std::thread> threads;
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back([&, i] {
      HttpClient http(server.port());
      statuses[i] =
          http.Post("/v1/sessions", Credentials("minzu-jie", "guess-" + std::to_string(i))).status;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(std::count(statuses.begin(), statuses.end(), 401) == 5);
  CHECK(std::count(statuses.begin(), statuses.end(), 429) == kGuesses - 5);
}

TEST_CASE("login and /v1/me speak protobuf too", "[accounts][protobuf]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  v1::LoginRequest login;
  login.set_username("minzu-jie");
  login.set_password(kPassword);
  const Headers binary = {{"Content-Type", "application/x-protobuf"},
                          {"Accept", "application/x-protobuf"}};
  const Response r = f.http().Request("POST", "/v1/sessions", login.SerializeAsString(), binary);
  REQUIRE_STATUS(r, 201);
  v1::Session session;
  REQUIRE(session.ParseFromString(r.body));
  CHECK(session.user().username() == "minzu-jie");
  CHECK(session.user().station_id() == station);
  CHECK_FALSE(session.expires_at().empty());
  Headers with_cookie = binary;
  with_cookie.emplace_back("Cookie", CookieOf(r));
  const Response me = f.http().Request("GET", "/v1/me", "", with_cookie);
  REQUIRE_STATUS(me, 200);
  v1::Me who;
  REQUIRE(who.ParseFromString(me.body));
  CHECK(who.role() == "station");
  CHECK(who.auth() == "session");
}

TEST_CASE("twenty failed logins from one address, then 429 for any username",
          "[accounts][throttle]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  for (int i = 0; i < 20; ++i) {
    CHECK_ERROR(f.http().Post("/v1/sessions",
                              Credentials("guess-" + std::to_string(i / 4), "wrong-password")),
                401, "");
  }
  const Response blocked = f.http().Post("/v1/sessions", Credentials("minzu-jie", kPassword));
  CHECK_ERROR(blocked, 429, "");
  CHECK_FALSE(blocked.Header("Retry-After").empty());
}

TEST_CASE("a session's Idempotency-Keys are its user's, apart from any token's",
          "[accounts][idempotency]") {
  TestServer server;
  Fixture f(server);
  const int64_t station = f.CreateStation();
  REQUIRE_STATUS(f.http().Post("/v1/users", UserBody("minzu-jie", station), f.admin()), 201);
  const std::string first = LoginCookie(f.http(), "minzu-jie");
  const std::string second = LoginCookie(f.http(), "minzu-jie");
  const std::string body = json::serialize(SampleRequester(station));
  auto post = [&](Headers headers) {
    headers.emplace_back("Idempotency-Key", "register-jin");
    return f.http().Request("POST", "/v1/requesters", body, headers);
  };
  const Response created = post(CsrfHeaders(first));
  REQUIRE_STATUS(created, 201);
  const Response again = post(CsrfHeaders(second));  // the same user: a replay
  REQUIRE_STATUS(again, 201);
  CHECK(again.Header("Idempotent-Replayed") == "true");
  CHECK(IdOf(again) == IdOf(created));
  // A token, even of the same station, has keys of its own.
  const Response by_token = post({{"Authorization", "Bearer " + f.NewStationToken(station)}});
  REQUIRE_STATUS(by_token, 201);
  CHECK(by_token.Header("Idempotent-Replayed").empty());
  CHECK(IdOf(by_token) != IdOf(created));
}

}  // namespace
}  // namespace aidlink::test
