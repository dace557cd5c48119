// Volunteers at the door: a dispatcher creates volunteer users and tokens
// and assigns routes to them (POST /v1/routes/{id}:assign); a volunteer sees
// only its assigned routes and their stops, as the paper list shows them,
// and records :deliver / :fail for those deliveries and nothing else.
#include <set>
#include <string>
#include <vector>

#include "accounts/session_support.h"
#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

std::string S(int64_t id) { return std::to_string(id); }

// The delivery ids of a route answer, in stop order.
std::vector<int64_t> StopsOf(const json::object& route) {
  std::vector<int64_t> out;
  for (const auto& s : Arr(route, "stops")) out.push_back(IntOr(s.as_object(), "delivery_id"));
  return out;
}

// Three households of the desk's station with eggs needs, all allocated by
// one run; route one takes two stops, route two the third.
struct Doors {
  int64_t eggs = 0;
  int64_t route_one = 0, route_two = 0;
  std::vector<int64_t> one, two;  // delivery ids per route
};

Doors MakeDoors(Desk& d) {
  Doors w;
  w.eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  d.Lot(w.eggs, 300, "2026-12-31");
  const int64_t jin = d.Requester({.name = "金老伯",
                                   .contact_name = "金小明",
                                   .phone = "13800001111",
                                   .address = "江汉区幸福里3幢2单元501",
                                   .tags = {"elderly_alone"}});
  const int64_t wang =
      d.Requester({.name = "王阿姨", .phone = "13900002222", .address = "江汉区和平里5幢101"});
  const int64_t li =
      d.Requester({.name = "李叔叔", .phone = "13700003333", .address = "江汉区民意街9号"});
  d.Need(jin, w.eggs, 30, "critical", std::nullopt, "放门口，敲门三下");
  d.Need(wang, w.eggs, 20);
  d.Need(li, w.eggs, 10);
  d.Match(kAsOf);
  const json::object one = d.Route(d.depot_id, "志愿者小张", std::nullopt, 2);
  const json::object two = d.Route(d.depot_id, "志愿者小李");
  w.route_one = IntOr(one, "id");
  w.route_two = IntOr(two, "id");
  w.one = StopsOf(one);
  w.two = StopsOf(two);
  REQUIRE(w.one.size() == 2);
  REQUIRE(w.two.size() == 1);
  return w;
}

json::object VolunteerUser(std::string_view username) {
  return {{"username", username},
          {"password", kPassword},
          {"role", "volunteer"},
          {"display_name", "志愿者小张"}};
}

}  // namespace

TEST_CASE("A dispatcher creates volunteer users and tokens, and only those",
          "[dispatch][volunteer]") {
  TestServer server;
  Desk d(server);
  CHECK_ERROR(d.http().Post("/v1/tokens",
                            json::object{{"role", "station"},
                                         {"station_id", d.station_id},
                                         {"label", "不该有的站点令牌"}},
                            d.token()),
              403, "role");
  CHECK_ERROR(
      d.http().Post("/v1/tokens", json::object{{"role", "dispatcher"}, {"label", "x"}}, d.token()),
      403, "role");
  json::object station_user = VolunteerUser("not-a-volunteer");
  station_user["role"] = "station";
  station_user["station_id"] = d.station_id;
  CHECK_ERROR(d.http().Post("/v1/users", station_user, d.token()), 403, "role");

  const Response token = d.http().Post(
      "/v1/tokens", json::object{{"role", "volunteer"}, {"label", "志愿者小李"}}, d.token());
  REQUIRE_STATUS(token, 201);
  CHECK(Str(token.Json().at("role")) == "volunteer");
  const Response user = d.http().Post("/v1/users", VolunteerUser("xiaozhang"), d.token());
  REQUIRE_STATUS(user, 201);
  CHECK(Str(user.Json().at("role")) == "volunteer");

  const json::object me = d.f().Fetch("/v1/me", Str(token.Json().at("token")));
  CHECK(Str(me.at("role")) == "volunteer");
}

TEST_CASE("Assigning a route takes a volunteer user or token, once", "[dispatch][volunteer]") {
  TestServer server;
  Desk d(server);
  Doors w = MakeDoors(d);
  const int64_t user = IdOf(d.http().Post("/v1/users", VolunteerUser("xiaozhang"), d.token()));
  const Response token = d.http().Post(
      "/v1/tokens", json::object{{"role", "volunteer"}, {"label", "志愿者小李"}}, d.token());
  REQUIRE_STATUS(token, 201);
  const int64_t token_id = IdOf(token);
  const std::string assign = "/v1/routes/" + S(w.route_one) + ":assign";

  Response r = d.http().Post(assign, json::object{{"user_id", user}}, d.token());
  REQUIRE_STATUS(r, 200);
  json::array volunteers = Arr(r.Json().as_object(), "volunteers");
  REQUIRE(volunteers.size() == 1);
  CHECK(IntOr(volunteers[0].as_object(), "user_id") == user);
  CHECK(StrOr(volunteers[0].as_object(), "name") == "志愿者小张");
  // Again: nothing changes, no second event.
  REQUIRE_STATUS(d.http().Post(assign, json::object{{"user_id", user}}, d.token()), 200);
  r = d.http().Post(assign, json::object{{"token_id", token_id}}, d.token());
  REQUIRE_STATUS(r, 200);
  CHECK(Arr(r.Json().as_object(), "volunteers").size() == 2);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM events WHERE kind = 'route_assigned'") ==
        2);

  // Refusals, each writing nothing.
  CHECK_ERROR(d.http().Post(assign, json::object{}, d.token()), 400, "user_id");
  CHECK_ERROR(
      d.http().Post(assign, json::object{{"user_id", user}, {"token_id", token_id}}, d.token()),
      400, "user_id");
  CHECK_ERROR(d.http().Post(assign, json::object{{"user_id", 99999}}, d.token()), 404, "user_id");
  CHECK_ERROR(d.http().Post(assign, json::object{{"token_id", 99999}}, d.token()), 404, "token_id");
  json::object station_user = VolunteerUser("station-user");
  station_user["role"] = "station";
  station_user["station_id"] = d.station_id;
  const int64_t not_volunteer = IdOf(d.http().Post("/v1/users", station_user, d.f().admin()));
  CHECK_ERROR(d.http().Post(assign, json::object{{"user_id", not_volunteer}}, d.token()), 422,
              "user_id");
  CHECK_ERROR(d.http().Post("/v1/routes/99999:assign", json::object{{"user_id", user}}, d.token()),
              404, "");
  // Only the desk assigns.
  CHECK_ERROR(d.http().Post(assign, json::object{{"user_id", user}}, Str(token.Json().at("token"))),
              403, "");
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM route_assignments") == 2);
}

