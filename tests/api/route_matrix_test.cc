// The role x route matrix derived from the route table itself: for every
// route that authenticates and every role, the server answers 403 exactly
// when the table does not admit the role. Object-level scope (404 for
// another station's objects) is authz_test.cc's business.

#include <algorithm>
#include <string>
#include <vector>

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
  const std::pair<api::Role, std::string> callers[] = {
      {api::Role::kAdmin, w.admin},
      {api::Role::kDispatcher, w.dispatcher},
      {api::Role::kStation, w.station_a},
      {api::Role::kDonor, w.donor_a},
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
  // Every authenticated route of API.md, four roles each.
  CHECK(checked >= 4 * 40);
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
      {"GET", "/v1/routes", {Role::kDispatcher}},
      {"GET", "/v1/match/runs", {Role::kDispatcher}},
      {"GET", "/v1/requesters", {Role::kDispatcher, Role::kStation}},
      {"GET", "/v1/needs", {Role::kDispatcher, Role::kStation}},
  };
  const auto routes = table.Routes();
  for (const Expected& e : expected) {
    INFO(e.method << " " << e.path);
    auto it = std::find_if(routes.begin(), routes.end(),
                           [&](const auto& r) { return r.method == e.method && r.path == e.path; });
    REQUIRE(it != routes.end());
    for (Role role : {Role::kDispatcher, Role::kStation, Role::kDonor}) {
      const bool want = std::find(e.admitted.begin(), e.admitted.end(), role) != e.admitted.end();
      CHECK(it->access.Admits(role) == want);
    }
    CHECK(it->access.Admits(Role::kAdmin));
  }
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
