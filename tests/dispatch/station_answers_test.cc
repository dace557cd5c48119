// Stations can answer their callers: a need carries why the last committed
// run left it unmet (last_unmet_reason, last_run_id), a station lists its own
// requesters' deliveries with their route's date and status, and cancelling
// a need on a planned delivery says which delivery and who can release it.
#include <string>

#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

std::string S(int64_t id) { return std::to_string(id); }

}  // namespace

TEST_CASE("A station's need carries the unmet reason and id of the last committed run",
          "[dispatch][station]") {
  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  const int64_t pills = d.Item("降压药", "box", 1, false, "medicine");
  d.Lot(eggs, 20, "2026-12-31");
  const int64_t jin = d.Requester({.name = "金老伯", .address = "江汉区幸福里3幢2单元501"});
  const int64_t wang = d.Requester({.name = "王阿姨", .address = "江汉区和平里5幢101"});
  const int64_t jin_eggs = d.Need(jin, eggs, 20, "critical");
  const int64_t wang_eggs = d.Need(wang, eggs, 20, "low");
  const int64_t wang_pills = d.Need(wang, pills, 1, "normal");
  auto need = [&](int64_t id) {
    return d.f().Fetch("/v1/needs/" + S(id), d.station_token);  // the station asks
  };
  // Before any run: nothing to say.
  CHECK(IntOr(need(wang_eggs), "last_run_id") == 0);
  CHECK(StrOr(need(wang_eggs), "last_unmet_reason").empty());

  const int64_t run = IntOr(d.Match(kAsOf), "id");
  CHECK(IntOr(need(jin_eggs), "last_run_id") == run);
  CHECK(StrOr(need(jin_eggs), "last_unmet_reason").empty());  // filled
  CHECK(IntOr(need(wang_eggs), "last_run_id") == run);
  CHECK(StrOr(need(wang_eggs), "last_unmet_reason") == "tier_exhausted");
  CHECK(IntOr(need(wang_pills), "last_run_id") == run);
  CHECK(StrOr(need(wang_pills), "last_unmet_reason") == "no_stock");
  // Lists carry it too.
  bool listed = false;
  for (const json::object& n : d.f().ListAll("/v1/needs", d.station_token)) {
    if (IntOr(n, "id") != wang_pills) continue;
    listed = true;
    CHECK(StrOr(n, "last_unmet_reason") == "no_stock");
  }
  CHECK(listed);

  // A dry run commits nothing, so it says nothing.
  REQUIRE_STATUS(
      d.http().Post("/v1/match/runs", json::object{{"dry_run", true}, {"as_of", kAsOf}}, d.token()),
      200);
  CHECK(IntOr(need(wang_pills), "last_run_id") == run);

  // Stock arrives: the next run fills the pills, and the reason goes.
  d.Lot(pills, 5);
  const int64_t second = IntOr(d.Match(kAsOf), "id");
  CHECK(second > run);
  CHECK(IntOr(need(wang_pills), "last_run_id") == second);
  CHECK(StrOr(need(wang_pills), "last_unmet_reason").empty());
  // The eggs were not short of a run: still the second run's reason.
  CHECK(IntOr(need(wang_eggs), "last_run_id") == second);
  CHECK(StrOr(need(wang_eggs), "last_unmet_reason") == "no_stock");
  // Read-only in a patch.
  CHECK_ERROR(d.http().Request("PATCH", "/v1/needs/" + S(wang_eggs), R"({"last_run_id":1})",
                               {{"Authorization", "Bearer " + d.station_token}}),
              400, "last_run_id");
}

TEST_CASE("A station lists its own requesters' deliveries with route date and status",
          "[dispatch][station]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100);
  const int64_t other = d.Station("武昌区中华路社工站", "武昌区");
  const std::string other_token = d.f().NewStationToken(other);
  const int64_t jin = d.Requester({.name = "金老伯", .address = "江汉区幸福里3幢2单元501"});
  const int64_t li = d.Requester(
      {.station_id = other, .name = "李叔叔", .address = "武昌区中华路9号", .district = "武昌区"});
  d.Need(jin, rice, 5);
  d.Need(li, rice, 5);
  d.Match(kAsOf);

  std::vector<json::object> mine = d.f().ListAll("/v1/deliveries", d.station_token);
  REQUIRE(mine.size() == 1);
  CHECK(IntOr(mine[0], "requester_id") == jin);
  CHECK(StrOr(mine[0], "status") == "planned");
  CHECK(StrOr(mine[0], "route_date").empty());  // on no route yet

  const json::object route = d.Route(d.depot_id, "志愿者小张", std::string("江汉区"));
  mine = d.f().ListAll("/v1/deliveries", d.station_token);
  REQUIRE(mine.size() == 1);
  CHECK(IntOr(mine[0], "route_id") == IntOr(route, "id"));
  CHECK(StrOr(mine[0], "route_date") == "2026-11-02");
  CHECK(StrOr(mine[0], "route_status") == "planned");
  const json::object one =
      d.f().Fetch("/v1/deliveries/" + S(IntOr(mine[0], "id")), d.station_token);
  CHECK(StrOr(one, "route_date") == "2026-11-02");
  // Another station's are out of scope.
  CHECK_ERROR(d.http().Get("/v1/deliveries?station_id=" + S(d.station_id), other_token), 404,
              "station_id");
  CHECK_ERROR(d.http().Get("/v1/deliveries/" + S(IntOr(mine[0], "id")), other_token), 404, "");
  const std::vector<json::object> theirs = d.f().ListAll("/v1/deliveries", other_token);
  REQUIRE(theirs.size() == 1);
  CHECK(IntOr(theirs[0], "requester_id") == li);
}

TEST_CASE("Cancelling a need on a planned delivery names the delivery and who can release it",
          "[dispatch][station]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100);
  const int64_t jin = d.Requester({.name = "金老伯", .address = "江汉区幸福里3幢2单元501"});
  const int64_t need = d.Need(jin, rice, 5);
  d.Match(kAsOf);
  const std::vector<json::object> deliveries = d.f().ListAll("/v1/deliveries", d.token());
  REQUIRE(deliveries.size() == 1);
  const std::string delivery = S(IntOr(deliveries[0], "id"));
  const NeedQ before = d.NeedQuantities(need);

  const Response r = d.http().Post("/v1/needs/" + S(need) + ":cancel",
                                   json::object{{"reason", "已搬走"}}, d.station_token);
  CHECK_ERROR(r, 422, "");
  const std::string message = Str(r.Json().at("error").at("message"));
  INFO(message);
  CHECK(message.find("delivery " + delivery) != std::string::npos);
  CHECK(message.find("dispatcher must fail or cancel") != std::string::npos);
  CHECK(d.NeedQuantities(need) == before);

  // Once the desk cancels the delivery, the station can cancel the need.
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + delivery + ":cancel",
                               json::object{{"reason", "住户搬走"}}, d.token()),
                 200);
  REQUIRE_STATUS(d.http().Post("/v1/needs/" + S(need) + ":cancel",
                               json::object{{"reason", "已搬走"}}, d.station_token),
                 200);
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch
