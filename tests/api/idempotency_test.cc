// Idempotency-Key on POST (API.md): a retry returns the first answer, status
// and body, and writes nothing; the same key with another body is 422; keys
// are scoped to the caller's token.

#include <set>
#include <thread>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

Headers Key(std::string key) { return {{"Idempotency-Key", std::move(key)}}; }

TEST_CASE(
    "a retried create with the same Idempotency-Key returns the first answer and writes nothing",
    "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  struct Create {
    const char* name;
    std::string path;
    json::object body;
    std::string token;
  };
  std::vector<Create> creates = {
      {"need", "/v1/needs", SampleNeed(w.requester_a, w.item_id, 3), w.station_a},
      {"lot", "/v1/lots", SampleLot(w.donor_a_id, w.item_id, w.depot_id, 40), w.donor_a},
      {"requester", "/v1/requesters", SampleRequester(w.station_a_id), w.station_a},
      {"item", "/v1/items", SampleItem("IDEMPOTENT-ITEM"), w.dispatcher},
      {"donor", "/v1/donors", SampleDonor(), w.dispatcher},
      {"depot", "/v1/depots", SampleDepot(), w.dispatcher},
      {"station", "/v1/stations", SampleStation("重试社工站", "江岸区"), w.admin},
  };
  for (const Create& c : creates) {
    INFO(c.name);
    std::string key = Unique("retry-") + "-" + c.name;
    Response first = f.http().Post(c.path, c.body, c.token, Key(key));
    REQUIRE_STATUS(first, 201);
    auto counts = CountAllRows(server.db_path());
    for (int attempt = 0; attempt < 3; ++attempt) {
      Response retry = f.http().Post(c.path, c.body, c.token, Key(key));
      CHECK(retry.status == first.status);
      CHECK(retry.body == first.body);
    }
    INFO("after the first answer: " << FormatCounts(counts));
    CHECK(CountAllRows(server.db_path()) == counts);

    Response other = f.http().Post(c.path, c.body, c.token, Key(key + "-other"));
    if (std::string(c.name) == "item") {
      // The code is taken now: a new key acts again, and conflicts.
      CHECK_ERROR(other, 409, "");
    } else {
      REQUIRE_STATUS(other, 201);
      CHECK(IdOf(other) != IdOf(first));
    }
  }
}

TEST_CASE("the same Idempotency-Key with a different body is a failed precondition",
          "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object body = SampleNeed(w.requester_a, w.item_id, 3);
  Response first = f.http().Post("/v1/needs", body, w.station_a, Key("need-1"));
  REQUIRE_STATUS(first, 201);
  auto counts = CountAllRows(server.db_path());
  body["quantity"] = 4;
  CHECK_ERROR(f.http().Post("/v1/needs", body, w.station_a, Key("need-1")), 422, "");
  CHECK_ERROR(f.http().Post("/v1/needs/" + std::to_string(w.need_a) + ":cancel",
                            json::object{{"reason", "x"}}, w.station_a, Key("need-1")),
              422, "");
  CHECK(CountAllRows(server.db_path()) == counts);
  // The first answer is still what the key replays.
  body["quantity"] = 3;
  Response again = f.http().Post("/v1/needs", body, w.station_a, Key("need-1"));
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
}

TEST_CASE("Idempotency-Keys are scoped to the caller's token", "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object body = SampleNeed(w.requester_a, w.item_id, 3);
  Response by_station = f.http().Post("/v1/needs", body, w.station_a, Key("shared-key"));
  REQUIRE_STATUS(by_station, 201);
  Response by_desk = f.http().Post("/v1/needs", body, w.dispatcher, Key("shared-key"));
  REQUIRE_STATUS(by_desk, 201);
  CHECK(IdOf(by_desk) != IdOf(by_station));
  // Station B reusing station A's key must not receive A's answer.
  json::object body_b = SampleNeed(w.requester_b, w.item_id, 3);
  Response by_b = f.http().Post("/v1/needs", body_b, w.station_b, Key("shared-key"));
  REQUIRE_STATUS(by_b, 201);
  CHECK(Id(by_b.Json().at("requester_id")) == w.requester_b);
}

TEST_CASE("actions replay too: a retried cancel or write-off acts once", "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string cancel = "/v1/needs/" + std::to_string(w.need_a) + ":cancel";
  Response first =
      f.http().Post(cancel, json::object{{"reason", "已买到"}}, w.station_a, Key("cancel-1"));
  REQUIRE_OK(first);
  Response retry =
      f.http().Post(cancel, json::object{{"reason", "已买到"}}, w.station_a, Key("cancel-1"));
  CHECK(retry.status == first.status);
  CHECK(retry.body == first.body);

  const std::string write_off = "/v1/lots/" + std::to_string(w.lot_a) + ":write_off";
  json::object wo = {{"quantity", 25}, {"reason", "外包装破损"}};
  auto counts = CountAllRows(server.db_path());
  Response w1 = f.http().Post(write_off, wo, w.dispatcher, Key("wo-1"));
  REQUIRE_OK(w1);
  auto counts_after_first = CountAllRows(server.db_path());
  CHECK(counts_after_first != counts);
  Response w2 = f.http().Post(write_off, wo, w.dispatcher, Key("wo-1"));
  CHECK(w2.status == w1.status);
  CHECK(w2.body == w1.body);
  CHECK(CountAllRows(server.db_path()) == counts_after_first);
  json::object lot = f.Fetch("/v1/lots/" + std::to_string(w.lot_a), w.dispatcher);
  CHECK(IntOr(lot, "available") == 475);
  CHECK(IntOr(lot, "written_off") == 25);

  // A replay answers from the record even when acting again would now fail.
  json::object all = {{"quantity", 475}, {"reason", "整批过期"}};
  Response w3 = f.http().Post(write_off, all, w.dispatcher, Key("wo-all"));
  REQUIRE_OK(w3);
  Response w4 = f.http().Post(write_off, all, w.dispatcher, Key("wo-all"));
  CHECK(w4.status == w3.status);
  CHECK(w4.body == w3.body);
}

TEST_CASE("concurrent retries with one Idempotency-Key create one need", "[api][idempotency]") {
  TestServerOptions options;
  options.threads = 4;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  const int64_t needs_before = CountRows(server.db_path(), "needs");
  const json::object body = SampleNeed(w.requester_a, w.item_id, 6);
  constexpr int kThreads = 8;
  std::vector<Response> answers(kThreads);
  std::vector<std::string> errors(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        try {
          HttpClient http(server.port());
          answers[t] = http.Post("/v1/needs", body, w.station_a, Key("race-key"));
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    }
  }
  std::set<int64_t> ids;
  for (int t = 0; t < kThreads; ++t) {
    INFO("thread " << t << ": " << errors[t] << " " << answers[t].Describe());
    REQUIRE(errors[t].empty());
    // A request racing the first may be told to retry (409), but never act twice.
    CHECK((answers[t].status == 201 || answers[t].status == 409));
    if (answers[t].status == 201) ids.insert(IdOf(answers[t]));
  }
  CHECK(ids.size() == 1);
  CHECK(CountRows(server.db_path(), "needs") == needs_before + 1);
}

TEST_CASE("an Idempotency-Key still replays after a restart", "[api][idempotency][restart]") {
  TestServer server;
  int64_t first_id = 0;
  std::string first_body;
  json::object body;
  std::string token;
  {
    Fixture f(server);
    World w = MakeWorld(f);
    token = w.station_a;
    body = SampleNeed(w.requester_a, w.item_id, 3);
    Response first = f.http().Post("/v1/needs", body, token, Key("across-restart"));
    REQUIRE_STATUS(first, 201);
    first_id = IdOf(first);
    first_body = first.body;
  }
  REQUIRE(server.Stop() == 0);
  server.Restart();
  auto counts = CountAllRows(server.db_path());
  HttpClient http(server.port());
  Response retry = http.Post("/v1/needs", body, token, Key("across-restart"));
  CHECK(retry.status == 201);
  CHECK(IdOf(retry) == first_id);
  CHECK(retry.body == first_body);
  CHECK(CountAllRows(server.db_path()) == counts);
}

TEST_CASE("an Idempotency-Key past the retention acts again; one within it replays",
          "[api][idempotency][restart]") {
  TestServerOptions options;
  options.extra_args = {"--idempotency-retention-hours", "24"};
  TestServer server(options);
  json::object body;
  std::string token;
  int64_t aged_id = 0, young_id = 0;
  {
    Fixture f(server);
    World w = MakeWorld(f);
    token = w.station_a;
    body = SampleNeed(w.requester_a, w.item_id, 3);
    Response aged = f.http().Post("/v1/needs", body, token, Key("aged"));
    REQUIRE_STATUS(aged, 201);
    aged_id = IdOf(aged);
    REQUIRE_STATUS(f.http().Post("/v1/needs", body, token, Key("aged-untouched")), 201);
    Response young = f.http().Post("/v1/needs", body, token, Key("young"));
    REQUIRE_STATUS(young, 201);
    young_id = IdOf(young);
  }
  // Ages the saved answers while the server is down, as a day's wait would.
  REQUIRE(server.Stop() == 0);
  ExecSql(server.db_path(),
          "UPDATE idempotency SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-25 hours') "
          "WHERE key IN ('aged', 'aged-untouched');"
          "UPDATE idempotency SET created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-23 hours') "
          "WHERE key = 'young';");
  server.Restart();
  HttpClient http(server.port());
  const int64_t needs_before = CountRows(server.db_path(), "needs");

  Response again = http.Post("/v1/needs", body, token, Key("aged"));
  REQUIRE_STATUS(again, 201);
  CHECK(IdOf(again) != aged_id);
  CHECK(again.Header("Idempotent-Replayed").empty());
  CHECK(CountRows(server.db_path(), "needs") == needs_before + 1);
  // The key now holds the new answer; the expired key nobody retried is gone.
  Response replay = http.Post("/v1/needs", body, token, Key("aged"));
  CHECK(replay.body == again.body);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM idempotency WHERE key = 'aged'") == 1);
  CHECK(QueryInt(server.db_path(),
                 "SELECT count(*) FROM idempotency WHERE key = 'aged-untouched'") == 0);

  Response young = http.Post("/v1/needs", body, token, Key("young"));
  REQUIRE_STATUS(young, 201);
  CHECK(IdOf(young) == young_id);
  CHECK(young.Header("Idempotent-Replayed") == "true");
  CHECK(CountRows(server.db_path(), "needs") == needs_before + 1);
}

TEST_CASE("an Idempotency-Key of 255 characters is accepted", "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  const std::string key(255, 'k');
  json::object body = SampleNeed(w.requester_a, w.item_id, 3);
  Response first = f.http().Post("/v1/needs", body, w.station_a, Key(key));
  REQUIRE_STATUS(first, 201);
  Response again = f.http().Post("/v1/needs", body, w.station_a, Key(key));
  CHECK(again.body == first.body);
}

TEST_CASE("without an Idempotency-Key two identical POSTs act twice", "[api][idempotency]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object body = SampleNeed(w.requester_a, w.item_id, 3);
  Response a = f.http().Post("/v1/needs", body, w.station_a);
  Response b = f.http().Post("/v1/needs", body, w.station_a);
  REQUIRE_STATUS(a, 201);
  REQUIRE_STATUS(b, 201);
  CHECK(IdOf(a) != IdOf(b));
}

}  // namespace
}  // namespace aidlink::test
