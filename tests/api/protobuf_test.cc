// The protobuf binary wire format: the same endpoints answer
// application/x-protobuf when asked, and take it as a body.
#include <catch2/catch.hpp>
#include <cmath>

#include "aidlink/v1/errors.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "support/db_rows.h"
#include "support/fixture.h"
#include "support/test_server.h"

using namespace aidlink;
using namespace aidlink::test;

namespace {

const Headers kProto = {{"Content-Type", "application/x-protobuf"},
                        {"Accept", "application/x-protobuf"}};

Headers WithToken(const std::string& token) {
  Headers h = kProto;
  h.emplace_back("Authorization", "Bearer " + token);
  return h;
}

}  // namespace

TEST_CASE("a need filed as protobuf binary is read back as protobuf and as JSON",
          "[api][protobuf]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);

  v1::Need need;
  need.set_requester_id(w.requester_a);
  need.set_item_id(w.item_id);
  need.set_quantity(3);
  need.set_urgency("high");
  need.set_needed_by("2026-12-01");
  need.set_note("降压药 每天一片");
  Response created =
      f.http().Request("POST", "/v1/needs", need.SerializeAsString(), WithToken(w.station_a));
  REQUIRE_STATUS(created, 201);
  CHECK(created.Header("content-type") == "application/x-protobuf");
  v1::Need stored;
  REQUIRE(stored.ParseFromString(created.body));
  CHECK(stored.id() > 0);
  CHECK(stored.status() == "open");
  CHECK(stored.outstanding() == 3);
  CHECK(stored.note() == "降压药 每天一片");

  Response listed = f.http().Request(
      "GET", "/v1/needs?requester_id=" + std::to_string(w.requester_a), "", WithToken(w.station_a));
  REQUIRE_STATUS(listed, 200);
  v1::NeedList list;
  REQUIRE(list.ParseFromString(listed.body));
  bool found = false;
  for (const auto& n : list.items()) found = found || n.id() == stored.id();
  CHECK(found);

  Response as_json = f.http().Get("/v1/needs/" + std::to_string(stored.id()), w.station_a);
  REQUIRE_STATUS(as_json, 200);
  CHECK(Id(as_json.Json().at("id")) == stored.id());
}

TEST_CASE("protobuf errors come back as the binary error message", "[api][protobuf]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  v1::Need need;
  need.set_requester_id(w.requester_a);
  need.set_item_id(w.item_id);
  need.set_quantity(0);
  need.set_urgency("high");
  Response r =
      f.http().Request("POST", "/v1/needs", need.SerializeAsString(), WithToken(w.station_a));
  REQUIRE_STATUS(r, 400);
  v1::ErrorResponse err;
  REQUIRE(err.ParseFromString(r.body));
  CHECK(err.error().code() == "invalid_argument");
  CHECK(err.error().field() == "quantity");

  Response garbage = f.http().Request("POST", "/v1/needs", std::string("\xff\xff\xff\x01", 4),
                                      WithToken(w.station_a));
  REQUIRE_STATUS(garbage, 400);
}

TEST_CASE("NaN and infinities over protobuf are 400 naming the field, and nothing is written",
          "[api][protobuf][trust]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  for (const double bad : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    for (const bool bad_lat : {true, false}) {
      v1::Requester r;
      r.set_station_id(w.station_a_id);
      r.set_kind("household");
      r.set_name("非数老人");
      r.set_address("幸福里9幢");
      r.set_district("江汉区");
      r.set_household_size(1);
      r.set_lat(bad_lat ? bad : 30.58);
      r.set_lon(bad_lat ? 114.27 : bad);
      const auto before = CountAllRows(server.db_path());
      Response answer =
          f.http().Request("POST", "/v1/requesters", r.SerializeAsString(), WithToken(w.station_a));
      REQUIRE_STATUS(answer, 400);
      v1::ErrorResponse err;
      REQUIRE(err.ParseFromString(answer.body));
      CHECK(err.error().field() == (bad_lat ? "lat" : "lon"));
      CHECK(CountAllRows(server.db_path()) == before);
    }
  }
}

TEST_CASE("a need's last run and unmet reason and a lot's receipt are in the protobuf answers",
          "[api][protobuf]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // An item nobody gave: the run leaves the need unmet for want of stock.
  const int64_t tents = f.CreateItem(w.dispatcher, "EQ-TENT");
  const int64_t need = f.CreateNeed(w.station_a, SampleNeed(w.requester_a, tents, 1, "high"));
  const Response run =
      f.http().Post("/v1/match/runs", json::object{{"as_of", "2026-11-01"}}, w.dispatcher);
  REQUIRE_STATUS(run, 201);
  const Response got =
      f.http().Request("GET", "/v1/needs/" + std::to_string(need), "", WithToken(w.station_a));
  REQUIRE_STATUS(got, 200);
  v1::Need n;
  REQUIRE(n.ParseFromString(got.body));
  CHECK(n.last_run_id() == IdOf(run));
  CHECK(n.last_unmet_reason() == "no_stock");

  // World's lots were pledged by the donors and received by the desk.
  const Response lot =
      f.http().Request("GET", "/v1/lots/" + std::to_string(w.lot_b), "", WithToken(w.donor_b));
  REQUIRE_STATUS(lot, 200);
  v1::Lot l;
  REQUIRE(l.ParseFromString(lot.body));
  CHECK(l.status() == "received");
  CHECK(l.quantity_pledged() == 20);
  CHECK(l.quantity_received() == 20);
  CHECK(!l.received_at().empty());
}
