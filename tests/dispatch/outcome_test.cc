// Delivery outcomes: :deliver (all or less), :fail, :cancel, and who may
// record them.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "dispatch/desk.h"
#include "support/db_rows.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

// Two households of station A and one of station B, each with eggs (packs of
// 10) and rice needs fully covered by one committed run.
struct Doorsteps {
  int64_t eggs = 0, rice = 0, eggs_lot = 0, rice_lot = 0;
  int64_t station_b = 0;
  std::string station_b_token;
  int64_t jin = 0, wang = 0, li = 0;                // requesters: A, A, B
  std::map<int64_t, int64_t> eggs_need, rice_need;  // by requester
  std::map<int64_t, int64_t> delivery;              // by requester
};

Doorsteps MakeDoorsteps(Desk& d) {
  Doorsteps w;
  w.eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  w.rice = d.Item("大米", "kg", 1);
  w.eggs_lot = d.Lot(w.eggs, 200, "2026-12-31");
  w.rice_lot = d.Lot(w.rice, 100);
  w.station_b = d.Station("武昌区中华路社工站", "武昌区");
  w.station_b_token = d.f().NewStationToken(w.station_b);
  w.jin = d.Requester({.name = "金老伯",
                       .phone = "13800001111",
                       .address = "江汉区幸福里3幢2单元501",
                       .household_size = 1,
                       .tags = {"elderly_alone"}});
  w.wang = d.Requester({.name = "王阿姨", .phone = "13900002222", .address = "江汉区和平里5幢101"});
  w.li = d.Requester({.station_id = w.station_b,
                      .name = "李叔叔",
                      .address = "武昌区中华路9号",
                      .district = "武昌区"});
  for (int64_t r : {w.jin, w.wang, w.li}) {
    w.eggs_need[r] = d.Need(r, w.eggs, 30);
    w.rice_need[r] = d.Need(r, w.rice, 4);
  }
  json::object run = d.Match(kAsOf);
  for (const json::object& del : d.f().ListAll("/v1/deliveries", d.token())) {
    w.delivery[IntOr(del, "requester_id")] = IntOr(del, "id");
  }
  REQUIRE(w.delivery.size() == 3);
  REQUIRE(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 90, 0, 0});
  REQUIRE(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 12, 0, 0});
  return w;
}

std::string Path(int64_t delivery, std::string_view verb) {
  return "/v1/deliveries/" + std::to_string(delivery) + ":" + std::string(verb);
}

}  // namespace

TEST_CASE("Delivering all lines moves the allocation to delivered and fulfils the needs",
          "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.jin];
  REQUIRE_STATUS(d.http().Post(Path(del, "dispatch"), json::object{}, d.token()), 200);
  CHECK(StrOr(d.GetDelivery(del), "status") == "dispatched");
  CHECK_ERROR(d.http().Post(Path(del, "dispatch"), json::object{}, d.token()), 422, "");

  Response r =
      d.http().Post(Path(del, "deliver"),
                    json::object{{"received_by", "金老伯本人"}, {"note", "老人很高兴"}}, d.token());
  REQUIRE_STATUS(r, 200);
  json::object got = r.Json().as_object();
  CHECK(StrOr(got, "status") == "delivered");
  CHECK(StrOr(got, "received_by") == "金老伯本人");
  CHECK(StrOr(got, "note") == "老人很高兴");
  for (const json::value& v : Arr(got, "lines")) {
    const json::object& l = v.as_object();
    CHECK(IntOr(l, "delivered") == IntOr(l, "quantity"));
    CHECK(IntOr(l, "returned") == 0);
  }
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 30, 0});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 8, 4, 0});
  CHECK(d.NeedQuantities(w.eggs_need[w.jin]) == NeedQ{30, 0, 0, 30, 0});
  CHECK(StrOr(d.GetNeed(w.eggs_need[w.jin]), "status") == "fulfilled");
  CHECK(StrOr(d.GetNeed(w.rice_need[w.jin]), "status") == "fulfilled");

  // A delivered delivery is settled: no second outcome.
  const int64_t events = CountRows(server.db_path(), "events");
  CHECK_ERROR(
      d.http().Post(Path(del, "deliver"), json::object{{"received_by", "又一次"}}, d.token()), 422,
      "");
  CHECK_ERROR(d.http().Post(Path(del, "fail"), json::object{{"reason", "不在家"}}, d.token()), 422,
              "");
  CHECK_ERROR(d.http().Post(Path(del, "cancel"), json::object{{"reason", "取消"}}, d.token()), 422,
              "");
  CHECK(CountRows(server.db_path(), "events") == events);
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 30, 0});
  d.RequireLedgerOk();
}

TEST_CASE("Delivering less returns the rest to the lot and reopens the need",
          "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.wang];
  Response r = d.http().Post(
      Path(del, "deliver"),
      json::object{{"received_by", "王明"},
                   {"note", "鸡蛋碎了一盒，只收20个"},
                   {"lines", json::array{json::object{{"item_id", w.eggs}, {"quantity", 20}},
                                         json::object{{"item_id", w.rice}, {"quantity", 4}}}}},
      d.token());
  REQUIRE_STATUS(r, 200);
  json::object got = r.Json().as_object();
  CHECK(StrOr(got, "status") == "delivered");
  std::map<int64_t, std::pair<int64_t, int64_t>> by_item;  // delivered, returned
  for (const json::value& v : Arr(got, "lines")) {
    const json::object& l = v.as_object();
    by_item[IntOr(l, "item_id")].first += IntOr(l, "delivered");
    by_item[IntOr(l, "item_id")].second += IntOr(l, "returned");
  }
  CHECK(by_item[w.eggs] == std::pair<int64_t, int64_t>{20, 10});
  CHECK(by_item[w.rice] == std::pair<int64_t, int64_t>{4, 0});
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 120, 60, 20, 0});
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 10, 0, 20, 0});
  CHECK(StrOr(d.GetNeed(w.eggs_need[w.wang]), "status") == "partial");
  CHECK(StrOr(d.GetNeed(w.rice_need[w.wang]), "status") == "fulfilled");
  d.RequireLedgerOk();

  // The reopened 10 are served again by the next run.
  json::object run = d.Match(kAsOf);
  int64_t again = 0;
  for (const Alloc& a : AllocsOf(run)) {
    if (a.need_id == w.eggs_need[w.wang]) again += a.quantity;
  }
  CHECK(again == 10);
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 0, 10, 20, 0});
}

TEST_CASE(
    "A failed delivery returns everything, reopens the needs, keeps the reason, and a later run "
    "serves them",
    "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.jin];
  REQUIRE_STATUS(d.http().Post(Path(del, "dispatch"), json::object{}, d.token()), 200);
  Response r =
      d.http().Post(Path(del, "fail"), json::object{{"reason", "不在家，电话无人接听"}}, d.token());
  REQUIRE_STATUS(r, 200);
  json::object got = r.Json().as_object();
  CHECK(StrOr(got, "status") == "failed");
  CHECK(StrOr(got, "fail_reason") == "不在家，电话无人接听");
  for (const json::value& v : Arr(got, "lines")) {
    CHECK(IntOr(v.as_object(), "delivered") == 0);
    CHECK(IntOr(v.as_object(), "returned") == IntOr(v.as_object(), "quantity"));
  }
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 140, 60, 0, 0});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 92, 8, 0, 0});
  CHECK(d.NeedQuantities(w.eggs_need[w.jin]) == NeedQ{30, 30, 0, 0, 0});
  CHECK(StrOr(d.GetNeed(w.eggs_need[w.jin]), "status") == "open");
  CHECK(StrOr(d.GetDelivery(del), "fail_reason") == "不在家，电话无人接听");
  CHECK_ERROR(d.http().Post(Path(del, "deliver"), json::object{{"received_by", "x"}}, d.token()),
              422, "");
  d.RequireLedgerOk();

  // A later run serves both reopened needs on a new delivery.
  json::object run = d.Match(kAsOf);
  std::map<int64_t, int64_t> per_need;
  std::set<int64_t> new_deliveries;
  for (const Alloc& a : AllocsOf(run)) {
    per_need[a.need_id] += a.quantity;
    new_deliveries.insert(a.delivery_id);
  }
  CHECK(per_need[w.eggs_need[w.jin]] == 30);
  CHECK(per_need[w.rice_need[w.jin]] == 4);
  REQUIRE(new_deliveries.size() == 1);
  CHECK(*new_deliveries.begin() != del);
  CHECK(StrOr(d.GetDelivery(*new_deliveries.begin()), "status") == "planned");
  CHECK(StrOr(d.GetDelivery(del), "status") == "failed");

  // :cancel works like :fail and is recorded as cancelled.
  Response c = d.http().Post(Path(w.delivery[w.wang], "cancel"),
                             json::object{{"reason", "重复申领"}}, d.token());
  REQUIRE_STATUS(c, 200);
  CHECK(StrOr(c.Json().as_object(), "status") == "cancelled");
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 30, 0, 0, 0});
  CHECK_ERROR(d.http().Post(Path(del, "fail"), json::object{{"reason", ""}}, d.token()), 400,
              "reason");
  d.RequireLedgerOk();
}

TEST_CASE("An item not listed in :deliver's lines is delivered in full", "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  Response r = d.http().Post(
      Path(w.delivery[w.wang], "deliver"),
      json::object{{"received_by", "王明"},
                   {"lines", json::array{json::object{{"item_id", w.eggs}, {"quantity", 20}}}}},
      d.token());
  REQUIRE_STATUS(r, 200);
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 120, 60, 20, 0});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 8, 4, 0});
  CHECK(d.NeedQuantities(w.rice_need[w.wang]) == NeedQ{4, 0, 0, 4, 0});
  CHECK(StrOr(d.GetNeed(w.rice_need[w.wang]), "status") == "fulfilled");
  d.RequireLedgerOk();
}

TEST_CASE("Damaged units are written off as damaged_in_delivery, not returned, and reopen the need",
          "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  // 30 eggs allotted to 金老伯: 20 taken, 10 broken on the stairs; rice not listed.
  Response r = d.http().Post(
      Path(w.delivery[w.jin], "deliver"),
      json::object{
          {"received_by", "金老伯本人"},
          {"lines",
           json::array{json::object{{"item_id", w.eggs}, {"quantity", 20}, {"damaged", 10}}}}},
      d.token());
  REQUIRE_STATUS(r, 200);
  for (const json::value& v : Arr(r.Json().as_object(), "lines")) {
    const json::object& l = v.as_object();
    if (IntOr(l, "item_id") != w.eggs) continue;
    CHECK(IntOr(l, "delivered") == 20);
    CHECK(IntOr(l, "damaged") == 10);
    CHECK(IntOr(l, "returned") == 0);
  }
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 20, 10});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 8, 4, 0});
  CHECK(d.NeedQuantities(w.eggs_need[w.jin]) == NeedQ{30, 10, 0, 20, 0});
  CHECK(QueryInt(
            server.db_path(),
            "SELECT count(*) FROM events WHERE entity = 'lot' AND entity_id = " +
                std::to_string(w.eggs_lot) +
                " AND detail LIKE '%\"written_off\":10,\"reason\":\"damaged_in_delivery\"%'") == 1);
  d.RequireLedgerOk();

  // Only `damaged`: the rest of the item reached the door.
  Response only = d.http().Post(
      Path(w.delivery[w.wang], "deliver"),
      json::object{{"received_by", "王明"},
                   {"lines", json::array{json::object{{"item_id", w.eggs}, {"damaged", 5}}}}},
      d.token());
  REQUIRE_STATUS(only, 200);
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 30, 45, 15});
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 5, 0, 25, 0});
  d.RequireLedgerOk();

  // The reopened units are served again by the next run, from stock that is there.
  json::object run = d.Match(kAsOf);
  std::map<int64_t, int64_t> again;
  for (const Alloc& a : AllocsOf(run)) again[a.need_id] += a.quantity;
  CHECK(again[w.eggs_need[w.jin]] == 10);
  CHECK(again[w.eggs_need[w.wang]] == 5);
  d.RequireLedgerOk();
}

TEST_CASE("A :deliver claiming more than was allotted, or negative damage, changes nothing",
          "[dispatch][outcome]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.li];
  const int64_t events = CountRows(server.db_path(), "events");
  auto deliver = [&](json::object line) {
    line["item_id"] = w.eggs;
    return d.http().Post(Path(del, "deliver"),
                         json::object{{"received_by", "李叔叔"}, {"lines", json::array{line}}},
                         d.token());
  };
  CHECK_ERROR(deliver({{"quantity", 25}, {"damaged", 10}}), 400, "lines.damaged");
  CHECK_ERROR(deliver({{"damaged", 31}}), 400, "lines.damaged");
  CHECK_ERROR(deliver({{"damaged", -1}}), 400, "lines.damaged");
  CHECK_ERROR(deliver({{"quantity", 31}}), 400, "lines.quantity");
  CHECK(CountRows(server.db_path(), "events") == events);
  CHECK(StrOr(d.GetDelivery(del), "status") == "planned");
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 90, 0, 0});
  d.RequireLedgerOk();
}

