// Rule 1's area through HTTP: stations and depots carry a city, a depot
// serves its own city or exactly its `serves` list, and match runs, routes
// and old databases follow.
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "dispatch/desk.h"
#include "store/database.h"
#include "store/schema.h"
#include "support/db_rows.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

int64_t CityStation(Desk& d, std::string_view name, std::string_view city,
                    std::string_view district) {
  json::object body{{"name", name}, {"city", city}, {"district", district}};
  return Id(d.f().Create("/v1/stations", body, d.f().admin()).at("id"));
}

int64_t CityDepot(Desk& d, std::string_view name, std::string_view city, std::string_view district,
                  json::object serves = {}) {
  json::object body{{"name", name},
                    {"address", std::string(city) + std::string(district) + "仓库路1号"},
                    {"city", city},
                    {"district", district}};
  if (!serves.empty()) body["serves"] = serves;
  return Id(d.f().Create("/v1/depots", body, d.token()).at("id"));
}

int64_t Resident(Desk& d, int64_t station, std::string_view name, std::string_view address,
                 std::string_view district) {
  Household h{.station_id = station,
              .name = std::string(name),
              .address = std::string(address),
              .district = std::string(district)};
  return d.Requester(h);
}

// need id -> {lot id -> quantity} of a run answer.
std::map<int64_t, std::map<int64_t, int64_t>> LotsPerNeed(const json::object& run) {
  std::map<int64_t, std::map<int64_t, int64_t>> out;
  for (const Alloc& a : AllocsOf(run)) out[a.need_id][a.lot_id] += a.quantity;
  return out;
}

// need id -> unmet reason of a run answer.
std::map<int64_t, std::string> UnmetReasons(const json::object& run) {
  std::map<int64_t, std::string> out;
  for (const json::value& v : Arr(run, "unmet")) {
    out[IntOr(v.as_object(), "need_id")] = StrOr(v.as_object(), "reason");
  }
  return out;
}

}  // namespace

TEST_CASE(
    "金老伯 in 姑苏区 is served from the Suzhou depot even when a Changsha lot expires sooner",
    "[dispatch][area]") {
  TestServer server;
  Desk d(server);
  const int64_t changsha_station = CityStation(d, "芙蓉区定王台社工站", "长沙市", "芙蓉区");
  const int64_t suzhou_station = CityStation(d, "姑苏区平江社工站", "苏州市", "姑苏区");
  const int64_t changsha = CityDepot(d, "长沙芙蓉仓", "长沙市", "芙蓉区");
  const int64_t suzhou = CityDepot(d, "苏州姑苏仓", "苏州市", "姑苏区");
  const int64_t pills = d.Item("降压药", "box", 1, false, "medicine");
  const int64_t changsha_lot = d.Lot(pills, 10, "2026-11-08", changsha);
  const int64_t suzhou_lot = d.Lot(pills, 10, "2027-03-31", suzhou);
  const int64_t jin = Resident(d, suzhou_station, "金老伯", "姑苏区平江路3幢101", "姑苏区");
  const int64_t jin_need = d.Need(jin, pills, 2, "critical", "2026-11-05");
  const int64_t hu = Resident(d, changsha_station, "胡奶奶", "芙蓉区定王台5号", "芙蓉区");
  const int64_t hu_need = d.Need(hu, pills, 1);

  const json::object run = d.Match(kAsOf);
  const auto per_need = LotsPerNeed(run);
  CHECK(per_need.at(jin_need) == std::map<int64_t, int64_t>{{suzhou_lot, 2}});
  CHECK(per_need.at(hu_need) == std::map<int64_t, int64_t>{{changsha_lot, 1}});
  for (const json::value& v : Arr(run, "allocations")) {
    if (IntOr(v.as_object(), "need_id") != jin_need) continue;
    std::set<std::string> reasons;
    for (const json::value& r : Arr(v.as_object(), "reasons"))
      reasons.insert(std::string(r.as_string()));
    CHECK(reasons.count("same_district") == 1);
  }
  d.RequireLedgerOk();
}