TEST_CASE("A volunteer sees only its assigned routes' stops and records their outcomes",
          "[dispatch][volunteer]") {
  TestServer server;
  Desk d(server);
  Doors w = MakeDoors(d);
  const int64_t user = IdOf(d.http().Post("/v1/users", VolunteerUser("xiaozhang"), d.token()));
  const Response issued = d.http().Post(
      "/v1/tokens", json::object{{"role", "volunteer"}, {"label", "志愿者小李"}}, d.token());
  REQUIRE_STATUS(issued, 201);
  const std::string token = Str(issued.Json().at("token"));

  // Before any assignment a volunteer sees nothing.
  const Response none = d.http().Get("/v1/routes", token);
  REQUIRE_STATUS(none, 200);
  CHECK(Arr(none.Json().as_object(), "items").empty());
  CHECK_ERROR(d.http().Get("/v1/routes/" + S(w.route_two), token), 404, "");

  REQUIRE_STATUS(d.http().Post("/v1/routes/" + S(w.route_one) + ":assign",
                               json::object{{"user_id", user}}, d.token()),
                 200);
  REQUIRE_STATUS(d.http().Post("/v1/routes/" + S(w.route_two) + ":assign",
                               json::object{{"token_id", IdOf(issued)}}, d.token()),
                 200);
  // The user works through its browser session.
  const std::string cookie = LoginCookie(d.http(), "xiaozhang");
  const Headers as_user = CsrfHeaders(cookie);
  auto get = [&](const std::string& path) { return d.http().Request("GET", path, "", as_user); };
  auto post = [&](const std::string& path, const json::object& body) {
    return d.http().Request("POST", path, json::serialize(body), as_user);
  };

  // Its routes, and only those.
  Response r = get("/v1/routes");
  REQUIRE_STATUS(r, 200);
  json::array items = Arr(r.Json().as_object(), "items");
  REQUIRE(items.size() == 1);
  CHECK(IntOr(items[0].as_object(), "id") == w.route_one);
  r = get("/v1/routes/" + S(w.route_one));
  REQUIRE_STATUS(r, 200);
  // The stops as the paper list shows them.
  bool saw_jin = false;
  for (const auto& s : Arr(r.Json().as_object(), "stops")) {
    const json::object& stop = s.as_object();
    CHECK(!StrOr(stop, "recipient").empty());
    CHECK(!StrOr(stop, "address").empty());
    CHECK(!StrOr(stop, "phone").empty());
    const json::array lines = Arr(stop, "lines");
    REQUIRE(lines.size() == 1);
    CHECK(StrOr(lines[0].as_object(), "item_name") == "鲜鸡蛋");
    CHECK(IntOr(lines[0].as_object(), "requested") > 0);
    if (StrOr(stop, "recipient") == "金老伯") {
      saw_jin = true;
      CHECK(StrOr(stop, "phone") == "13800001111");
      CHECK(StrOr(stop, "contact_name") == "金小明");
      CHECK(StrOr(stop, "note") == "放门口，敲门三下");
      CHECK(Arr(stop, "tags").size() == 1);
    }
  }
  CHECK(saw_jin);  // the most urgent stop is on the first route
  CHECK_STATUS(get("/v1/routes/" + S(w.route_one) + "/manifest?format=txt"), 200);
  CHECK_ERROR(get("/v1/routes/" + S(w.route_two)), 404, "");
  CHECK_ERROR(get("/v1/routes/" + S(w.route_two) + "/manifest"), 404, "");

  // Deliveries: its routes' only; another route's are 404.
  r = get("/v1/deliveries");
  REQUIRE_STATUS(r, 200);
  std::set<int64_t> seen;
  for (const auto& del : Arr(r.Json().as_object(), "items")) {
    seen.insert(IntOr(del.as_object(), "id"));
  }
  CHECK(seen == std::set<int64_t>(w.one.begin(), w.one.end()));
  CHECK_STATUS(get("/v1/deliveries?route_id=" + S(w.route_one)), 200);
  CHECK_ERROR(get("/v1/deliveries?route_id=" + S(w.route_two)), 404, "route_id");
  CHECK_STATUS(get("/v1/deliveries/" + S(w.one[0])), 200);
  CHECK_ERROR(get("/v1/deliveries/" + S(w.two[0])), 404, "");

  // Outcomes of its own stops.
  r = post("/v1/deliveries/" + S(w.one[0]) + ":deliver", {{"received_by", "金小明"}});
  REQUIRE_STATUS(r, 200);
  CHECK(Str(r.Json().at("status")) == "delivered");
  r = post("/v1/deliveries/" + S(w.one[1]) + ":fail", {{"reason", "家中无人"}});
  REQUIRE_STATUS(r, 200);
  CHECK(Str(r.Json().at("status")) == "failed");
  // Not another route's: 404, and nothing changes.
  CHECK_ERROR(post("/v1/deliveries/" + S(w.two[0]) + ":deliver", {{"received_by", "某人"}}), 404,
              "");
  CHECK_ERROR(post("/v1/deliveries/" + S(w.two[0]) + ":fail", {{"reason", "x"}}), 404, "");
  CHECK(StrOr(d.GetDelivery(w.two[0]), "status") == "planned");
  // The token volunteer records its own route.
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + S(w.two[0]) + ":deliver",
                               json::object{{"received_by", "李叔叔"}}, token),
                 200);
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE actor_role = 'volunteer' AND kind LIKE "
                 "'delivery_%'") >= 3);

  // Nothing else.
  CHECK_ERROR(post("/v1/deliveries/" + S(w.one[0]) + ":correct",
                   {{"reason", "改"}, {"lines", json::array{}}}),
              403, "");
  CHECK_ERROR(post("/v1/deliveries/" + S(w.one[0]) + ":cancel", {{"reason", "x"}}), 403, "");
  CHECK_ERROR(post("/v1/routes/" + S(w.route_one) + ":dispatch", {}), 403, "");
  CHECK_ERROR(post("/v1/match/runs", {{"dry_run", true}}), 403, "");
  CHECK_ERROR(get("/v1/requesters"), 403, "");
  CHECK_ERROR(get("/v1/needs"), 403, "");
  CHECK_ERROR(get("/v1/lots"), 403, "");
  CHECK_ERROR(get("/v1/items"), 403, "");
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch
