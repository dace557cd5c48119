// The authorization matrix: every role x every endpoint (through needs) x
// own/other scope. Each call is checked for its status, for the database
// being unchanged when it is refused, and for household data or another
// donor's data leaking into the body.

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <regex>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

enum Role { kAdmin, kDispatcher, kStationA, kStationB, kDonorA, kDonorB, kNoToken, kBadToken };
constexpr std::array<Role, 8> kRoles = {kAdmin,  kDispatcher, kStationA, kStationB,
                                        kDonorA, kDonorB,     kNoToken,  kBadToken};
const char* RoleName(Role r) {
  static const char* kNames[] = {"admin",   "dispatcher", "station A", "station B",
                                 "donor A", "donor B",    "no token",  "bad token"};
  return kNames[r];
}

// Any 2xx (actions such as :cancel may answer 200 or 201).
constexpr int k2xx = 2;
using Allowed = std::vector<int>;
// Expected status per role, in the order of kRoles.
using Expect = std::array<Allowed, 8>;

struct Call {
  std::string method;
  std::string path;
  std::optional<json::object> body;
};

struct Case {
  std::string name;
  std::function<Call(Fixture&, World&)> make;
  Expect expect;
  // Extra checks of a 200 list answer for the role's scope.
  std::function<void(Role, const json::object&)> scope_check = nullptr;
};

std::string TokenFor(Role r, const World& w) {
  switch (r) {
    case kAdmin:
      return w.admin;
    case kDispatcher:
      return w.dispatcher;
    case kStationA:
      return w.station_a;
    case kStationB:
      return w.station_b;
    case kDonorA:
      return w.donor_a;
    case kDonorB:
      return w.donor_b;
    case kNoToken:
      return "";
    case kBadToken:
      return "not-a-real-token-0123456789abcdef";
  }
  return "";
}

// Strings a role must never see in any answer.
std::vector<std::string> ForbiddenFor(Role r, const World& w) {
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& v) { out.insert(out.end(), v.begin(), v.end()); };
  switch (r) {
    case kAdmin:
    case kDispatcher:
      break;
    case kStationA:
      add(w.household_b);
      break;
    case kStationB:
      add(w.household_a);
      break;
    case kDonorA:
      add(w.household_a);
      add(w.household_b);
      add(w.donor_b_private);
      break;
    case kDonorB:
      add(w.household_a);
      add(w.household_b);
      add(w.donor_a_private);
      break;
    case kNoToken:
    case kBadToken:
      add(w.household_a);
      add(w.household_b);
      add(w.donor_a_private);
      add(w.donor_b_private);
      break;
  }
  return out;
}

bool Allows(const Allowed& allowed, int status) {
  for (int a : allowed) {
    if (a == status || (a == k2xx && status >= 200 && status < 300)) return true;
  }
  return false;
}

std::string Describe(const Allowed& allowed) {
  std::string out;
  for (int a : allowed) out += (out.empty() ? "" : "|") + (a == k2xx ? "2xx" : std::to_string(a));
  return out;
}

std::string S(int64_t id) { return std::to_string(id); }

TEST_CASE("every role gets exactly its rights on every endpoint and sees nothing beyond its scope",
          "[api][authz]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);

  // Station of a requester, looked up as the dispatcher (cached).
  std::map<int64_t, int64_t> station_of;
  auto station_of_requester = [&](int64_t requester_id) {
    auto it = station_of.find(requester_id);
    if (it != station_of.end()) return it->second;
    json::object r = f.Fetch("/v1/requesters/" + S(requester_id), w.dispatcher);
    return station_of[requester_id] = Id(r.at("station_id"));
  };
  auto own_station = [&](Role r) { return r == kStationA ? w.station_a_id : w.station_b_id; };
  auto own_donor = [&](Role r) { return r == kDonorA ? w.donor_a_id : w.donor_b_id; };
  auto items_of = [](const json::object& list) {
    std::vector<json::object> out;
    if (list.contains("items")) {
      for (const auto& v : list.at("items").as_array()) out.push_back(v.as_object());
    }
    return out;
  };
  auto requesters_in_scope = [&](Role r, const json::object& list) {
    if (r != kStationA && r != kStationB) return;
    for (const auto& o : items_of(list)) {
      INFO("listed requester " << json::serialize(o));
      CHECK(Id(o.at("station_id")) == own_station(r));
    }
  };
  auto needs_in_scope = [&](Role r, const json::object& list) {
    if (r != kStationA && r != kStationB) return;
    for (const auto& o : items_of(list)) {
      INFO("listed need " << json::serialize(o));
      CHECK(station_of_requester(Id(o.at("requester_id"))) == own_station(r));
    }
  };
  auto lots_in_scope = [&](Role r, const json::object& list) {
    if (r != kDonorA && r != kDonorB) return;
    for (const auto& o : items_of(list)) {
      INFO("listed lot " << json::serialize(o));
      CHECK(Id(o.at("donor_id")) == own_donor(r));
    }
  };
  auto get = [](std::string path) {
    return [path](Fixture&, World&) { return Call{"GET", path, std::nullopt}; };
  };
  auto post = [](std::string path, json::object body) {
    return [path, body](Fixture&, World&) { return Call{"POST", path, body}; };
  };

  const Allowed ok{k2xx};
  const Allowed s200{200}, s201{201}, s401{401}, s403{403}, s404{404};
  const Allowed any_auth_ok{200};
  const Allowed refused_or_empty{200, 403, 404};

  std::vector<Case> cases = {
      {"GET /healthz", get("/healthz"),
       {s200, s200, s200, s200, s200, s200, s200, Allowed{200, 401}}},
      {"GET /metrics", get("/metrics"),
       {s200, s200, s200, s200, s200, s200, s200, Allowed{200, 401}}},
      {"POST /v1/tokens", post("/v1/tokens", {{"role", "dispatcher"}, {"label", "矩阵"}}),
       {s201, s403, s403, s403, s403, s403, s401, s401}},
      {"POST /v1/tokens for station A",
       post("/v1/tokens", {{"role", "station"}, {"station_id", w.station_a_id}, {"label", "矩阵"}}),
       {s201, s403, s403, s403, s403, s403, s401, s401}},
      {"POST /v1/items",
       [](Fixture&, World&) {
         return Call{"POST", "/v1/items", SampleItem(Unique("MATRIX-ITEM-"))};
       },
       {s201, s201, s403, s403, s403, s403, s401, s401}},
      {"GET /v1/items", get("/v1/items"), {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"POST /v1/donors", post("/v1/donors", SampleDonor()),
       {s201, s201, s403, s403, s403, s403, s401, s401}},
      {"GET /v1/donors", get("/v1/donors"),
       {s200, s200, s403, s403, refused_or_empty, refused_or_empty, s401, s401},
       [&](Role r, const json::object& list) {
         if (r != kDonorA && r != kDonorB) return;
         for (const auto& o : items_of(list)) CHECK(Id(o.at("id")) == own_donor(r));
       }},
      {"GET /v1/items/{id}", get("/v1/items/" + S(w.item_id)),
       {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"GET /v1/depots/{id}", get("/v1/depots/" + S(w.depot_id)),
       {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"GET /v1/stations/{id}", get("/v1/stations/" + S(w.station_a_id)),
       {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"GET /v1/donors/{A}", get("/v1/donors/" + S(w.donor_a_id)),
       {s200, s200, s403, s403, s200, s404, s401, s401}},
      {"GET /v1/donors/{B}", get("/v1/donors/" + S(w.donor_b_id)),
       {s200, s200, s403, s403, s404, s200, s401, s401}},
      {"GET /v1/donors/{unknown}", get("/v1/donors/999999"),
       {s404, s404, s403, s403, s404, s404, s401, s401}},
      {"POST /v1/depots", post("/v1/depots", SampleDepot()),
       {s201, s201, s403, s403, s403, s403, s401, s401}},
      {"GET /v1/depots", get("/v1/depots"), {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"POST /v1/stations", post("/v1/stations", SampleStation("矩阵社工站", "江岸区")),
       {s201, s403, s403, s403, s403, s403, s401, s401}},
      {"GET /v1/stations", get("/v1/stations"), {s200, s200, s200, s200, s200, s200, s401, s401}},
      {"POST /v1/requesters for station A", post("/v1/requesters", SampleRequester(w.station_a_id)),
       {s201, s201, s201, s404, s403, s403, s401, s401}},
      {"POST /v1/requesters for station B",
       post("/v1/requesters", SampleRequesterB(w.station_b_id)),
       {s201, s201, s404, s201, s403, s403, s401, s401}},
      {"GET /v1/requesters", get("/v1/requesters"),
       {s200, s200, s200, s200, s403, s403, s401, s401}, requesters_in_scope},
      {"GET /v1/requesters?station_id=A", get("/v1/requesters?station_id=" + S(w.station_a_id)),
       {s200, s200, s200, refused_or_empty, s403, s403, s401, s401}, requesters_in_scope},
      {"GET /v1/requesters?station_id=B", get("/v1/requesters?station_id=" + S(w.station_b_id)),
       {s200, s200, refused_or_empty, s200, s403, s403, s401, s401}, requesters_in_scope},
      {"GET /v1/requesters/{A}", get("/v1/requesters/" + S(w.requester_a)),
       {s200, s200, s200, s404, s403, s403, s401, s401}},
      {"GET /v1/requesters/{B}", get("/v1/requesters/" + S(w.requester_b)),
       {s200, s200, s404, s200, s403, s403, s401, s401}},
      {"GET /v1/requesters/{unknown}", get("/v1/requesters/999999"),
       {s404, s404, s404, s404, s403, s403, s401, s401}},
      {"POST /v1/lots for donor A",
       post("/v1/lots", SampleLot(w.donor_a_id, w.item_id, w.depot_id, 10)),
       {s201, s201, s403, s403, s201, s404, s401, s401}},
      {"POST /v1/lots for donor B",
       post("/v1/lots", SampleLot(w.donor_b_id, w.item_id, w.depot_id, 10)),
       {s201, s201, s403, s403, s404, s201, s401, s401}},
      {"GET /v1/lots", get("/v1/lots"), {s200, s200, s403, s403, s200, s200, s401, s401},
       lots_in_scope},
      {"GET /v1/lots?donor_id=A", get("/v1/lots?donor_id=" + S(w.donor_a_id)),
       {s200, s200, s403, s403, s200, refused_or_empty, s401, s401}, lots_in_scope},
      {"GET /v1/lots?item_id=", get("/v1/lots?item_id=" + S(w.item_id)),
       {s200, s200, s403, s403, s200, s200, s401, s401}, lots_in_scope},
      {"GET /v1/lots/{A}", get("/v1/lots/" + S(w.lot_a)),
       {s200, s200, s403, s403, s200, s404, s401, s401}},
      {"GET /v1/lots/{B}", get("/v1/lots/" + S(w.lot_b)),
       {s200, s200, s403, s403, s404, s200, s401, s401}},
      {"GET /v1/lots/{unknown}", get("/v1/lots/999999"),
       {s404, s404, s403, s403, s404, s404, s401, s401}},
      {"POST /v1/lots/{A}:write_off",
       post("/v1/lots/" + S(w.lot_a) + ":write_off", {{"quantity", 1}, {"reason", "破损"}}),
       {ok, ok, s403, s403, s403, s403, s401, s401}},
      {"POST /v1/needs for requester A",
       post("/v1/needs", SampleNeed(w.requester_a, w.item_id, 1)),
       {s201, s201, s201, s404, s403, s403, s401, s401}},
      {"POST /v1/needs for requester B",
       post("/v1/needs", SampleNeed(w.requester_b, w.item_id, 1)),
       {s201, s201, s404, s201, s403, s403, s401, s401}},
      {"GET /v1/needs", get("/v1/needs"), {s200, s200, s200, s200, s403, s403, s401, s401},
       needs_in_scope},
      {"GET /v1/needs?station_id=A", get("/v1/needs?station_id=" + S(w.station_a_id)),
       {s200, s200, s200, refused_or_empty, s403, s403, s401, s401}, needs_in_scope},
      {"GET /v1/needs?station_id=B", get("/v1/needs?station_id=" + S(w.station_b_id)),
       {s200, s200, refused_or_empty, s200, s403, s403, s401, s401}, needs_in_scope},
      {"GET /v1/needs?item_id=", get("/v1/needs?item_id=" + S(w.item_id)),
       {s200, s200, s200, s200, s403, s403, s401, s401}, needs_in_scope},
      {"GET /v1/needs/{A}", get("/v1/needs/" + S(w.need_a)),
       {s200, s200, s200, s404, s403, s403, s401, s401}},
      {"GET /v1/needs/{B}", get("/v1/needs/" + S(w.need_b)),
       {s200, s200, s404, s200, s403, s403, s401, s401}},
      {"GET /v1/needs/{unknown}", get("/v1/needs/999999"),
       {s404, s404, s404, s404, s403, s403, s401, s401}},
      {"POST /v1/needs/{fresh A}:cancel",
       [](Fixture& fx, World& wd) {
         int64_t id = fx.CreateNeed(wd.dispatcher, SampleNeed(wd.requester_a, wd.item_id, 3));
         return Call{"POST", "/v1/needs/" + S(id) + ":cancel",
                     json::object{{"reason", "已自行购买"}}};
       },
       {ok, ok, ok, s404, s403, s403, s401, s401}},
      {"POST /v1/needs/{fresh B}:cancel",
       [](Fixture& fx, World& wd) {
         int64_t id = fx.CreateNeed(wd.dispatcher, SampleNeed(wd.requester_b, wd.item_id, 3));
         return Call{"POST", "/v1/needs/" + S(id) + ":cancel",
                     json::object{{"reason", "已自行购买"}}};
       },
       {ok, ok, s404, ok, s403, s403, s401, s401}},
  };

  int calls = 0;
  for (const Case& c : cases) {
    for (Role role : kRoles) {
      Call call = c.make(f, w);
      const Allowed& allowed = c.expect[role];
      std::string token = TokenFor(role, w);
      auto counts_before = CountAllRows(server.db_path());
      Response r = call.method == "GET" ? f.http().Get(call.path, token)
                                        : f.http().Post(call.path, *call.body, token);
      ++calls;
      INFO(RoleName(role) << ": " << call.method << " " << call.path << " [" << c.name << "] want "
                          << Describe(allowed) << ", got " << r.Describe());
      CHECK(Allows(allowed, r.status));
      if (r.status >= 400) {
        CHECK(ErrorProblem(r, {r.status}) == "");
        if (!Allows(allowed, 200) && !Allows(allowed, 201)) {
          CHECK(CountAllRows(server.db_path()) == counts_before);
        }
      }
      for (const std::string& secret : ForbiddenFor(role, w)) {
        INFO("must not contain " << secret);
        CHECK_FALSE(BodyContains(r, secret));
      }
      if (r.status == 200 && c.scope_check && r.IsJson() && r.Json().is_object()) {
        c.scope_check(role, r.Json().as_object());
      }
    }
  }
  CHECK(calls == static_cast<int>(cases.size() * kRoles.size()));
}

TEST_CASE("an object out of scope is indistinguishable from one that does not exist",
          "[api][authz]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const int64_t kMissing = 999999;
  struct Probe {
    std::string what;
    std::string token;
    std::function<Response(int64_t)> call;  // called with the other's id, then kMissing
    int64_t other;
  };
  const std::vector<Probe> probes = {
      {"station B reads requester A", w.station_b,
       [&](int64_t id) { return f.http().Get("/v1/requesters/" + S(id), w.station_b); },
       w.requester_a},
      {"station B reads need A", w.station_b,
       [&](int64_t id) { return f.http().Get("/v1/needs/" + S(id), w.station_b); }, w.need_a},
      {"station B cancels need A", w.station_b,
       [&](int64_t id) {
         return f.http().Post("/v1/needs/" + S(id) + ":cancel", json::object{{"reason", "x"}},
                              w.station_b);
       },
       w.need_a},
      {"station B files a need for requester A", w.station_b,
       [&](int64_t id) {
         return f.http().Post("/v1/needs", SampleNeed(id, w.item_id, 1), w.station_b);
       },
       w.requester_a},
      {"station B files a requester for station A", w.station_b,
       [&](int64_t id) {
         return f.http().Post("/v1/requesters", SampleRequester(id), w.station_b);
       },
       w.station_a_id},
      {"donor B reads lot A", w.donor_b,
       [&](int64_t id) { return f.http().Get("/v1/lots/" + S(id), w.donor_b); }, w.lot_a},
      {"donor B reads donor A", w.donor_b,
       [&](int64_t id) { return f.http().Get("/v1/donors/" + S(id), w.donor_b); }, w.donor_a_id},
      {"donor B logs a lot for donor A", w.donor_b,
       [&](int64_t id) {
         return f.http().Post("/v1/lots", SampleLot(id, w.item_id, w.depot_id, 1), w.donor_b);
       },
       w.donor_a_id},
  };
  for (const Probe& p : probes) {
    Response other = p.call(p.other);
    Response missing = p.call(kMissing);
    INFO(p.what << "\n  other's:  " << other.Describe() << "\n  missing: " << missing.Describe());
    CHECK(other.status == 404);
    CHECK(other.status == missing.status);
    // The answer may echo the id it was given, and nothing else may differ.
    auto without_id = [](const std::string& body, int64_t id) {
      return std::regex_replace(body, std::regex("\\b" + std::to_string(id) + "\\b"), "<id>");
    };
    CHECK(without_id(other.body, p.other) == without_id(missing.body, kMissing));
  }
}

TEST_CASE("a donor never sees household data, even through its own lots", "[api][authz]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  std::vector<std::string> forbidden = w.household_a;
  forbidden.insert(forbidden.end(), w.household_b.begin(), w.household_b.end());
  for (const std::string& path :
       {std::string("/v1/lots"), "/v1/lots/" + S(w.lot_a), "/v1/donors/" + S(w.donor_a_id),
        std::string("/v1/items"), std::string("/v1/stations"), std::string("/v1/depots")}) {
    Response r = f.http().Get(path, w.donor_a);
    INFO(path << " -> " << r.Describe());
    CHECK(r.status == 200);
    for (const std::string& s : forbidden) CHECK_FALSE(BodyContains(r, s));
  }
}

TEST_CASE("a malformed or wrong Authorization header is unauthenticated", "[api][authz]") {
  TestServer server;
  HttpClient http(server.port());
  const std::string good = server.admin_token();
  const std::vector<Headers> bad_headers = {
      {{"Authorization", "Bearer"}},
      {{"Authorization", "Bearer "}},
      {{"Authorization", "Basic " + good}},
      {{"Authorization", good}},
      {{"Authorization", "Bearer " + good + "x"}},
      {{"Authorization", "Bearer " + good.substr(0, good.size() - 1)}},
      {{"Authorization", "Bearer " + std::string(1'000, 'a')}},
  };
  for (const Headers& h : bad_headers) {
    Response r = http.Request("GET", "/v1/items", {}, h);
    INFO("Authorization: " << h[0].second.substr(0, 80));
    CHECK_ERROR(r, 401, "");
  }
  REQUIRE_STATUS(http.Get("/v1/items", good), 200);
}

}  // namespace
}  // namespace aidlink::test
