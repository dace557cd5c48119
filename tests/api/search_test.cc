// Finding a household (GET /v1/requesters?q=) and the new list filters:
// requesters by kind, tag, district and active; needs by urgency and
// deadline; routes; match runs.

#include "support/fixture.h"

namespace aidlink::test {
namespace {

// The ids of GET `path` (all pages).
std::vector<int64_t> Ids(Fixture& f, const std::string& path, const std::string& token) {
  std::vector<int64_t> out;
  for (const json::object& o : f.ListAll(path, token)) out.push_back(Id(o.at("id")));
  return out;
}

std::string Find(std::string_view q) { return "/v1/requesters?q=" + UrlEncode(q); }

TEST_CASE("a household is found by every written form of its phone and by its names",
          "[api][search]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // 金老伯 13800001111 (station A); 王阿姨 13900002222 (station B).
  json::object spaced = SampleRequester(w.station_a_id);
  spaced["name"] = "Li Wei";
  spaced["contact_name"] = "李伟之女";
  spaced["phone"] = "+86 137 5555 6666";
  const int64_t li = f.CreateRequester(w.station_a, spaced);
  const std::vector<int64_t> jin{w.requester_a};

  for (const std::string& token : {w.station_a, w.dispatcher}) {
    INFO((token == w.dispatcher ? "dispatcher" : "station"));
    for (const char* form :
         {"13800001111", "138 0000 1111", "138-0000-1111", "(138) 0000-1111", "+86 138 0000 1111",
          "0086 13800001111", "0000 1111", "0001",
          "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef\xbc\x90\xef"
          "\xbc\x90\xef\xbc\x90\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91"}) {
      INFO(form);
      CHECK(Ids(f, Find(form), token) == jin);
    }
    // Stored with spaces and a country code, found by its plain digits.
    for (const char* form : {"13755556666", "137 5555 6666", "5556"}) {
      INFO(form);
      CHECK(Ids(f, Find(form), token) == std::vector<int64_t>{li});
    }
    CHECK(Ids(f, Find("金老"), token) == jin);                         // 2 characters: a scan
    CHECK(Ids(f, Find("金老伯"), token) == jin);                       // 3: the trigram index
    CHECK(Ids(f, Find("老伯本人"), token) == jin);                     // the contact name
    CHECK(Ids(f, Find("li wei"), token) == std::vector<int64_t>{li});  // any case
    CHECK(Ids(f, Find("LI"), token) == std::vector<int64_t>{li});
    CHECK(Ids(f, Find("李伟"), token) == std::vector<int64_t>{li});
    CHECK(Ids(f, Find("13800001112"), token).empty());
    CHECK(Ids(f, Find("张三丰"), token).empty());
    // Digits inside a name are not a phone search.
    CHECK(Ids(f, Find("金1"), token).empty());
  }
  SECTION("a station never finds another station's households") {
    CHECK(Ids(f, Find("王阿姨"), w.station_a).empty());
    CHECK(Ids(f, Find("13900002222"), w.station_a).empty());
    CHECK(Ids(f, Find("王阿"), w.station_a).empty());
    CHECK(Ids(f, Find("王阿姨"), w.station_b) == std::vector<int64_t>{w.requester_b});
    CHECK(Ids(f, Find("王阿姨"), w.dispatcher) == std::vector<int64_t>{w.requester_b});
    CHECK_ERROR(
        f.http().Get(Find("王阿姨") + "&station_id=" + std::to_string(w.station_b_id), w.station_a),
        404, "station_id");
  }
  SECTION("an edited phone or name is found by its new value only") {
    Response r = f.http().Request(
        "PATCH", "/v1/requesters/" + std::to_string(w.requester_a),
        json::serialize(json::object{{"phone", "186 1234 0000"}, {"name", "金老先生"}}),
        {{"Authorization", "Bearer " + w.station_a}});
    REQUIRE_STATUS(r, 200);
    CHECK(Ids(f, Find("18612340000"), w.dispatcher) == jin);
    CHECK(Ids(f, Find("13800001111"), w.dispatcher).empty());
    CHECK(Ids(f, Find("金老先生"), w.dispatcher) == jin);
    CHECK(Ids(f, Find("金老伯"), w.dispatcher) == jin);  // still the contact name 金老伯本人
  }
  SECTION("bad filters are 400 naming the parameter") {
    CHECK_ERROR(f.http().Get("/v1/requesters?kind=family", w.dispatcher), 400, "kind");
    CHECK_ERROR(f.http().Get("/v1/requesters?tag=rich", w.dispatcher), 400, "tag");
    CHECK_ERROR(f.http().Get("/v1/requesters?active=maybe", w.dispatcher), 400, "active");
    CHECK_ERROR(f.http().Get(Find(std::string(201, 'x')), w.dispatcher), 400, "q");
  }
}

TEST_CASE("requester lists filter by kind, tag, district and active", "[api][search]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  json::object post = SampleRequester(w.station_a_id);
  post["kind"] = "frontline_post";
  post["name"] = "民族街核酸检测点";
  post["district"] = "江岸区";
  post["tags"] = json::array{"frontline_worker"};
  const int64_t checkpoint = f.CreateRequester(w.station_a, post);
  const auto ids = [&](const std::string& query) {
    return Ids(f, "/v1/requesters?" + query, w.dispatcher);
  };
  CHECK(ids("kind=frontline_post") == std::vector<int64_t>{checkpoint});
  CHECK(ids("kind=household") == std::vector<int64_t>{w.requester_a, w.requester_b});
  CHECK(ids("tag=frontline_worker") == std::vector<int64_t>{checkpoint});
  CHECK(ids("tag=elderly_alone") == std::vector<int64_t>{w.requester_a});
  CHECK(ids("district=" + UrlEncode("江岸区")) == std::vector<int64_t>{checkpoint});
  CHECK(ids("active=false").empty());
  REQUIRE_STATUS(f.http().Post("/v1/requesters/" + std::to_string(checkpoint) + ":deactivate",
                               json::object{{"reason", "other"}}, w.station_a),
                 200);
  CHECK(ids("active=false") == std::vector<int64_t>{checkpoint});
  CHECK(ids("active=true") == std::vector<int64_t>{w.requester_a, w.requester_b});
  CHECK(ids("active=false&q=" + UrlEncode("检测点")) == std::vector<int64_t>{checkpoint});
  CHECK(ids("active=true&q=" + UrlEncode("检测点")).empty());
  CHECK(Ids(f, "/v1/requesters?kind=frontline_post", w.station_b).empty());
}

TEST_CASE("needs filter by urgency and deadline; routes and match runs are listed",
          "[api][search]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);
  // need_a: critical, needed_by 2026-12-01 (station A); need_b: normal (B).
  json::object later = SampleNeed(w.requester_a, w.item_id, 1, "low");
  later["needed_by"] = "2026-12-20";
  const int64_t low = f.CreateNeed(w.station_a, later);
  const auto needs = [&](const std::string& query, const std::string& token) {
    return Ids(f, "/v1/needs?" + query, token);
  };
  CHECK(needs("urgency=critical", w.dispatcher) == std::vector<int64_t>{w.need_a});
  CHECK(needs("urgency=low", w.station_a) == std::vector<int64_t>{low});
  CHECK(needs("urgency=normal", w.station_a).empty());  // need_b is station B's
  CHECK(needs("needed_before=2026-12-02", w.dispatcher) ==
        std::vector<int64_t>{w.need_a, w.need_b});
  CHECK(needs("needed_before=2026-12-01", w.dispatcher).empty());
  CHECK(needs("needed_before=2026-12-21&urgency=low", w.station_a) == std::vector<int64_t>{low});
  CHECK_ERROR(f.http().Get("/v1/needs?urgency=asap", w.dispatcher), 400, "urgency");
  CHECK_ERROR(f.http().Get("/v1/needs?needed_before=tomorrow", w.dispatcher), 400, "needed_before");

  CHECK(f.ListAll("/v1/match/runs", w.dispatcher).empty());
  std::vector<int64_t> runs;
  for (const char* as_of : {"2026-11-26", "2026-11-27"}) {
    Response r = f.http().Post("/v1/match/runs", json::object{{"dry_run", false}, {"as_of", as_of}},
                               w.dispatcher);
    REQUIRE_STATUS(r, 201);
    runs.insert(runs.begin(), IdOf(r));
  }
  const std::vector<json::object> listed = f.ListAll("/v1/match/runs", w.dispatcher, 1);
  REQUIRE(listed.size() == 2);
  CHECK(Id(listed[0].at("id")) == runs[0]);  // newest first, across pages
  CHECK(Id(listed[1].at("id")) == runs[1]);
  CHECK(Int(listed[1].at("stats").at("units_allocated")) == 8);
  const bool has_allocations =
      listed[1].contains("allocations") && !listed[1].at("allocations").as_array().empty();
  CHECK_FALSE(has_allocations);

  Response route = f.http().Post(
      "/v1/routes",
      json::object{{"depot_id", w.depot_id}, {"date", "2026-11-27"}, {"driver", "志愿者小刘"}},
      w.dispatcher);
  REQUIRE_STATUS(route, 201);
  const int64_t route_id = IdOf(route);
  const auto routes = [&](const std::string& query) {
    return Ids(f, "/v1/routes?" + query, w.dispatcher);
  };
  CHECK(routes("date=2026-11-27") == std::vector<int64_t>{route_id});
  CHECK(routes("date=2026-11-28").empty());
  CHECK(routes("status=planned&depot_id=" + std::to_string(w.depot_id)) ==
        std::vector<int64_t>{route_id});
  CHECK(routes("status=dispatched").empty());
  CHECK(Int(f.ListAll("/v1/routes", w.dispatcher)[0].at("stop_count")) == 2);
  CHECK_ERROR(f.http().Get("/v1/routes?date=2026-13-01", w.dispatcher), 400, "date");
  CHECK_ERROR(f.http().Get("/v1/routes?status=lost", w.dispatcher), 400, "status");
  CHECK_ERROR(f.http().Get("/v1/routes", w.station_a), 403, "");
  CHECK_ERROR(f.http().Get("/v1/match/runs", w.station_a), 403, "");
}

}  // namespace
}  // namespace aidlink::test
