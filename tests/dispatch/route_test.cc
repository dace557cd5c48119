// POST /v1/routes, GET /v1/routes/{id} and the manifest formats.
#include <map>
#include <regex>
#include <set>

#include "dispatch/desk.h"
#include "util/text.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

std::vector<int64_t> StopRequesters(const json::object& route) {
  std::vector<int64_t> out;
  for (const json::value& v : Arr(route, "stops"))
    out.push_back(IntOr(v.as_object(), "requester_id"));
  return out;
}

std::vector<int64_t> StopDeliveries(const json::object& route) {
  std::vector<int64_t> out;
  for (const json::value& v : Arr(route, "stops"))
    out.push_back(IntOr(v.as_object(), "delivery_id"));
  return out;
}

}  // namespace

TEST_CASE(
    "A route orders addresses without coordinates naturally and leaves nothing for a second route",
    "[dispatch][route]") {
  TestServer server;
  Desk d(server);
  const int64_t depot = d.Depot("江汉区物资中转仓（无坐标）", "江汉区新华路100号", "江汉区");
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100, std::nullopt, depot);
  // Created in the reverse of the expected order, so id order is no help.
  const int64_t r12 = d.Requester({.name = "十二幢住户", .address = "江汉区幸福里12幢1单元101"});
  const int64_t r3b =
      d.Requester({.name = "三幢十单元住户", .address = "江汉区幸福里3幢10单元101"});
  const int64_t r3a = d.Requester({.name = "三幢二单元住户", .address = "江汉区幸福里3幢2单元101"});
  for (int64_t r : {r12, r3b, r3a}) d.Need(r, rice, 5);
  d.Match(kAsOf);

  json::object route = d.Route(depot, "志愿者小李");
  CHECK(IntOr(route, "depot_id") == depot);
  CHECK(StrOr(route, "date") == "2026-11-02");
  CHECK(StrOr(route, "driver") == "志愿者小李");
  CHECK(StopRequesters(route) == std::vector<int64_t>{r3a, r3b, r12});
  int64_t seq = 0;
  for (const json::value& v : Arr(route, "stops")) {
    const json::object& s = v.as_object();
    CHECK(IntOr(s, "seq") == ++seq);
    CHECK(StrOr(s, "status") == "planned");
    auto lines = Arr(s, "lines");
    REQUIRE(lines.size() == 1);
    CHECK(IntOr(lines[0].as_object(), "item_id") == rice);
    CHECK(IntOr(lines[0].as_object(), "quantity") == 5);
  }
  const int64_t route_id = Id(route.at("id"));
  json::object got = d.f().Fetch("/v1/routes/" + std::to_string(route_id), d.token());
  CHECK(StopDeliveries(got) == StopDeliveries(route));
  for (const json::object& del :
       d.f().ListAll("/v1/deliveries?route_id=" + std::to_string(route_id), d.token())) {
    CHECK(IntOr(del, "route_id") == route_id);
    CHECK(IntOr(del, "seq") >= 1);
  }

  // Everything at this depot is routed now.
  Response again = d.http().Post(
      "/v1/routes", json::object{{"depot_id", depot}, {"date", "2026-11-02"}, {"driver", "小王"}},
      d.token());
  CHECK_ERROR(again, 422, "");
  // Dispatching the route dispatches its deliveries; a second dispatch is 422.
  Response dispatched = d.http().Post("/v1/routes/" + std::to_string(route_id) + ":dispatch",
                                      json::object{}, d.token());
  REQUIRE_STATUS(dispatched, 200);
  for (const json::value& v : Arr(dispatched.Json().as_object(), "stops")) {
    CHECK(StrOr(v.as_object(), "status") == "dispatched");
  }
  CHECK(d.f().ListAll("/v1/deliveries?status=dispatched", d.token()).size() == 3);
  CHECK_ERROR(d.http().Post("/v1/routes/" + std::to_string(route_id) + ":dispatch", json::object{},
                            d.token()),
              422, "");
  CHECK_ERROR(d.http().Get("/v1/routes/999999", d.token()), 404, "");
  CHECK_ERROR(d.http().Get("/v1/routes/" + std::to_string(route_id), d.station_token), 403, "");
  d.RequireLedgerOk();
}

TEST_CASE("A route takes one district when asked and the most urgent stops first under max_stops",
          "[dispatch][route]") {
  TestServer server;
  Desk d(server);
  const int64_t water = d.Item("饮用水", "bottle", 1);
  d.Lot(water, 1000);
  const int64_t low = d.Requester({.name = "低", .address = "江汉区民意一路1号"});
  const int64_t critical = d.Requester({.name = "急", .address = "江汉区民意一路2号"});
  const int64_t normal = d.Requester({.name = "常", .address = "江汉区民意一路3号"});
  const int64_t wc1 =
      d.Requester({.name = "武一", .address = "武昌区和平里1幢", .district = "武昌区"});
  const int64_t wc2 =
      d.Requester({.name = "武二", .address = "武昌区和平里2幢", .district = "武昌区"});
  d.Need(low, water, 6, "low");
  d.Need(critical, water, 6, "critical");
  d.Need(normal, water, 6, "normal");
  d.Need(wc1, water, 6, "normal");
  d.Need(wc2, water, 6, "high");
  d.Match(kAsOf);

  json::object wuchang = d.Route(d.depot_id, "武昌线", std::string("武昌区"));
  auto got = StopRequesters(wuchang);
  CHECK(std::set<int64_t>(got.begin(), got.end()) == std::set<int64_t>{wc1, wc2});
  CHECK(StrOr(wuchang, "district") == "武昌区");
  CHECK_ERROR(d.http().Post("/v1/routes",
                            json::object{{"depot_id", d.depot_id},
                                         {"date", "2026-11-02"},
                                         {"driver", "武昌线"},
                                         {"district", "武昌区"}},
                            d.token()),
              422, "");

  CHECK(StopRequesters(d.Route(d.depot_id, "一号线", std::nullopt, 1)) ==
        std::vector<int64_t>{critical});
  CHECK(StopRequesters(d.Route(d.depot_id, "二号线", std::nullopt, 1)) ==
        std::vector<int64_t>{normal});
  CHECK(StopRequesters(d.Route(d.depot_id, "三号线", std::nullopt, 5)) ==
        std::vector<int64_t>{low});
  CHECK_ERROR(
      d.http().Post(
          "/v1/routes",
          json::object{{"depot_id", d.depot_id}, {"date", "2026-11-02"}, {"driver", "四号线"}},
          d.token()),
      422, "");

  // Bad route requests.
  for (const auto& [body, field] : std::vector<std::pair<json::object, const char*>>{
           {{{"depot_id", d.depot_id}, {"date", "2026-02-30"}, {"driver", "x"}}, "date"},
           {{{"depot_id", d.depot_id}, {"date", "2026-11-02"}, {"driver", ""}}, "driver"},
           {{{"depot_id", d.depot_id}, {"date", "2026-11-02"}, {"driver", "x"}, {"max_stops", 0}},
            "max_stops"},
       }) {
    INFO(json::serialize(body));
    CHECK_ERROR(d.http().Post("/v1/routes", body, d.token()), 400, field);
  }
  CHECK_ERROR(
      d.http().Post("/v1/routes",
                    json::object{{"depot_id", 999999}, {"date", "2026-11-02"}, {"driver", "x"}},
                    d.token()),
      404, "depot_id");
  CHECK_ERROR(
      d.http().Post("/v1/routes",
                    json::object{{"depot_id", d.depot_id}, {"date", "2026-11-02"}, {"driver", "x"}},
                    d.station_token),
      403, "");
}

TEST_CASE(
    "The manifest prints every recipient in txt within 100 columns, csv with BOM and html that "
    "keeps stops whole",
    "[dispatch][route][manifest]") {
  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋（散装，农户直供）", "piece", 10, true);
  const int64_t meds = d.Item("降压药（硝苯地平缓释片）", "box", 1, false, "medicine");
  d.Lot(eggs, 300, "2026-12-31");
  d.Lot(meds, 50, "2027-06-30");
  std::vector<std::string> names = {"金老伯", "王阿姨", "欧阳春花", "Zhang \"Wei\", Jr."};
  std::vector<int64_t> requesters;
  requesters.push_back(d.Requester({.name = names[0],
                                    .contact_name = "金老伯本人",
                                    .phone = "13800001111",
                                    .address = "江汉区幸福里3幢2单元501",
                                    .household_size = 1,
                                    .tags = {"elderly_alone", "chronic_illness"}}));
  requesters.push_back(d.Requester(
      {.name = names[1],
       .contact_name = "王明",
       .phone = "13900002222",
       .address =
           "江汉区和平里5幢101，楼道口左转第二户，门口有绿色鞋柜，敲门请大声一点，老人听力不好",
       .household_size = 3,
       .tags = {"disability"}}));
  requesters.push_back(
      d.Requester({.name = names[2], .address = "江汉区幸福里12幢", .household_size = 5}));
  requesters.push_back(d.Requester({.name = names[3],
                                    .phone = "13700003333",
                                    .address = "江汉区幸福里1幢",
                                    .household_size = 2}));
  for (size_t i = 0; i < requesters.size(); ++i) {
    d.Need(requesters[i], eggs, 30 + 10 * static_cast<int64_t>(i), "normal", std::nullopt,
           i == 0 ? "药只够吃四天，不会用智能手机，请电话联系" : "");
    if (i < 2) d.Need(requesters[i], meds, 2, "critical");
  }
  d.Match(kAsOf);
  json::object route = d.Route(d.depot_id, "配送员老周");
  const int64_t route_id = Id(route.at("id"));
  REQUIRE(Arr(route, "stops").size() == 4);
  const std::string base = "/v1/routes/" + std::to_string(route_id) + "/manifest";

  SECTION("txt") {
    Response r = d.http().Get(base + "?format=txt", d.token());
    REQUIRE_STATUS(r, 200);
    CHECK(r.Header("content-type").find("text/plain") == 0);
    for (const std::string& n : names) CHECK(r.body.find(n) != std::string::npos);
    CHECK(r.body.find("配送员老周") != std::string::npos);
    CHECK(r.body.find("独居老人") != std::string::npos);
    CHECK(r.body.find("签收") != std::string::npos);
    for (const std::string& line : Lines(r.body)) {
      INFO("line: " << line);
      CHECK(text::DisplayWidth(line) <= 100);
    }
  }
  SECTION("csv") {
    Response r = d.http().Get(base + "?format=csv", d.token());
    REQUIRE_STATUS(r, 200);
    CHECK(r.Header("content-type").find("text/csv") == 0);
    REQUIRE(r.body.rfind("\xEF\xBB\xBF", 0) == 0);
    auto rows = ParseCsv(std::string_view(r.body).substr(3));
    size_t lines = 0;
    std::multiset<std::string> recipients_expected;
    for (const json::value& v : Arr(route, "stops")) {
      json::object del = d.GetDelivery(IntOr(v.as_object(), "delivery_id"));
      const size_t n = Arr(del, "lines").size();
      lines += n;
      for (size_t i = 0; i < n; ++i) {
        for (size_t k = 0; k < requesters.size(); ++k) {
          if (requesters[k] == IntOr(del, "requester_id")) recipients_expected.insert(names[k]);
        }
      }
    }
    REQUIRE(rows.size() == 1 + lines);
    CHECK(rows[0].size() == 12);
    CHECK(rows[0][0] == "序号");
    std::multiset<std::string> recipients;
    for (size_t i = 1; i < rows.size(); ++i) {
      REQUIRE(rows[i].size() == rows[0].size());
      recipients.insert(rows[i][2]);
    }
    CHECK(recipients == recipients_expected);
  }
  SECTION("html") {
    Response r = d.http().Get(base + "?format=html", d.token());
    REQUIRE_STATUS(r, 200);
    CHECK(r.Header("content-type").find("text/html") == 0);
    CHECK(r.body.find("break-inside") != std::string::npos);
    CHECK(r.body.find("@page") != std::string::npos);
    for (const std::string& n : {names[0], names[1], names[2]})
      CHECK(r.body.find(n) != std::string::npos);
    CHECK(r.body.find("Zhang &quot;Wei&quot;, Jr.") != std::string::npos);
    Response dflt = d.http().Get(base, d.token());
    REQUIRE_STATUS(dflt, 200);
    CHECK(dflt.body == r.body);
  }
  SECTION("English labels") {
    for (const char* fmt : {"txt", "html"}) {
      Response r = d.http().Get(base + "?format=" + fmt + "&lang=en", d.token());
      REQUIRE_STATUS(r, 200);
      INFO(fmt);
      CHECK(r.body.find("Delivery list") != std::string::npos);
      CHECK(r.body.find("Signature") != std::string::npos);
      CHECK(r.body.find("lives alone") != std::string::npos);
      CHECK(r.body.find("配送清单") == std::string::npos);
      CHECK(r.body.find(names[0]) != std::string::npos);
    }
    Response csv = d.http().Get(base + "?format=csv&lang=en", d.token());
    REQUIRE_STATUS(csv, 200);
    CHECK(csv.body.find("\xEF\xBB\xBFseq,") == 0);
  }
  SECTION("bad requests") {
    CHECK_ERROR(d.http().Get(base + "?format=pdf", d.token()), 400, "format");
    CHECK_ERROR(d.http().Get(base + "?format=txt&lang=fr", d.token()), 400, "lang");
    CHECK_ERROR(d.http().Get("/v1/routes/999999/manifest?format=txt", d.token()), 404, "");
    CHECK_ERROR(d.http().Get(base + "?format=txt", d.station_token), 403, "");
    CHECK_ERROR(d.http().Get(base + "?format=txt", d.donor_token), 403, "");
  }
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("A stop cancelled before the route leaves drops out of the pick list",
          "[dispatch][route][manifest]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100);
  const int64_t a = d.Requester({.name = "留下的住户", .address = "江汉区幸福里1幢"});
  const int64_t b = d.Requester({.name = "取消的住户", .address = "江汉区幸福里2幢"});
  d.Need(a, rice, 7);
  d.Need(b, rice, 11);
  d.Match(kAsOf);
  json::object route = d.Route(d.depot_id, "志愿者小李");
  int64_t cancelled = 0;
  for (const json::value& v : Arr(route, "stops")) {
    if (IntOr(v.as_object(), "requester_id") == b) cancelled = IntOr(v.as_object(), "delivery_id");
  }
  REQUIRE(cancelled > 0);
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + std::to_string(cancelled) + ":cancel",
                               json::object{{"reason", "已搬走"}}, d.token()),
                 200);
  // The 11 kg went back to the lot; whoever loads the van must not load them
  // for this route.
  Response txt = d.http().Get(
      "/v1/routes/" + std::to_string(Id(route.at("id"))) + "/manifest?format=txt", d.token());
  REQUIRE_STATUS(txt, 200);
  INFO(txt.body);
  // The pick list's total for rice is 7, not 18.
  const std::regex seven(R"((^|\s)7(\s|$))"), eighteen(R"((^|\s)18(\s|$))");
  bool found = false;
  for (const std::string& line : Lines(txt.body)) {
    if (line.find("大米") == std::string::npos) continue;
    found = true;
    INFO("pick line: " << line);
    CHECK(std::regex_search(line, seven));
    CHECK_FALSE(std::regex_search(line, eighteen));
    break;
  }
  CHECK(found);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("Stops with coordinates go nearest first from the depot", "[dispatch][route]") {
  TestServer server;
  Desk d(server);
  const int64_t depot = d.Depot("北站仓", "江汉区北站路1号", "江汉区", std::pair{30.60, 114.26});
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100, std::nullopt, depot);
  // On one meridian going south from the depot: 1 km, 3 km, 2 km, 5 km, 4 km.
  const double km = 1.0 / 111.0;
  std::vector<std::pair<int64_t, double>> people;
  for (double k : {3.0, 1.0, 5.0, 2.0, 4.0}) {
    Household h{.name = "南" + std::to_string(static_cast<int>(k)) + "公里",
                .address = "江汉区南路" + std::to_string(static_cast<int>(k)) + "号"};
    h.lat = 30.60 - k * km;
    h.lon = 114.26;
    people.push_back({d.Requester(h), k});
  }
  for (const auto& [r, k] : people) d.Need(r, rice, 2);
  d.Match(kAsOf);
  std::sort(people.begin(), people.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::vector<int64_t> want;
  for (const auto& [r, k] : people) want.push_back(r);
  CHECK(StopRequesters(d.Route(depot, "南线")) == want);
}

TEST_CASE("Deliveries filter by route, status, requester and station", "[dispatch][route]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  d.Lot(rice, 100);
  const int64_t station_b = d.Station("武昌区中华路社工站", "武昌区");
  const int64_t a = d.Requester({.name = "甲", .address = "江汉区幸福里1幢"});
  const int64_t b = d.Requester({.name = "乙", .address = "江汉区幸福里2幢"});
  const int64_t c = d.Requester(
      {.station_id = station_b, .name = "丙", .address = "武昌区和平里3幢", .district = "武昌区"});
  for (int64_t r : {a, b, c}) d.Need(r, rice, 3);
  d.Match(kAsOf);
  json::object route = d.Route(d.depot_id, "小李", std::nullopt, 2);
  const int64_t route_id = Id(route.at("id"));
  auto ids = [&](const std::string& query) {
    std::set<int64_t> out;
    for (const json::object& del : d.f().ListAll("/v1/deliveries" + query, d.token()))
      out.insert(IntOr(del, "requester_id"));
    return out;
  };
  auto routed = StopRequesters(route);
  CHECK(ids("?route_id=" + std::to_string(route_id)) ==
        std::set<int64_t>(routed.begin(), routed.end()));
  CHECK(ids("?requester_id=" + std::to_string(b)) == std::set<int64_t>{b});
  CHECK(ids("?station_id=" + std::to_string(station_b)) == std::set<int64_t>{c});
  CHECK(ids("?status=planned") == std::set<int64_t>{a, b, c});
  REQUIRE_STATUS(d.http().Post("/v1/routes/" + std::to_string(route_id) + ":dispatch",
                               json::object{}, d.token()),
                 200);
  CHECK(ids("?status=dispatched") == std::set<int64_t>(routed.begin(), routed.end()));
  CHECK(ids("?status=dispatched&requester_id=" + std::to_string(routed[0])) ==
        std::set<int64_t>{routed[0]});
  CHECK(ids("?status=delivered").empty());
  CHECK_ERROR(d.http().Get("/v1/deliveries?status=lost", d.token()), 400, "status");
  CHECK_ERROR(d.http().Get("/v1/deliveries?route_id=abc", d.token()), 400, "route_id");
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("Markup in household data is escaped in the html manifest and quoted in the csv",
          "[dispatch][route][manifest]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米<b>特供</b>", "kg", 1);
  d.Lot(rice, 10);
  const int64_t r = d.Requester({.name = "<script>alert(1)</script>",
                                 .contact_name = "O'Brien & 子",
                                 .address = "江汉区\"幸福里\",3幢2单元"});
  d.Need(r, rice, 2, "normal", std::nullopt, "请按门铃<img src=x onerror=alert(2)>");
  d.Match(kAsOf);
  const std::string base =
      "/v1/routes/" + std::to_string(Id(d.Route(d.depot_id, "小李").at("id"))) + "/manifest";
  Response html = d.http().Get(base + "?format=html", d.token());
  REQUIRE_STATUS(html, 200);
  CHECK(html.body.find("<script>alert") == std::string::npos);
  CHECK(html.body.find("<img src=x") == std::string::npos);
  CHECK(html.body.find("<b>特供") == std::string::npos);
  CHECK(html.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.body.find("O&#39;Brien &amp; 子") != std::string::npos);
  Response csv = d.http().Get(base + "?format=csv", d.token());
  REQUIRE_STATUS(csv, 200);
  auto rows = ParseCsv(std::string_view(csv.body).substr(3));
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][2] == "<script>alert(1)</script>");
  CHECK(rows[1][5].find("江汉区\"幸福里\",3幢2单元") == 0);
}

}  // namespace aidlink::test::dispatch