TEST_CASE("A station confirms receipt only for its own households; donors record nothing",
          "[dispatch][outcome][authz]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t own = w.delivery[w.jin], other = w.delivery[w.li];

  // Station A sees its own deliveries only.
  std::set<int64_t> seen;
  for (const json::object& del : d.f().ListAll("/v1/deliveries", d.station_token))
    seen.insert(IntOr(del, "id"));
  CHECK(seen == std::set<int64_t>{w.delivery[w.jin], w.delivery[w.wang]});
  CHECK_ERROR(d.http().Get("/v1/deliveries/" + std::to_string(other), d.station_token), 404, "");
  CHECK_ERROR(
      d.http().Get("/v1/deliveries?station_id=" + std::to_string(w.station_b), d.station_token),
      404, "");

  const int64_t events = CountRows(server.db_path(), "events");
  CHECK_ERROR(d.http().Post(Path(other, "deliver"), json::object{{"received_by", "李叔叔"}},
                            d.station_token),
              404, "");
  CHECK_ERROR(d.http().Post(Path(own, "fail"), json::object{{"reason", "不在家"}}, d.station_token),
              403, "");
  CHECK_ERROR(
      d.http().Post(Path(own, "cancel"), json::object{{"reason", "不要了"}}, d.station_token), 403,
      "");
  CHECK_ERROR(d.http().Post(Path(own, "dispatch"), json::object{}, d.station_token), 403, "");
  for (std::string_view verb : {"deliver", "fail", "dispatch"}) {
    json::object body{{"received_by", "x"}, {"reason", "x"}};
    CHECK_ERROR(d.http().Post(Path(own, verb), body, d.donor_token), 403, "");
  }
  CHECK_ERROR(d.http().Get("/v1/deliveries", d.donor_token), 403, "");
  CHECK_ERROR(d.http().Get("/v1/deliveries/" + std::to_string(own), d.donor_token), 403, "");
  CHECK(CountRows(server.db_path(), "events") == events);

  Response r = d.http().Post(Path(own, "deliver"),
                             json::object{{"received_by", "金老伯"}, {"note", "社工确认签收"}},
                             d.station_token);
  REQUIRE_STATUS(r, 200);
  CHECK(StrOr(r.Json().as_object(), "status") == "delivered");
  // Station B confirms its own.
  REQUIRE_STATUS(d.http().Post(Path(other, "deliver"), json::object{{"received_by", "李叔叔"}},
                               w.station_b_token),
                 200);
  d.RequireLedgerOk();
}

TEST_CASE(
    "Delivered lines that name a foreign item or exceed the allotment are refused and change "
    "nothing",
    "[dispatch][outcome][validation]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.wang];
  const int64_t masks = d.Item("口罩", "piece", 10, false, "ppe");
  const json::object before_delivery = d.GetDelivery(del);
  const auto lot_before = d.LotQuantities(w.eggs_lot);
  const auto need_before = d.NeedQuantities(w.eggs_need[w.wang]);
  const int64_t events = CountRows(server.db_path(), "events");
  auto deliver = [&](json::array lines) {
    return d.http().Post(Path(del, "deliver"),
                         json::object{{"received_by", "王明"}, {"lines", lines}}, d.token());
  };
  CHECK_ERROR(deliver({json::object{{"item_id", masks}, {"quantity", 1}}}), 400, "item_id");
  CHECK_ERROR(deliver({json::object{{"item_id", 999999}, {"quantity", 1}}}), 400, "item_id");
  CHECK_ERROR(deliver({json::object{{"item_id", w.eggs}, {"quantity", 31}}}), 400, "quantity");
  CHECK_ERROR(deliver({json::object{{"item_id", w.eggs}, {"quantity", 20}},
                       json::object{{"item_id", w.rice}, {"quantity", 5}}}),
              400, "quantity");
  CHECK_ERROR(deliver({json::object{{"item_id", w.eggs}, {"quantity", -1}}}), 400, "quantity");
  CHECK_ERROR(deliver({json::object{{"item_id", w.eggs}, {"quantity", 10}},
                       json::object{{"item_id", w.eggs}, {"quantity", 10}}}),
              400, "");
  CHECK_ERROR(d.http().Post(Path(del, "deliver"), json::object{{"received_by", ""}}, d.token()),
              400, "received_by");
  CHECK_ERROR(d.http().Post(Path(999999, "deliver"), json::object{{"received_by", "x"}}, d.token()),
              404, "");

  CHECK(CountRows(server.db_path(), "events") == events);
  CHECK(d.LotQuantities(w.eggs_lot) == lot_before);
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == need_before);
  json::object after = d.GetDelivery(del);
  CHECK(StrOr(after, "status") == "planned");
  CHECK(json::serialize(after.at("lines")) == json::serialize(before_delivery.at("lines")));
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE(
    "A retried :deliver with the same Idempotency-Key answers the first result and delivers once",
    "[dispatch][outcome][idempotency]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.wang];
  const json::object body{
      {"received_by", "王明"},
      {"lines", json::array{json::object{{"item_id", w.eggs}, {"quantity", 10}}}}};
  const Headers key = {{"Idempotency-Key", "deliver-" + std::to_string(del)}};
  Response first = d.http().Post(Path(del, "deliver"), body, d.token(), key);
  REQUIRE_STATUS(first, 200);
  const int64_t events = CountRows(server.db_path(), "events");
  const auto lot = d.LotQuantities(w.eggs_lot);
  Response again = d.http().Post(Path(del, "deliver"), body, d.token(), key);
  CHECK(again.status == 200);
  CHECK(again.body == first.body);
  CHECK(CountRows(server.db_path(), "events") == events);
  CHECK(d.LotQuantities(w.eggs_lot) == lot);
  json::object other = body;
  other["received_by"] = "别人";
  CHECK_ERROR(d.http().Post(Path(del, "deliver"), other, d.token(), key), 422, "");
  d.RequireLedgerOk();
}

TEST_CASE("Racing :deliver, :fail and :cancel on one delivery settle it exactly once",
          "[dispatch][outcome][concurrency]") {
  TestServer server(TestServerOptions{.threads = 4});
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t lot = d.Lot(rice, 1000);
  std::vector<int64_t> deliveries;
  for (int i = 0; i < 16; ++i) {
    const int64_t r = d.Requester(
        {.name = "住户" + std::to_string(i), .address = "江汉区幸福里" + std::to_string(i) + "幢"});
    d.Need(r, rice, 3 + i);
  }
  d.Match(kAsOf);
  for (const json::object& del : d.f().ListAll("/v1/deliveries", d.token()))
    deliveries.push_back(IntOr(del, "id"));
  REQUIRE(deliveries.size() == 16);

  const uint16_t port = server.port();
  const std::string token = d.token();
  std::atomic<int> wins{0}, losses{0}, odd{0};
  std::mutex mu;
  std::string first_odd;
  auto racer = [&](int which) {
    HttpClient http(port);
    for (int64_t id : deliveries) {
      Response r;
      if (which == 0) {
        r = http.Post(Path(id, "deliver"), json::object{{"received_by", "本人"}}, token);
      } else if (which == 1) {
        r = http.Post(Path(id, "fail"), json::object{{"reason", "不在家"}}, token);
      } else {
        r = http.Post(Path(id, "cancel"), json::object{{"reason", "取消"}}, token);
      }
      if (r.status == 200)
        ++wins;
      else if (r.status == 422)
        ++losses;
      else {
        ++odd;
        std::lock_guard<std::mutex> lock(mu);
        if (first_odd.empty()) first_odd = r.Describe();
      }
    }
  };
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) threads.emplace_back(racer, i);
    for (auto& t : threads) t.join();
  }
  INFO("unexpected answer: " << first_odd);
  CHECK(odd == 0);
  CHECK(wins == 16);
  CHECK(losses == 32);
  int64_t delivered = 0;
  for (int64_t id : deliveries) {
    json::object del = d.GetDelivery(id);
    const std::string status = StrOr(del, "status");
    CHECK((status == "delivered" || status == "failed" || status == "cancelled"));
    for (const json::value& v : Arr(del, "lines")) delivered += IntOr(v.as_object(), "delivered");
  }
  LotQ q = d.LotQuantities(lot);
  CHECK(q.allocated == 0);
  CHECK(q.delivered == delivered);
  CHECK(q.available == 1000 - delivered);
  d.RequireLedgerOk();
}

TEST_CASE("Routes built at the same time never share a delivery",
          "[dispatch][route][concurrency]") {
  TestServer server(TestServerOptions{.threads = 4});
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 1000);
  for (int i = 0; i < 20; ++i) {
    const int64_t r = d.Requester(
        {.name = "住户" + std::to_string(i), .address = "江汉区幸福里" + std::to_string(i) + "幢"});
    d.Need(r, rice, 2);
  }
  d.Match(kAsOf);
  const uint16_t port = server.port();
  const std::string token = d.token();
  std::mutex mu;
  std::vector<int64_t> routed;
  std::vector<std::string> odd;
  auto builder = [&](int n) {
    HttpClient http(port);
    for (;;) {
      Response r = http.Post("/v1/routes",
                             json::object{{"depot_id", d.depot_id},
                                          {"date", "2026-11-02"},
                                          {"driver", "司机" + std::to_string(n)},
                                          {"max_stops", 3}},
                             token);
      std::lock_guard<std::mutex> lock(mu);
      if (r.status == 422) return;
      if (r.status != 201) {
        odd.push_back(r.Describe());
        return;
      }
      for (const json::value& v : Arr(r.Json().as_object(), "stops"))
        routed.push_back(IntOr(v.as_object(), "delivery_id"));
    }
  };
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back(builder, i);
    for (auto& t : threads) t.join();
  }
  INFO("unexpected: " << (odd.empty() ? std::string() : odd.front()));
  CHECK(odd.empty());
  std::set<int64_t> unique(routed.begin(), routed.end());
  CHECK(unique.size() == routed.size());
  CHECK(unique.size() == 20);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {
namespace {

json::object Line(int64_t item, std::optional<int64_t> quantity, int64_t damaged = 0) {
  json::object l{{"item_id", item}};
  if (quantity) l["quantity"] = *quantity;
  if (damaged > 0) l["damaged"] = damaged;
  return l;
}

// Allocations' delivered and damaged units agree with the lots' and needs'
// delivered and written-off quantities (no other write-offs in these tests).
void RequireAllocationsAgree(const std::string& db) {
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM lots l WHERE l.delivered != (SELECT ifnull(sum(delivered), "
                 "0) FROM allocations WHERE lot_id = l.id) OR l.written_off != (SELECT "
                 "ifnull(sum(damaged), 0) FROM allocations WHERE lot_id = l.id)") == 0);
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM needs n WHERE n.delivered != (SELECT ifnull(sum(delivered), "
                 "0) FROM allocations WHERE need_id = n.id)") == 0);
}

}  // namespace

TEST_CASE("A dispatcher corrects a recorded outcome: stock and needs move to the new figures",
          "[dispatch][outcome][correct]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.wang];
  REQUIRE_STATUS(
      d.http().Post(Path(del, "deliver"), json::object{{"received_by", "王明"}}, d.token()), 200);
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 30, 0});
  // The volunteer called back: only 20 eggs were taken, 5 were broken.
  Response r = d.http().Post(Path(del, "correct"),
                             json::object{{"lines", json::array{Line(w.eggs, 20, 5)}},
                                          {"reason", "志愿者回电：实收20个，碎5个"}},
                             d.token());
  REQUIRE_STATUS(r, 200);
  CHECK(StrOr(r.Json().as_object(), "status") == "delivered");
  CHECK(StrOr(r.Json().as_object(), "received_by") == "王明");
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 115, 60, 20, 5});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 8, 4, 0});
  CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 10, 0, 20, 0});
  CHECK(StrOr(d.GetNeed(w.eggs_need[w.wang]), "status") == "partial");
  // Who corrected what, from what, why.
  const auto events =
      Query(server.db_path(),
            "SELECT actor_role, detail FROM events WHERE kind = 'delivery_corrected' "
            "AND entity_id = " +
                std::to_string(del));
  REQUIRE(events.size() == 1);
  CHECK(events[0][0] == "dispatcher");
  CHECK(events[0][1].find("\"from\":\"delivered\"") != std::string::npos);
  CHECK(events[0][1].find("志愿者回电") != std::string::npos);
  RequireAllocationsAgree(server.db_path());
  d.RequireLedgerOk();

  SECTION("and corrects it again, back to everything delivered") {
    REQUIRE_STATUS(
        d.http().Post(Path(del, "correct"), json::object{{"reason", "再次核实：全收"}}, d.token()),
        200);
    CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 30, 0});
    CHECK(d.NeedQuantities(w.eggs_need[w.wang]) == NeedQ{30, 0, 0, 30, 0});
    RequireAllocationsAgree(server.db_path());
    d.RequireLedgerOk();
  }
}

TEST_CASE("A failed delivery can be corrected to delivered", "[dispatch][outcome][correct]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const int64_t del = w.delivery[w.jin];
  REQUIRE_STATUS(d.http().Post(Path(del, "fail"), json::object{{"reason", "不在家"}}, d.token()),
                 200);
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 140, 60, 0, 0});
  // Nobody said who received it.
  CHECK_ERROR(
      d.http().Post(Path(del, "correct"), json::object{{"reason", "其实邻居代收了"}}, d.token()),
      400, "received_by");
  Response r = d.http().Post(
      Path(del, "correct"),
      json::object{{"received_by", "邻居张阿姨"}, {"reason", "其实邻居代收了"}}, d.token());
  REQUIRE_STATUS(r, 200);
  CHECK(StrOr(r.Json().as_object(), "status") == "delivered");
  CHECK(StrOr(r.Json().as_object(), "fail_reason") == "");
  CHECK(d.LotQuantities(w.eggs_lot) == LotQ{200, 110, 60, 30, 0});
  CHECK(d.LotQuantities(w.rice_lot) == LotQ{100, 88, 8, 4, 0});
  CHECK(StrOr(d.GetNeed(w.eggs_need[w.jin]), "status") == "fulfilled");
  RequireAllocationsAgree(server.db_path());
  d.RequireLedgerOk();
}

TEST_CASE("A correction is refused without an outcome, past the window, or once stock moved on",
          "[dispatch][outcome][correct]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const json::object fix{{"reason", "更正"}, {"received_by", "本人"}};
  const int64_t events = CountRows(server.db_path(), "events");
  // Still planned: nothing to correct.
  CHECK_ERROR(d.http().Post(Path(w.delivery[w.jin], "correct"), fix, d.token()), 422, "");
  // Stations and donors cannot correct.
  CHECK_STATUS(d.http().Post(Path(w.delivery[w.jin], "correct"), fix, d.station_token), 403);
  CHECK_ERROR(d.http().Post(Path(w.delivery[w.jin], "correct"), json::object{}, d.token()), 400,
              "reason");
  CHECK(CountRows(server.db_path(), "events") == events);

  // Past --outcome-correction-hours (72 by default).
  REQUIRE_STATUS(d.http().Post(Path(w.delivery[w.wang], "deliver"),
                               json::object{{"received_by", "王明"}}, d.token()),
                 200);
  ExecWritable(server.db_path(),
               "UPDATE deliveries SET outcome_at = '2026-01-01T00:00:00Z' "
               "WHERE id = " +
                   std::to_string(w.delivery[w.wang]));
  CHECK_ERROR(d.http().Post(Path(w.delivery[w.wang], "correct"),
                            json::object{{"lines", json::array{Line(w.eggs, 0)}}, {"reason", "x"}},
                            d.token()),
              422, "");

  // The failed delivery's stock went to the same need again: correcting it to
  // delivered would serve the need twice.
  const int64_t li = w.delivery[w.li];
  REQUIRE_STATUS(d.http().Post(Path(li, "fail"), json::object{{"reason", "电话不通"}}, d.token()),
                 200);
  d.Match(kAsOf);
  const LotQ eggs = d.LotQuantities(w.eggs_lot);
  const int64_t before = CountRows(server.db_path(), "events");
  CHECK_ERROR(d.http().Post(Path(li, "correct"), fix, d.token()), 422, "");
  CHECK(CountRows(server.db_path(), "events") == before);
  CHECK(d.LotQuantities(w.eggs_lot) == eggs);
  CHECK(StrOr(d.GetDelivery(li), "status") == "failed");
  RequireAllocationsAgree(server.db_path());
  d.RequireLedgerOk();
}

TEST_CASE("Conservation holds after any sequence of deliveries, failures, corrections and runs",
          "[dispatch][outcome][correct][property]") {
  int corrected = 0, damaged = 0;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    TestServer server;
    Desk d(server);
    Doorsteps w = MakeDoorsteps(d);
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    for (int step = 0; step < 14; ++step) {
      std::vector<int64_t> all;
      for (const json::object& del : d.f().ListAll("/v1/deliveries", d.token())) {
        all.push_back(IntOr(del, "id"));
      }
      const int64_t del = all[static_cast<size_t>(pick(static_cast<int>(all.size())))];
      json::array lines;
      for (int64_t item : {w.eggs, w.rice}) {
        if (pick(3) == 0) continue;  // not listed: in full
        // Mostly within the allotment (30 eggs, 4 kg of rice), sometimes one over.
        const int allotted = item == w.eggs ? 30 : 4;
        const int64_t q = pick(allotted + 1);
        const int64_t x = pick(2) == 0 ? pick(allotted - static_cast<int>(q) + 2) : 0;
        lines.push_back(Line(item, pick(4) == 0 ? std::nullopt : std::optional<int64_t>(q), x));
      }
      const int action = pick(5);
      Response r;
      if (action == 0) {
        r = d.http().Post(Path(del, "fail"), json::object{{"reason", "不在家"}}, d.token());
      } else if (action == 1) {
        d.Match(kAsOf);
        continue;
      } else {
        const std::string verb = action == 2 ? "deliver" : "correct";
        r = d.http().Post(
            Path(del, verb),
            json::object{{"received_by", "收件人"}, {"reason", "核实"}, {"lines", lines}},
            d.token());
      }
      INFO("seed " << seed << " step " << step << " action " << action << " delivery " << del
                   << ": " << r.status << " " << r.body);
      // Figures that do not fit, or stock moved on, are refused; nothing else.
      CHECK((r.status == 200 || r.status == 400 || r.status == 422));
      corrected += action >= 3 && r.status == 200;
      damaged += r.status == 200 && std::regex_search(r.body, std::regex("\"damaged\":[1-9]"));
      RequireAllocationsAgree(server.db_path());
      d.RequireLedgerOk();
    }
  }
  // The sequences did correct outcomes and write off damage.
  CHECK(corrected >= 3);
  CHECK(damaged >= 3);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("A route is completed once every stop has an outcome", "[dispatch][outcome][route]") {
  TestServer server;
  Desk d(server);
  Doorsteps w = MakeDoorsteps(d);
  const json::object route = d.Route(d.depot_id, "志愿者小李");
  const std::string path = "/v1/routes/" + std::to_string(Id(route.at("id")));
  REQUIRE(Arr(route, "stops").size() == 3);
  REQUIRE_STATUS(d.http().Post(path + ":dispatch", json::object{}, d.token()), 200);
  auto status = [&] { return StrOr(d.f().Fetch(path, d.token()), "status"); };
  REQUIRE_STATUS(d.http().Post(Path(w.delivery[w.jin], "deliver"),
                               json::object{{"received_by", "金老伯本人"}}, d.token()),
                 200);
  CHECK(status() == "dispatched");
  REQUIRE_STATUS(d.http().Post(Path(w.delivery[w.wang], "fail"), json::object{{"reason", "不在家"}},
                               d.token()),
                 200);
  CHECK(status() == "dispatched");
  REQUIRE_STATUS(d.http().Post(Path(w.delivery[w.li], "cancel"),
                               json::object{{"reason", "重复申领"}}, d.token()),
                 200);
  CHECK(status() == "completed");
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM events WHERE kind = 'route_completed'") ==
        1);
  CHECK_ERROR(d.http().Post(path + ":dispatch", json::object{}, d.token()), 422, "");
  // A correction keeps it completed.
  REQUIRE_STATUS(
      d.http().Post(Path(w.delivery[w.wang], "correct"),
                    json::object{{"received_by", "王明"}, {"reason", "其实在家"}}, d.token()),
      200);
  CHECK(status() == "completed");
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch
