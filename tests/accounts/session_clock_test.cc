// Session expiry and the failed-login throttle with the router's clock
// moved by the test: the router runs in process on a real SQLite file.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/router.h"
#include "support/store_fixture.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kAdmin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* kPassword = "station-password-1";

// A router on a fresh database whose clock is `now`, with one station and
// its user "minzu-jie".
class ClockedRouter {
 public:
  ClockedRouter() : store_(OpenStore(db_.path())) {
    api::AccountOptions options;
    options.clock = [this] { return now; };
    router_ = std::make_unique<api::Router>(*store_, options);
    REQUIRE(api::EnsureAdminToken(*store_, kAdmin).ok());
    const api::Response station =
        Call("POST", "/v1/stations", R"({"name":"民族街社工站","district":"江汉区"})", kAdmin);
    REQUIRE(station.status == 201);
    const int64_t station_id = json::parse(station.body).at("id").to_number<int64_t>();
    const api::Response user = Call("POST", "/v1/users",
                                    json::serialize(json::object{{"username", "minzu-jie"},
                                                                 {"password", kPassword},
                                                                 {"role", "station"},
                                                                 {"station_id", station_id},
                                                                 {"display_name", "李社工"}}),
                                    kAdmin);
    REQUIRE(user.status == 201);
  }

  api::Response Call(const std::string& method, const std::string& target, const std::string& body,
                     const std::string& token = "", const std::string& cookie = "",
                     const std::string& peer = "10.0.0.1") {
    api::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = "application/json";
    if (!token.empty()) r.authorization = std::string("Bearer ") + token;
    r.cookie = cookie;
    r.csrf = "1";
    r.peer = peer;
    api::Response answer = router_->Handle(r);
    // A request's use of its session is recorded without waiting for it.
    store_->WaitIdle();
    return answer;
  }

  api::Response Login(const std::string& username, const std::string& password,
                      const std::string& peer = "10.0.0.1") {
    return Call("POST", "/v1/sessions",
                json::serialize(json::object{{"username", username}, {"password", password}}), "",
                "", peer);
  }

  // The Cookie header value of a successful login.
  std::string LoginCookie() {
    const api::Response r = Login("minzu-jie", kPassword);
    REQUIRE(r.status == 201);
    for (const auto& [name, value] : r.headers) {
      if (name == "Set-Cookie") return value.substr(0, value.find(';'));
    }
    FAIL("no Set-Cookie");
    return "";
  }

  int Me(const std::string& cookie) { return Call("GET", "/v1/me", "", "", cookie).status; }

  static std::string Header(const api::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::chrono::system_clock::time_point now =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

 private:
  TempDb db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::Router> router_;
};

TEST_CASE("a session unused for 12 hours ends; each use moves the idle expiry",
          "[accounts][expiry]") {
  ClockedRouter r;
  const std::string cookie = r.LoginCookie();
  CHECK(r.Me(cookie) == 200);
  r.now += hours(11);
  CHECK(r.Me(cookie) == 200);  // used: 12 more hours from here
  r.now += hours(11);
  CHECK(r.Me(cookie) == 200);
  r.now += hours(12) + seconds(1);
  CHECK(r.Me(cookie) == 401);
  // Another login works and gives a new session.
  const std::string again = r.LoginCookie();
  CHECK(again != cookie);
  CHECK(r.Me(again) == 200);
}

TEST_CASE("a session ends 7 days after login however much it is used", "[accounts][expiry]") {
  ClockedRouter r;
  const std::string cookie = r.LoginCookie();
  for (int i = 0; i < 16; ++i) {  // every 10 hours, for 160 of the 168
    r.now += hours(10);
    CHECK(r.Me(cookie) == 200);
  }
  r.now += hours(8);  // 168 hours: the absolute expiry
  CHECK(r.Me(cookie) == 401);
}

TEST_CASE("the username throttle resets after 15 minutes", "[accounts][throttle]") {
  ClockedRouter r;
  for (int i = 0; i < 5; ++i) CHECK(r.Login("minzu-jie", "wrong-password").status == 401);
  const api::Response blocked = r.Login("minzu-jie", kPassword);
  CHECK(blocked.status == 429);
  CHECK(ClockedRouter::Header(blocked, "Retry-After") == "900");
  r.now += minutes(10);
  const api::Response later = r.Login("minzu-jie", kPassword);
  CHECK(later.status == 429);
  CHECK(ClockedRouter::Header(later, "Retry-After") == "300");
  r.now += minutes(5);
  CHECK(r.Login("minzu-jie", kPassword).status == 201);
  // A success does not count: five more failures are allowed, not four.
  for (int i = 0; i < 5; ++i) CHECK(r.Login("minzu-jie", "wrong-password").status == 401);
  CHECK(r.Login("minzu-jie", kPassword).status == 429);
}

TEST_CASE("the address throttle counts every username from one address", "[accounts][throttle]") {
  ClockedRouter r;
  for (int i = 0; i < 20; ++i) {
    CHECK(r.Login("guess-" + std::to_string(i), "wrong-password", "10.0.0.9").status == 401);
  }
  CHECK(r.Login("minzu-jie", kPassword, "10.0.0.9").status == 429);
  CHECK(r.Login("minzu-jie", kPassword, "10.0.0.10").status == 201);  // another address
  r.now += minutes(15);
  CHECK(r.Login("minzu-jie", kPassword, "10.0.0.9").status == 201);
}

}  // namespace
}  // namespace aidlink::test
