// Issue 12's five field cases as one day on one server: a province of four
// cities (Hunan's 长沙, 苏州, Jiangxi's 南昌, 宁波) with two depots each,
// unearmarked stock whose soonest expiry sits in another city, a donor's
// 5,000 masks pledged and received short, partial and damaged deliveries, a
// correction of each kind, and a volunteer recording a route at the door.
// No allocation or route stop crosses its area, and the ledger holds.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

struct City {
  std::string name;            // 长沙市
  std::string districts[2];    // the two depots' districts
  int64_t station = 0;         // its 社工站
  int64_t depots[2] = {0, 0};  // one per district
};

std::string S(int64_t v) { return std::to_string(v); }

json::object LineOf(int64_t item, int64_t quantity, int64_t damaged = 0) {
  json::object l{{"item_id", item}, {"quantity", quantity}};
  if (damaged > 0) l["damaged"] = damaged;
  return l;
}

// item id -> units allotted, of a delivery.
std::map<int64_t, int64_t> Allotted(Desk& d, int64_t delivery) {
  std::map<int64_t, int64_t> out;
  for (const json::value& v : Arr(d.GetDelivery(delivery), "lines")) {
    out[IntOr(v.as_object(), "item_id")] += IntOr(v.as_object(), "quantity");
  }
  return out;
}

// The lines of `delivery` with each item's units taken less `short_by` (at
// least 0), and `damaged` units of its first item broken.
json::array Taken(Desk& d, int64_t delivery, int64_t short_by, int64_t damaged = 0) {
  json::array lines;
  for (const auto& [item, units] : Allotted(d, delivery)) {
    const int64_t broken = lines.empty() ? std::min(damaged, units) : 0;
    lines.push_back(LineOf(item, std::max<int64_t>(0, units - short_by - broken), broken));
  }
  return lines;
}

}  // namespace

TEST_CASE(
    "A multi-city field day: stock stays in its area, outcomes are recorded and corrected, "
    "a volunteer records at the door, and the ledger holds",
    "[dispatch][area][outcome][volunteer][e2e]") {
  TestServer server;
  Desk d(server);
  Fixture& f = d.f();
  std::vector<City> cities = {{"长沙市", {"芙蓉区", "岳麓区"}},
                              {"苏州市", {"姑苏区", "吴中区"}},
                              {"南昌市", {"东湖区", "西湖区"}},
                              {"宁波市", {"海曙区", "鄞州区"}}};
  std::map<int64_t, std::string> city_of_depot;
  for (City& c : cities) {
    c.station = Id(f.Create("/v1/stations",
                            json::object{{"name", c.districts[0] + "社工站"},
                                         {"city", c.name},
                                         {"district", c.districts[0]}},
                            f.admin())
                       .at("id"));
    for (int k = 0; k < 2; ++k) {
      c.depots[k] = Id(f.Create("/v1/depots",
                                json::object{{"name", c.name + c.districts[k] + "仓"},
                                             {"address", c.districts[k] + "仓库路1号"},
                                             {"city", c.name},
                                             {"district", c.districts[k]}},
                                d.token())
                           .at("id"));
      city_of_depot[c.depots[k]] = c.name;
    }
  }
  const int64_t pills = d.Item("降压药", "box", 1, false, "medicine");
  const int64_t rice = d.Item("大米", "kg", 5);
  const int64_t masks = d.Item("医用口罩", "piece", 50, false, "ppe");

  // Unearmarked stock in every depot; the lots of 长沙 expire first, so a
  // pooled first-expiry-first-out would send them everywhere.
  std::map<int64_t, int64_t> depot_of_lot;
  for (size_t i = 0; i < cities.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      const std::string expires = i == 0 ? "2026-11-20" : "2027-06-30";
      const int64_t depot = cities[i].depots[k];
      depot_of_lot[d.Lot(pills, 6, expires, depot)] = depot;
      depot_of_lot[d.Lot(rice, 40, std::nullopt, depot)] = depot;
    }
  }
  // Case five: a donor pledges 5,000 masks at 宁波海曙仓; 4,980 arrive.
  const City& ningbo = cities[3];
  Response pledged = d.http().Post("/v1/lots", SampleLot(d.donor_id, masks, ningbo.depots[0], 5000),
                                   d.donor_token);
  REQUIRE_STATUS(pledged, 201);
  const int64_t mask_lot = IdOf(pledged);
  CHECK(StrOr(pledged.Json().as_object(), "status") == "pledged");
  REQUIRE_STATUS(
      d.http().Post("/v1/lots/" + S(mask_lot) + ":receive",
                    json::object{{"quantity_received", 4980}, {"note", "少20只"}}, d.token()),
      200);
  depot_of_lot[mask_lot] = ningbo.depots[0];

  // Three households per city, each asking for pills and rice; 宁波's also
  // for masks (the checkpoint volunteers).
  std::map<int64_t, std::string> city_of_need;
  std::map<std::string, std::vector<int64_t>> households;
  for (const City& c : cities) {
    for (int h = 0; h < 3; ++h) {
      const std::string district = c.districts[h % 2];
      const int64_t r = d.Requester({.station_id = c.station,
                                     .name = c.name + "住户" + S(h + 1),
                                     .phone = "1380000" + S(1000 + households.size() * 10 + h),
                                     .address = district + "幸福里" + S(h + 1) + "幢101",
                                     .district = district});
      households[c.name].push_back(r);
      city_of_need[d.Need(r, pills, 2, h == 0 ? "critical" : "normal")] = c.name;
      city_of_need[d.Need(r, rice, 10)] = c.name;
      if (c.name == ningbo.name) city_of_need[d.Need(r, masks, 500, "high")] = c.name;
    }
  }

  const json::object run = d.Match(kAsOf);
  const std::vector<Alloc> allocs = AllocsOf(run);
  REQUIRE(!allocs.empty());
  for (const Alloc& a : allocs) {
    INFO("lot " << a.lot_id << " -> need " << a.need_id);
    CHECK(city_of_depot.at(depot_of_lot.at(a.lot_id)) == city_of_need.at(a.need_id));
  }
  // Every need is served in full from its own city: no need is left unmet.
  CHECK(Arr(run, "unmet").empty());

  // Routes from every depot that has deliveries; every stop is in the
  // depot's city, and every route goes out.
  std::map<int64_t, std::string> city_of_requester;
  for (const auto& [city, rs] : households) {
    for (int64_t r : rs) city_of_requester[r] = city;
  }
  std::map<std::string, std::vector<int64_t>> routes, stops;  // by city
  for (const City& c : cities) {
    for (int64_t depot : c.depots) {
      Response r = d.http().Post(
          "/v1/routes",
          json::object{{"depot_id", depot}, {"date", "2026-11-02"}, {"driver", "司机老王"}},
          d.token());
      if (r.status == 422) continue;  // nothing planned from this depot
      REQUIRE_STATUS(r, 201);
      const int64_t route = IdOf(r);
      routes[c.name].push_back(route);
      for (const json::value& v : Arr(r.Json().as_object(), "stops")) {
        const int64_t del = IntOr(v.as_object(), "delivery_id");
        CHECK(city_of_requester.at(IntOr(d.GetDelivery(del), "requester_id")) == c.name);
        stops[c.name].push_back(del);
      }
      REQUIRE_STATUS(
          d.http().Post("/v1/routes/" + S(route) + ":dispatch", json::object{}, d.token()), 200);
    }
  }
  for (const City& c : cities) REQUIRE(stops[c.name].size() >= 3);
  auto post = [&](int64_t del, const std::string& verb, const json::object& body,
                  const std::string& token) {
    return d.http().Post("/v1/deliveries/" + S(del) + ":" + verb, body, token);
  };
  auto deliver_rest = [&](const std::vector<int64_t>& dels, size_t from, const std::string& token) {
    for (size_t i = from; i < dels.size(); ++i) {
      REQUIRE_STATUS(post(dels[i], "deliver", json::object{{"received_by", "本人"}}, token), 200);
    }
  };

  // 长沙: one household takes a unit less of each item; at another a unit
  // is damaged on the way (written off, not returned); the rest in full.
  const std::vector<int64_t>& cs = stops["长沙市"];
  REQUIRE_STATUS(
      post(cs[0], "deliver", json::object{{"received_by", "本人"}, {"lines", Taken(d, cs[0], 1)}},
           d.token()),
      200);
  REQUIRE_STATUS(
      post(cs[1], "deliver",
           json::object{{"received_by", "家属"}, {"lines", Taken(d, cs[1], 0, 1)}}, d.token()),
      200);
  deliver_rest(cs, 2, d.token());
  // 苏州: delivered in full, then the desk learns a unit less went in.
  const std::vector<int64_t>& sz = stops["苏州市"];
  deliver_rest(sz, 0, d.token());
  REQUIRE_STATUS(
      post(sz[0], "correct",
           json::object{{"lines", Taken(d, sz[0], 1)}, {"reason", "志愿者回电：每样少收了一份"}},
           d.token()),
      200);
  // 南昌: nobody home at one door; the neighbour took it after all.
  const std::vector<int64_t>& nc = stops["南昌市"];
  REQUIRE_STATUS(post(nc[0], "fail", json::object{{"reason", "不在家"}}, d.token()), 200);
  REQUIRE_STATUS(post(nc[0], "correct",
                      json::object{{"lines", Taken(d, nc[0], 0)},
                                   {"received_by", "邻居代收"},
                                   {"reason", "邻居已代收"}},
                      d.token()),
                 200);
  CHECK(StrOr(d.GetDelivery(nc[0]), "status") == "delivered");
  deliver_rest(nc, 1, d.token());

  // 宁波: a volunteer assigned to the routes records the stops at the door;
  // it sees no other city's stops.
  Response vt = d.http().Post(
      "/v1/tokens", json::object{{"role", "volunteer"}, {"label", "宁波志愿者小周"}}, d.token());
  REQUIRE_STATUS(vt, 201);
  const std::string volunteer = Str(vt.Json().at("token"));
  for (int64_t route : routes["宁波市"]) {
    REQUIRE_STATUS(d.http().Post("/v1/routes/" + S(route) + ":assign",
                                 json::object{{"token_id", IdOf(vt)}}, d.token()),
                   200);
  }
  CHECK_STATUS(d.http().Get("/v1/deliveries/" + S(cs[0]), volunteer), 404);
  CHECK_STATUS(post(cs[0], "fail", json::object{{"reason", "x"}}, volunteer), 404);
  const std::vector<int64_t>& nb = stops["宁波市"];
  // The masks' stop: 50 broken in the rain.
  const auto with_masks = std::find_if(
      nb.begin(), nb.end(), [&](int64_t del) { return Allotted(d, del).count(masks) > 0; });
  REQUIRE(with_masks != nb.end());
  std::vector<int64_t> rest;
  for (int64_t del : nb) {
    if (del != *with_masks) rest.push_back(del);
  }
  json::array lines;
  for (const auto& [item, units] : Allotted(d, *with_masks)) {
    lines.push_back(item == masks ? LineOf(item, units - 50, 50) : LineOf(item, units));
  }
  REQUIRE_STATUS(post(*with_masks, "deliver",
                      json::object{{"received_by", "本人"}, {"lines", lines}}, volunteer),
                 200);
  REQUIRE_STATUS(post(rest[0], "fail", json::object{{"reason", "电话无人接听"}}, volunteer), 200);
  deliver_rest(rest, 1, volunteer);

  // Every stop has an outcome: every route is completed.
  for (const auto& [city, rs] : routes) {
    for (int64_t route : rs) {
      INFO(city << " route " << route);
      CHECK(StrOr(f.Fetch("/v1/routes/" + S(route), d.token()), "status") == "completed");
    }
  }
  // What failed or was not taken reopens its needs; a second run serves
  // them again from their own city only.
  const json::object again = d.Match(kAsOf);
  for (const Alloc& a : AllocsOf(again)) {
    CHECK(city_of_depot.at(depot_of_lot.at(a.lot_id)) == city_of_need.at(a.need_id));
  }
  CHECK(!AllocsOf(again).empty());

  // The donor sees both figures of its masks; the damaged ones are written
  // off as damaged_in_delivery.
  const LotQ mask_q = d.LotQuantities(mask_lot);
  CHECK(mask_q.quantity == 4980);
  CHECK(mask_q.written_off == 50);
  const json::object mask_lot_now = d.GetLot(mask_lot);
  CHECK(IntOr(mask_lot_now, "quantity_pledged") == 5000);
  CHECK(IntOr(mask_lot_now, "quantity_received") == 4980);
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE kind = 'delivery_corrected'") == 2);
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch
