// Stock counts when it arrives: a lot a donor logs is pledged until a
// dispatcher confirms what arrived (POST /v1/lots/{id}:receive); only
// received stock is matched, a shortfall stays in the ledger, and the
// donor's trace shows both figures. Lots the desk logs are received at once.
#include <boost/json/parse.hpp>
#include <string>

#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

std::string ReceivePath(int64_t lot) { return "/v1/lots/" + std::to_string(lot) + ":receive"; }

// A donor's pledge of `quantity` masks at the desk's depot, logged with the
// donor's own token.
int64_t Pledge(Desk& d, int64_t item, int64_t quantity) {
  const json::object body{{"item_id", item},
                          {"depot_id", d.depot_id},
                          {"quantity", quantity},
                          {"note", "仁和大药房认捐口罩"}};
  return d.f().CreateLot(d.donor_token, body);
}

int64_t LotEvents(const TestServer& server, int64_t lot) {
  return QueryInt(server.db_path(),
                  "SELECT count(*) FROM events WHERE entity = 'lot' AND "
                  "entity_id = " +
                      std::to_string(lot));
}

}  // namespace

TEST_CASE("A donor's lot is pledged and matched only after a dispatcher receives it",
          "[dispatch][receive]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 10, false, "ppe");
  const int64_t jin = d.Requester({.name = "金老伯", .address = "江汉区幸福里3幢2单元501"});
  const int64_t need = d.Need(jin, masks, 30, "high");

  const int64_t lot = Pledge(d, masks, 100);
  json::object pledged = d.GetLot(lot);
  CHECK(StrOr(pledged, "status") == "pledged");
  CHECK(IntOr(pledged, "quantity_pledged") == 100);
  CHECK(IntOr(pledged, "quantity_received") == 0);
  CHECK(IntOr(pledged, "available") == 0);
  CHECK(StrOr(pledged, "received_at").empty());
  // Pledges wait for the depot.
  const Response waiting = d.http().Get("/v1/lots?status=pledged", d.token());
  REQUIRE_STATUS(waiting, 200);
  CHECK(Arr(waiting.Json().as_object(), "items").size() == 1);

  // Nothing pledged is matched: the need stays unmet for want of stock.
  json::object run = d.Match(kAsOf);
  CHECK(AllocsOf(run).empty());
  CHECK(d.NeedQuantities(need).outstanding == 30);

  const Response received = d.http().Post(
      ReceivePath(lot), json::object{{"quantity_received", 80}, {"note", "少20只"}}, d.token());
  REQUIRE_STATUS(received, 200);
  const json::object got = received.Json().as_object();
  CHECK(StrOr(got, "status") == "received");
  CHECK(IntOr(got, "quantity") == 80);
  CHECK(IntOr(got, "quantity_pledged") == 100);
  CHECK(IntOr(got, "quantity_received") == 80);
  CHECK(IntOr(got, "available") == 80);
  CHECK(StrOr(got, "receive_note") == "少20只");
  CHECK(!StrOr(got, "received_at").empty());

  // The shortfall is recorded, not lost.
  const auto rows = Query(server.db_path(),
                          "SELECT detail FROM events WHERE kind = 'lot_received' AND entity_id = " +
                              std::to_string(lot));
  REQUIRE(rows.size() == 1);
  const json::object detail = json::parse(rows[0][0]).as_object();
  CHECK(Int(detail.at("pledged")) == 100);
  CHECK(Int(detail.at("received")) == 80);
  CHECK(Int(detail.at("short")) == 20);
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM events WHERE kind = 'lot_pledged' AND "
                 "entity_id = " +
                     std::to_string(lot)) == 1);

  // Now it is stock.
  run = d.Match(kAsOf);
  REQUIRE(AllocsOf(run).size() == 1);
  CHECK(AllocsOf(run)[0].lot_id == lot);
  CHECK(d.LotQuantities(lot) == LotQ{80, 50, 30, 0, 0});

  // The donor's trace shows what was pledged and what arrived.
  const json::object trace =
      d.f().Fetch("/v1/donors/" + std::to_string(d.donor_id) + "/trace", d.donor_token);
  const json::array lots = Arr(trace, "lots");
  REQUIRE(lots.size() == 1);
  const json::object& t = lots[0].as_object();
  CHECK(StrOr(t, "status") == "received");
  CHECK(IntOr(t, "quantity_pledged") == 100);
  CHECK(IntOr(t, "quantity_received") == 80);
  CHECK(IntOr(t, "allocated") == 30);
  d.RequireLedgerOk();
}

TEST_CASE("A lot the desk logs is received at once", "[dispatch][receive]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t lot = d.Lot(rice, 50);
  const json::object l = d.GetLot(lot);
  CHECK(StrOr(l, "status") == "received");
  CHECK(IntOr(l, "quantity_pledged") == 50);
  CHECK(IntOr(l, "quantity_received") == 50);
  CHECK(IntOr(l, "available") == 50);
  CHECK(!StrOr(l, "received_at").empty());
  // Nothing to confirm: 409, and nothing written.
  const int64_t events = LotEvents(server, lot);
  CHECK_ERROR(d.http().Post(ReceivePath(lot), json::object{{"quantity_received", 50}}, d.token()),
              409, "");
  CHECK(LotEvents(server, lot) == events);
  CHECK(d.LotQuantities(lot) == LotQ{50, 50, 0, 0, 0});
}

TEST_CASE("Receiving refuses twice, more than pledged and other roles, and writes nothing then",
          "[dispatch][receive]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 10, false, "ppe");
  const int64_t lot = Pledge(d, masks, 50);
  const int64_t events = LotEvents(server, lot);
  const LotQ before = d.LotQuantities(lot);
  auto receive = [&](const json::object& body, const std::string& token) {
    return d.http().Post(ReceivePath(lot), body, token);
  };

  CHECK_ERROR(receive({{"quantity_received", 51}}, d.token()), 400, "quantity_received");
  CHECK_ERROR(receive({{"quantity_received", 0}}, d.token()), 400, "quantity_received");
  CHECK_ERROR(receive({}, d.token()), 400, "quantity_received");
  // Only the desk confirms arrivals: the donor cannot vouch for its own
  // stock (a stolen donor token must not create matchable stock).
  CHECK_ERROR(receive({{"quantity_received", 50}}, d.donor_token), 403, "");
  CHECK_ERROR(receive({{"quantity_received", 50}}, d.station_token), 403, "");
  CHECK_ERROR(
      d.http().Post("/v1/lots/999999:receive", json::object{{"quantity_received", 1}}, d.token()),
      404, "");
  CHECK(LotEvents(server, lot) == events);
  CHECK(d.LotQuantities(lot) == before);
  CHECK(StrOr(d.GetLot(lot), "status") == "pledged");

  // A pledge holds no stock to write off.
  CHECK_ERROR(d.http().Post("/v1/lots/" + std::to_string(lot) + ":write_off",
                            json::object{{"quantity", 1}, {"reason", "破损"}}, d.token()),
              422, "quantity");

  REQUIRE_STATUS(receive({{"quantity_received", 50}}, d.token()), 200);
  const int64_t after = LotEvents(server, lot);
  CHECK_ERROR(receive({{"quantity_received", 50}}, d.token()), 409, "");
  CHECK_ERROR(receive({{"quantity_received", 10}}, d.token()), 409, "");
  CHECK(LotEvents(server, lot) == after);
  CHECK(d.LotQuantities(lot) == LotQ{50, 50, 0, 0, 0});
  d.RequireLedgerOk();
}

TEST_CASE("A donor may change its pledge before it arrives", "[dispatch][receive]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 10, false, "ppe");
  const int64_t lot = Pledge(d, masks, 50);
  const Response patched =
      d.http().Request("PATCH", "/v1/lots/" + std::to_string(lot), R"({"quantity":40})",
                       {{"Authorization", "Bearer " + d.donor_token}});
  REQUIRE_STATUS(patched, 200);
  const json::object l = patched.Json().as_object();
  CHECK(IntOr(l, "quantity") == 40);
  CHECK(IntOr(l, "quantity_pledged") == 40);
  CHECK(IntOr(l, "available") == 0);
  CHECK(StrOr(l, "status") == "pledged");
  CHECK_ERROR(d.http().Post(ReceivePath(lot), json::object{{"quantity_received", 45}}, d.token()),
              400, "quantity_received");
  REQUIRE_STATUS(
      d.http().Post(ReceivePath(lot), json::object{{"quantity_received", 40}}, d.token()), 200);
  d.RequireLedgerOk();
}

}  // namespace aidlink::test::dispatch
