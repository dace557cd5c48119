// Resource semantics of API.md from /healthz through needs, one resource at a
// time, against the real server.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::set<int64_t> Ids(const std::vector<json::object>& objects) {
  std::set<int64_t> ids;
  for (const auto& o : objects) ids.insert(Id(o.at("id")));
  return ids;
}

TEST_CASE("healthz answers ok without a token", "[api]") {
  TestServer server;
  HttpClient http(server.port());
  Response r = http.Get("/healthz");
  REQUIRE_STATUS(r, 200);
  json::value v = r.Json();
  REQUIRE(v.is_object());
  CHECK(Str(v.as_object().at("status")) == "ok");
}

TEST_CASE("metrics answer Prometheus text to a loopback caller", "[api]") {
  TestServer server;
  HttpClient http(server.port());
  REQUIRE_STATUS(http.Get("/healthz"), 200);
  Response r = http.Get("/metrics");
  REQUIRE_STATUS(r, 200);
  CHECK(r.Header("content-type").rfind("text/plain", 0) == 0);
  CHECK_FALSE(r.body.empty());
  CHECK(r.body.front() != '{');
  // Every line is a comment or `name{labels} value` (Prometheus text format 0.0.4).
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (NaN|\+Inf|-Inf)$)");
  std::istringstream lines(r.body);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    INFO(line);
    CHECK(std::regex_match(line, sample));
    ++samples;
  }
  CHECK(samples > 0);
}

// A local IPv4 address that is not loopback, or "" if the machine has none.
std::string NonLoopbackAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
    char text[INET_ADDRSTRLEN] = {};
    sockaddr_in in{};
    std::memcpy(&in, a->ifa_addr, sizeof in);
    if (inet_ntop(AF_INET, &in.sin_addr, text, sizeof text)) found = text;
  }
  freeifaddrs(list);
  return found;
}

TEST_CASE("metrics off loopback are for the admin only", "[api]") {
  const std::string address = NonLoopbackAddress();
  if (address.empty()) {
    WARN("no non-loopback IPv4 address on this machine; nothing to test");
    return;
  }
  TestServerOptions options;
  options.listen = "0.0.0.0:0";
  TestServer server(options);
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  HttpClient remote(server.port(), address);
  REQUIRE_STATUS(remote.Get("/healthz"), 200);
  CHECK_ERROR(remote.Get("/metrics"), 401, "");
  CHECK_ERROR(remote.Get("/metrics", desk), 403, "");
  Response admin = remote.Get("/metrics", server.admin_token());
  CHECK_STATUS(admin, 200);
  CHECK(admin.Header("content-type").rfind("text/plain", 0) == 0);
  // A forged header does not make a remote caller local.
  CHECK_ERROR(
      remote.Get("/metrics", "", {{"X-Forwarded-For", "127.0.0.1"}, {"X-Real-IP", "127.0.0.1"}}),
      401, "");
}

TEST_CASE("the Bearer scheme is case-insensitive (RFC 7235)", "[api][tokens]") {
  TestServer server;
  HttpClient http(server.port());
  for (const char* scheme : {"bearer ", "BEARER "}) {
    INFO(scheme);
    CHECK_STATUS(
        http.Request("GET", "/v1/items", {}, {{"Authorization", scheme + server.admin_token()}}),
        200);
  }
}

TEST_CASE("an unknown path answers 404 with the error shape", "[api]") {
  TestServer server;
  HttpClient http(server.port());
  CHECK_ERROR(http.Get("/v1/nothing-here", server.admin_token()), 404, "");
  CHECK_ERROR(http.Get("/v1/items/1/nothing", server.admin_token()), 404, "");
}

TEST_CASE("the admin issues tokens that work and are stored only as hashes", "[api][tokens]") {
  TestServer server;
  Fixture f(server);
  json::object created =
      f.Create("/v1/tokens", {{"role", "dispatcher"}, {"label", "江汉区调度台"}}, f.admin());
  REQUIRE(created.contains("id"));
  (void)Id(created.at("id"));
  std::string token = Str(created.at("token"));
  REQUIRE(token.size() >= 16);
  REQUIRE_STATUS(f.http().Get("/v1/items", token), 200);

  SECTION("a second token is different") { CHECK(f.NewDispatcherToken("第二个调度台") != token); }
  SECTION("no token secret is in the database files") {
    std::string bytes = ReadAll(server.db_path()) + ReadAll(server.db_path() + "-wal");
    REQUIRE_FALSE(bytes.empty());
    CHECK(bytes.find(token) == std::string::npos);
    CHECK(bytes.find(server.admin_token()) == std::string::npos);
  }
  SECTION("a station token needs an existing station") {
    Response r =
        f.http().Post("/v1/tokens", json::object{{"role", "station"}, {"label", "x"}}, f.admin());
    CHECK_ERROR(r, 400, "station_id");
  }
}

TEST_CASE("an item is created with its fields, listed, and its code is unique", "[api][items]") {
  TestServer server;
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  json::object body = SampleItem("BP-MED-001");
  json::object item = f.Create("/v1/items", body, desk);
  CHECK(Str(item.at("code")) == "BP-MED-001");
  CHECK(Str(item.at("name")) == "降压药（硝苯地平缓释片）");
  CHECK(Str(item.at("category")) == "medicine");
  CHECK(Str(item.at("unit")) == "box");
  CHECK(IntOr(item, "pack_size") == 1);
  CHECK((!item.contains("perishable") || item.at("perishable") == json::value(false)));

  json::object masks = {{"code", "KN95"},  {"name", "KN95口罩"}, {"category", "ppe"},
                        {"unit", "piece"}, {"pack_size", 10},    {"perishable", false}};
  int64_t masks_id = Id(f.Create("/v1/items", masks, desk).at("id"));
  json::object veg = {{"code", "VEG"},     {"name", "蔬菜包"}, {"category", "food"},
                      {"unit", "portion"}, {"pack_size", 1},   {"perishable", true}};
  json::object veg_out = f.Create("/v1/items", veg, desk);
  CHECK(veg_out.at("perishable") == json::value(true));

  std::set<int64_t> listed = Ids(f.ListAll("/v1/items", desk));
  CHECK(listed == std::set<int64_t>{Id(item.at("id")), masks_id, Id(veg_out.at("id"))});

  int64_t items_before = CountRows(server.db_path(), "items");
  Response dup = f.http().Post("/v1/items", SampleItem("BP-MED-001"), desk);
  CHECK_ERROR(dup, 409, "");
  CHECK(CountRows(server.db_path(), "items") == items_before);
}

TEST_CASE("a donor is created with its fields and read back", "[api][donors]") {
  TestServer server;
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  json::object donor = f.Create("/v1/donors", SampleDonor(), desk);
  int64_t id = Id(donor.at("id"));
  json::object got = f.Fetch("/v1/donors/" + std::to_string(id), desk);
  CHECK(Str(got.at("name")) == "仁和大药房");
  CHECK(Str(got.at("kind")) == "enterprise");
  CHECK(Str(got.at("phone")) == "02788886666");
  CHECK(Str(got.at("note")) == "定向捐赠给独居老人");
  std::string own = f.NewDonorToken(id);
  CHECK(Str(f.Fetch("/v1/donors/" + std::to_string(id), own).at("name")) == "仁和大药房");
  CHECK_ERROR(f.http().Get("/v1/donors/999999", desk), 404, "");
}

TEST_CASE("depots and stations are created and listed to every role", "[api][depots][stations]") {
  TestServer server;
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  json::object depot = f.Create("/v1/depots", SampleDepot(), desk);
  CHECK(Str(depot.at("name")) == "江汉区物资中转仓");
  CHECK(Str(depot.at("address")) == "江汉区新华路100号");
  CHECK(Str(depot.at("district")) == "江汉区");
  json::object no_coords = {
      {"name", "社区爱心超市"}, {"address", "江汉区前进四路8号"}, {"district", "江汉区"}};
  f.Create("/v1/depots", no_coords, desk);
  int64_t station = f.CreateStation("江汉区民族街社工站", "江汉区");
  std::string station_token = f.NewStationToken(station);
  int64_t donor = f.CreateDonor(desk);
  std::string donor_token = f.NewDonorToken(donor);
  for (const std::string& token : {desk, station_token, donor_token, f.admin()}) {
    CHECK(f.ListAll("/v1/depots", token).size() == 2);
    std::vector<json::object> stations = f.ListAll("/v1/stations", token);
    REQUIRE(stations.size() == 1);
    CHECK(Str(stations[0].at("name")) == "江汉区民族街社工站");
    CHECK(Str(stations[0].at("district")) == "江汉区");
  }
}

TEST_CASE("a requester keeps its Chinese data and tags", "[api][requesters]") {
  TestServer server;
  Fixture f(server);
  int64_t station = f.CreateStation();
  std::string token = f.NewStationToken(station);
  json::object body = SampleRequester(station);
  int64_t id = f.CreateRequester(token, body);
  json::object got = f.Fetch("/v1/requesters/" + std::to_string(id), token);
  CHECK(Id(got.at("station_id")) == station);
  for (const char* key : {"kind", "name", "contact_name", "phone", "address", "district"}) {
    INFO(key);
    CHECK(Str(got.at(key)) == Str(body.at(key)));
  }
  CHECK(IntOr(got, "household_size") == 1);
  REQUIRE(got.at("tags").is_array());
  std::set<std::string> tags;
  for (const auto& t : got.at("tags").as_array()) tags.insert(Str(t));
  CHECK(tags == std::set<std::string>{"elderly_alone", "chronic_illness"});

  SECTION("every requester kind and tag of DESIGN.md is accepted") {
    for (const char* kind : {"household", "community", "institution", "frontline_post"}) {
      json::object b = SampleRequester(station);
      b["kind"] = kind;
      b["tags"] =
          json::array{"elderly_alone", "chronic_illness", "disability", "child_in_difficulty",
                      "quarantined",   "pregnant",        "low_income", "frontline_worker"};
      INFO(kind);
      REQUIRE_STATUS(f.http().Post("/v1/requesters", b, token), 201);
    }
  }
  SECTION("names of exactly 200 characters are accepted") {
    json::object b = SampleRequester(station);
    std::string name;
    for (int i = 0; i < 200; ++i) name += "金";
    b["name"] = name;
    Response r = f.http().Post("/v1/requesters", b, token);
    REQUIRE_STATUS(r, 201);
    CHECK(Str(r.Json().at("name")) == name);
  }
}

TEST_CASE("a new lot has its whole quantity available", "[api][lots]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object lot = f.Fetch("/v1/lots/" + std::to_string(w.lot_a), w.dispatcher);
  CHECK(Id(lot.at("donor_id")) == w.donor_a_id);
  CHECK(Id(lot.at("item_id")) == w.item_id);
  CHECK(Id(lot.at("depot_id")) == w.depot_id);
  CHECK(IntOr(lot, "quantity") == 500);
  CHECK(IntOr(lot, "available") == 500);
  CHECK(IntOr(lot, "allocated") == 0);
  CHECK(IntOr(lot, "delivered") == 0);
  CHECK(IntOr(lot, "written_off") == 0);
  CHECK(Str(lot.at("expires_on")) == "2027-06-30");

  SECTION("an earmark is kept") {
    json::object body = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 200);
    body["earmark"] = json::object{{"districts", json::array{"江汉区"}},
                                   {"requester_kinds", json::array{"household"}},
                                   {"tags", json::array{"elderly_alone"}},
                                   {"station_ids", json::array{w.station_a_id}}};
    json::object created = f.Create("/v1/lots", body, w.dispatcher);
    json::object got = f.Fetch("/v1/lots/" + std::to_string(Id(created.at("id"))), w.dispatcher);
    REQUIRE(got.contains("earmark"));
    const json::object& earmark = got.at("earmark").as_object();
    CHECK(Str(earmark.at("districts").as_array().at(0)) == "江汉区");
    CHECK(Str(earmark.at("requester_kinds").as_array().at(0)) == "household");
    CHECK(Str(earmark.at("tags").as_array().at(0)) == "elderly_alone");
    CHECK(Id(earmark.at("station_ids").as_array().at(0)) == w.station_a_id);
  }
  SECTION("expires_on is optional") {
    json::object body = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 5);
    body.erase("expires_on");
    REQUIRE_STATUS(f.http().Post("/v1/lots", body, w.dispatcher), 201);
  }
}

