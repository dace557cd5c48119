// Lot expiry, the donor trace and the ledger report.
#include <array>
#include <map>
#include <set>

#include "dispatch/desk.h"
#include "support/db_rows.h"

namespace aidlink::test::dispatch {

TEST_CASE("lots:expire writes off only the available part of lots that expired before as_of",
          "[dispatch][expiry]") {
  TestServer server;
  Desk d(server);
  const int64_t veg = d.Item("新鲜蔬菜包", "portion", 1, true);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t gone = d.Lot(veg, 100, "2026-11-05");  // expires before as_of, partly allocated
  const int64_t damaged =
      d.Lot(veg, 50, "2026-11-06");  // expires before as_of, some written off by hand
  const int64_t on_day = d.Lot(veg, 40, "2026-11-10");  // expires on as_of: still good that day
  const int64_t later = d.Lot(veg, 30, "2026-11-20");
  const int64_t dry = d.Lot(rice, 60);                 // never expires
  const int64_t empty = d.Lot(veg, 10, "2026-11-04");  // expired, nothing available
  REQUIRE_STATUS(
      d.http().Post("/v1/lots/" + std::to_string(damaged) + ":write_off",
                    json::object{{"quantity", 5}, {"reason", "运输途中压坏"}}, d.token()),
      200);
  REQUIRE_STATUS(d.http().Post("/v1/lots/" + std::to_string(empty) + ":write_off",
                               json::object{{"quantity", 10}, {"reason", "变质"}}, d.token()),
                 200);
  const int64_t hh = d.Requester({.kind = "community",
                                  .name = "封控小区三号楼",
                                  .address = "江汉区幸福里3幢",
                                  .household_size = 120});
  d.Need(hh, veg, 30, "high");
  // Only the soonest-expiring lot serves the need (FEFO).
  json::object run = d.Match("2026-11-01");
  for (const Alloc& a : AllocsOf(run)) CHECK(a.lot_id == gone);
  REQUIRE(d.LotQuantities(gone) == LotQ{100, 70, 30, 0, 0});

  // Stock to move first: lots with stock left that expire before the date.
  std::set<int64_t> listed;
  for (const json::object& lot : d.f().ListAll("/v1/lots?expiring_before=2026-11-10", d.token())) {
    listed.insert(IntOr(lot, "id"));
  }
  CHECK(listed == std::set<int64_t>{gone, damaged});
  listed.clear();
  for (const json::object& lot : d.f().ListAll("/v1/lots?expiring_before=2026-11-21", d.token())) {
    listed.insert(IntOr(lot, "id"));
  }
  CHECK(listed == std::set<int64_t>{gone, damaged, on_day, later});
  CHECK_ERROR(d.http().Get("/v1/lots?expiring_before=2026-02-30", d.token()), 400,
              "expiring_before");

  const int64_t expired_events_before = QueryInt(
      server.db_path(), "SELECT count(*) FROM events WHERE detail LIKE '%\"reason\":\"expired\"%'");
  Response r = d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-11-10"}}, d.token());
  REQUIRE_STATUS(r, 200);
  json::object out = r.Json().as_object();
  CHECK(StrOr(out, "as_of") == "2026-11-10");
  CHECK(IntOr(out, "lots_expired") == 2);
  // 70 available of `gone` and 45 of `damaged` (5 were written off before).
  CHECK(IntOr(out, "units_written_off") == 70 + 45);
  std::set<int64_t> ids;
  for (const json::value& v : Arr(out, "lots")) ids.insert(IntOr(v.as_object(), "id"));
  CHECK(ids == std::set<int64_t>{gone, damaged});

  CHECK(d.LotQuantities(gone) == LotQ{100, 0, 30, 0, 70});
  CHECK(d.LotQuantities(damaged) == LotQ{50, 0, 0, 0, 50});
  CHECK(d.LotQuantities(on_day) == LotQ{40, 40, 0, 0, 0});
  CHECK(d.LotQuantities(later) == LotQ{30, 30, 0, 0, 0});
  CHECK(d.LotQuantities(dry) == LotQ{60, 60, 0, 0, 0});
  CHECK(d.LotQuantities(empty) == LotQ{10, 0, 0, 0, 10});
  // Each write-off is recorded with reason "expired".
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE detail LIKE '%\"reason\":\"expired\"%'") ==
        expired_events_before + 2);
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE entity = 'lot' AND entity_id = " +
                     std::to_string(gone) + " AND detail LIKE '%\"reason\":\"expired\"%'") == 1);
  CHECK(d.f().ListAll("/v1/lots?expiring_before=2026-11-10", d.token()).empty());

  // A second expiry on the same date finds nothing; the allocated part still delivers.
  Response again =
      d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-11-10"}}, d.token());
  REQUIRE_STATUS(again, 200);
  CHECK(IntOr(again.Json().as_object(), "lots_expired") == 0);
  CHECK(IntOr(again.Json().as_object(), "units_written_off") == 0);
  CHECK_ERROR(d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-02-30"}}, d.token()),
              400, "as_of");
  CHECK_ERROR(d.http().Post("/v1/lots:expire", json::object{}, d.token()), 400, "as_of");
  CHECK_ERROR(
      d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-11-10"}}, d.station_token), 403,
      "");
  CHECK_ERROR(
      d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-11-10"}}, d.donor_token), 403,
      "");
  d.RequireLedgerOk();
}

