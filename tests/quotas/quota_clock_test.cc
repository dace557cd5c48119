// The calendar week boundary in the server's time zone (Asia/Shanghai, the
// default): the router runs in process on a real SQLite file with a clock
// the test sets, so a run "at Monday 00:30 local" needs no waiting.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/router.h"
#include "support/store_fixture.h"
#include "util/date.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr const char* kAdmin = "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567";

// 2026-11-08 (a Sunday) at `hour`:`minute` UTC.
std::chrono::system_clock::time_point SundayUtc(int hour, int minute) {
  return std::chrono::system_clock::time_point(
      seconds(*date::ParseDate("2026-11-08") * 86400 + hour * 3600 + minute * 60));
}

class ClockedDesk {
 public:
  ClockedDesk() : store_(OpenStore(db_.path())) {
    api::AccountOptions options;
    options.clock = [this] { return now; };
    router_ = std::make_unique<api::Router>(*store_, options);
    REQUIRE(api::EnsureAdminToken(*store_, kAdmin).ok());
  }

  json::value Call(const std::string& method, const std::string& target, const json::value& body,
                   int expected) {
    api::Request r;
    r.method = method;
    r.target = target;
    r.body = body.is_null() ? "" : json::serialize(body);
    r.content_type = "application/json";
    r.authorization = std::string("Bearer ") + kAdmin;
    r.peer = "127.0.0.1";
    const api::Response answer = router_->Handle(r);
    INFO(method << " " << target << " -> " << answer.status << " " << answer.body);
    REQUIRE(answer.status == expected);
    return json::parse(answer.body);
  }
  int64_t Create(const std::string& path, const json::object& body) {
    return Call("POST", path, body, 201).at("id").to_number<int64_t>();
  }

  std::chrono::system_clock::time_point now = SundayUtc(15, 0);

 private:
  TempDb db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::Router> router_;
};

int64_t Units(const json::value& run) {
  const json::object& stats = run.at("stats").as_object();
  const auto it = stats.find("units_allocated");
  return it == stats.end() ? 0 : it->value().to_number<int64_t>();
}

}  // namespace

TEST_CASE("a run at Monday 00:30 in Shanghai sees a fresh calendar week", "[quotas][tz][match]") {
  ClockedDesk d;
  const int64_t station =
      d.Create("/v1/stations", {{"name", "民族街社工站"}, {"district", "江汉区"}});
  const int64_t item = d.Create("/v1/items", {{"code", "VEG-BOX"},
                                              {"name", "蔬菜包"},
                                              {"category", "food"},
                                              {"unit", "box"},
                                              {"pack_size", 1},
                                              {"perishable", false}});
  const int64_t donor = d.Create(
      "/v1/donors", {{"name", "爱心菜场"}, {"kind", "enterprise"}, {"phone", ""}, {"note", ""}});
  const int64_t depot = d.Create(
      "/v1/depots", {{"name", "江汉仓"}, {"address", "江汉路1号"}, {"district", "江汉区"}});
  d.Create("/v1/lots", {{"donor_id", donor},
                        {"item_id", item},
                        {"depot_id", depot},
                        {"quantity", 10},
                        {"note", ""}});
  const int64_t requester = d.Create("/v1/requesters", {{"station_id", station},
                                                        {"kind", "household"},
                                                        {"name", "金老伯"},
                                                        {"address", "幸福里3幢201"},
                                                        {"district", "江汉区"},
                                                        {"household_size", 1},
                                                        {"tags", json::array{}}});
  d.Create("/v1/needs", {{"requester_id", requester},
                         {"item_id", item},
                         {"quantity", 5},
                         {"urgency", "normal"},
                         {"note", ""}});
  // One box of vegetables per household per week.
  d.Create("/v1/quotas", {{"item_id", item},
                          {"per", "household"},
                          {"amount", 1},
                          {"window", "calendar_week"},
                          {"enforcement", "hard"}});
  const std::string entitlements = "/v1/requesters/" + std::to_string(requester) + "/entitlements";

  // Sunday 23:00 in Shanghai (15:00 UTC): the week's box.
  json::value sunday = d.Call("POST", "/v1/match/runs", json::object{{"dry_run", false}}, 201);
  CHECK(sunday.at("as_of").as_string() == "2026-11-08");
  CHECK(Units(sunday) == 1);
  // 23:50: the same week, nothing more.
  d.now = SundayUtc(15, 50);
  json::value late = d.Call("POST", "/v1/match/runs", json::object{{"dry_run", true}}, 200);
  CHECK(Units(late) == 0);
  CHECK(late.at("unmet").at(0).at("reason").as_string() == "quota_reached");
  json::value ent = d.Call("GET", entitlements, nullptr, 200);
  CHECK(ent.at("items").at(0).at("window_end").as_string() == "2026-11-08");
  CHECK(ent.at("items").at(0).at("remaining").to_number<int64_t>() == 0);

  // Monday 00:30 in Shanghai, still Sunday 16:30 in UTC: a fresh week.
  d.now = SundayUtc(16, 30);
  json::value monday = d.Call("POST", "/v1/match/runs", json::object{{"dry_run", true}}, 200);
  CHECK(monday.at("as_of").as_string() == "2026-11-09");
  CHECK(Units(monday) == 1);
  ent = d.Call("GET", entitlements, nullptr, 200);
  CHECK(ent.at("as_of").as_string() == "2026-11-09");
  CHECK(ent.at("items").at(0).at("window_start").as_string() == "2026-11-09");
  CHECK(ent.at("items").at(0).at("window_end").as_string() == "2026-11-15");
  CHECK(ent.at("items").at(0).at("remaining").to_number<int64_t>() == 1);
}

}  // namespace aidlink::test
