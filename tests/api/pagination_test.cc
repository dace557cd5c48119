// Pagination of list endpoints: page_size / page_token / next_page_token.

#include <map>
#include <set>

#include "support/fixture.h"

namespace aidlink::test {
namespace {

TEST_CASE("25 items come back exactly once over pages of 10", "[api][pagination]") {
  TestServer server;
  Fixture f(server);
  std::string desk = f.NewDispatcherToken();
  std::set<int64_t> created;
  for (int k = 0; k < 25; ++k) created.insert(f.CreateItem(desk, "PAGE-" + std::to_string(k)));

  std::map<int64_t, int> seen;
  std::string page_token;
  std::vector<size_t> page_sizes;
  for (int page = 0; page < 10; ++page) {
    std::string target = "/v1/items?page_size=10";
    if (!page_token.empty()) target += "&page_token=" + UrlEncode(page_token);
    Response r = f.http().Get(target, desk);
    INFO("GET " << target);
    REQUIRE_STATUS(r, 200);
    json::object o = r.Json().as_object();
    const json::array& items = o.at("items").as_array();
    page_sizes.push_back(items.size());
    for (const auto& item : items) ++seen[Id(item.at("id"))];
    page_token = o.contains("next_page_token") ? Str(o.at("next_page_token")) : "";
    if (page_token.empty()) break;
  }
  CHECK(page_sizes == std::vector<size_t>{10, 10, 5});
  REQUIRE(seen.size() == 25);
  for (const auto& [id, times] : seen) {
    INFO("item " << id);
    CHECK(times == 1);
    CHECK(created.count(id) == 1);
  }

  SECTION("a page size larger than the list returns it all with no next page") {
    Response r = f.http().Get("/v1/items?page_size=100", desk);
    REQUIRE_STATUS(r, 200);
    json::object o = r.Json().as_object();
    CHECK(o.at("items").as_array().size() == 25);
    CHECK((!o.contains("next_page_token") || Str(o.at("next_page_token")).empty()));
  }
  SECTION("a page_token that the server did not issue is invalid_argument") {
    for (const char* bad : {"garbage!!", "AAAA", "-1", "%FF%FE"}) {
      INFO(bad);
      CHECK_ERROR(f.http().Get(std::string("/v1/items?page_size=10&page_token=") + bad, desk), 400,
                  "page_token");
    }
  }
  SECTION("a page_size that is not a number is invalid_argument") {
    CHECK_ERROR(f.http().Get("/v1/items?page_size=ten", desk), 400, "page_size");
    CHECK_ERROR(f.http().Get("/v1/items?page_size=-1", desk), 400, "page_size");
  }
  SECTION("pages stay exact while new items arrive") {
    Response first = f.http().Get("/v1/items?page_size=10", desk);
    REQUIRE_STATUS(first, 200);
    std::set<int64_t> ids;
    const json::value first_json = first.Json();
    for (const auto& item : first_json.at("items").as_array()) ids.insert(Id(item.at("id")));
    std::string token = Str(first.Json().at("next_page_token"));
    for (int k = 0; k < 5; ++k) created.insert(f.CreateItem(desk, "LATE-" + std::to_string(k)));
    while (!token.empty()) {
      Response r = f.http().Get("/v1/items?page_size=10&page_token=" + UrlEncode(token), desk);
      REQUIRE_STATUS(r, 200);
      json::object o = r.Json().as_object();
      for (const auto& item : o.at("items").as_array()) {
        CHECK(ids.insert(Id(item.at("id"))).second);  // never twice
      }
      token = o.contains("next_page_token") ? Str(o.at("next_page_token")) : "";
    }
    // Every item that existed before the first page was seen.
    for (const auto& [id, times] : seen) CHECK(ids.count(id) == 1);
  }
}

TEST_CASE("needs and lots lists page too", "[api][pagination]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  std::set<int64_t> needs = {w.need_a};
  for (int k = 0; k < 12; ++k) {
    needs.insert(f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, k + 1)));
  }
  std::vector<json::object> listed = f.ListAll("/v1/needs", w.station_a, 5);
  std::set<int64_t> ids;
  for (const auto& o : listed) CHECK(ids.insert(Id(o.at("id"))).second);
  CHECK(ids == needs);
  std::vector<json::object> lots = f.ListAll("/v1/lots", w.dispatcher, 1);
  CHECK(lots.size() == 2);
}

TEST_CASE("lots expiring before a date page soonest expiry first", "[api][pagination]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // Created out of expiry order, two on one day.
  std::vector<int64_t> ids;
  for (const char* expires_on : {"2026-11-20", "2026-11-05", "2026-11-12", "2026-11-05"}) {
    json::object lot = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 10);
    lot["expires_on"] = expires_on;
    ids.push_back(f.CreateLot(w.dispatcher, lot));
  }
  std::vector<int64_t> listed;
  for (const json::object& lot :
       f.ListAll("/v1/lots?expiring_before=2026-12-01", w.dispatcher, 1)) {
    listed.push_back(Id(lot.at("id")));
  }
  CHECK(listed == std::vector<int64_t>{ids[1], ids[3], ids[2], ids[0]});
}

}  // namespace
}  // namespace aidlink::test