TEST_CASE("writing off part of a lot moves it from available to written_off", "[api][lots]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string path = "/v1/lots/" + std::to_string(w.lot_a);
  int64_t events_before = CountRows(server.db_path(), "events");
  Response r =
      f.http().Post(path + ":write_off",
                    json::object{{"quantity", 30}, {"reason", "包装破损，无法发放"}}, w.dispatcher);
  REQUIRE_OK(r);
  json::object lot = f.Fetch(path, w.dispatcher);
  CHECK(IntOr(lot, "available") == 470);
  CHECK(IntOr(lot, "written_off") == 30);
  CHECK(IntOr(lot, "quantity") == 500);
  CHECK(CountRows(server.db_path(), "events") > events_before);

  SECTION("more than is available is a failed precondition and changes nothing") {
    auto counts = CountAllRows(server.db_path());
    Response over = f.http().Post(
        path + ":write_off", json::object{{"quantity", 471}, {"reason", "过期"}}, w.dispatcher);
    CHECK_ERROR(over, 422, "");
    json::object after = f.Fetch(path, w.dispatcher);
    CHECK(IntOr(after, "available") == 470);
    CHECK(IntOr(after, "written_off") == 30);
    CHECK(CountAllRows(server.db_path()) == counts);
  }
  SECTION("exactly what is available may be written off") {
    REQUIRE_OK(f.http().Post(path + ":write_off",
                             json::object{{"quantity", 470}, {"reason", "受潮"}}, w.dispatcher));
    json::object after = f.Fetch(path, w.dispatcher);
    CHECK(IntOr(after, "available") == 0);
    CHECK(IntOr(after, "written_off") == 500);
  }
  SECTION("an unknown lot is not found") {
    CHECK_ERROR(f.http().Post("/v1/lots/999999:write_off",
                              json::object{{"quantity", 1}, {"reason", "x"}}, w.dispatcher),
                404, "");
  }
}

TEST_CASE("a new need is open with its whole quantity outstanding", "[api][needs]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object body = SampleNeed(w.requester_a, w.item_id, 4, "critical");
  json::object created = f.Create("/v1/needs", body, w.station_a);
  CHECK(Str(created.at("status")) == "open");
  CHECK(IntOr(created, "outstanding") == 4);
  json::object need = f.Fetch("/v1/needs/" + std::to_string(Id(created.at("id"))), w.station_a);
  CHECK(Id(need.at("requester_id")) == w.requester_a);
  CHECK(Id(need.at("item_id")) == w.item_id);
  CHECK(IntOr(need, "quantity") == 4);
  CHECK(Str(need.at("urgency")) == "critical");
  CHECK(Str(need.at("needed_by")) == "2026-12-01");
  CHECK(Str(need.at("note")) == Str(body.at("note")));
  CHECK(Str(need.at("status")) == "open");
  CHECK(IntOr(need, "outstanding") == 4);
  CHECK(IntOr(need, "allocated") == 0);
  CHECK(IntOr(need, "delivered") == 0);
  CHECK(IntOr(need, "cancelled") == 0);

  SECTION("every urgency is accepted and needed_by is optional") {
    for (const char* urgency : {"critical", "high", "normal", "low"}) {
      json::object b = SampleNeed(w.requester_a, w.item_id, 1, urgency);
      b.erase("needed_by");
      INFO(urgency);
      REQUIRE_STATUS(f.http().Post("/v1/needs", b, w.station_a), 201);
    }
  }
  SECTION("ids may be sent as strings") {
    json::object b = SampleNeed(0, 0, 3);
    b["requester_id"] = std::to_string(w.requester_a);
    b["item_id"] = std::to_string(w.item_id);
    b["quantity"] = "3";
    Response r = f.http().Post("/v1/needs", b, w.station_a);
    REQUIRE_STATUS(r, 201);
    CHECK(Id(r.Json().at("requester_id")) == w.requester_a);
    CHECK(IntOr(r.Json().as_object(), "outstanding") == 3);
  }
}

TEST_CASE("cancelling a need moves its outstanding quantity to cancelled", "[api][needs]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string path = "/v1/needs/" + std::to_string(w.need_a);
  Response r =
      f.http().Post(path + ":cancel", json::object{{"reason", "家属已买到药"}}, w.station_a);
  REQUIRE_OK(r);
  for (const json::object& need : {r.Json().as_object(), f.Fetch(path, w.dispatcher)}) {
    CHECK(Str(need.at("status")) == "cancelled");
    CHECK(IntOr(need, "cancelled") == 2);
    CHECK(IntOr(need, "outstanding") == 0);
    CHECK(IntOr(need, "quantity") == 2);
  }
  auto counts = CountAllRows(server.db_path());
  CHECK_ERROR(f.http().Post(path + ":cancel", json::object{{"reason", "再次取消"}}, w.station_a),
              422, "");
  CHECK_ERROR(f.http().Post(path + ":cancel", json::object{{"reason", "再次取消"}}, w.dispatcher),
              422, "");
  CHECK(CountAllRows(server.db_path()) == counts);

  SECTION("the dispatcher may cancel any station's need") {
    REQUIRE_OK(f.http().Post("/v1/needs/" + std::to_string(w.need_b) + ":cancel",
                             json::object{{"reason", "重复登记"}}, w.dispatcher));
    CHECK(Str(f.Fetch("/v1/needs/" + std::to_string(w.need_b), w.station_b).at("status")) ==
          "cancelled");
  }
}

TEST_CASE("list filters narrow needs and lots", "[api][needs][lots]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  int64_t other_item = f.CreateItem(w.dispatcher, "KN95-FILTER");
  int64_t need_c = f.CreateNeed(w.station_a, SampleNeed(w.requester_a, other_item, 10, "high"));
  REQUIRE_OK(f.http().Post("/v1/needs/" + std::to_string(w.need_a) + ":cancel",
                           json::object{{"reason", "重复"}}, w.station_a));
  auto q = [](const char* key, int64_t v) { return std::string(key) + "=" + std::to_string(v); };

  CHECK(Ids(f.ListAll("/v1/needs", w.dispatcher)) == std::set<int64_t>{w.need_a, w.need_b, need_c});
  CHECK(Ids(f.ListAll("/v1/needs?" + q("station_id", w.station_a_id), w.dispatcher)) ==
        std::set<int64_t>{w.need_a, need_c});
  CHECK(Ids(f.ListAll("/v1/needs?" + q("item_id", other_item), w.dispatcher)) ==
        std::set<int64_t>{need_c});
  CHECK(Ids(f.ListAll("/v1/needs?status=cancelled", w.dispatcher)) == std::set<int64_t>{w.need_a});
  CHECK(Ids(f.ListAll("/v1/needs?status=open", w.dispatcher)) ==
        std::set<int64_t>{w.need_b, need_c});
  CHECK(Ids(f.ListAll("/v1/needs?status=open&" + q("station_id", w.station_a_id), w.dispatcher)) ==
        std::set<int64_t>{need_c});
  CHECK_ERROR(f.http().Get("/v1/needs?status=very", w.dispatcher), 400, "status");

  CHECK(Ids(f.ListAll("/v1/lots?" + q("donor_id", w.donor_b_id), w.dispatcher)) ==
        std::set<int64_t>{w.lot_b});
  CHECK(Ids(f.ListAll("/v1/lots?" + q("item_id", w.item_id), w.dispatcher)) ==
        std::set<int64_t>{w.lot_a, w.lot_b});
  CHECK(Ids(f.ListAll("/v1/lots?" + q("item_id", other_item), w.dispatcher)).empty());
  CHECK(Ids(f.ListAll("/v1/lots?" + q("depot_id", w.depot_id), w.dispatcher)) ==
        std::set<int64_t>{w.lot_a, w.lot_b});

  CHECK(Ids(f.ListAll("/v1/requesters?" + q("station_id", w.station_b_id), w.dispatcher)) ==
        std::set<int64_t>{w.requester_b});
  CHECK(Ids(f.ListAll("/v1/requesters", w.dispatcher)) ==
        std::set<int64_t>{w.requester_a, w.requester_b});
}

TEST_CASE("server-owned fields in a create body are never taken from the client",
          "[api][needs][lots]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  SECTION("a need") {
    json::object body = SampleNeed(w.requester_a, w.item_id, 5);
    body["id"] = w.need_b;
    body["status"] = "fulfilled";
    body["outstanding"] = 0;
    body["allocated"] = 3;
    body["delivered"] = 2;
    body["cancelled"] = 0;
    Response r = f.http().Post("/v1/needs", body, w.station_a);
    if (r.status == 201) {
      json::object need = f.Fetch("/v1/needs/" + std::to_string(IdOf(r)), w.dispatcher);
      CHECK(Id(need.at("id")) != w.need_b);
      CHECK(Str(need.at("status")) == "open");
      CHECK(IntOr(need, "outstanding") == 5);
      CHECK(IntOr(need, "allocated") == 0);
      CHECK(IntOr(need, "delivered") == 0);
    } else {
      CHECK_ERROR(r, 400, "");
    }
    json::object b = f.Fetch("/v1/needs/" + std::to_string(w.need_b), w.dispatcher);
    CHECK(Id(b.at("requester_id")) == w.requester_b);
    CHECK(IntOr(b, "quantity") == 5);
    CHECK(Str(b.at("status")) == "open");
  }
  SECTION("a lot") {
    json::object body = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 50);
    body["id"] = w.lot_b;
    body["available"] = 500;
    body["allocated"] = 0;
    body["written_off"] = 10;
    body["delivered"] = 40;
    Response r = f.http().Post("/v1/lots", body, w.donor_a);
    if (r.status == 201) {
      json::object lot = f.Fetch("/v1/lots/" + std::to_string(IdOf(r)), w.dispatcher);
      CHECK(Id(lot.at("id")) != w.lot_b);
      // A donor's lot is a pledge: nothing is available until received.
      CHECK(IntOr(lot, "quantity_pledged") == 50);
      CHECK(IntOr(lot, "available") == 0);
      CHECK(IntOr(lot, "written_off") == 0);
      CHECK(IntOr(lot, "delivered") == 0);
    } else {
      CHECK_ERROR(r, 400, "");
    }
    json::object b = f.Fetch("/v1/lots/" + std::to_string(w.lot_b), w.dispatcher);
    CHECK(Id(b.at("donor_id")) == w.donor_b_id);
    CHECK(IntOr(b, "available") == 20);
  }
  SECTION("a requester filed by a station for its own station") {
    json::object body = SampleRequester(w.station_a_id);
    body["id"] = w.requester_b;
    Response r = f.http().Post("/v1/requesters", body, w.station_a);
    if (r.status == 201) CHECK(IdOf(r) != w.requester_b);
    json::object b = f.Fetch("/v1/requesters/" + std::to_string(w.requester_b), w.dispatcher);
    CHECK(Id(b.at("station_id")) == w.station_b_id);
    CHECK(Str(b.at("name")) == "王阿姨");
  }
}

TEST_CASE("every change appends events and a failed request appends none", "[api][events]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  int64_t before = CountRows(server.db_path(), "events");
  f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, 1));
  int64_t after_need = CountRows(server.db_path(), "events");
  CHECK(after_need > before);
  f.CreateLot(w.donor_a, SampleLot(w.donor_a_id, w.item_id, w.depot_id, 7));
  int64_t after_lot = CountRows(server.db_path(), "events");
  CHECK(after_lot > after_need);
  CHECK_ERROR(f.http().Post("/v1/needs", SampleNeed(w.requester_a, w.item_id, 0), w.station_a), 400,
              "quantity");
  CHECK(CountRows(server.db_path(), "events") == after_lot);
}

TEST_CASE("one connection serves many requests and pipelined ones in order", "[api][http]") {
  TestServer server;
  HttpClient http(server.port());
  for (int i = 0; i < 20; ++i) REQUIRE_STATUS(http.Get("/healthz"), 200);
  CHECK(http.connections_opened() == 1);

  std::string auth = "Authorization: Bearer " + server.admin_token() + "\r\n";
  std::string pipelined =
      "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /v1/items HTTP/1.1\r\nHost: t\r\n" +
      auth +
      "\r\n"
      "GET /v1/nothing HTTP/1.1\r\nHost: t\r\n" +
      auth +
      "\r\n"
      "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  bool closed = false;
  std::vector<Response> responses =
      ParseResponses(http.SendRaw(pipelined, std::chrono::seconds(10), &closed));
  REQUIRE(responses.size() == 4);
  CHECK(responses[0].status == 200);
  CHECK(responses[1].status == 200);
  CHECK(responses[1].body.find("\"items\"") != std::string::npos);
  CHECK(responses[2].status == 404);
  CHECK(responses[3].status == 200);
  CHECK(closed);
}

TEST_CASE("60 pipelined requests of mixed kinds are answered in order", "[api][http]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  std::vector<int64_t> needs;
  for (int k = 0; k < 10; ++k) {
    needs.push_back(f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, k + 1)));
  }
  const std::string auth = "Authorization: Bearer " + w.dispatcher + "\r\n";
  std::string batch;
  std::vector<std::string> expect;  // what each answer must contain
  for (int k = 0; k < 60; ++k) {
    switch (k % 3) {
      case 0:
        batch += "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
        expect.push_back("\"ok\"");
        break;
      case 1: {
        int64_t id = needs[k % needs.size()];
        batch += "GET /v1/needs/" + std::to_string(id) + " HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n";
        expect.push_back("need:" + std::to_string(id));
        break;
      }
      case 2: {
        std::string body = json::serialize(
            json::object{{"name", "流水线社工站" + std::to_string(k)}, {"district", "江汉区"}});
        batch +=
            "POST /v1/stations HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + w.admin +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
        expect.push_back("流水线社工站" + std::to_string(k) + "\"");
        break;
      }
    }
  }
  batch += "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  std::vector<Response> answers = ParseResponses(f.http().SendRaw(batch, std::chrono::seconds(20)));
  REQUIRE(answers.size() == 61);
  for (size_t k = 0; k < expect.size(); ++k) {
    INFO("answer " << k << ": " << answers[k].Describe() << "\nmust contain " << expect[k]);
    CHECK(answers[k].status < 300);
    if (expect[k].rfind("need:", 0) == 0) {
      CHECK(answers[k].IsJson());
      if (answers[k].IsJson())
        CHECK(Id(answers[k].Json().at("id")) == std::stoll(expect[k].substr(5)));
    } else {
      CHECK(BodyContains(answers[k], expect[k]));
    }
  }
}

TEST_CASE("malformed HTTP gets a 4xx or a closed connection and the server stays up",
          "[api][http]") {
  TestServer server;
  HttpClient http(server.port());
  const std::vector<std::string> garbage = {
      "GARBAGE\r\n\r\n",
      "GET /healthz HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/items HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(200'000, 'a') + "\r\n\r\n",
      std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9),
  };
  for (const std::string& bytes : garbage) {
    INFO("request starts: " << bytes.substr(0, 60));
    bool closed = false;
    std::string raw = http.SendRaw(bytes, std::chrono::seconds(10), &closed);
    std::vector<Response> responses = ParseResponses(raw);
    if (!responses.empty()) {
      CHECK(responses[0].status >= 400);
      CHECK(responses[0].status < 500);
    } else {
      CHECK(closed);
    }
    REQUIRE_STATUS(http.Get("/healthz"), 200);
  }
}

TEST_CASE("a connection that stalls mid-request is closed after the read timeout", "[api][http]") {
  TestServerOptions options;
  options.read_timeout_seconds = 1;
  TestServer server(options);
  HttpClient http(server.port());
  std::string stalled = GENERATE(
      std::string("GET /healthz HTTP/1.1\r\nHost: t\r\n"),
      std::string("POST /v1/items HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"code\":"),
      std::string(""));
  INFO("sent: " << stalled);
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  http.SendRaw(stalled, std::chrono::seconds(8), &closed);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(closed);
  CHECK(elapsed < std::chrono::seconds(5));
  REQUIRE_STATUS(http.Get("/healthz"), 200);
}

TEST_CASE("clients that hang up mid-request do not hurt the server", "[api][http]") {
  TestServer server;
  HttpClient http(server.port());
  const std::string auth = "Authorization: Bearer " + server.admin_token() + "\r\n";
  for (const std::string& partial :
       {std::string("GET /heal"), std::string("GET /healthz HTTP/1.1\r\nHost: t\r\n"),
        "POST /v1/stations HTTP/1.1\r\nHost: t\r\n" + auth +
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"name\":\"半"}) {
    for (int k = 0; k < 10; ++k) {
      (void)http.SendRaw(partial, std::chrono::milliseconds(20));
    }
  }
  REQUIRE_STATUS(http.Get("/healthz"), 200);
  Fixture f(server);
  CHECK(f.ListAll("/v1/stations", f.admin()).empty());
}

TEST_CASE("many simultaneous connections are all served", "[api][http]") {
  TestServerOptions options;
  options.threads = 1;
  TestServer server(options);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int k = 0; k < 64; ++k) {
    clients.push_back(std::make_unique<HttpClient>(server.port()));
    REQUIRE_STATUS(clients.back()->Get("/healthz"), 200);
  }
  // Every connection is still open and usable.
  for (auto& client : clients) REQUIRE_STATUS(client->Get("/healthz"), 200);
  for (auto& client : clients) CHECK(client->connections_opened() == 1);
}

TEST_CASE("JSON answers say so and unsupported methods are refused", "[api][http]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  Response ok = f.http().Get("/v1/needs/" + std::to_string(w.need_a), w.dispatcher);
  REQUIRE_STATUS(ok, 200);
  CHECK(ok.Header("content-type").rfind("application/json", 0) == 0);
  Response error = f.http().Get("/v1/needs/999999", w.dispatcher);
  CHECK(error.Header("content-type").rfind("application/json", 0) == 0);
  auto counts = CountAllRows(server.db_path());
  // PATCH is an edit (tests/api/edits_test.cc).
  for (const char* method : {"DELETE", "PUT"}) {
    Response r = f.http().Request(method, "/v1/needs/" + std::to_string(w.need_a), "{}",
                                  {{"Authorization", "Bearer " + w.dispatcher}});
    INFO(method << " -> " << r.Describe());
    CHECK((r.status == 404 || r.status == 405));
  }
  CHECK(CountAllRows(server.db_path()) == counts);
  CHECK(Str(f.Fetch("/v1/needs/" + std::to_string(w.need_a), w.dispatcher).at("status")) == "open");
}

TEST_CASE("text is stored verbatim: quotes, SQL and 4-byte characters", "[api][text]") {
  TestServer server;
  Fixture f(server);
  int64_t station = f.CreateStation();
  std::string token = f.NewStationToken(station);
  json::object body = SampleRequester(station);
  body["name"] = "金'); DROP TABLE needs;--";
  body["address"] = "幸福里\"3\"幢 \\ 𠀀𠀁 😷 %s %n";
  Response r = f.http().Post("/v1/requesters", body, token);
  REQUIRE_STATUS(r, 201);
  json::object got = f.Fetch("/v1/requesters/" + std::to_string(IdOf(r)), token);
  CHECK(Str(got.at("name")) == Str(body.at("name")));
  CHECK(Str(got.at("address")) == Str(body.at("address")));
  CHECK(CountRows(server.db_path(), "needs") == 0);

  // Limits count characters, not bytes: 200 four-byte characters fit, 201 do not.
  std::string name200;
  for (int i = 0; i < 200; ++i) name200 += "𠀀";
  body["name"] = name200;
  CHECK_STATUS(f.http().Post("/v1/requesters", body, token), 201);
  body["name"] = name200 + "😷";
  CHECK_ERROR(f.http().Post("/v1/requesters", body, token), 400, "name");
}

TEST_CASE("chunked request bodies are read, and limited like any other", "[api][http]") {
  TestServer server;
  HttpClient http(server.port());
  const std::string head = "POST /v1/stations HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                           server.admin_token() +
                           "\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n";
  auto chunk = [](std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return std::string(size) + std::string(data) + "\r\n";
  };
  SECTION("a small chunked body creates the station") {
    std::string request = head + "Connection: close\r\n\r\n" + chunk(R"({"name":"江汉区)") +
                          chunk(R"(民族街社工站","district":"江汉区"})") + "0\r\n\r\n";
    std::vector<Response> answers = ParseResponses(http.SendRaw(request));
    REQUIRE(answers.size() == 1);
    CHECK_STATUS(answers[0], 201);
    CHECK(CountRows(server.db_path(), "stations") == 1);
  }
  SECTION("5 MiB in chunks is payload_too_large") {
    std::string request = head + "\r\n" + chunk(R"({"name":"x","district":"y","note":")");
    const std::string block(64 * 1024, 'x');
    for (int k = 0; k < 80; ++k) request += chunk(block);
    request += chunk(R"("})") + "0\r\n\r\n";
    std::vector<Response> answers = ParseResponses(http.SendRaw(request, std::chrono::seconds(10)));
    REQUIRE(answers.size() >= 1);
    CHECK_ERROR(answers[0], 413, "");
    CHECK(CountRows(server.db_path(), "stations") == 0);
  }
  REQUIRE_STATUS(http.Get("/healthz"), 200);
}

TEST_CASE("HTTP/1.0, huge URLs and deeply nested JSON are handled", "[api][http]") {
  TestServer server;
  HttpClient http(server.port());
  SECTION("HTTP/1.0 without Host is served and closed") {
    bool closed = false;
    std::vector<Response> answers = ParseResponses(
        http.SendRaw("GET /healthz HTTP/1.0\r\n\r\n", std::chrono::seconds(5), &closed));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 200);
    CHECK(closed);
  }
  SECTION("a 100 kB URL") {
    bool closed = false;
    std::string raw = http.SendRaw(
        "GET /v1/items?x=" + std::string(100'000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
        std::chrono::seconds(5), &closed);
    std::vector<Response> answers = ParseResponses(raw);
    if (answers.empty()) {
      CHECK(closed);
    } else {
      CHECK(answers[0].status >= 400);
      CHECK(answers[0].status < 500);
    }
  }
  SECTION("JSON nested 100,000 deep") {
    Fixture f(server);
    World w = MakeWorld(f);
    auto counts = CountAllRows(server.db_path());
    std::string body = R"({"requester_id":)" + std::to_string(w.requester_a) + R"(,"note":)" +
                       std::string(100'000, '[') + std::string(100'000, ']') + "}";
    CHECK_ERROR(f.http().PostRaw("/v1/needs", body, w.station_a), 400, "");
    std::string objects;
    for (int k = 0; k < 50'000; ++k) objects += R"({"a":)";
    objects += "1" + std::string(50'000, '}');
    CHECK_ERROR(f.http().PostRaw("/v1/needs", objects, w.station_a), 400, "");
    CHECK(CountAllRows(server.db_path()) == counts);
  }
  REQUIRE_STATUS(http.Get("/healthz"), 200);
}

}  // namespace
}  // namespace aidlink::test
