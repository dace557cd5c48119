#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.h"
#include "support/test_server.h"

// Helpers shared by the API tests: JSON accessors that accept the proto3
// JSON forms (64-bit integers as numbers or strings), checks of the error
// shape, sample Chinese registry data, and a Fixture that creates tokens
// and objects through the real API. Functions that create things REQUIRE
// success, so a failing setup stops the test with the server's answer.

namespace aidlink::test {

namespace json = boost::json;

// An id or other integer sent as a JSON number or a string of digits.
// Throws std::runtime_error otherwise.
int64_t Id(const json::value& v);
int64_t Int(const json::value& v);
// The "id" member of a response's JSON object.
int64_t IdOf(const Response& r);
// The string value of `v`; throws if `v` is not a string.
std::string Str(const json::value& v);
// `o[key]` as an integer, or `fallback` if absent (proto3 JSON omits zeros).
int64_t IntOr(const json::object& o, std::string_view key, int64_t fallback = 0);

// The canonical error code API.md gives for an HTTP status, or "".
std::string CodeForStatus(int status);

// "" if `r` has one of `statuses` and, for 4xx/5xx, the error shape
// {"error":{"code","message","field"}} with the code matching the status and a
// non-empty message; when `field` is non-empty, error.field must equal it (or
// end in "." + field). Otherwise a description of what is wrong.
std::string ErrorProblem(const Response& r, std::initializer_list<int> statuses,
                         std::string_view field = {});

// True if `needle` appears in the body, raw or after decoding JSON escapes.
bool BodyContains(const Response& r, std::string_view needle);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view s);

// A name `prefix` + a process-wide counter, unique within a test run.
std::string Unique(std::string_view prefix);

#define AIDLINK_DESCRIBE_(resp) (std::string(" ") + (resp).Describe())

// Requires `resp.status == expected`, printing the response on failure.
#define REQUIRE_STATUS(resp, expected)                    \
  do {                                                    \
    const ::aidlink::test::Response& aidlink_r_ = (resp); \
    INFO("response:" << AIDLINK_DESCRIBE_(aidlink_r_));   \
    REQUIRE(aidlink_r_.status == (expected));             \
  } while (false)
#define CHECK_STATUS(resp, expected)                      \
  do {                                                    \
    const ::aidlink::test::Response& aidlink_r_ = (resp); \
    INFO("response:" << AIDLINK_DESCRIBE_(aidlink_r_));   \
    CHECK(aidlink_r_.status == (expected));               \
  } while (false)
// Requires a 2xx answer.
#define REQUIRE_OK(resp)                                            \
  do {                                                              \
    const ::aidlink::test::Response& aidlink_r_ = (resp);           \
    INFO("response:" << AIDLINK_DESCRIBE_(aidlink_r_));             \
    REQUIRE((aidlink_r_.status >= 200 && aidlink_r_.status < 300)); \
  } while (false)
// Requires the error answer `status` with the API.md error shape, naming
// `field` if it is non-empty.
#define REQUIRE_ERROR(resp, status, field)                                     \
  do {                                                                         \
    const ::aidlink::test::Response& aidlink_r_ = (resp);                      \
    INFO("response:" << AIDLINK_DESCRIBE_(aidlink_r_));                        \
    REQUIRE(::aidlink::test::ErrorProblem(aidlink_r_, {status}, field) == ""); \
  } while (false)
#define CHECK_ERROR(resp, status, field)                                     \
  do {                                                                       \
    const ::aidlink::test::Response& aidlink_r_ = (resp);                    \
    INFO("response:" << AIDLINK_DESCRIBE_(aidlink_r_));                      \
    CHECK(::aidlink::test::ErrorProblem(aidlink_r_, {status}, field) == ""); \
  } while (false)

// ---- Sample data (valid per API.md) -------------------------------------

// 降压药, a box of blood-pressure medicine; `code` must be unique.
json::object SampleItem(std::string_view code);
// A donor: 仁和大药房, an enterprise.
json::object SampleDonor();
json::object SampleDepot();
json::object SampleStation(std::string_view name = "江汉区民族街社工站",
                           std::string_view district = "江汉区");
// 金老伯, elderly_alone + chronic_illness, 幸福里3幢, 13800001111, 江汉区.
json::object SampleRequester(int64_t station_id);
// 王阿姨, another household (disability), 和平里5幢, 13900002222, 武昌区.
json::object SampleRequesterB(int64_t station_id);
json::object SampleLot(int64_t donor_id, int64_t item_id, int64_t depot_id, int64_t quantity = 100);
json::object SampleNeed(int64_t requester_id, int64_t item_id, int64_t quantity = 2,
                        std::string_view urgency = "critical");

// Strings of SampleRequester / SampleRequesterB that are household data
// (names, phones, addresses) and must never reach a donor or another station.
std::vector<std::string> HouseholdStrings(const json::object& requester);

// Talks to one TestServer as admin and creates tokens and objects.
// Not thread-safe.
class Fixture {
 public:
  explicit Fixture(TestServer& server);

  TestServer& server() { return server_; }
  HttpClient& http() { return http_; }
  const std::string& admin() const { return server_.admin_token(); }

  // POSTs `body` to `path` with `token` and REQUIREs 201 and a JSON object
  // with an id; returns the object.
  json::object Create(std::string_view path, const json::object& body, std::string_view token);

  // GETs `path` with `token` and REQUIREs 200 and a JSON object.
  json::object Fetch(std::string_view path, std::string_view token);

  // POST /v1/tokens as admin; returns the new token's secret.
  std::string NewToken(const json::object& body);
  std::string NewDispatcherToken(std::string_view label = "江汉区调度台");
  std::string NewStationToken(int64_t station_id);
  std::string NewDonorToken(int64_t donor_id);

  int64_t CreateStation(std::string_view name = "江汉区民族街社工站",
                        std::string_view district = "江汉区");
  int64_t CreateItem(std::string_view token, std::string_view code);
  int64_t CreateDonor(std::string_view token, const json::object& body = SampleDonor());
  int64_t CreateDepot(std::string_view token);
  int64_t CreateRequester(std::string_view token, const json::object& body);
  int64_t CreateLot(std::string_view token, const json::object& body);
  int64_t CreateNeed(std::string_view token, const json::object& body);

  // GETs every page of a list endpoint (`path` may hold a query) and returns
  // all items; REQUIREs 200 on each page and at most 1,000 pages.
  std::vector<json::object> ListAll(std::string_view path, std::string_view token,
                                    int page_size = 100);

 private:
  TestServer& server_;
  HttpClient http_;
};

// A populated registry for scope tests: station A and B with a household
// each, donor A and B with a lot each (pledged by the donor, received in full
// by the dispatcher), a need per household, and a token for every role.
struct World {
  std::string admin, dispatcher, station_a, station_b, donor_a, donor_b;
  int64_t station_a_id = 0, station_b_id = 0;
  int64_t donor_a_id = 0, donor_b_id = 0;
  int64_t item_id = 0, depot_id = 0;
  int64_t requester_a = 0, requester_b = 0;
  int64_t lot_a = 0, lot_b = 0;
  int64_t need_a = 0, need_b = 0;
  // Household strings of requester A (station A) and B (station B).
  std::vector<std::string> household_a, household_b;
  // Strings only donor A (B) and the desk may see: name, phone, lot note.
  std::vector<std::string> donor_a_private, donor_b_private;
};
World MakeWorld(Fixture& f);

}  // namespace aidlink::test
