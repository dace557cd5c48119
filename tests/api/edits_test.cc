// PATCH (merge-patch, If-Match, versions), the quantity floors, and
// deactivating a requester, through the real server.

#include <atomic>
#include <thread>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

constexpr const char* kAsOf = "2026-11-28";

Response Patch(Fixture& f, const std::string& path, const json::object& body,
               const std::string& token, const std::string& if_match = "") {
  Headers h{{"Authorization", "Bearer " + token}};
  if (!if_match.empty()) h.emplace_back("If-Match", if_match);
  return f.http().Request("PATCH", path, json::serialize(body), h);
}

std::string RequesterPath(int64_t id) { return "/v1/requesters/" + std::to_string(id); }
std::string NeedPath(int64_t id) { return "/v1/needs/" + std::to_string(id); }
std::string LotPath(int64_t id) { return "/v1/lots/" + std::to_string(id); }

int64_t VersionOf(const json::object& o) { return IntOr(o, "version", 0); }

json::object CommitRun(Fixture& f, const std::string& token) {
  Response r =
      f.http().Post("/v1/match/runs", json::object{{"dry_run", false}, {"as_of", kAsOf}}, token);
  REQUIRE_STATUS(r, 201);
  return r.Json().as_object();
}

bool LedgerOk(Fixture& f, const std::string& token) {
  return f.Fetch("/v1/reports/ledger", token).at("ok").as_bool();
}

TEST_CASE("a requester patch rejects each bad value, read-only and unknown field, naming it",
          "[api][edit]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string path = RequesterPath(w.requester_a);
  const json::object before = f.Fetch(path, w.station_a);
  REQUIRE(VersionOf(before) == 1);
  CHECK(f.http().Get(path, w.station_a).Header("ETag") == "\"1\"");

  struct Case {
    json::object body;
    const char* field;
  };
  const std::string long_text(201, 'x');
  const Case cases[] = {
      {{{"name", ""}}, "name"},
      {{{"name", long_text}}, "name"},
      {{{"name", nullptr}}, "name"},
      {{{"name", 5}}, "name"},
      {{{"name", "金\n老伯"}}, "name"},
      {{{"contact_name", long_text}}, "contact_name"},
      {{{"phone", long_text}}, "phone"},
      {{{"phone", json::array{"1"}}}, "phone"},
      {{{"address", ""}}, "address"},
      {{{"district", ""}}, "district"},
      {{{"lat", 91}}, "lat"},
      {{{"lon", -181}}, "lon"},
      {{{"lat", "north"}}, "lat"},
      {{{"lat", nullptr}}, "lat"},  // lon alone is left: both or neither
      {{{"household_size", 0}}, "household_size"},
      {{{"household_size", 100001}}, "household_size"},
      {{{"household_size", 1.5}}, "household_size"},
      {{{"tags", json::array{"rich"}}}, "tags"},
      {{{"tags", "elderly_alone"}}, "tags"},
      {{{"id", 99}}, "id"},
      {{{"station_id", w.station_b_id}}, "station_id"},
      {{{"kind", "community"}}, "kind"},
      {{{"version", 7}}, "version"},
      {{{"created_at", "2020-01-01T00:00:00Z"}}, "created_at"},
      {{{"active", false}}, "active"},
      {{{"nickname", "老金"}}, "nickname"},
      {{{"update_mask", json::array{"name"}}}, "update_mask"},
  };
  for (const Case& c : cases) {
    INFO(json::serialize(c.body));
    CHECK_ERROR(Patch(f, path, c.body, w.station_a), 400, c.field);
  }
  CHECK_ERROR(f.http().Request("PATCH", path, "[1]", {{"Authorization", "Bearer " + w.station_a}}),
              400, "body");
  // Nothing changed, not even the version.
  CHECK(f.Fetch(path, w.station_a) == before);

  SECTION("a good patch changes only its fields and bumps the version once") {
    Response r =
        Patch(f, path, {{"phone", "139 1234 5678"}, {"household_size", 2}}, w.station_a, "1");
    REQUIRE_STATUS(r, 200);
    json::object after = r.Json().as_object();
    CHECK(Str(after.at("phone")) == "139 1234 5678");
    CHECK(Int(after.at("household_size")) == 2);
    CHECK(Str(after.at("name")) == "金老伯");
    CHECK(after.at("tags") == before.at("tags"));
    CHECK(VersionOf(after) == 2);
    CHECK(r.Header("ETag") == "\"2\"");
    CHECK(f.Fetch(path, w.station_a) == after);

    // The same object edited from a stale copy: 409, and nothing changes.
    CHECK_ERROR(Patch(f, path, {{"address", "别处"}}, w.dispatcher, "1"), 409, "");
    CHECK(f.Fetch(path, w.station_a) == after);
    // W/"2" and "2" are the current version.
    CHECK_STATUS(Patch(f, path, {{"address", "江汉区幸福里3幢2单元502"}}, w.dispatcher, "\"2\""),
                 200);
    CHECK_ERROR(Patch(f, path, {{"address", "x"}}, w.dispatcher, "soon"), 400, "If-Match");
    // Clearing the location: both null.
    Response cleared = Patch(f, path, {{"lat", nullptr}, {"lon", nullptr}}, w.station_a, "3");
    REQUIRE_STATUS(cleared, 200);
    CHECK_FALSE(cleared.Json().as_object().contains("lat"));
    CHECK(VersionOf(cleared.Json().as_object()) == 4);
    // A patch that changes nothing keeps the version.
    CHECK(VersionOf(Patch(f, path, {{"household_size", 2}}, w.station_a).Json().as_object()) == 4);
  }
  SECTION("the ledger records the change without the household's data") {
    REQUIRE_STATUS(Patch(f, path, {{"phone", "13912345678"}, {"district", "江岸区"}}, w.station_a),
                   200);
    Response ledger = f.http().Get("/v1/reports/ledger", w.dispatcher);
    REQUIRE_STATUS(ledger, 200);
    CHECK(ledger.Json().at("ok").as_bool());
  }
}

TEST_CASE("another station's requester, need or lot is 404 to a patch, whatever the body",
          "[api][edit][authz]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  CHECK_ERROR(Patch(f, RequesterPath(w.requester_b), {{"nickname", 1}}, w.station_a), 404, "");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"quantity", 1}}, w.station_a), 404, "");
  CHECK_ERROR(Patch(f, LotPath(w.lot_b), {{"note", "x"}}, w.donor_a), 404, "");
  CHECK_ERROR(f.http().Post(RequesterPath(w.requester_b) + ":deactivate",
                            json::object{{"reason", "moved_away"}}, w.station_a),
              404, "");
  CHECK(Str(f.Fetch(RequesterPath(w.requester_b), w.dispatcher).at("name")) == "王阿姨");
}

TEST_CASE("quantities never fall below what is allocated, delivered or written off",
          "[api][edit]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // need_a (2) and need_b (5) against lot_a (500) and lot_b (20).
  CommitRun(f, w.dispatcher);
  const json::object need = f.Fetch(NeedPath(w.need_b), w.dispatcher);
  REQUIRE(Int(need.at("allocated")) == 5);

  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"quantity", 4}}, w.station_b), 422, "quantity");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"quantity", 0}}, w.station_b), 400, "quantity");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"urgency", "asap"}}, w.station_b), 400, "urgency");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"needed_by", "2026-02-30"}}, w.station_b), 400,
              "needed_by");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"item_id", w.item_id}}, w.station_b), 400, "item_id");
  CHECK_ERROR(Patch(f, NeedPath(w.need_b), {{"status", "open"}}, w.station_b), 400, "status");
  Response grown = Patch(f, NeedPath(w.need_b), {{"quantity", 8}, {"urgency", "high"}}, w.station_b,
                         std::to_string(VersionOf(need)));
  REQUIRE_STATUS(grown, 200);
  const json::object g = grown.Json().as_object();
  CHECK(Int(g.at("outstanding")) == 3);
  CHECK(Str(g.at("status")) == "partial");
  CHECK(Str(g.at("urgency")) == "high");
  Response back = Patch(f, NeedPath(w.need_b), {{"quantity", 5}}, w.station_b);
  REQUIRE_STATUS(back, 200);
  CHECK(Str(back.Json().at("status").as_string()) == "allocated");

  // Which lot served need_b is the engine's choice; find one with stock allocated.
  int64_t lot_id = 0;
  json::object lot;
  for (int64_t id : {w.lot_a, w.lot_b}) {
    json::object l = f.Fetch(LotPath(id), w.dispatcher);
    if (Int(l.at("allocated")) > 0) lot_id = id, lot = l;
  }
  REQUIRE(lot_id != 0);
  REQUIRE(f.http()
              .Post(LotPath(lot_id) + ":write_off",
                    json::object{{"quantity", 1}, {"reason", "破损"}}, w.dispatcher)
              .status == 200);
  lot = f.Fetch(LotPath(lot_id), w.dispatcher);
  const int64_t floor = Int(lot.at("allocated")) + Int(lot.at("written_off"));
  CHECK_ERROR(Patch(f, LotPath(lot_id), {{"quantity", floor - 1}}, w.dispatcher), 422, "quantity");
  CHECK_ERROR(Patch(f, LotPath(lot_id), {{"earmark", json::object{{"districts", {"武昌区"}}}}},
                    w.dispatcher),
              422, "earmark");
  CHECK_ERROR(Patch(f, LotPath(lot_id), {{"expires_on", "soon"}}, w.dispatcher), 400, "expires_on");
  // Its donor may no longer edit it once stock of it was allocated.
  const std::string owner = lot_id == w.lot_a ? w.donor_a : w.donor_b;
  CHECK_ERROR(Patch(f, LotPath(lot_id), {{"note", "改备注"}}, owner), 422, "");
  Response shrunk = Patch(f, LotPath(lot_id), {{"quantity", floor}}, w.dispatcher);
  REQUIRE_STATUS(shrunk, 200);
  CHECK(Int(shrunk.Json().at("available")) == 0);

  SECTION("a donor edits its lot freely before any allocation") {
    const int64_t fresh =
        f.CreateLot(w.donor_a, SampleLot(w.donor_a_id, w.item_id, w.depot_id, 30));
    Response r = Patch(f, LotPath(fresh),
                       {{"quantity", 40},
                        {"expires_on", nullptr},
                        {"earmark", json::object{{"districts", {"江汉区"}}}}},
                       w.donor_a);
    REQUIRE_STATUS(r, 200);
    // Still a pledge: the new quantity is what is pledged, none available.
    CHECK(Int(r.Json().at("quantity_pledged")) == 40);
    CHECK(Int(r.Json().at("available")) == 0);
    CHECK(Str(r.Json().at("expires_on")) == "");
  }
  SECTION("an item's unit is fixed once a lot exists; its name is not") {
    const std::string item = "/v1/items/" + std::to_string(w.item_id);
    CHECK_ERROR(Patch(f, item, {{"unit", "piece"}}, w.dispatcher), 422, "unit");
    CHECK_ERROR(Patch(f, item, {{"pack_size", 2}}, w.dispatcher), 422, "pack_size");
    CHECK_ERROR(Patch(f, item, {{"code", "X"}}, w.dispatcher), 400, "code");
    Response r = Patch(f, item, {{"name", "硝苯地平缓释片"}}, w.dispatcher);
    REQUIRE_STATUS(r, 200);
    CHECK(VersionOf(r.Json().as_object()) == 2);
    const int64_t unused = f.CreateItem(w.dispatcher, Unique("NEW-"));
    CHECK_STATUS(Patch(f, "/v1/items/" + std::to_string(unused),
                       {{"unit", "piece"}, {"pack_size", 10}}, w.dispatcher),
                 200);
  }
  SECTION("donors, depots and stations are corrected by those who create them") {
    CHECK_STATUS(
        Patch(f, "/v1/donors/" + std::to_string(w.donor_a_id), {{"phone", "027-1"}}, w.dispatcher),
        200);
    CHECK_ERROR(
        Patch(f, "/v1/donors/" + std::to_string(w.donor_a_id), {{"kind", "alien"}}, w.dispatcher),
        400, "kind");
    CHECK_STATUS(Patch(f, "/v1/depots/" + std::to_string(w.depot_id),
                       {{"lat", 30.6}, {"lon", 114.3}}, w.dispatcher),
                 200);
    CHECK_ERROR(Patch(f, "/v1/depots/" + std::to_string(w.depot_id),
                      {{"lat", 30.6}, {"lon", nullptr}}, w.dispatcher),
                400, "lon");
    CHECK_STATUS(
        Patch(f, "/v1/stations/" + std::to_string(w.station_a_id), {{"name", "民族街站"}}, w.admin),
        200);
    CHECK_ERROR(
        Patch(f, "/v1/stations/" + std::to_string(w.station_a_id), {{"name", "x"}}, w.dispatcher),
        403, "");
  }
  CHECK(LedgerOk(f, w.dispatcher));
}

TEST_CASE("quantity floors hold while edits race a committed match run", "[api][edit]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  std::vector<int64_t> needs;
  for (int i = 0; i < 12; ++i) {
    needs.push_back(f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, 10, "high")));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::thread editor([&] {
    HttpClient http(server.port());
    for (int round = 0; !stop; ++round) {
      for (int64_t id : needs) {
        // Down to 1 and back: each either fits the floor or is refused.
        const int64_t q = round % 2 == 0 ? 1 : 10;
        const Response r =
            http.Request("PATCH", NeedPath(id), json::serialize(json::object{{"quantity", q}}),
                         {{"Authorization", "Bearer " + w.station_a}});
        if (r.status != 200 && r.status != 422) ++unexpected;
      }
    }
  });
  for (int i = 0; i < 3; ++i) CommitRun(f, w.dispatcher);
  stop = true;
  editor.join();
  CHECK(unexpected == 0);
  for (int64_t id : needs) {
    const json::object n = f.Fetch(NeedPath(id), w.dispatcher);
    CHECK(Int(n.at("quantity")) >= Int(n.at("allocated")) + IntOr(n, "delivered"));
    CHECK(Int(n.at("quantity")) == Int(n.at("outstanding")) + Int(n.at("allocated")) +
                                       IntOr(n, "delivered") + IntOr(n, "cancelled"));
  }
  CHECK(LedgerOk(f, w.dispatcher));
}

TEST_CASE("deactivating a requester cancels what its needs wait for, not what is packed",
          "[api][edit]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // need_a (2) gets stock; then a second need stays open with nothing left.
  CommitRun(f, w.dispatcher);
  const int64_t open_need =
      f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, 3, "normal"));
  const int64_t other_item = f.CreateItem(w.dispatcher, Unique("MASK-"));
  const int64_t unstocked =
      f.CreateNeed(w.station_a, SampleNeed(w.requester_a, other_item, 4, "normal"));
  // Grow need_a past what was allocated: a partial need.
  REQUIRE_STATUS(Patch(f, NeedPath(w.need_a), {{"quantity", 6}}, w.station_a), 200);

  const std::string path = RequesterPath(w.requester_a) + ":deactivate";
  CHECK_ERROR(f.http().Post(path, json::object{{"reason", "went_abroad"}}, w.station_a), 400,
              "reason");
  CHECK_ERROR(f.http().Post(path, json::object{}, w.station_a), 400, "reason");
  CHECK_ERROR(
      f.http().Post(path, json::object{{"reason", "moved_away"}}, w.station_a, {{"If-Match", "7"}}),
      409, "");
  Response r = f.http().Post(path, json::object{{"reason", "moved_away"}, {"note", "随子女迁居"}},
                             w.station_a);
  REQUIRE_STATUS(r, 200);
  const json::object d = r.Json().as_object();
  const json::object& requester = d.at("requester").as_object();
  CHECK(requester.at("active").as_bool() == false);
  CHECK(Str(requester.at("deactivated_reason")) == "moved_away");
  CHECK(d.at("cancelled_needs").as_array().size() == 3);
  CHECK(d.at("open_delivery_ids").as_array().size() == 1);

  const json::object a = f.Fetch(NeedPath(w.need_a), w.station_a);
  CHECK(Int(a.at("allocated")) == 2);  // still on its planned delivery
  CHECK(Int(a.at("cancelled")) == 4);
  CHECK(Str(a.at("cancel_reason")) == "moved_away");
  for (int64_t id : {open_need, unstocked}) {
    const json::object n = f.Fetch(NeedPath(id), w.station_a);
    CHECK(Str(n.at("status")) == "cancelled");
    CHECK(Str(n.at("cancel_reason")) == "moved_away");
  }
  CHECK_ERROR(f.http().Post("/v1/needs", SampleNeed(w.requester_a, w.item_id), w.station_a), 422,
              "requester_id");
  CHECK_ERROR(f.http().Post(path, json::object{{"reason", "moved_away"}}, w.station_a), 422, "");

  // If the dispatcher cancels the packed delivery, the stock goes back and
  // no later run hands it to the requester who left.
  const int64_t delivery = Id(d.at("open_delivery_ids").as_array()[0]);
  REQUIRE_STATUS(f.http().Post("/v1/deliveries/" + std::to_string(delivery) + ":cancel",
                               json::object{{"reason", "住户已搬离"}}, w.dispatcher),
                 200);
  const json::object back = f.Fetch(NeedPath(w.need_a), w.dispatcher);
  CHECK(Int(back.at("cancelled")) == 6);  // what came back is cancelled too
  CHECK(IntOr(back, "outstanding") == 0);
  CHECK(Str(back.at("status")) == "cancelled");
  const json::object run = CommitRun(f, w.dispatcher);
  for (const auto& alloc :
       run.contains("allocations") ? run.at("allocations").as_array() : json::array{}) {
    CHECK(Id(alloc.at("need_id")) != w.need_a);
  }
  CHECK(LedgerOk(f, w.dispatcher));
}

TEST_CASE("a protobuf patch names its fields in update_mask", "[api][edit][protobuf]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  v1::RequesterPatch patch;
  patch.add_update_mask("household_size");
  patch.add_update_mask("lat");
  patch.add_update_mask("lon");
  patch.mutable_set()->set_household_size(3);  // lat/lon named but unset: cleared
  const Headers h{{"Authorization", "Bearer " + w.station_a},
                  {"Content-Type", "application/x-protobuf"},
                  {"Accept", "application/json"}};
  Response r =
      f.http().Request("PATCH", RequesterPath(w.requester_a), patch.SerializeAsString(), h);
  REQUIRE_STATUS(r, 200);
  CHECK(Int(r.Json().at("household_size")) == 3);
  CHECK_FALSE(r.Json().as_object().contains("lat"));
  v1::RequesterPatch bad;
  bad.add_update_mask("station_id");
  CHECK_ERROR(f.http().Request("PATCH", RequesterPath(w.requester_a), bad.SerializeAsString(), h),
              400, "station_id");
}

TEST_CASE("a depot's city and service area and a station's city can be corrected by PATCH",
          "[api][edit][area]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const std::string depot = "/v1/depots/" + std::to_string(w.depot_id);
  Response r = Patch(f, depot,
                     {{"city", "苏州市"},
                      {"serves", json::object{{"cities", json::array{"苏州市"}},
                                              {"districts", json::array{"姑苏区", "吴中区"}}}}},
                     w.dispatcher);
  REQUIRE_STATUS(r, 200);
  const json::object got = f.Fetch(depot, w.dispatcher);
  CHECK(got.at("city").as_string() == "苏州市");
  const json::array& districts = got.at("serves").at("districts").as_array();
  REQUIRE(districts.size() == 2);
  CHECK(districts[1].as_string() == "吴中区");
  CHECK(VersionOf(got) == 2);

  const std::string station = "/v1/stations/" + std::to_string(w.station_a_id);
  REQUIRE_STATUS(Patch(f, station, {{"city", "苏州市"}}, w.admin), 200);
  CHECK(f.Fetch(station, w.admin).at("city").as_string() == "苏州市");
  // Only an admin changes a station; a dispatcher changes depots.
  CHECK_STATUS(Patch(f, station, {{"city", "南京市"}}, w.dispatcher), 403);
  CHECK(LedgerOk(f, w.dispatcher));
}

}  // namespace
}  // namespace aidlink::test
