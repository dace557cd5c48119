// The bad-input table: every malformed, mistyped, missing, out-of-range,
// unknown or oversized input gets its 4xx with the error shape of API.md
// (naming the field where one is at fault), leaves every table unchanged, and
// the server keeps answering.

#include <functional>
#include <string>
#include <vector>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

struct BadCase {
  std::string name;
  std::string method;
  std::string path;
  std::string token;
  std::string body;
  std::vector<int> statuses;
  std::string field;  // "" = the error need not name a field
  Headers headers = {};
};

std::string Repeat(std::string_view unit, size_t n) {
  std::string out;
  out.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

std::string With(json::object o, std::string_view key, json::value v) {
  o[key] = std::move(v);
  return json::serialize(o);
}

std::string Without(json::object o, std::string_view key) {
  o.erase(key);
  return json::serialize(o);
}

std::string WithEarmark(json::object lot, std::string_view key, json::value v) {
  json::object earmark = {{"districts", json::array{"江汉区"}}};
  earmark[key] = std::move(v);
  lot["earmark"] = std::move(earmark);
  return json::serialize(lot);
}

// Serializes `o` with `key` set to the raw JSON text `raw_value` (for bytes
// Boost.JSON would refuse to hold, such as invalid UTF-8).
std::string WithRaw(json::object o, std::string_view key, std::string_view raw_value) {
  o[key] = "@@RAW@@";
  std::string text = json::serialize(o);
  size_t at = text.find("\"@@RAW@@\"");
  return text.replace(at, 9, raw_value);
}

std::vector<BadCase> BuildCases(const World& w) {
  const std::string need = "/v1/needs", lot = "/v1/lots", item = "/v1/items",
                    req = "/v1/requesters", donor = "/v1/donors", depot = "/v1/depots",
                    station = "/v1/stations", tokens = "/v1/tokens";
  const std::string st = w.station_a, desk = w.dispatcher, admin = w.admin;
  const json::object n = SampleNeed(w.requester_a, w.item_id, 2);
  const json::object l = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 10);
  const json::object i = SampleItem("BAD-INPUT-ITEM");
  const json::object r = SampleRequester(w.station_a_id);
  const json::object d = SampleDonor();
  const json::object dp = SampleDepot();
  const json::object s = SampleStation("新社工站", "江岸区");
  const json::object t = {{"role", "dispatcher"}, {"label", "新调度台"}};
  const std::string write_off = "/v1/lots/" + std::to_string(w.lot_a) + ":write_off";
  const json::object wo = {{"quantity", 1}, {"reason", "破损"}};
  const std::string cancel = "/v1/needs/" + std::to_string(w.need_a) + ":cancel";
  const std::vector<int> k400{400}, k400or404{400, 404}, k401{401}, k404{404}, k413{413}, k422{422};
  const json::string big_name(Repeat("金", 100'000));
  const json::string name201(Repeat("金", 201));
  const json::string note2001(Repeat("药", 2001));
  const json::string five_mib(std::string(5 << 20, 'x'));
  json::array tags101, districts101;
  for (int k = 0; k < 101; ++k) {
    tags101.push_back("elderly_alone");
    districts101.push_back("江汉区");
  }

  return {
      // Not JSON, or not an object.
      {"truncated JSON", "POST", need, st, R"({"requester_id":)", k400, ""},
      {"JSON array", "POST", need, st, "[1,2,3]", k400, ""},
      {"JSON string", "POST", need, st, R"("quantity")", k400, ""},
      {"JSON null", "POST", need, st, "null", k400, ""},
      {"empty body", "POST", need, st, "", k400, ""},
      {"two objects", "POST", need, st, R"({"quantity":1}{"quantity":2})", k400, ""},
      {"single quotes", "POST", item, desk, "{'code':'X'}", k400, ""},
      // Wrong types.
      {"quantity \"abc\"", "POST", need, st, With(n, "quantity", "abc"), k400, "quantity"},
      {"quantity 1.5", "POST", need, st, With(n, "quantity", 1.5), k400, "quantity"},
      {"quantity true", "POST", need, st, With(n, "quantity", true), k400, "quantity"},
      {"quantity [] ", "POST", need, st, With(n, "quantity", json::array{2}), k400, "quantity"},
      {"quantity beyond int64", "POST", need, st, WithRaw(n, "quantity", "99999999999999999999999"),
       k400, "quantity"},
      {"requester_id int64 max", "POST", need, desk, With(n, "requester_id", "9223372036854775807"),
       k400or404, "requester_id"},
      {"requester_id 2^64", "POST", need, desk, WithRaw(n, "requester_id", "18446744073709551616"),
       k400, "requester_id"},
      {"requester_id negative", "POST", need, desk, With(n, "requester_id", -3), k400or404,
       "requester_id"},
      {"quantity +5", "POST", need, st, WithRaw(n, "quantity", "+5"), k400, ""},
      {"quantity 1e30", "POST", lot, desk, WithRaw(l, "quantity", "1e30"), k400, "quantity"},
      {"tags \"x\"", "POST", req, st, With(r, "tags", "x"), k400, "tags"},
      {"tags of numbers", "POST", req, st, With(r, "tags", json::array{1, 2}), k400, "tags"},
      {"household_size \"many\"", "POST", req, st, With(r, "household_size", "many"), k400,
       "household_size"},
      {"perishable \"yes\"", "POST", item, desk, With(i, "perishable", "yes"), k400, "perishable"},
      {"name 123", "POST", item, desk, With(i, "name", 123), k400, "name"},
      {"requester_id object", "POST", need, st, With(n, "requester_id", json::object{{"id", 1}}),
       k400, "requester_id"},
      {"earmark a string", "POST", lot, desk, With(l, "earmark", "江汉区"), k400, "earmark"},
      {"lat a string", "POST", depot, desk, With(dp, "lat", "北纬30度"), k400, "lat"},
      // Missing required fields.
      {"item without code", "POST", item, desk, Without(i, "code"), k400, "code"},
      {"item without name", "POST", item, desk, Without(i, "name"), k400, "name"},
      {"item without category", "POST", item, desk, Without(i, "category"), k400, "category"},
      {"item without unit", "POST", item, desk, Without(i, "unit"), k400, "unit"},
      {"item without pack_size", "POST", item, desk, Without(i, "pack_size"), k400, "pack_size"},
      {"requester without name", "POST", req, st, Without(r, "name"), k400, "name"},
      {"requester without kind", "POST", req, st, Without(r, "kind"), k400, "kind"},
      {"requester without address", "POST", req, st, Without(r, "address"), k400, "address"},
      {"requester without household_size", "POST", req, st, Without(r, "household_size"), k400,
       "household_size"},
      {"requester without station_id", "POST", req, desk, Without(r, "station_id"), k400or404,
       "station_id"},
      {"need without requester_id", "POST", need, desk, Without(n, "requester_id"), k400or404,
       "requester_id"},
      {"need without item_id", "POST", need, st, Without(n, "item_id"), k400or404, "item_id"},
      {"need without quantity", "POST", need, st, Without(n, "quantity"), k400, "quantity"},
      {"lot without donor_id", "POST", lot, desk, Without(l, "donor_id"), k400or404, "donor_id"},
      {"lot without depot_id", "POST", lot, desk, Without(l, "depot_id"), k400or404, "depot_id"},
      {"lot without quantity", "POST", lot, desk, Without(l, "quantity"), k400, "quantity"},
      {"donor without name", "POST", donor, desk, Without(d, "name"), k400, "name"},
      {"donor without kind", "POST", donor, desk, Without(d, "kind"), k400, "kind"},
      {"depot without name", "POST", depot, desk, Without(dp, "name"), k400, "name"},
      {"station without name", "POST", station, admin, Without(s, "name"), k400, "name"},
      {"token without role", "POST", tokens, admin, Without(t, "role"), k400, "role"},
      {"write-off without quantity", "POST", write_off, desk, Without(wo, "quantity"), k400,
       "quantity"},
      {"write-off without reason", "POST", write_off, desk, Without(wo, "reason"), k400, "reason"},
      {"cancel without reason", "POST", cancel, st, "{}", k400, "reason"},
      {"cancel reason of 100k characters", "POST", cancel, st,
       json::serialize(json::object{{"reason", big_name}}), k400, "reason"},
      {"token label of 201 characters", "POST", tokens, admin, With(t, "label", name201), k400,
       "label"},
      // Zero, negative and absurd quantities.
      {"need quantity 0", "POST", need, st, With(n, "quantity", 0), k400, "quantity"},
      {"need quantity -1", "POST", need, st, With(n, "quantity", -1), k400, "quantity"},
      {"need quantity 1000000001", "POST", need, st, With(n, "quantity", 1000000001), k400,
       "quantity"},
      {"need quantity \"-1\"", "POST", need, st, With(n, "quantity", "-1"), k400, "quantity"},
      {"lot quantity 0", "POST", lot, desk, With(l, "quantity", 0), k400, "quantity"},
      {"lot quantity -1", "POST", lot, w.donor_a, With(l, "quantity", -1), k400, "quantity"},
      {"lot quantity 1000000001", "POST", lot, desk, With(l, "quantity", 1000000001), k400,
       "quantity"},
      {"pack_size 0", "POST", item, desk, With(i, "pack_size", 0), k400, "pack_size"},
      {"pack_size -10", "POST", item, desk, With(i, "pack_size", -10), k400, "pack_size"},
      {"pack_size 1000000001", "POST", item, desk, With(i, "pack_size", 1000000001), k400,
       "pack_size"},
      {"write-off quantity 0", "POST", write_off, desk, With(wo, "quantity", 0), k400, "quantity"},
      {"write-off quantity -5", "POST", write_off, desk, With(wo, "quantity", -5), k400,
       "quantity"},
      {"write-off more than available", "POST", write_off, desk, With(wo, "quantity", 501), k422,
       ""},
      {"household_size 0", "POST", req, st, With(r, "household_size", 0), k400, "household_size"},
      {"household_size -1", "POST", req, st, With(r, "household_size", -1), k400, "household_size"},
      {"household_size 100001", "POST", req, st, With(r, "household_size", 100001), k400,
       "household_size"},
      {"lat 91", "POST", req, st, With(r, "lat", 91.0), k400, "lat"},
      {"lon -181", "POST", depot, desk, With(dp, "lon", -181.0), k400, "lon"},
      // Unknown ids.
      {"need item_id 999999", "POST", need, st, With(n, "item_id", 999999), k400or404, "item_id"},
      {"need requester_id 999999", "POST", need, desk, With(n, "requester_id", 999999), k400or404,
       "requester_id"},
      {"lot item_id 999999", "POST", lot, desk, With(l, "item_id", 999999), k400or404, "item_id"},
      {"lot depot_id 999999", "POST", lot, w.donor_a, With(l, "depot_id", 999999), k400or404,
       "depot_id"},
      {"lot donor_id 999999", "POST", lot, desk, With(l, "donor_id", 999999), k400or404,
       "donor_id"},
      {"requester station_id 999999", "POST", req, desk, With(r, "station_id", 999999), k400or404,
       "station_id"},
      {"token for station 999999", "POST", tokens, admin,
       With(json::object{{"role", "station"}, {"label", "x"}}, "station_id", 999999), k400or404,
       "station_id"},
      {"token for donor 999999", "POST", tokens, admin,
       With(json::object{{"role", "donor"}, {"label", "x"}}, "donor_id", 999999), k400or404,
       "donor_id"},
      {"write-off of lot 999999", "POST", "/v1/lots/999999:write_off", desk, json::serialize(wo),
       k404, ""},
      {"cancel of need 999999", "POST", "/v1/needs/999999:cancel", desk, R"({"reason":"重复"})",
       k404, ""},
      {"need id not a number", "GET", "/v1/needs/abc", desk, "", k400or404, ""},
      {"need id negative", "GET", "/v1/needs/-1", desk, "", k400or404, ""},
      {"station_id filter abc", "GET", "/v1/needs?station_id=abc", desk, "", k400, "station_id"},
      {"item_id filter 1.5", "GET", "/v1/needs?item_id=1.5", desk, "", k400, "item_id"},
      {"donor_id filter with SQL", "GET", "/v1/lots?donor_id=1%20OR%201=1", desk, "", k400,
       "donor_id"},
      {"requester station_id filter abc", "GET", "/v1/requesters?station_id=abc", desk, "", k400,
       "station_id"},
      {"cancel of need abc", "POST", "/v1/needs/abc:cancel", desk, R"({"reason":"x"})", k400or404,
       ""},
      {"lot id absurd", "GET", "/v1/lots/99999999999999999999999", desk, "", k400or404, ""},
      // Impossible dates.
      {"needed_by 2026-02-30", "POST", need, st, With(n, "needed_by", "2026-02-30"), k400,
       "needed_by"},
      {"needed_by tomorrow", "POST", need, st, With(n, "needed_by", "tomorrow"), k400, "needed_by"},
      {"needed_by 2026-1-5", "POST", need, st, With(n, "needed_by", "2026-1-5"), k400, "needed_by"},
      {"needed_by a timestamp", "POST", need, st, With(n, "needed_by", "2026-12-01T08:00:00Z"),
       k400, "needed_by"},
      {"needed_by year 99999", "POST", need, st, With(n, "needed_by", "99999-01-01"), k400,
       "needed_by"},
      {"expires_on 2026-13-01", "POST", lot, desk, With(l, "expires_on", "2026-13-01"), k400,
       "expires_on"},
      {"expires_on 2025-02-29", "POST", lot, desk, With(l, "expires_on", "2025-02-29"), k400,
       "expires_on"},
      // Unknown enum values.
      {"urgency very", "POST", need, st, With(n, "urgency", "very"), k400, "urgency"},
      {"urgency as a number", "POST", need, st, With(n, "urgency", 1), k400, "urgency"},
      {"category as a number", "POST", item, desk, With(i, "category", 2), k400, "category"},
      {"urgency Critical", "POST", need, st, With(n, "urgency", "Critical"), k400, "urgency"},
      {"category weapons", "POST", item, desk, With(i, "category", "weapons"), k400, "category"},
      {"unit ton", "POST", item, desk, With(i, "unit", "ton"), k400, "unit"},
      {"donor kind alien", "POST", donor, desk, With(d, "kind", "alien"), k400, "kind"},
      {"requester kind castle", "POST", req, st, With(r, "kind", "castle"), k400, "kind"},
      {"tag vip", "POST", req, st, With(r, "tags", json::array{"elderly_alone", "vip"}), k400,
       "tags"},
      {"role superuser", "POST", tokens, admin, With(t, "role", "superuser"), k400, "role"},
      {"earmark kind castle", "POST", lot, desk,
       WithEarmark(l, "requester_kinds", json::array{"castle"}), k400, "requester_kinds"},
      {"earmark tag vip", "POST", lot, desk, WithEarmark(l, "tags", json::array{"vip"}), k400,
       "tags"},
      // Invalid UTF-8 (the JSON parser may refuse it before the field is known).
      {"name with 0xFF 0xFE", "POST", req, st, WithRaw(r, "name", "\"\xff\xfe金老伯\""), k400, ""},
      {"name with an overlong slash", "POST", item, desk, WithRaw(i, "name", "\"\xc0\xaf\""), k400,
       ""},
      {"address with a surrogate", "POST", req, st, WithRaw(r, "address", "\"\xed\xa0\x80幸福里\""),
       k400, ""},
      {"name truncated mid-character", "POST", donor, desk, WithRaw(d, "name", "\"仁和\xe5\xa4\""),
       k400, ""},
      // Spoofable text: bidirectional overrides, line separators, names of
      // spaces or zero-width characters only.
      {"name with right-to-left override", "POST", req, st, With(r, "name", "金\u202E伯老"), k400,
       "name"},
      {"address with a bidi isolate", "POST", req, st, With(r, "address", "幸福里\u2067B\u2069"),
       k400, "address"},
      {"contact name with a line separator", "POST", req, st,
       With(r, "contact_name", "金小华\u2028李"), k400, "contact_name"},
      {"name of zero-width spaces", "POST", req, st, With(r, "name", "\u200B\u200B"), k400, "name"},
      {"name of ideographic spaces", "POST", req, st, With(r, "name", "\u3000\u3000"), k400,
       "name"},
      {"optional contact of spaces only", "POST", req, st, With(r, "contact_name", "  "), k400,
       "contact_name"},
      {"item name with a bidi override", "POST", item, desk, With(i, "name", "\u202D降压药"), k400,
       "name"},
      {"token label with a line separator", "POST", tokens, admin, With(t, "label", "a\u2029b"),
       k400, "label"},
      // Lengths.
      {"name of 100k characters", "POST", req, st, With(r, "name", big_name), k400, "name"},
      {"address of 100k characters", "POST", req, st, With(r, "address", big_name), k400,
       "address"},
      {"note of 100k characters", "POST", need, st, With(n, "note", big_name), k400, "note"},
      {"item name of 201 characters", "POST", item, desk, With(i, "name", name201), k400, "name"},
      {"station name of 201 characters", "POST", station, admin, With(s, "name", name201), k400,
       "name"},
      {"empty name", "POST", req, st, With(r, "name", ""), k400, "name"},
      {"name with a newline", "POST", req, st, With(r, "name", "金老伯\n王阿姨"), k400, "name"},
      {"phone with a NUL", "POST", req, st, WithRaw(r, "phone", R"("138\u000000001111")"), k400,
       "phone"},
      {"need note of 2001 characters", "POST", need, st, With(n, "note", note2001), k400, "note"},
      {"lot note of 2001 characters", "POST", lot, desk, With(l, "note", note2001), k400, "note"},
      {"101 tags", "POST", req, st, With(r, "tags", tags101), k400, "tags"},
      {"earmark of 101 districts", "POST", lot, desk, WithEarmark(l, "districts", districts101),
       k400, "districts"},
      {"Idempotency-Key of 256 characters",
       "POST",
       need,
       st,
       json::serialize(n),
       k400,
       "",
       {{"Idempotency-Key", std::string(256, 'k')}}},
      // Size and authentication.
      {"5 MiB body", "POST", need, st, With(n, "note", five_mib), k413, ""},
      {"5 MiB of garbage", "POST", item, desk, std::string(5 << 20, '{'), k413, ""},
      {"no token", "POST", need, "", json::serialize(n), k401, ""},
      {"invalid token", "POST", need, "0000invalid0000", json::serialize(n), k401, ""},
      {"no token on a list", "GET", need, "", "", k401, ""},
      {"invalid token on a lot", "POST", lot, "Bearer", json::serialize(l), k401, ""},
  };
}

TEST_CASE("every bad input gets its 4xx, changes nothing and the server stays up",
          "[api][validation]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  std::vector<BadCase> cases = BuildCases(w);
  REQUIRE(cases.size() > 100);
  for (const BadCase& c : cases) {
    auto before = CountAllRows(server.db_path());
    Headers headers = c.headers;
    Response r = c.method == "GET" ? f.http().Get(c.path, c.token, headers)
                                   : f.http().PostRaw(c.path, c.body, c.token, headers);
    INFO("case: " << c.name << " (" << c.method << " " << c.path << ", " << c.body.size()
                  << "-byte body) -> " << r.Describe());
    bool status_ok = false;
    for (int s : c.statuses) status_ok = status_ok || r.status == s;
    CHECK(status_ok);
    if (status_ok) CHECK(ErrorProblem(r, {r.status}, c.field) == "");
    auto after = CountAllRows(server.db_path());
    INFO("rows before: " << FormatCounts(before) << "\nrows after:  " << FormatCounts(after));
    CHECK(after == before);
    REQUIRE_STATUS(f.http().Get("/healthz"), 200);
  }
  // Nothing above touched the valid objects.
  json::object lot = f.Fetch("/v1/lots/" + std::to_string(w.lot_a), w.dispatcher);
  CHECK(IntOr(lot, "available") == 500);
  json::object need = f.Fetch("/v1/needs/" + std::to_string(w.need_a), w.dispatcher);
  CHECK(Str(need.at("status")) == "open");
}

TEST_CASE("limits are inclusive: 200-character names, 2000-character notes and 100 entries",
          "[api][validation]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object n = SampleNeed(w.requester_a, w.item_id, 1000000000);
  n["note"] = Repeat("药", 2000);
  REQUIRE_STATUS(f.http().Post("/v1/needs", n, w.station_a), 201);
  json::object r = SampleRequester(w.station_a_id);
  r["name"] = Repeat("金", 200);
  r["household_size"] = 100000;
  json::array tags;
  for (int k = 0; k < 100; ++k) tags.push_back("elderly_alone");
  r["tags"] = tags;
  Response created = f.http().Post("/v1/requesters", r, w.station_a);
  REQUIRE_STATUS(created, 201);
  json::object l = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 1000000000);
  json::array districts;
  for (int k = 0; k < 100; ++k) districts.push_back("江汉区");
  l["earmark"] = json::object{{"districts", districts}};
  REQUIRE_STATUS(f.http().Post("/v1/lots", l, w.dispatcher), 201);
  json::object i = SampleItem("LIMIT-ITEM");
  i["pack_size"] = 1000000000;
  REQUIRE_STATUS(f.http().Post("/v1/items", i, w.dispatcher), 201);
}

TEST_CASE("a body just over --max-body is refused with 413 and one just under is accepted",
          "[api][validation]") {
  TestServerOptions options;
  options.max_body_bytes = 4096;
  TestServer server(options);
  Fixture f(server);
  World w = MakeWorld(f);
  json::object n = SampleNeed(w.requester_a, w.item_id, 1);
  n["note"] = "";
  const size_t base = json::serialize(n).size();
  n["note"] = std::string(4096 - base, 'x');
  REQUIRE(json::serialize(n).size() == 4096);
  // 4,096 bytes of ASCII note exceed the 2,000-character note limit: 400, not 413.
  CHECK_ERROR(f.http().Post("/v1/needs", n, w.station_a), 400, "note");
  auto before = CountAllRows(server.db_path());
  n["note"] = std::string(4097 - base, 'x');
  CHECK_ERROR(f.http().Post("/v1/needs", n, w.station_a), 413, "");
  CHECK(CountAllRows(server.db_path()) == before);
  REQUIRE_STATUS(f.http().Get("/healthz"), 200);
}

}  // namespace
}  // namespace aidlink::test