TEST_CASE("a Nanchang route never lists Ningbo addresses", "[dispatch][area][route]") {
  TestServer server;
  Desk d(server);
  const int64_t nanchang_station = CityStation(d, "东湖区豫章社工站", "南昌市", "东湖区");
  const int64_t ningbo_station = CityStation(d, "海曙区鼓楼社工站", "宁波市", "海曙区");
  const int64_t nanchang = CityDepot(d, "南昌东湖仓", "南昌市", "东湖区");
  const int64_t ningbo = CityDepot(d, "宁波海曙仓", "宁波市", "海曙区");
  const int64_t rice = d.Item("大米", "kg", 5);
  d.Lot(rice, 200, "2027-06-30", nanchang);
  d.Lot(rice, 200, "2026-12-01", ningbo);  // expires first: pooled, it would go everywhere
  std::vector<int64_t> nanchang_people, ningbo_people;
  for (int i = 1; i <= 3; ++i) {
    const std::string n = std::to_string(i);
    nanchang_people.push_back(
        Resident(d, nanchang_station, "南昌住户" + n, "东湖区豫章路" + n + "号", "东湖区"));
    ningbo_people.push_back(
        Resident(d, ningbo_station, "宁波住户" + n, "海曙区中山西路" + n + "号", "海曙区"));
    d.Need(nanchang_people.back(), rice, 10);
    d.Need(ningbo_people.back(), rice, 10);
  }
  d.Match(kAsOf);

  for (auto [depot, own, other] : {std::tuple{nanchang, nanchang_people, std::string("中山西路")},
                                   std::tuple{ningbo, ningbo_people, std::string("豫章路")}}) {
    const json::object route = d.Route(depot, "志愿者小陈");
    std::set<int64_t> stops;
    for (const json::value& v : Arr(route, "stops")) {
      stops.insert(IntOr(v.as_object(), "requester_id"));
    }
    CHECK(stops == std::set<int64_t>(own.begin(), own.end()));
    Response txt = d.http().Get(
        "/v1/routes/" + std::to_string(Id(route.at("id"))) + "/manifest?format=txt", d.token());
    REQUIRE_STATUS(txt, 200);
    CHECK(txt.body.find(other) == std::string::npos);
  }
  d.RequireLedgerOk();
}

TEST_CASE("鼓楼区 of Fuzhou is served by the Fuzhou depot, not by Nanjing's 鼓楼区",
          "[dispatch][area]") {
  TestServer server;
  Desk d(server);
  const int64_t nanjing_station = CityStation(d, "鼓楼区宁海路社工站", "南京市", "鼓楼区");
  const int64_t fuzhou_station = CityStation(d, "鼓楼区东街社工站", "福州市", "鼓楼区");
  const int64_t nanjing = CityDepot(d, "南京鼓楼仓", "南京市", "鼓楼区");
  const int64_t fuzhou = CityDepot(d, "福州鼓楼仓", "福州市", "鼓楼区");
  const int64_t masks = d.Item("口罩", "piece", 10, false, "ppe");
  const int64_t nanjing_lot = d.Lot(masks, 50, "2026-11-20", nanjing);
  const int64_t fuzhou_lot = d.Lot(masks, 50, "2027-11-20", fuzhou);
  const int64_t in_fuzhou =
      d.Need(Resident(d, fuzhou_station, "林阿婆", "鼓楼区东街口8号", "鼓楼区"), masks, 30);
  const int64_t in_nanjing =
      d.Need(Resident(d, nanjing_station, "王大爷", "鼓楼区宁海路9号", "鼓楼区"), masks, 30);
  const auto per_need = LotsPerNeed(d.Match(kAsOf));
  CHECK(per_need.at(in_fuzhou) == std::map<int64_t, int64_t>{{fuzhou_lot, 30}});
  CHECK(per_need.at(in_nanjing) == std::map<int64_t, int64_t>{{nanjing_lot, 30}});
  d.RequireLedgerOk();
}

TEST_CASE("a depot's serves list decides; stock only out of area leaves the need out_of_area",
          "[dispatch][area]") {
  TestServer server;
  Desk d(server);
  const int64_t gusu_station = CityStation(d, "姑苏区平江社工站", "苏州市", "姑苏区");
  const int64_t wuzhong_station = CityStation(d, "吴中区长桥社工站", "苏州市", "吴中区");
  const int64_t wuxi_station = CityStation(d, "梁溪区崇安社工站", "无锡市", "梁溪区");
  const int64_t depot = CityDepot(
      d, "姑苏仓", "苏州市", "姑苏区",
      json::object{{"cities", json::array{"无锡市"}}, {"districts", json::array{"姑苏区"}}});
  const json::object got = d.f().Fetch("/v1/depots/" + std::to_string(depot), d.token());
  CHECK(StrOr(got, "city") == "苏州市");
  CHECK(Arr(got.at("serves").as_object(), "cities") == json::array{"无锡市"});
  CHECK(Arr(got.at("serves").as_object(), "districts") == json::array{"姑苏区"});

  const int64_t eggs = d.Item("鸡蛋", "piece", 1, true);
  const int64_t lot = d.Lot(eggs, 100, "2026-11-30", depot);
  const int64_t gusu = d.Need(Resident(d, gusu_station, "张", "平江路1号", "姑苏区"), eggs, 10);
  const int64_t wuzhong = d.Need(Resident(d, wuzhong_station, "李", "长桥1号", "吴中区"), eggs, 10);
  const int64_t wuxi = d.Need(Resident(d, wuxi_station, "赵", "崇安寺1号", "梁溪区"), eggs, 10);
  const json::object run = d.Match(kAsOf);
  const auto per_need = LotsPerNeed(run);
  CHECK(per_need.at(gusu) == std::map<int64_t, int64_t>{{lot, 10}});
  CHECK(per_need.at(wuxi) == std::map<int64_t, int64_t>{{lot, 10}});
  CHECK(per_need.count(wuzhong) == 0);
  CHECK(UnmetReasons(run).at(wuzhong) == "out_of_area");
  // The committed run keeps the reason.
  const json::object stored =
      d.f().Fetch("/v1/match/runs/" + std::to_string(Id(run.at("id"))), d.token());
  CHECK(UnmetReasons(stored).at(wuzhong) == "out_of_area");
  d.RequireLedgerOk();
}

TEST_CASE("a city or service area outside API.md's limits is refused and changes nothing",
          "[dispatch][area]") {
  TestServer server;
  Desk d(server);
  const int64_t depots = CountRows(server.db_path(), "depots");
  const int64_t stations = CountRows(server.db_path(), "stations");
  json::object depot{{"name", "仓"}, {"address", "路1号"}, {"district", "姑苏区"}};
  auto post_depot = [&](json::object patch) {
    json::object body = depot;
    for (auto& [k, v] : patch) body[k] = v;
    return d.http().Post("/v1/depots", body, d.token());
  };
  CHECK_ERROR(post_depot({{"city", std::string(201, 'c')}}), 400, "city");
  CHECK_ERROR(post_depot({{"city", "苏州\n市"}}), 400, "city");
  CHECK_ERROR(post_depot({{"serves", json::object{{"districts", json::array{"/姑苏区"}}}}}), 400,
              "serves.districts");
  CHECK_ERROR(post_depot({{"serves", json::object{{"districts", json::array{"苏州市/"}}}}}), 400,
              "serves.districts");
  CHECK_ERROR(post_depot({{"serves", json::object{{"districts", json::array{"a/b/c"}}}}}), 400,
              "serves.districts");
  CHECK_ERROR(post_depot({{"serves", json::object{{"cities", json::array{""}}}}}), 400,
              "serves.cities");
  json::array many;
  for (int i = 0; i < 101; ++i) many.push_back(json::value("市" + std::to_string(i)));
  CHECK_ERROR(post_depot({{"serves", json::object{{"cities", many}}}}), 400, "serves.cities");
  CHECK_ERROR(
      d.http().Post(
          "/v1/stations",
          json::object{{"name", "站"}, {"district", "姑苏区"}, {"city", std::string(201, 'c')}},
          d.f().admin()),
      400, "city");
  CHECK(CountRows(server.db_path(), "depots") == depots);
  CHECK(CountRows(server.db_path(), "stations") == stations);
  // A qualified district of another city is fine.
  CHECK_STATUS(post_depot({{"city", "苏州市"},
                           {"serves", json::object{{"districts", json::array{"无锡市/梁溪区"}}}}}),
               201);
}

namespace {

bool HasStationCity(store::Database& db) {
  auto st = db.Prepare("SELECT count(*) FROM pragma_table_info('stations') WHERE name = 'city'");
  REQUIRE(st.ok());
  REQUIRE((*st)->Step().ok());
  const bool has = (*st)->Int(0) > 0;
  (*st)->Reset();
  return has;
}

// The newest schema version before stations had a city.
int VersionBeforeAreas(const std::string& scratch) {
  auto db = store::Database::Open(scratch, false);
  REQUIRE(db.ok());
  for (int v = 1; v <= store::SchemaVersion(); ++v) {
    REQUIRE(store::MigrateTo(**db, v).ok());
    if (HasStationCity(**db)) return v - 1;
  }
  FAIL("no schema version adds stations.city");
  return 0;
}

}  // namespace

TEST_CASE("a database from before cities migrates to one city and matches as it did",
          "[dispatch][area][schema]") {
  TempDir dir;
  const int old_version = VersionBeforeAreas(dir.path() + "/scratch.db");
  const std::string old_db = dir.path() + "/old.db";
  {
    auto db = store::Database::Open(old_db, false);
    REQUIRE(db.ok());
    REQUIRE(store::MigrateTo(**db, old_version).ok());
    REQUIRE((*db)
                ->Exec("INSERT INTO stations (id, name, district, created_at) VALUES "
                       "(1, '江汉区社工站', '江汉区', 'now');"
                       "INSERT INTO donors (id, name, kind, phone, note, created_at) VALUES "
                       "(1, '爱心企业', 'enterprise', '', '', 'now');"
                       "INSERT INTO depots (id, name, address, district, created_at) VALUES "
                       "(1, '江汉仓', '江汉路1号', '江汉区', 'now'), "
                       "(2, '武昌仓', '武珞路2号', '武昌区', 'now');"
                       "INSERT INTO items (id, code, name, category, unit, pack_size, perishable, "
                       "created_at) VALUES (1, 'EGG', '鸡蛋', 'food', 'piece', 1, 1, 'now');"
                       "INSERT INTO requesters (id, station_id, kind, name, contact_name, phone, "
                       "address, district, household_size, tags, created_at) VALUES "
                       "(1, 1, 'household', '刘大爷', '', '', '幸福里1幢', '江汉区', 1, '', 'now');"
                       "INSERT INTO lots (id, donor_id, item_id, depot_id, quantity, expires_on, "
                       "earmark_districts, earmark_kinds, earmark_tags, earmark_stations, note, "
                       "available, allocated, delivered, written_off, created_at) VALUES "
                       "(1, 1, 1, 1, 10, '2026-12-31', '', '', '', '', '', 10, 0, 0, 0, 'now'), "
                       "(2, 1, 1, 2, 3, '2026-11-10', '', '', '', '', '', 3, 0, 0, 0, 'now');"
                       "INSERT INTO needs (id, requester_id, item_id, quantity, urgency, note, "
                       "status, outstanding, allocated, delivered, cancelled, created_at) VALUES "
                       "(1, 1, 1, 5, 'normal', '', 'open', 5, 0, 0, 0, 'now');")
                .ok());
  }
  TestServerOptions options;
  options.initial_db = old_db;
  TestServer server(options);
  Desk d(server);
  CHECK(StrOr(d.f().Fetch("/v1/stations/1", d.token()), "city") == "");
  const json::object depot = d.f().Fetch("/v1/depots/2", d.token());
  CHECK(StrOr(depot, "city") == "");
  CHECK((!depot.contains("serves") || Arr(depot.at("serves").as_object(), "cities").empty()));
  // One city, as before: first-expiry-first-out across both depots.
  Response r =
      d.http().Post("/v1/match/runs", json::object{{"dry_run", true}, {"as_of", kAsOf}}, d.token());
  REQUIRE_STATUS(r, 200);
  CHECK(LotsPerNeed(r.Json().as_object()).at(1) == std::map<int64_t, int64_t>{{1, 2}, {2, 3}});
}

}  // namespace aidlink::test::dispatch
