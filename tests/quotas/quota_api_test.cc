// Quotas through HTTP on the real server: /v1/quotas with every validation
// error, caps in dry and committed match runs (hard, soft, per category,
// per person), a failed delivery giving its quota back, entitlements and
// their scope, and the protobuf forms of the new messages.
#include <map>
#include <set>

#include "aidlink/v1/quotas.pb.h"
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "dispatch/desk.h"

namespace aidlink::test::quotas {
namespace {

using dispatch::Alloc;
using dispatch::AllocsOf;
using dispatch::Arr;
using dispatch::Desk;
using dispatch::Household;
using dispatch::QueryInt;
using dispatch::StrOr;

// A Wednesday; its calendar week is 2026-11-02 (Monday) .. 2026-11-08.
constexpr const char* kWednesday = "2026-11-04";

std::map<int64_t, int64_t> PerNeed(const json::object& run) {
  std::map<int64_t, int64_t> out;
  for (const Alloc& a : AllocsOf(run)) out[a.need_id] += a.quantity;
  return out;
}

// need id -> unmet reason of a run answer.
std::map<int64_t, std::string> Unmet(const json::object& run) {
  std::map<int64_t, std::string> out;
  for (const json::value& v : Arr(run, "unmet")) {
    out[IntOr(v.as_object(), "need_id")] = StrOr(v.as_object(), "reason");
  }
  return out;
}

// need id -> the union of its allocations' reasons.
std::map<int64_t, std::set<std::string>> Reasons(const json::object& run) {
  std::map<int64_t, std::set<std::string>> out;
  for (const json::value& v : Arr(run, "allocations")) {
    const json::object& a = v.as_object();
    for (const json::value& r : Arr(a, "reasons")) out[IntOr(a, "need_id")].insert(Str(r));
  }
  return out;
}

int64_t Held(const json::object& run) {
  return IntOr(run.at("stats").as_object(), "units_held_by_quota");
}

json::object DryRun(Desk& d, std::string_view as_of) {
  Response r =
      d.http().Post("/v1/match/runs", json::object{{"dry_run", true}, {"as_of", as_of}}, d.token());
  REQUIRE_STATUS(r, 200);
  return r.Json().as_object();
}

json::object ItemQuota(int64_t item_id, int64_t amount, std::string_view enforcement = "hard") {
  return {{"item_id", item_id},
          {"per", "household"},
          {"amount", amount},
          {"window", "calendar_week"},
          {"enforcement", enforcement}};
}

int64_t CreateQuota(Desk& d, const json::object& body) {
  return Id(d.f().Create("/v1/quotas", body, d.token()).at("id"));
}

json::object Entitlements(Desk& d, int64_t requester, std::string_view as_of,
                          const std::string& token = "") {
  return d.f().Fetch(
      "/v1/requesters/" + std::to_string(requester) + "/entitlements?as_of=" + std::string(as_of),
      token.empty() ? d.token() : token);
}

Response Patch(Desk& d, int64_t id, const json::object& body, std::optional<int64_t> version) {
  Headers h = {{"Authorization", "Bearer " + d.token()}, {"Content-Type", "application/json"}};
  if (version) h.emplace_back("If-Match", std::to_string(*version));
  return d.http().Request("PATCH", "/v1/quotas/" + std::to_string(id), json::serialize(body), h);
}

}  // namespace

TEST_CASE("quotas are created, listed, read, patched with If-Match and disabled", "[quotas][api]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 10, false, "ppe");

  json::object body{{"item_id", masks},
                    {"per", "person"},
                    {"amount", 20},
                    {"window", "calendar_month"},
                    {"max_persons", 4},
                    {"tags", json::array{"elderly_alone", "pregnant"}},
                    {"enforcement", "hard"},
                    {"active_from", "2026-11-01"},
                    {"active_to", "2026-12-31"},
                    {"note", "每人每月20只，每户最多按4人计"}};
  json::object created = d.f().Create("/v1/quotas", body, d.token());
  const int64_t id = Id(created.at("id"));
  CHECK(Id(created.at("item_id")) == masks);
  CHECK(StrOr(created, "per") == "person");
  CHECK(IntOr(created, "amount") == 20);
  CHECK(StrOr(created, "window") == "calendar_month");
  CHECK(IntOr(created, "max_persons") == 4);
  CHECK(Arr(created, "tags").size() == 2);
  CHECK(StrOr(created, "active_to") == "2026-12-31");
  CHECK(IntOr(created, "version") == 1);
  CHECK_FALSE(created.at("disabled").as_bool());
  CHECK(created.find("days") == created.end());

  const int64_t second = CreateQuota(d, {{"category", "food"},
                                         {"per", "household"},
                                         {"amount", 1},
                                         {"window", "rolling_days"},
                                         {"days", 7},
                                         {"enforcement", "soft"}});
  SECTION("listed by id, a page at a time, and filtered") {
    Response page = d.http().Get("/v1/quotas?page_size=1", d.token());
    REQUIRE_STATUS(page, 200);
    json::object first = page.Json().as_object();
    REQUIRE(Arr(first, "items").size() == 1);
    CHECK(Id(Arr(first, "items")[0].at("id")) == id);
    REQUIRE_FALSE(StrOr(first, "next_page_token").empty());
    std::vector<json::object> all = d.f().ListAll("/v1/quotas", d.token(), 1);
    REQUIRE(all.size() == 2);
    CHECK(Id(all[1].at("id")) == second);
    CHECK(d.f().ListAll("/v1/quotas?category=food", d.token()).size() == 1);
    CHECK(d.f().ListAll("/v1/quotas?item_id=" + std::to_string(masks), d.token()).size() == 1);
    CHECK_ERROR(d.http().Get("/v1/quotas?disabled=maybe", d.token()), 400, "disabled");
  }
  SECTION("every role of the table reads them; only the desk writes them") {
    CHECK_STATUS(d.http().Get("/v1/quotas/" + std::to_string(id), d.station_token), 200);
    CHECK_STATUS(d.http().Get("/v1/quotas", d.donor_token), 200);
    CHECK_ERROR(d.http().Post("/v1/quotas", body, d.station_token), 403, "");
    CHECK_ERROR(d.http().Get("/v1/quotas/99999", d.token()), 404, "id");
  }
  SECTION("a patch with the current version changes it; a stale one is 409") {
    Response r = Patch(d, id, {{"amount", 30}, {"note", nullptr}}, 1);
    REQUIRE_STATUS(r, 200);
    CHECK(IntOr(r.Json().as_object(), "amount") == 30);
    CHECK(IntOr(r.Json().as_object(), "version") == 2);
    CHECK(StrOr(r.Json().as_object(), "note").empty());
    CHECK_ERROR(Patch(d, id, {{"amount", 40}}, 1), 409, "If-Match");
    // From an item to a category: the patch leaves exactly one of them.
    r = Patch(d, id, {{"item_id", nullptr}, {"category", "ppe"}}, 2);
    REQUIRE_STATUS(r, 200);
    const json::object moved = r.Json().as_object();
    CHECK(moved.find("item_id") == moved.end());
    CHECK(StrOr(moved, "category") == "ppe");
    // A patch is checked as a whole quota: days only with rolling_days.
    CHECK_ERROR(Patch(d, id, {{"days", 3}}, std::nullopt), 400, "days");
    CHECK_ERROR(Patch(d, id, {{"created_at", "x"}}, std::nullopt), 400, "created_at");
    CHECK(IntOr(d.f().Fetch("/v1/quotas/" + std::to_string(id), d.token()), "version") == 3);
    CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM events WHERE kind = 'quota_updated'") ==
          2);
  }
  SECTION("disabling keeps it readable and ends its edits") {
    Response r =
        d.http().Post("/v1/quotas/" + std::to_string(id) + ":disable", json::object{}, d.token());
    REQUIRE_STATUS(r, 200);
    CHECK(r.Json().as_object().at("disabled").as_bool());
    CHECK_FALSE(StrOr(r.Json().as_object(), "disabled_at").empty());
    CHECK_ERROR(
        d.http().Post("/v1/quotas/" + std::to_string(id) + ":disable", json::object{}, d.token()),
        422, "");
    CHECK_ERROR(Patch(d, id, {{"amount", 5}}, std::nullopt), 422, "");
    CHECK(d.f().ListAll("/v1/quotas?disabled=true", d.token()).size() == 1);
    CHECK(d.f().ListAll("/v1/quotas?disabled=false", d.token()).size() == 1);
  }
}

TEST_CASE("every bad quota is a 400 naming its field and writes nothing", "[quotas][api]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 5);
  const auto with = [&](std::initializer_list<std::pair<std::string, json::value>> changes,
                        std::initializer_list<std::string> drop = {}) {
    json::object b{{"item_id", rice},
                   {"per", "household"},
                   {"amount", 10},
                   {"window", "calendar_week"},
                   {"enforcement", "hard"}};
    for (const auto& key : drop) b.erase(key);
    for (const auto& [k, v] : changes) b[k] = v;
    return b;
  };
  struct Case {
    json::object body;
    int status;
    const char* field;
  };
  const Case cases[] = {
      {with({}, {"item_id"}), 400, "item_id"},
      {with({{"category", "food"}}), 400, "category"},
      {with({{"category", "toys"}}, {"item_id"}), 400, "category"},
      {with({{"item_id", 0}}), 400, "item_id"},
      {with({{"item_id", 987654}}), 404, "item_id"},
      {with({}, {"per"}), 400, "per"},
      {with({{"per", "family"}}), 400, "per"},
      {with({{"amount", 0}}), 400, "amount"},
      {with({{"amount", 1000000001}}), 400, "amount"},
      {with({{"amount", "many"}}), 400, "amount"},
      {with({{"window", "weekly"}}), 400, "window"},
      {with({}, {"window"}), 400, "window"},
      {with({{"window", "rolling_days"}}), 400, "days"},
      {with({{"window", "rolling_days"}, {"days", 0}}), 400, "days"},
      {with({{"window", "rolling_days"}, {"days", 367}}), 400, "days"},
      {with({{"days", 7}}), 400, "days"},
      {with({{"max_persons", 3}}), 400, "max_persons"},
      {with({{"per", "person"}, {"max_persons", 0}}), 400, "max_persons"},
      {with({{"tags", json::array{"vip"}}}), 400, "tags"},
      {with({{"enforcement", "strict"}}), 400, "enforcement"},
      {with({}, {"enforcement"}), 400, "enforcement"},
      {with({{"active_from", "2026-02-30"}}), 400, "active_from"},
      {with({{"active_to", "soon"}}), 400, "active_to"},
      {with({{"active_from", "2026-11-10"}, {"active_to", "2026-11-09"}}), 400, "active_to"},
      {with({{"note", json::string(std::string(2001, 'x'))}}), 400, "note"},
  };
  for (const Case& c : cases) {
    INFO(json::serialize(c.body));
    CHECK_ERROR(d.http().Post("/v1/quotas", c.body, d.token()), c.status, c.field);
  }
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM quotas") == 0);
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM events WHERE entity = 'quota'") == 0);
  // The edges are accepted.
  CreateQuota(d, with({{"window", "rolling_days"}, {"days", 366}, {"amount", 1000000000}}));
  CreateQuota(d, with({{"active_from", "2026-11-09"}, {"active_to", "2026-11-09"}}));
}

TEST_CASE("a hard cap stops a household in dry and committed runs, week by week",
          "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  d.Lot(masks, 100);
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  const int64_t b = d.Requester({.name = "陈奶奶", .address = "江汉区幸福里2幢202"});
  const int64_t need_a = d.Need(a, masks, 10);
  const int64_t need_b = d.Need(b, masks, 10);
  const int64_t quota = CreateQuota(d, ItemQuota(masks, 3));

  json::object dry = DryRun(d, kWednesday);
  CHECK(PerNeed(dry)[need_a] == 3);
  CHECK(PerNeed(dry)[need_b] == 3);
  CHECK(Unmet(dry)[need_a] == "quota_reached");
  CHECK(Unmet(dry)[need_b] == "quota_reached");
  CHECK(Held(dry) == 14);  // 20 asked for and in stock, 6 allowed
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM allocations") == 0);

  json::object run = d.Match(kWednesday);
  CHECK(PerNeed(run)[need_a] == 3);
  CHECK(Held(run) == 14);
  const json::object stored =
      d.f().Fetch("/v1/match/runs/" + std::to_string(Id(run.at("id"))), d.token());
  CHECK(Held(stored) == 14);
  CHECK(Unmet(stored)[need_a] == "quota_reached");
  CHECK(StrOr(d.GetNeed(need_a), "last_unmet_reason") == "quota_reached");
  bool listed = false;
  for (const json::object& r : d.f().ListAll("/v1/match/runs", d.token())) {
    listed = listed || (Id(r.at("id")) == Id(run.at("id")) && Held(r) == 14);
  }
  CHECK(listed);

  json::object ent = Entitlements(d, a, kWednesday);
  REQUIRE(Arr(ent, "items").size() == 1);
  const json::object e = Arr(ent, "items")[0].as_object();
  CHECK(Id(e.at("quota_id")) == quota);
  CHECK(Id(e.at("item_id")) == masks);
  CHECK(IntOr(e, "cap") == 3);
  CHECK(IntOr(e, "used") == 3);
  CHECK(IntOr(e, "remaining") == 0);
  CHECK(StrOr(e, "window_start") == "2026-11-02");
  CHECK(StrOr(e, "window_end") == "2026-11-08");
  CHECK(StrOr(e, "enforcement") == "hard");

  SECTION("later in the same week the household gets nothing more") {
    json::object again = d.Match("2026-11-08");
    CHECK(PerNeed(again).empty());
    CHECK(Unmet(again)[need_a] == "quota_reached");
    CHECK(Held(again) == 14);
  }
  SECTION("the next Monday is a fresh week") {
    json::object monday = DryRun(d, "2026-11-09");
    CHECK(PerNeed(monday)[need_a] == 3);
    CHECK(PerNeed(monday)[need_b] == 3);
    CHECK(IntOr(Arr(Entitlements(d, a, "2026-11-09"), "items")[0].as_object(), "used") == 0);
  }
  SECTION("a disabled quota binds no later run") {
    REQUIRE_STATUS(d.http().Post("/v1/quotas/" + std::to_string(quota) + ":disable", json::object{},
                                 d.token()),
                   200);
    json::object free = DryRun(d, kWednesday);
    CHECK(PerNeed(free)[need_a] == 7);
    CHECK(Held(free) == 0);
    CHECK(Arr(Entitlements(d, a, kWednesday), "items").empty());
  }
  SECTION("outside active_from..active_to a quota does not bind") {
    REQUIRE_STATUS(Patch(d, quota, {{"active_from", "2026-11-20"}}, std::nullopt), 200);
    CHECK(PerNeed(DryRun(d, kWednesday))[need_a] == 7);
    CHECK(PerNeed(DryRun(d, "2026-11-23"))[need_a] == 3);
  }
}

TEST_CASE("a failed or cancelled delivery gives its quota back", "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 1);
  d.Lot(eggs, 100);
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  const int64_t need = d.Need(a, eggs, 20);
  CreateQuota(d, ItemQuota(eggs, 5));
  json::object run = d.Match(kWednesday);
  REQUIRE(AllocsOf(run).size() == 1);
  const int64_t delivery = AllocsOf(run)[0].delivery_id;
  CHECK(IntOr(Arr(Entitlements(d, a, kWednesday), "items")[0].as_object(), "used") == 5);

  SECTION("failed at the door") {
    REQUIRE_OK(d.http().Post("/v1/deliveries/" + std::to_string(delivery) + ":dispatch",
                             json::object{}, d.token()));
    REQUIRE_OK(d.http().Post("/v1/deliveries/" + std::to_string(delivery) + ":fail",
                             json::object{{"reason", "家中无人"}}, d.token()));
  }
  SECTION("cancelled before it left") {
    REQUIRE_OK(d.http().Post("/v1/deliveries/" + std::to_string(delivery) + ":cancel",
                             json::object{{"reason", "车辆故障"}}, d.token()));
  }
  const json::object e = Arr(Entitlements(d, a, kWednesday), "items")[0].as_object();
  CHECK(IntOr(e, "used") == 0);
  CHECK(IntOr(e, "remaining") == 5);
  CHECK(PerNeed(d.Match("2026-11-05"))[need] == 5);
}

TEST_CASE("a delivered allocation keeps counting; only what came back is given back",
          "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 1);
  d.Lot(eggs, 100);
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  d.Need(a, eggs, 20);
  CreateQuota(d, ItemQuota(eggs, 5));
  json::object run = d.Match(kWednesday);
  const int64_t delivery = AllocsOf(run)[0].delivery_id;
  REQUIRE_OK(d.http().Post("/v1/deliveries/" + std::to_string(delivery) + ":dispatch",
                           json::object{}, d.token()));
  REQUIRE_OK(d.http().Post(
      "/v1/deliveries/" + std::to_string(delivery) + ":deliver",
      json::object{{"received_by", "刘大爷"},
                   {"lines", json::array{json::object{{"item_id", eggs}, {"quantity", 3}}}}},
      d.token()));
  const json::object e = Arr(Entitlements(d, a, kWednesday), "items")[0].as_object();
  CHECK(IntOr(e, "used") == 3);
  CHECK(IntOr(e, "remaining") == 2);
}

TEST_CASE("a soft cap is exceeded only with stock no one within their caps can use",
          "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  const int64_t a =
      d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101", .tags = {"elderly_alone"}});
  const int64_t b = d.Requester({.name = "周师傅", .address = "江汉区幸福里4幢303"});
  const int64_t need_a = d.Need(a, masks, 10);
  const int64_t need_b = d.Need(b, masks, 10);
  // Only requesters tagged elderly_alone are capped.
  json::object soft = ItemQuota(masks, 3, "soft");
  soft["tags"] = json::array{"elderly_alone"};
  CreateQuota(d, soft);

  SECTION("with stock to spare, past the cap, marked over_soft_quota") {
    d.Lot(masks, 20);
    json::object run = DryRun(d, kWednesday);
    CHECK(PerNeed(run)[need_a] == 10);
    CHECK(PerNeed(run)[need_b] == 10);
    CHECK(Reasons(run)[need_a].count("over_soft_quota") == 1);
    CHECK(Reasons(run)[need_b].count("over_soft_quota") == 0);
    CHECK(Held(run) == 0);
    json::object committed = d.Match(kWednesday);
    const json::object stored =
        d.f().Fetch("/v1/match/runs/" + std::to_string(Id(committed.at("id"))), d.token());
    CHECK(Reasons(stored)[need_a].count("over_soft_quota") == 1);
  }
  SECTION("without, it holds like a hard cap") {
    d.Lot(masks, 13);
    json::object run = DryRun(d, kWednesday);
    CHECK(PerNeed(run)[need_a] == 3);
    CHECK(PerNeed(run)[need_b] == 10);
    CHECK(Reasons(run)[need_a].count("over_soft_quota") == 0);
    CHECK(Unmet(run)[need_a] == "quota_reached");
  }
  SECTION("a requester without the tags has no entitlement under it") {
    CHECK(Arr(Entitlements(d, b, kWednesday), "items").empty());
    CHECK(Arr(Entitlements(d, a, kWednesday), "items").size() == 1);
  }
}

TEST_CASE("a category quota counts every item of the category together", "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("大米", "kg", 1, false, "food");
  const int64_t oil = d.Item("食用油", "bottle", 1, false, "food");
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  for (int64_t item : {rice, oil, masks}) d.Lot(item, 50);
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  const int64_t need_rice = d.Need(a, rice, 4);
  const int64_t need_oil = d.Need(a, oil, 4);
  const int64_t need_masks = d.Need(a, masks, 4);
  CreateQuota(d, {{"category", "food"},
                  {"per", "household"},
                  {"amount", 5},
                  {"window", "calendar_month"},
                  {"enforcement", "hard"}});
  json::object run = d.Match(kWednesday);
  auto per = PerNeed(run);
  CHECK(per[need_rice] + per[need_oil] == 5);
  CHECK(per[need_masks] == 4);
  const json::object e = Arr(Entitlements(d, a, "2026-11-30"), "items")[0].as_object();
  CHECK(StrOr(e, "category") == "food");
  CHECK(IntOr(e, "used") == 5);
  CHECK(StrOr(e, "window_start") == "2026-11-01");
  CHECK(StrOr(e, "window_end") == "2026-11-30");
  // December is a new month.
  auto december = PerNeed(DryRun(d, "2026-12-01"));
  CHECK(december[need_rice] + december[need_oil] == 3);
}

TEST_CASE("a cap per person is amount x min(household size, max_persons)", "[quotas][api][match]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  d.Lot(masks, 1000);
  const int64_t pair =
      d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101", .household_size = 2});
  const int64_t big =
      d.Requester({.name = "陈家", .address = "江汉区幸福里2幢202", .household_size = 5});
  const int64_t need_pair = d.Need(pair, masks, 100);
  const int64_t need_big = d.Need(big, masks, 100);
  CreateQuota(d, {{"item_id", masks},
                  {"per", "person"},
                  {"amount", 20},
                  {"max_persons", 3},
                  {"window", "rolling_days"},
                  {"days", 30},
                  {"enforcement", "hard"}});
  json::object run = d.Match(kWednesday);
  CHECK(PerNeed(run)[need_pair] == 40);
  CHECK(PerNeed(run)[need_big] == 60);
  const json::object e = Arr(Entitlements(d, big, kWednesday), "items")[0].as_object();
  CHECK(IntOr(e, "cap") == 60);
  CHECK(StrOr(e, "window_start") == "2026-10-06");
  CHECK(StrOr(e, "window_end") == kWednesday);
  // 30 days later the run's allocations have left the rolling window.
  CHECK(IntOr(Arr(Entitlements(d, big, "2026-12-04"), "items")[0].as_object(), "used") == 0);
  CHECK(IntOr(Arr(Entitlements(d, big, "2026-12-03"), "items")[0].as_object(), "used") == 60);
}

TEST_CASE("entitlements are the requester's station's and the desk's", "[quotas][api][authz]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  const int64_t other_station = d.Station("武昌区和平社工站", "武昌区");
  const std::string other_token = d.f().NewStationToken(other_station);
  const int64_t b =
      d.Requester({.station_id = other_station, .name = "王阿姨", .address = "武昌区和平里5幢"});
  CreateQuota(d, ItemQuota(masks, 3));
  const std::string path = "/v1/requesters/" + std::to_string(a) + "/entitlements";
  CHECK_STATUS(d.http().Get(path, d.station_token), 200);
  CHECK_ERROR(d.http().Get(path, other_token), 404, "id");
  CHECK_STATUS(d.http().Get("/v1/requesters/" + std::to_string(b) + "/entitlements", other_token),
               200);
  CHECK_ERROR(d.http().Get(path, d.donor_token), 403, "");
  CHECK_ERROR(d.http().Get("/v1/requesters/99999/entitlements", d.token()), 404, "id");
  CHECK_ERROR(d.http().Get(path + "?as_of=2026-13-01", d.token()), 400, "as_of");
  // Without as_of: today in the server's zone.
  json::object today = Entitlements(d, a, "");
  CHECK_FALSE(StrOr(today, "as_of").empty());
  CHECK(StrOr(today, "time_zone") == "Asia/Shanghai");
}

TEST_CASE("quotas, entitlements and held units travel as protobuf", "[quotas][api][protobuf]") {
  TestServer server;
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 1, false, "ppe");
  d.Lot(masks, 50);
  const int64_t a = d.Requester({.name = "刘大爷", .address = "江汉区幸福里1幢101"});
  d.Need(a, masks, 10);
  const Headers proto = {{"Content-Type", "application/x-protobuf"},
                         {"Accept", "application/x-protobuf"},
                         {"Authorization", "Bearer " + d.token()}};
  v1::Quota q;
  q.set_item_id(masks);
  q.set_per("household");
  q.set_amount(4);
  q.set_window("rolling_days");
  q.set_days(7);
  q.set_enforcement("hard");
  q.add_tags("elderly_alone");
  q.clear_tags();
  Response created = d.http().Request("POST", "/v1/quotas", q.SerializeAsString(), proto);
  REQUIRE_STATUS(created, 201);
  v1::Quota back;
  REQUIRE(back.ParseFromString(created.body));
  CHECK(back.id() > 0);
  CHECK(back.item_id() == masks);
  CHECK(back.days() == 7);
  CHECK(back.version() == 1);

  v1::QuotaPatch patch;
  patch.add_update_mask("amount");
  patch.mutable_set()->set_amount(6);
  Response patched = d.http().Request("PATCH", "/v1/quotas/" + std::to_string(back.id()),
                                      patch.SerializeAsString(), proto);
  REQUIRE_STATUS(patched, 200);
  REQUIRE(back.ParseFromString(patched.body));
  CHECK(back.amount() == 6);
  CHECK(back.version() == 2);

  Response list = d.http().Request("GET", "/v1/quotas", "", proto);
  REQUIRE_STATUS(list, 200);
  v1::QuotaList quotas;
  REQUIRE(quotas.ParseFromString(list.body));
  CHECK(quotas.items_size() == 1);

  Response dry = d.http().Request(
      "POST", "/v1/match/runs",
      [] {
        v1::MatchRunRequest r;
        r.set_dry_run(true);
        r.set_as_of(kWednesday);
        return r.SerializeAsString();
      }(),
      proto);
  REQUIRE_STATUS(dry, 200);
  v1::MatchRun run;
  REQUIRE(run.ParseFromString(dry.body));
  CHECK(run.stats().units_allocated() == 6);
  CHECK(run.stats().units_held_by_quota() == 4);
  REQUIRE(run.unmet_size() == 1);
  CHECK(run.unmet(0).reason() == "quota_reached");

  Response ent = d.http().Request(
      "GET", "/v1/requesters/" + std::to_string(a) + "/entitlements?as_of=" + kWednesday, "",
      proto);
  REQUIRE_STATUS(ent, 200);
  v1::EntitlementList list_back;
  REQUIRE(list_back.ParseFromString(ent.body));
  REQUIRE(list_back.items_size() == 1);
  CHECK(list_back.items(0).cap() == 6);
  CHECK(list_back.items(0).window_start() == "2026-10-29");
  CHECK(list_back.items(0).window_end() == kWednesday);
  CHECK(list_back.requester_id() == a);
  CHECK(list_back.household_id() == a);
}

}  // namespace aidlink::test::quotas