TEST_CASE(
    "The donor trace breaks each lot down by district and requester kind and never shows a "
    "household",
    "[dispatch][trace]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("KN95口罩", "piece", 10, false, "ppe");
  const int64_t lot = d.Lot(masks, 500, "2028-01-01");
  const int64_t donor_b = d.f().CreateDonor(
      d.token(),
      json::object{
          {"name", "张女士"}, {"kind", "individual"}, {"phone", "13711112222"}, {"note", "匿名"}});
  const std::string donor_b_token = d.f().NewDonorToken(donor_b);
  const int64_t lot_b = d.Lot(masks, 20, "2028-01-01", 0, donor_b);
  const int64_t station_b = d.Station("武昌区中华路社工站", "武昌区");

  std::vector<Household> households = {
      {.name = "金老伯",
       .contact_name = "金小明",
       .phone = "13800001111",
       .address = "江汉区幸福里3幢2单元501",
       .tags = {"elderly_alone"}},
      {.name = "王阿姨",
       .contact_name = "王明",
       .phone = "13900002222",
       .address = "江汉区和平里5幢101"},
      {.station_id = station_b,
       .kind = "frontline_post",
       .name = "中华路核酸检测点",
       .contact_name = "赵队长",
       .phone = "13600003333",
       .address = "武昌区中华路口东南角",
       .district = "武昌区",
       .household_size = 12},
      {.station_id = station_b,
       .kind = "institution",
       .name = "武昌区福利院",
       .contact_name = "钱院长",
       .phone = "02788990011",
       .address = "武昌区解放路200号",
       .district = "武昌区",
       .household_size = 80},
  };
  std::vector<int64_t> reqs;
  for (const Household& h : households) reqs.push_back(d.Requester(h));
  for (size_t i = 0; i < reqs.size(); ++i)
    d.Need(reqs[i], masks, 50 * static_cast<int64_t>(i + 1), "high");
  d.Match("2026-11-01");
  std::map<int64_t, int64_t> delivery_of;
  for (const json::object& del : d.f().ListAll("/v1/deliveries", d.token())) {
    delivery_of[IntOr(del, "requester_id")] = IntOr(del, "id");
  }
  // 金老伯 receives all, 王阿姨 fails, the checkpoint takes 20 of its share, the home is still
  // planned.
  auto post = [&](int64_t del, std::string_view verb, json::object body) {
    REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + std::to_string(del) + ":" + std::string(verb),
                                 body, d.token()),
                   200);
  };
  post(delivery_of[reqs[0]], "dispatch", {});
  post(delivery_of[reqs[0]], "deliver", {{"received_by", "金小明"}});
  post(delivery_of[reqs[1]], "fail", {{"reason", "不在家"}});
  post(delivery_of[reqs[2]], "dispatch", {});
  post(delivery_of[reqs[3]], "dispatch", {});
  REQUIRE_STATUS(
      d.http().Post(
          "/v1/deliveries/" + std::to_string(delivery_of[reqs[3]]) + ":deliver",
          json::object{{"received_by", "钱院长"},
                       {"lines", json::array{json::object{{"item_id", masks}, {"quantity", 20}}}}},
          d.token()),
      200);
  REQUIRE_STATUS(d.http().Post("/v1/lots/" + std::to_string(lot) + ":write_off",
                               json::object{{"quantity", 10}, {"reason", "受潮"}}, d.token()),
                 200);

  Response r = d.http().Get("/v1/donors/" + std::to_string(d.donor_id) + "/trace", d.donor_token);
  REQUIRE_STATUS(r, 200);
  json::object trace = r.Json().as_object();
  CHECK(IntOr(trace, "donor_id") == d.donor_id);
  auto lots = Arr(trace, "lots");
  REQUIRE(lots.size() == 1);
  const json::object& t = lots[0].as_object();
  CHECK(IntOr(t, "lot_id") == lot);
  CHECK(StrOr(t, "item_name") == "KN95口罩");
  LotQ now = d.LotQuantities(lot);
  CHECK(IntOr(t, "quantity") == 500);
  CHECK(IntOr(t, "available") == now.available);
  CHECK(IntOr(t, "allocated") == now.allocated);
  CHECK(IntOr(t, "delivered") == now.delivered);
  CHECK(IntOr(t, "written_off") == 10);
  // Per bucket figures, from the allocations of this lot.
  std::map<std::pair<std::string, std::string>, std::array<int64_t, 4>> buckets;
  for (const json::value& v : Arr(t, "breakdown")) {
    const json::object& b = v.as_object();
    buckets[{StrOr(b, "district"), StrOr(b, "requester_kind")}] = {
        IntOr(b, "allocated"), IntOr(b, "dispatched"), IntOr(b, "delivered"), IntOr(b, "returned")};
  }
  // What the lot gave each requester, read back from its deliveries.
  std::map<int64_t, std::array<int64_t, 4>>
      per_requester;  // allocated now, dispatched now, delivered, returned
  for (size_t i = 0; i < reqs.size(); ++i) {
    json::object del = d.GetDelivery(delivery_of[reqs[i]]);
    const std::string status = StrOr(del, "status");
    for (const json::value& v : Arr(del, "lines")) {
      const json::object& l = v.as_object();
      if (IntOr(l, "lot_id") != lot) continue;
      auto& a = per_requester[reqs[i]];
      const bool open = status == "planned" || status == "dispatched";
      a[0] += open ? IntOr(l, "quantity") : 0;
      a[1] += status == "dispatched" ? IntOr(l, "quantity") : 0;
      a[2] += IntOr(l, "delivered");
      a[3] += IntOr(l, "returned");
    }
  }
  std::map<std::pair<std::string, std::string>, std::array<int64_t, 4>> want;
  const std::pair<std::string, std::string> keys[] = {{"江汉区", "household"},
                                                      {"江汉区", "household"},
                                                      {"武昌区", "frontline_post"},
                                                      {"武昌区", "institution"}};
  for (size_t i = 0; i < reqs.size(); ++i) {
    if (!per_requester.count(reqs[i])) continue;
    for (int k = 0; k < 4; ++k)
      want[keys[i]][static_cast<size_t>(k)] += per_requester[reqs[i]][static_cast<size_t>(k)];
  }
  CHECK(buckets == want);
  CHECK(buckets.size() == 3);
  int64_t delivered = 0;
  for (const auto& [k, v] : buckets) delivered += v[2];
  CHECK(delivered == now.delivered);

  // No household data, for the donor or the desk.
  for (const std::string& token : {d.donor_token, d.token()}) {
    Response body = d.http().Get("/v1/donors/" + std::to_string(d.donor_id) + "/trace", token);
    REQUIRE_STATUS(body, 200);
    for (const Household& h : households) {
      for (const std::string& s : {h.name, h.contact_name, h.phone, h.address}) {
        INFO("household string " << s);
        CHECK_FALSE(BodyContains(body, s));
      }
    }
  }
  CHECK_ERROR(d.http().Get("/v1/donors/" + std::to_string(donor_b) + "/trace", d.donor_token), 404,
              "");
  CHECK_ERROR(d.http().Get("/v1/donors/" + std::to_string(d.donor_id) + "/trace", donor_b_token),
              404, "");
  CHECK_ERROR(d.http().Get("/v1/donors/" + std::to_string(d.donor_id) + "/trace", d.station_token),
              403, "");
  CHECK_ERROR(d.http().Get("/v1/donors/999999/trace", d.token()), 404, "");
  Response b = d.http().Get("/v1/donors/" + std::to_string(donor_b) + "/trace", donor_b_token);
  REQUIRE_STATUS(b, 200);
  auto b_lots = Arr(b.Json().as_object(), "lots");
  REQUIRE(b_lots.size() == 1);
  CHECK(IntOr(b_lots[0].as_object(), "lot_id") == lot_b);
  CHECK(BodyContains(b, "KN95口罩"));
  d.RequireLedgerOk();
  CHECK_ERROR(d.http().Get("/v1/reports/ledger", d.station_token), 403, "");
  CHECK_ERROR(d.http().Get("/v1/reports/ledger", d.donor_token), 403, "");
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("The ledger report holds after a long day and flags quantities changed behind the ledger",
          "[dispatch][ledger]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  std::vector<int64_t> lots, needs;
  for (int i = 0; i < 4; ++i)
    lots.push_back(d.Lot(i % 2 ? eggs : rice, 40 + 10 * i, "2026-11-0" + std::to_string(5 + i)));
  for (int i = 0; i < 10; ++i) {
    const int64_t r = d.Requester(
        {.name = "住户" + std::to_string(i), .address = "江汉区幸福里" + std::to_string(i) + "幢"});
    needs.push_back(d.Need(r, i % 2 ? eggs : rice, 5 + 3 * i, i % 3 ? "normal" : "critical"));
  }
  for (int day = 0; day < 3; ++day) {
    d.Match("2026-11-01");
    std::vector<int64_t> open;
    for (const json::object& del : d.f().ListAll("/v1/deliveries?status=planned", d.token()))
      open.push_back(IntOr(del, "id"));
    for (size_t i = 0; i < open.size(); ++i) {
      const std::string path = "/v1/deliveries/" + std::to_string(open[i]);
      if (i % 3 == 0) {
        REQUIRE_STATUS(d.http().Post(path + ":fail", json::object{{"reason", "不在家"}}, d.token()),
                       200);
      } else if (i % 3 == 1) {
        REQUIRE_STATUS(
            d.http().Post(path + ":deliver", json::object{{"received_by", "本人"}}, d.token()),
            200);
      }
    }
    d.Lot(rice, 15, "2026-12-01");
    d.RequireLedgerOk();
  }
  // A need that nobody served yet is cancelled.
  const int64_t late =
      d.Need(d.Requester({.name = "晚到的住户", .address = "江汉区幸福里99幢"}), eggs, 500, "low");
  REQUIRE_STATUS(d.http().Post("/v1/needs/" + std::to_string(late) + ":cancel",
                               json::object{{"reason", "不需要了"}}, d.token()),
                 200);
  REQUIRE_STATUS(d.http().Post("/v1/lots:expire", json::object{{"as_of", "2026-11-07"}}, d.token()),
                 200);
  json::object report = d.RequireLedgerOk();
  CHECK(IntOr(report, "lots_checked") ==
        static_cast<int64_t>(d.f().ListAll("/v1/lots", d.token()).size()));
  CHECK(IntOr(report, "needs_checked") == 11);
  CHECK(IntOr(report, "sum_failures") == 0);
  CHECK(IntOr(report, "replay_failures") == 0);

  // Someone edits a lot in the database: the sums still add up, but the
  // ledger no longer explains today's quantities.
  ExecWritable(server.db_path(),
               "UPDATE lots SET available = available + 1, written_off = written_off - 1 "
               "WHERE id = " +
                   std::to_string(lots[0]) + " AND written_off > 0");
  ExecWritable(server.db_path(),
               "UPDATE lots SET available = available - 1, written_off = written_off + 1 "
               "WHERE id = " +
                   std::to_string(lots[1]) + " AND available > 0");
  json::object tampered = d.f().Fetch("/v1/reports/ledger", d.token());
  CHECK_FALSE(tampered.at("ok").as_bool());
  CHECK(IntOr(tampered, "replay_failures") >= 1);
  CHECK(IntOr(tampered, "sum_failures") == 0);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("The donation receipt shows the lot's figures to its donor and no household data",
          "[dispatch][trace]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("KN95口罩", "piece", 10, false, "ppe");
  const int64_t lot = d.Lot(masks, 200, "2028-01-01");
  Household h{.name = "金老伯",
              .contact_name = "金小明",
              .phone = "13800001111",
              .address = "江汉区幸福里3幢2单元501",
              .tags = {"elderly_alone"}};
  const int64_t r = d.Requester(h);
  d.Need(r, masks, 30, "high");
  d.Match("2026-11-01");
  const int64_t del = Id(d.f().ListAll("/v1/deliveries", d.token()).at(0).at("id"));
  REQUIRE_STATUS(
      d.http().Post("/v1/deliveries/" + std::to_string(del) + ":deliver",
                    json::object{{"received_by", "金小明"}, {"note", "送到金老伯家门口"}},
                    d.token()),
      200);
  const int64_t other_donor =
      d.f().CreateDonor(d.token(), json::object{{"name", "张女士"}, {"kind", "individual"}});
  const std::string other_token = d.f().NewDonorToken(other_donor);
  for (const char* fmt : {"txt", "html"}) {
    INFO(fmt);
    Response receipt =
        d.http().Get("/v1/lots/" + std::to_string(lot) + "/receipt?format=" + fmt, d.donor_token);
    REQUIRE_STATUS(receipt, 200);
    CHECK(receipt.body.find("KN95口罩") != std::string::npos);
    CHECK(receipt.body.find("200") != std::string::npos);
    CHECK(receipt.body.find("江汉区") != std::string::npos);
    for (const std::string& s :
         {h.name, h.contact_name, h.phone, h.address, std::string("送到金老伯家门口")}) {
      INFO("household string " << s);
      CHECK(receipt.body.find(s) == std::string::npos);
    }
    CHECK_ERROR(
        d.http().Get("/v1/lots/" + std::to_string(lot) + "/receipt?format=" + fmt, other_token),
        404, "");
    CHECK_ERROR(
        d.http().Get("/v1/lots/" + std::to_string(lot) + "/receipt?format=" + fmt, d.station_token),
        403, "");
  }
  CHECK_ERROR(
      d.http().Get("/v1/lots/" + std::to_string(lot) + "/receipt?format=pdf", d.donor_token), 400,
      "format");
}

}  // namespace aidlink::test::dispatch
