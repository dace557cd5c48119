// The server's log after a full working day: JSON lines with the request
// fields operators need, and never a token, a phone, an address or a name,
// nor a username, a password, a session id or a cookie.

#include <boost/json/parse.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support/fixture.h"

namespace aidlink::test {
namespace {

TEST_CASE("after a day's scenario the log is JSON lines with request fields and no private data",
          "[ops][log]") {
  TestServer server;
  std::vector<std::string> secrets;  // must not appear anywhere in the log
  int requests_made = 0;
  {
    Fixture f(server);
    HttpClient& http = f.http();
    const std::string desk = f.NewDispatcherToken("隐私测试调度台");
    const int64_t station = f.CreateStation("隐私测试社工站", "江汉区");
    const std::string station_token = f.NewStationToken(station);
    json::object donor = SampleDonor();
    donor["name"] = "捐赠人蓝鲸慈善甲";
    donor["phone"] = "13655501234";
    const int64_t donor_id = f.CreateDonor(desk, donor);
    const std::string donor_token = f.NewDonorToken(donor_id);
    const int64_t item = f.CreateItem(desk, "LOG-MASK");
    const int64_t depot = f.CreateDepot(desk);
    json::object household = SampleRequester(station);
    household["name"] = "隐私户章三丰";
    household["contact_name"] = "联系人章小丰";
    household["phone"] = "13712340987";
    household["address"] = "隐秘巷77号8幢909";
    const int64_t requester = f.CreateRequester(station_token, household);
    const int64_t lot = f.CreateLot(donor_token, SampleLot(donor_id, item, depot, 50));
    // The donor pledged it; the depot confirms it arrived.
    REQUIRE_STATUS(http.Post("/v1/lots/" + std::to_string(lot) + ":receive",
                             json::object{{"quantity_received", 50}}, desk),
                   200);
    const int64_t need = f.CreateNeed(station_token, SampleNeed(requester, item, 3, "critical"));
    REQUIRE_STATUS(
        http.Post("/v1/match/runs", json::object{}, desk, {{"Idempotency-Key", "log-run"}}), 201);
    Response route = http.Post(
        "/v1/routes",
        json::object{{"depot_id", depot}, {"date", "2026-11-23"}, {"driver", "司机隐私刘"}}, desk);
    REQUIRE_STATUS(route, 201);
    for (const char* format : {"html", "txt", "csv"}) {
      Response manifest = http.Get(
          "/v1/routes/" + std::to_string(IdOf(route)) + "/manifest?format=" + format, desk);
      REQUIRE_STATUS(manifest, 200);
      CHECK(BodyContains(manifest, "13712340987"));  // the list carries it; the log must not
    }
    CHECK_STATUS(http.Get("/v1/needs/" + std::to_string(need), station_token), 200);

    // Failures, with private data in the body, path, query and header.
    json::object bad = household;
    bad["household_size"] = 0;
    CHECK_ERROR(http.Post("/v1/requesters", bad, station_token), 400, "household_size");
    CHECK_ERROR(http.PostRaw("/v1/requesters", R"({"phone":"13712340987","address":"隐秘巷77号)",
                             station_token),
                400, "");
    const std::string forged = "f00dfeed" + std::string(56, 'a');
    CHECK_ERROR(http.Get("/v1/requesters", forged), 401, "");
    CHECK_ERROR(http.Get("/v1/requesters/13712340987", station_token), 404, "");
    CHECK_ERROR(http.Get("/v1/needs/999999?note=隐秘巷77号", desk), 404, "");
    CHECK_STATUS(http.Get("/v1/" + UrlEncode("隐私户章三丰"), desk), 404);

    // Accounts: a station worker logs in (once with a wrong password), works
    // by cookie, is refused a write without the CSRF header, and logs out.
    const std::string username = "yinsi-zhangsanfeng", password = "隐私口令-zhang-2026";
    const std::string wrong = "错误口令-guess-0001";
    REQUIRE_STATUS(http.Post("/v1/users",
                             json::object{{"username", username},
                                          {"password", password},
                                          {"role", "station"},
                                          {"station_id", station},
                                          {"display_name", "隐私社工章"}},
                             server.admin_token()),
                   201);
    CHECK_ERROR(
        http.Post("/v1/sessions", json::object{{"username", username}, {"password", wrong}}), 401,
        "");
    const Response login =
        http.Post("/v1/sessions", json::object{{"username", username}, {"password", password}});
    REQUIRE_STATUS(login, 201);
    const std::string cookie =
        login.Header("Set-Cookie").substr(0, login.Header("Set-Cookie").find(';'));
    const std::string session_id = cookie.substr(cookie.find('=') + 1);
    CHECK_STATUS(http.Get("/v1/needs/" + std::to_string(need), "", {{"Cookie", cookie}}), 200);
    CHECK_ERROR(
        http.Request("POST", "/v1/requesters", json::serialize(household), {{"Cookie", cookie}}),
        403, "");
    CHECK_STATUS(
        http.Request(
            "DELETE", "/v1/sessions/current", "",
            {{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}, {"Content-Type", "application/json"}}),
        200);
    CHECK_ERROR(http.Get("/v1/me", "", {{"Cookie", cookie}}), 401, "");
    // Searches and corrections carry household data in the query and body.
    CHECK_STATUS(http.Get("/v1/requesters?q=" + UrlEncode("隐私户章三丰"), station_token), 200);
    CHECK_STATUS(http.Get("/v1/requesters?q=137%201234%200987", desk), 200);
    CHECK_STATUS(http.Request("PATCH", "/v1/requesters/" + std::to_string(requester),
                              R"({"phone":"13811112222","address":"隐秘巷78号"})",
                              {{"Authorization", "Bearer " + station_token}}),
                 200);
    CHECK_ERROR(http.Request("PATCH", "/v1/requesters/" + std::to_string(requester),
                             R"({"phone":"13811112222","nickname":"隐秘巷79号"})",
                             {{"Authorization", "Bearer " + station_token}}),
                400, "nickname");
    requests_made = 29;  // counted below as a lower bound: Fixture calls add more
    secrets = {server.admin_token(),
               desk,
               station_token,
               donor_token,
               forged,
               "13712340987",
               "隐私户章三丰",
               "联系人章小丰",
               "隐秘巷77号",
               "隐秘巷",
               "司机隐私刘",
               "13655501234",
               "捐赠人蓝鲸慈善甲",
               "13811112222",
               "隐秘巷78号",
               "137 1234 0987",
               username,
               password,
               wrong,
               session_id,
               cookie,
               "隐私社工章"};
  }
  REQUIRE(server.Stop() == 0);
  const std::string log = server.ReadLog();
  REQUIRE_FALSE(log.empty());

  for (const std::string& secret : secrets) {
    INFO("the log must not contain " << secret);
    CHECK(log.find(secret) == std::string::npos);
    CHECK(log.find(json::serialize(json::value(secret))) == std::string::npos);
  }
  // No 64-hex string at all: neither a token nor a token's hash.
  CHECK_FALSE(std::regex_search(log, std::regex("[0-9a-f]{64}")));

  std::istringstream lines(log);
  int request_lines = 0, other_lines = 0;
  std::set<std::string> roles, routes, methods;
  std::set<int64_t> ids;
  const std::regex route_template(R"(^((/(v1|[a-z_:{}.]+))+|unmatched)$)");
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) {
      ++other_lines;  // the one human line about the new admin token file
      UNSCOPED_INFO("not a JSON line: " << line);
      continue;
    }
    const json::object& o = v.as_object();
    REQUIRE(o.contains("ts"));
    REQUIRE(o.contains("level"));
    if (!o.contains("event") || o.at("event") != "request") continue;
    ++request_lines;
    INFO(line);
    for (const char* key : {"id", "method", "route", "status", "ms", "role"}) {
      CHECK(o.contains(key));
    }
    if (!o.contains("id") || !o.contains("route") || !o.contains("role") || !o.contains("method"))
      continue;
    ids.insert(Int(o.at("id")));
    CHECK(o.at("ms").is_number());
    CHECK(o.at("status").is_number());
    const std::string route = Str(o.at("route"));
    CHECK(std::regex_match(route, route_template));  // a template: no concrete id or text
    routes.insert(route);
    roles.insert(Str(o.at("role")));
    methods.insert(Str(o.at("method")));
  }
  CHECK(other_lines <= 1);
  CHECK(request_lines >= requests_made);
  CHECK(static_cast<int>(ids.size()) == request_lines);  // request ids are unique
  for (const char* r : {"admin", "dispatcher", "station", "donor", ""}) {
    INFO("role " << r);
    CHECK(roles.count(r) == 1);
  }
  for (const char* r : {"/v1/requesters/{id}", "/v1/needs/{id}", "/v1/routes/{id}/manifest",
                        "/v1/match/runs", "unmatched"}) {
    INFO("route " << r);
    CHECK(routes.count(r) == 1);
  }
  CHECK(methods == std::set<std::string>{"DELETE", "GET", "PATCH", "POST"});
}

}  // namespace
}  // namespace aidlink::test
