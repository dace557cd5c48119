// The role x route matrix derived from the route table itself: for every
// route that authenticates and every role, the server answers 403 exactly
// when the table does not admit the role. Object-level scope (404 for
// another station's objects) is authz_test.cc's business.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "accounts/session_support.h"
#include "api/router.h"
#include "support/fixture.h"
#include "support/store_fixture.h"

namespace aidlink::test {
namespace {

// The path template with each {id} replaced by `id`.
std::string Concrete(std::string path, int64_t id) {
  const std::string kId = "{id}";
  for (size_t at = path.find(kId); at != std::string::npos; at = path.find(kId)) {
    path.replace(at, kId.size(), std::to_string(id));
  }
  return path;
}

TEST_CASE("every route answers 403 exactly to the roles its table entry does not admit",
          "[api][authz]") {
  TempDb db;
  auto store = OpenStore(db.path());
  const api::Router table(*store);

  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string volunteer = f.NewToken({{"role", "volunteer"}, {"label", "志愿者小张"}});
  const std::pair<api::Role, std::string> callers[] = {
      {api::Role::kAdmin, w.admin},       {api::Role::kDispatcher, w.dispatcher},
      {api::Role::kStation, w.station_a}, {api::Role::kDonor, w.donor_a},
      {api::Role::kVolunteer, volunteer},
  };
  int checked = 0;
  for (const api::Router::RouteInfo& route : table.Routes()) {
    if (!route.access.authenticate || route.access.loopback_public) continue;
    // POSTs to id 1 act on objects of MakeWorld's; a refusal must come before
    // any of that, an admitted call may answer anything but 401/403.
    const std::string target = Concrete(route.path, w.lot_a);
    for (const auto& [role, token] : callers) {
      INFO(route.method << " " << route.path << " as " << api::RoleName(role));
      const std::string body = route.method == "GET" ? "" : "{}";
      const Response r =
          f.http().Request(route.method, target, body, {{"Authorization", "Bearer " + token}});
      if (route.access.Admits(role)) {
        CHECK(r.status != 401);
        CHECK(r.status != 403);
      } else {
        CHECK_ERROR(r, 403, "");
      }
      ++checked;
    }
  }
  // Every authenticated route of API.md, five roles each.
  CHECK(checked >= 5 * 40);
}

TEST_CASE("the edit, search and list routes are in the table with the roles that create them",
          "[api][authz]") {
  TempDb db;
  auto store = OpenStore(db.path());
  const api::Router table(*store);
  using api::Role;
  struct Expected {
    const char* method;
    const char* path;
    std::vector<Role> admitted;  // besides admin
  };
  const Expected expected[] = {
      {"PATCH", "/v1/items/{id}", {Role::kDispatcher}},
      {"PATCH", "/v1/donors/{id}", {Role::kDispatcher}},
      {"PATCH", "/v1/depots/{id}", {Role::kDispatcher}},
      {"PATCH", "/v1/stations/{id}", {}},
      {"PATCH", "/v1/requesters/{id}", {Role::kDispatcher, Role::kStation}},
      {"POST", "/v1/requesters/{id}:deactivate", {Role::kDispatcher, Role::kStation}},
      {"PATCH", "/v1/lots/{id}", {Role::kDispatcher, Role::kDonor}},
      {"PATCH", "/v1/needs/{id}", {Role::kDispatcher, Role::kStation}},
      {"GET", "/v1/routes", {Role::kDispatcher, Role::kVolunteer}},
      {"GET", "/v1/match/runs", {Role::kDispatcher}},
      {"GET", "/v1/requesters", {Role::kDispatcher, Role::kStation}},
      {"GET", "/v1/needs", {Role::kDispatcher, Role::kStation}},
      // Duplicate cases: a station only its own sides (duplicates_test.cc).
      {"GET", "/v1/duplicates", {Role::kDispatcher, Role::kStation}},
      {"GET", "/v1/duplicates/{id}", {Role::kDispatcher, Role::kStation}},
      {"POST", "/v1/duplicates/{id}:resolve", {Role::kDispatcher, Role::kStation}},
      {"POST", "/v1/duplicates/{id}:reopen", {Role::kDispatcher, Role::kStation}},
      // Quotas: the desk writes them; they hold no household data, so every
      // role of the table reads them; entitlements are the requester's.
      {"POST", "/v1/quotas", {Role::kDispatcher}},
      {"GET", "/v1/quotas", {Role::kDispatcher, Role::kStation, Role::kDonor}},
      {"GET", "/v1/quotas/{id}", {Role::kDispatcher, Role::kStation, Role::kDonor}},
      {"PATCH", "/v1/quotas/{id}", {Role::kDispatcher}},
      {"POST", "/v1/quotas/{id}:disable", {Role::kDispatcher}},
      {"GET", "/v1/requesters/{id}/entitlements", {Role::kDispatcher, Role::kStation}},
  };
  const auto routes = table.Routes();
  for (const Expected& e : expected) {
    INFO(e.method << " " << e.path);
    auto it = std::find_if(routes.begin(), routes.end(),
                           [&](const auto& r) { return r.method == e.method && r.path == e.path; });
    REQUIRE(it != routes.end());
    for (Role role : {Role::kDispatcher, Role::kStation, Role::kDonor, Role::kVolunteer}) {
      const bool want = std::find(e.admitted.begin(), e.admitted.end(), role) != e.admitted.end();
      CHECK(it->access.Admits(role) == want);
    }
    CHECK(it->access.Admits(Role::kAdmin));
  }
}

TEST_CASE("a session answers every route exactly as a token of the same role and scope",
          "[api][authz][sessions]") {
  TempDb db;
  auto store = OpenStore(db.path());
  const api::Router table(*store);

  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  auto login = [&](const std::string& username, json::object user) {
    user["username"] = username;
    user["password"] = kPassword;
    user["display_name"] = "矩阵测试";
    REQUIRE_STATUS(f.http().Post("/v1/users", user, f.admin()), 201);
    return LoginCookie(f.http(), username);
  };
  struct Caller {
    api::Role role;
    std::string token, cookie;
  };
  const Caller callers[] = {
      {api::Role::kDispatcher, w.dispatcher, login("desk-user", {{"role", "dispatcher"}})},
      {api::Role::kStation, w.station_a,
       login("station-user", {{"role", "station"}, {"station_id", w.station_a_id}})},
      {api::Role::kDonor, w.donor_a,
       login("donor-user", {{"role", "donor"}, {"donor_id", w.donor_a_id}})},
      // Neither has a route assigned: both see none.
      {api::Role::kVolunteer, f.NewToken({{"role", "volunteer"}, {"label", "志愿者"}}),
       login("volunteer-user", {{"role", "volunteer"}})},
  };
  int checked = 0;
  for (const api::Router::RouteInfo& route : table.Routes()) {
    if (!route.access.authenticate || route.access.loopback_public) continue;
    // Logging out would end the session under test (accounts_test.cc has it).
    if (route.path == "/v1/sessions/current") continue;
    const std::string target = Concrete(route.path, w.lot_a);
    const std::string body = route.method == "GET" ? "" : "{}";
    for (const Caller& c : callers) {
      INFO(route.method << " " << route.path << " as a " << api::RoleName(c.role) << " session");
      const Response by_token =
          f.http().Request(route.method, target, body, {{"Authorization", "Bearer " + c.token}});
      const Response by_session =
          f.http().Request(route.method, target, body, CsrfHeaders(c.cookie));
      INFO("token: " << by_token.Describe() << "\nsession: " << by_session.Describe());
      CHECK(by_session.status != 401);
      if (route.method == "GET") {
        // A read shows the same (who is asking differs only in /v1/me).
        CHECK(by_session.status == by_token.status);
        if (route.path != "/v1/me") CHECK(by_session.body == by_token.body);
      } else {
        // A write may act twice (the token's call dispatched what the
        // session's then finds dispatched): admitted or refused alike.
        CHECK((by_session.status == 403) == (by_token.status == 403));
      }
      ++checked;
    }
  }
  CHECK(checked >= 4 * 40);
}

TEST_CASE("a volunteer is admitted to its routes' stops and outcomes and nothing else",
          "[api][authz][volunteer]") {
  TempDb db;
  auto store = OpenStore(db.path());
  const api::Router table(*store);
  // Besides these, every route refuses a volunteer (the matrix above checks
  // that the server answers 403 there).
  const std::set<std::string> expected = {
      "POST /v1/users/{id}:set_password",
      "DELETE /v1/sessions/current",
      "GET /v1/me",
      "GET /v1/routes",
      "GET /v1/routes/{id}",
      "GET /v1/routes/{id}/manifest",
      "GET /v1/deliveries",
      "GET /v1/deliveries/{id}",
      "POST /v1/deliveries/{id}:deliver",
      "POST /v1/deliveries/{id}:fail",
  };
  std::set<std::string> admitted;
  for (const api::Router::RouteInfo& route : table.Routes()) {
    if (!route.access.authenticate || route.access.loopback_public) continue;
    if (route.access.Admits(api::Role::kVolunteer))
      admitted.insert(route.method + " " + route.path);
  }
  CHECK(admitted == expected);
}

TEST_CASE("every volunteer route answers 404 for a route or delivery not assigned to it",
          "[api][authz][volunteer]") {
  TempDb db;
  auto store = OpenStore(db.path());
  const api::Router table(*store);

  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // Two routes of one stop each: the volunteer gets the first.
  REQUIRE_STATUS(
      f.http().Post("/v1/match/runs", json::object{{"as_of", "2026-11-01"}}, w.dispatcher), 201);
  int64_t route[2] = {0, 0}, delivery[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    const Response r = f.http().Post("/v1/routes",
                                     json::object{{"depot_id", w.depot_id},
                                                  {"date", "2026-11-02"},
                                                  {"driver", "志愿者小张"},
                                                  {"max_stops", 1}},
                                     w.dispatcher);
    REQUIRE_STATUS(r, 201);
    route[i] = IdOf(r);
    delivery[i] = Id(r.Json().at("stops").as_array().at(0).at("delivery_id"));
  }
  const Response issued = f.http().Post(
      "/v1/tokens", json::object{{"role", "volunteer"}, {"label", "志愿者小张"}}, w.dispatcher);
  REQUIRE_STATUS(issued, 201);
  const std::string volunteer = Str(issued.Json().at("token"));
  REQUIRE_STATUS(f.http().Post("/v1/routes/" + std::to_string(route[0]) + ":assign",
                               json::object{{"token_id", IdOf(issued)}}, w.dispatcher),
                 200);

  int checked = 0;
  for (const api::Router::RouteInfo& r : table.Routes()) {
    if (!r.access.Admits(api::Role::kVolunteer)) continue;
    const bool on_route = r.path.rfind("/v1/routes/{id}", 0) == 0;
    const bool on_delivery = r.path.rfind("/v1/deliveries/{id}", 0) == 0;
    if (!on_route && !on_delivery) continue;
    const std::string body = r.method == "GET" ? "" : R"({"reason":"家中无人","received_by":"金"})";
    // The other's first: a write on its own would change what it finds.
    for (int i : {1, 0}) {
      const std::string target = Concrete(r.path, on_route ? route[i] : delivery[i]);
      INFO(r.method << " " << target << (i == 0 ? " (assigned)" : " (not assigned)"));
      const Response got =
          f.http().Request(r.method, target, body, {{"Authorization", "Bearer " + volunteer}});
      if (i == 1) {
        CHECK_ERROR(got, 404, "");
      } else {
        CHECK(got.status != 401);
        CHECK(got.status != 403);
        CHECK(got.status != 404);
      }
      ++checked;
    }
  }
  CHECK(checked == 2 * 5);
  // The lists are narrowed the same way.
  const Response listed = f.http().Get("/v1/deliveries", volunteer);
  REQUIRE_STATUS(listed, 200);
  const json::array items = listed.Json().at("items").as_array();
  REQUIRE(items.size() == 1);
  CHECK(Id(items[0].at("id")) == delivery[0]);
  CHECK_ERROR(f.http().Get("/v1/deliveries?route_id=" + std::to_string(route[1]), volunteer), 404,
              "route_id");
}

TEST_CASE("another station's or donor's id is 404 before the rest of the body is validated",
          "[api][authz]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  auto post = [&](std::string_view path, const json::object& body, const std::string& token) {
    return f.http().Post(path, body, token);
  };
  // Incomplete bodies: validation alone would answer 400.
  CHECK_ERROR(post("/v1/requesters", {{"station_id", w.station_b_id}}, w.station_a), 404,
              "station_id");
  CHECK_ERROR(post("/v1/needs", {{"requester_id", w.requester_b}}, w.station_a), 404,
              "requester_id");
  CHECK_ERROR(post("/v1/lots", {{"donor_id", w.donor_b_id}}, w.donor_a), 404, "donor_id");
  // Their own ids with the same bodies are 400: the body is then checked.
  CHECK_ERROR(post("/v1/requesters", {{"station_id", w.station_a_id}}, w.station_a), 400, "");
  CHECK_ERROR(post("/v1/needs", {{"requester_id", w.requester_a}}, w.station_a), 400, "");
  CHECK_ERROR(post("/v1/lots", {{"donor_id", w.donor_a_id}}, w.donor_a), 400, "");
}

TEST_CASE("a known path with a wrong method answers 405 with an Allow header", "[api][http]") {
  TestServer server;
  Fixture f(server);
  const Response r =
      f.http().Request("DELETE", "/v1/items", "", {{"Authorization", "Bearer " + f.admin()}});
  CHECK_ERROR(r, 405, "");
  CHECK(r.Header("Allow") == "POST, GET, HEAD");
  CHECK_ERROR(f.http().Request("PUT", "/v1/nowhere", "", {}), 404, "");
}

}  // namespace
}  // namespace aidlink::test
