// Duplicate detection through the real server (issue 13): the `duplicate`
// answer of requester writes, what a station and a dispatcher see of a case,
// resolving and reopening it, holds and household clusters in match runs.

#include <algorithm>
#include <filesystem>
#include <map>

#include "aidlink/v1/duplicates.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

constexpr const char* kAsOf = "2026-11-28";

json::object Jin(int64_t station_id, std::string_view phone, std::string_view address) {
  return {
      {"station_id", station_id}, {"kind", "household"}, {"name", "金老伯"},
      {"contact_name", "金老伯"}, {"phone", phone},      {"address", address},
      {"district", "江汉区"},     {"household_size", 1}, {"tags", json::array{"elderly_alone"}}};
}

json::object Household(int64_t station_id, std::string_view name, std::string_view phone,
                       std::string_view address) {
  return {{"station_id", station_id}, {"kind", "household"}, {"name", name},
          {"contact_name", name},     {"phone", phone},      {"address", address},
          {"district", "江汉区"},     {"household_size", 2}, {"tags", json::array{}}};
}

json::object Need(int64_t requester_id, int64_t item_id, int64_t quantity) {
  return {{"requester_id", requester_id},
          {"item_id", item_id},
          {"quantity", quantity},
          {"urgency", "normal"},
          {"note", ""}};
}

json::object Lot(int64_t donor_id, int64_t item_id, int64_t depot_id, int64_t quantity) {
  return {{"donor_id", donor_id},
          {"item_id", item_id},
          {"depot_id", depot_id},
          {"quantity", quantity},
          {"note", ""}};
}

std::string CasePath(int64_t id) { return "/v1/duplicates/" + std::to_string(id); }
std::string NeedPath(int64_t id) { return "/v1/needs/" + std::to_string(id); }

// The `duplicate` object of a requester write's answer.
json::object DuplicateOf(const Response& r) {
  const json::value v = r.Json();
  const json::object& o = v.as_object();
  REQUIRE(o.contains("duplicate"));
  return o.at("duplicate").as_object();
}

std::string StatusOf(const json::object& duplicate) {
  return duplicate.contains("status") ? Str(duplicate.at("status")) : "";
}

std::vector<std::string> BasisOf(const json::object& o) {
  std::vector<std::string> out;
  if (!o.contains("basis")) return out;
  for (const auto& b : o.at("basis").as_array()) out.push_back(Str(b));
  return out;
}

std::vector<int64_t> SideIds(const json::object& c) {
  std::vector<int64_t> out;
  if (!c.contains("sides")) return out;
  for (const auto& s : c.at("sides").as_array())
    out.push_back(Id(s.as_object().at("requester").as_object().at("id")));
  return out;
}

Response Patch(Fixture& f, int64_t requester_id, const json::object& body,
               const std::string& token) {
  return f.http().Request("PATCH", "/v1/requesters/" + std::to_string(requester_id),
                          json::serialize(body), {{"Authorization", "Bearer " + token}});
}

// need id -> reason of the run's unmet entry.
std::map<int64_t, std::string> UnmetOf(const json::object& run) {
  std::map<int64_t, std::string> out;
  if (!run.contains("unmet")) return out;
  for (const auto& u : run.at("unmet").as_array())
    out[Id(u.as_object().at("need_id"))] = Str(u.as_object().at("reason"));
  return out;
}

// need id -> units allocated by the run.
std::map<int64_t, int64_t> AllocatedOf(const json::object& run) {
  std::map<int64_t, int64_t> out;
  if (!run.contains("allocations")) return out;
  for (const auto& a : run.at("allocations").as_array())
    out[Id(a.as_object().at("need_id"))] += Int(a.as_object().at("quantity"));
  return out;
}

json::object Run(Fixture& f, const std::string& token, bool dry_run) {
  Response r =
      f.http().Post("/v1/match/runs", json::object{{"dry_run", dry_run}, {"as_of", kAsOf}}, token);
  REQUIRE_STATUS(r, dry_run ? 200 : 201);
  return r.Json().as_object();
}

// Two stations of 江汉区 and the desk.
struct Desk {
  std::string dispatcher, station_a, station_b, station_c;
  int64_t a = 0, b = 0, c = 0;
  int64_t item = 0, other_item = 0, donor = 0, depot = 0;
};

Desk MakeDesk(Fixture& f) {
  Desk d;
  d.dispatcher = f.NewDispatcherToken();
  d.a = f.CreateStation("幸福里社工站", "江汉区");
  d.b = f.CreateStation("民族街社工站", "江汉区");
  d.c = f.CreateStation("和平里社工站", "江汉区");
  d.station_a = f.NewStationToken(d.a);
  d.station_b = f.NewStationToken(d.b);
  d.station_c = f.NewStationToken(d.c);
  d.item = f.CreateItem(d.dispatcher, Unique("BP"));
  d.other_item = f.CreateItem(d.dispatcher, Unique("EGG"));
  d.donor = f.CreateDonor(d.dispatcher);
  d.depot = f.CreateDepot(d.dispatcher);
  return d;
}

TEST_CASE("two stations register 金老伯 in two spellings: a likely case, each sees only its side",
          "[api][dedup]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);

  Response first =
      f.http().Post("/v1/requesters", Jin(d.a, "138 0000 1111", "幸福里3号楼201"), d.station_a);
  REQUIRE_STATUS(first, 201);
  CHECK(StatusOf(DuplicateOf(first)) == "none");
  const int64_t jin_a = IdOf(first);

  Response second =
      f.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  REQUIRE_STATUS(second, 201);
  const int64_t jin_b = IdOf(second);
  const json::object dup = DuplicateOf(second);
  CHECK(StatusOf(dup) == "likely");
  CHECK(BasisOf(dup) == std::vector<std::string>{"phone", "address", "name"});
  const int64_t case_id = IntOr(dup, "case_id");
  REQUIRE(case_id > 0);
  // Only status, case id and basis: nothing of station A's record.
  for (const auto& [key, value] : dup) {
    CHECK((key == "status" || key == "case_id" || key == "basis"));
  }
  CHECK_FALSE(BodyContains(second, "幸福里3号楼201"));
  CHECK_FALSE(BodyContains(second, "138 0000 1111"));
  CHECK_FALSE(BodyContains(second, "幸福里社工站"));

  SECTION("station B sees its own side, the basis and the note; never A's record or id") {
    Response r = f.http().Get(CasePath(case_id), d.station_b);
    REQUIRE_STATUS(r, 200);
    const json::object c = r.Json().as_object();
    CHECK(SideIds(c) == std::vector<int64_t>{jin_b});
    CHECK(Str(c.at("likelihood")) == "likely");
    CHECK(BasisOf(c) == std::vector<std::string>{"phone", "address", "name"});
    CHECK(c.at("other_sides_hidden").as_bool());
    CHECK(Str(c.at("note")) == "可能已在辖区其他站登记");
    CHECK_FALSE(BodyContains(r, "幸福里3号楼201"));
    CHECK_FALSE(BodyContains(r, "138 0000 1111"));
    CHECK_FALSE(BodyContains(r, "幸福里社工站"));
    CHECK_FALSE(BodyContains(r, "\"" + std::to_string(jin_a) + "\""));
    CHECK(IntOr(c, "primary_id") == 0);
    Response en = f.http().Get(CasePath(case_id) + "?lang=en", d.station_b);
    CHECK(Str(en.Json().as_object().at("note")) == "may already be registered at another station");
    // The list shows the same.
    Response list = f.http().Get("/v1/duplicates?status=open", d.station_b);
    REQUIRE_STATUS(list, 200);
    const json::value listed = list.Json();
    const auto& items = listed.as_object().at("items").as_array();
    REQUIRE(items.size() == 1);
    CHECK(SideIds(items[0].as_object()) == std::vector<int64_t>{jin_b});
    CHECK_FALSE(BodyContains(list, "幸福里3号楼201"));
  }
  SECTION("station A sees only its side too; station C does not see the case at all") {
    const json::object c = f.Fetch(CasePath(case_id), d.station_a);
    CHECK(SideIds(c) == std::vector<int64_t>{jin_a});
    CHECK_ERROR(f.http().Get(CasePath(case_id), d.station_c), 404, "");
    Response list = f.http().Get("/v1/duplicates", d.station_c);
    REQUIRE_STATUS(list, 200);
    const json::object empty = list.Json().as_object();
    CHECK((!empty.contains("items") || empty.at("items").as_array().empty()));
  }
  SECTION("the dispatcher sees both sides side by side, with stations and needs") {
    const int64_t need = f.CreateNeed(d.station_a, Need(jin_a, d.item, 2));
    const json::object c = f.Fetch(CasePath(case_id), d.dispatcher);
    CHECK(SideIds(c) == std::vector<int64_t>{jin_a, jin_b});
    const auto& sides = c.at("sides").as_array();
    CHECK(Str(sides[0].as_object().at("station_name")) == "幸福里社工站");
    CHECK(Str(sides[1].as_object().at("station_name")) == "民族街社工站");
    CHECK(Str(sides[0].as_object().at("requester").as_object().at("address")) == "幸福里3号楼201");
    CHECK(Id(sides[0].as_object().at("needs").as_array()[0].as_object().at("need_id")) == need);
    CHECK((!c.contains("other_sides_hidden") || !c.at("other_sides_hidden").as_bool()));
    CHECK(c.contains("hold_until"));
  }
}

TEST_CASE("same_household cancels the newer registration's duplicate need and reopen restores it",
          "[api][dedup]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  const int64_t jin_a = f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  Response second =
      f.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  REQUIRE_STATUS(second, 201);
  const int64_t jin_b = IdOf(second);
  const int64_t case_id = IntOr(DuplicateOf(second), "case_id");
  const int64_t need_a = f.CreateNeed(d.station_a, Need(jin_a, d.item, 4));
  const int64_t need_b = f.CreateNeed(d.station_b, Need(jin_b, d.item, 3));
  const int64_t eggs_b = f.CreateNeed(d.station_b, Need(jin_b, d.other_item, 10));
  const std::string resolve = CasePath(case_id) + ":resolve";
  const std::string reopen = CasePath(case_id) + ":reopen";

  SECTION("bad input is 400 naming the field, and nothing changes") {
    const auto rows_before = CountAllRows(server.db_path());
    const std::string dedup_rows =
        "SELECT (SELECT count(*) FROM duplicate_cases) + (SELECT count(*) FROM "
        "duplicate_case_members) + (SELECT count(*) FROM household_links) + (SELECT count(*) "
        "FROM duplicate_cancellations) + (SELECT count(*) FROM duplicate_pair_decisions) + "
        "(SELECT sum(version) FROM duplicate_cases)";
    const int64_t dedup_before = QueryInt(server.db_path(), dedup_rows);
    CHECK_ERROR(f.http().Post(resolve, json::object{{"decision", "merge"}}, d.dispatcher), 400,
                "decision");
    CHECK_ERROR(f.http().Post(resolve, json::object{{"primary_id", jin_a}}, d.dispatcher), 400,
                "decision");
    CHECK_ERROR(f.http().Post(resolve, json::object{{"decision", "same_household"}}, d.dispatcher),
                400, "primary_id");
    CHECK_ERROR(f.http().Post(resolve,
                              json::object{{"decision", "same_household"},
                                           {"primary_id", 999999},
                                           {"reason", "同一户"}},
                              d.dispatcher),
                400, "primary_id");
    CHECK_ERROR(f.http().Post(resolve,
                              json::object{{"decision", "same_household"},
                                           {"primary_id", jin_a},
                                           {"reason", std::string(201, 'x')}},
                              d.dispatcher),
                400, "reason");
    CHECK_ERROR(f.http().Post(resolve, json::object{{"decision", 5}}, d.dispatcher), 400,
                "decision");
    CHECK_ERROR(f.http().Post("/v1/duplicates/999999:resolve",
                              json::object{{"decision", "different_households"}}, d.dispatcher),
                404, "");
    CHECK_ERROR(f.http().Get("/v1/duplicates?status=closed", d.dispatcher), 400, "status");
    CHECK_ERROR(f.http().Post(reopen, json::object{}, d.dispatcher), 422, "");
    // A station may not resolve a case with another station's side.
    CHECK_ERROR(
        f.http().Post(resolve, json::object{{"decision", "same_household"}, {"primary_id", jin_b}},
                      d.station_b),
        403, "");
    CHECK_ERROR(
        f.http().Post(resolve, json::object{{"decision", "different_households"}}, d.station_c),
        404, "");
    const json::object c = f.Fetch(CasePath(case_id), d.dispatcher);
    CHECK(Str(c.at("status")) == "open");
    CHECK(Int(f.Fetch(NeedPath(need_b), d.dispatcher).at("outstanding")) == 3);
    CHECK(CountAllRows(server.db_path()) == rows_before);
    CHECK(QueryInt(server.db_path(), dedup_rows) == dedup_before);
  }

  SECTION("resolve, then reopen: exactly the cancelled need comes back") {
    Response r = f.http().Post(resolve,
                               json::object{{"decision", "same_household"},
                                            {"primary_id", jin_a},
                                            {"reason", "同一户，社工电话核实"}},
                               d.dispatcher);
    REQUIRE_STATUS(r, 200);
    const json::object c = r.Json().as_object();
    CHECK(Str(c.at("status")) == "resolved");
    CHECK(Str(c.at("decision")) == "same_household");
    CHECK(Id(c.at("primary_id")) == jin_a);
    REQUIRE(c.at("cancelled_need_ids").as_array().size() == 1);
    CHECK(Id(c.at("cancelled_need_ids").as_array()[0]) == need_b);

    const json::object nb = f.Fetch(NeedPath(need_b), d.station_b);
    CHECK(Str(nb.at("status")) == "cancelled");
    CHECK(Str(nb.at("cancel_reason")) == "duplicate_household");
    CHECK(IntOr(nb, "outstanding") == 0);
    CHECK(Int(nb.at("cancelled")) == 3);
    // The primary's need and B's need for an item A did not ask for stand.
    CHECK(Int(f.Fetch(NeedPath(need_a), d.dispatcher).at("outstanding")) == 4);
    CHECK(Int(f.Fetch(NeedPath(eggs_b), d.dispatcher).at("outstanding")) == 10);
    // Station B still sees only its side of the resolved case.
    const json::object seen_b = f.Fetch(CasePath(case_id), d.station_b);
    CHECK(SideIds(seen_b) == std::vector<int64_t>{jin_b});
    CHECK(IntOr(seen_b, "primary_id") == 0);

    CHECK_ERROR(
        f.http().Post(resolve, json::object{{"decision", "different_households"}}, d.dispatcher),
        422, "");

    Response back = f.http().Post(reopen, json::object{{"reason", "核实有误"}}, d.dispatcher);
    REQUIRE_STATUS(back, 200);
    CHECK(Str(back.Json().as_object().at("status")) == "open");
    const json::object restored = f.Fetch(NeedPath(need_b), d.station_b);
    CHECK(Str(restored.at("status")) == "open");
    CHECK(Int(restored.at("outstanding")) == 3);
    CHECK(IntOr(restored, "cancelled") == 0);
    CHECK((!restored.contains("cancel_reason") || Str(restored.at("cancel_reason")).empty()));
    CHECK(Int(f.Fetch(NeedPath(eggs_b), d.dispatcher).at("outstanding")) == 10);
    CHECK_ERROR(f.http().Post(reopen, json::object{}, d.dispatcher), 422, "");
    CHECK(f.Fetch("/v1/reports/ledger", d.dispatcher).at("ok").as_bool());
  }
}

TEST_CASE("a station resolves a case whose sides are all its own and a donor may not look",
          "[api][dedup][authz]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  Response again =
      f.http().Post("/v1/requesters", Jin(d.a, "13800001111", "幸福里3幢201室"), d.station_a);
  const int64_t case_id = IntOr(DuplicateOf(again), "case_id");
  REQUIRE(case_id > 0);
  const std::string donor = f.NewDonorToken(d.donor);
  CHECK_ERROR(f.http().Get(CasePath(case_id), donor), 403, "");
  CHECK_ERROR(f.http().Get(CasePath(case_id), d.station_b), 404, "");
  CHECK_ERROR(f.http().Post(CasePath(case_id) + ":resolve",
                            json::object{{"decision", "different_households"}}, d.station_b),
              404, "");
  const json::object mine = f.Fetch(CasePath(case_id), d.station_a);
  CHECK(SideIds(mine).size() == 2);
  CHECK((!mine.contains("note") || Str(mine.at("note")).empty()));
  // A stale If-Match is 409; the current version resolves.
  const int64_t version = Int(mine.at("version"));
  const Headers stale{{"Authorization", "Bearer " + d.station_a},
                      {"If-Match", std::to_string(version + 7)}};
  CHECK_ERROR(f.http().Request("POST", CasePath(case_id) + ":resolve",
                               R"({"decision":"different_households"})", stale),
              409, "If-Match");
  REQUIRE_STATUS(f.http().Post(CasePath(case_id) + ":resolve",
                               json::object{{"decision", "different_households"}}, d.station_a),
                 200);
  REQUIRE_STATUS(f.http().Post(CasePath(case_id) + ":reopen", json::object{}, d.station_a), 200);
}

TEST_CASE("a phone three households share (a 楼长's) makes no likely case", "[api][dedup]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  const char* leader = "139 1111 2222";
  Response one = f.http().Post("/v1/requesters", Household(d.a, "李奶奶", leader, "幸福里5栋201"),
                               d.station_a);
  Response two = f.http().Post("/v1/requesters", Household(d.a, "赵大爷", leader, "幸福里5栋301"),
                               d.station_a);
  Response three = f.http().Post("/v1/requesters", Household(d.b, "孙阿姨", leader, "幸福里5栋401"),
                                 d.station_b);
  REQUIRE_STATUS(one, 201);
  REQUIRE_STATUS(two, 201);
  REQUIRE_STATUS(three, 201);
  CHECK(StatusOf(DuplicateOf(one)) == "none");
  CHECK(StatusOf(DuplicateOf(two)) == "possible");  // two holders: still evidence
  CHECK(StatusOf(DuplicateOf(three)) == "none");    // three holders: a shared contact
}

TEST_CASE("different_households is remembered until a key changes", "[api][dedup]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  Response second =
      f.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  const int64_t jin_b = IdOf(second);
  const int64_t case_id = IntOr(DuplicateOf(second), "case_id");
  REQUIRE_STATUS(f.http().Post(CasePath(case_id) + ":resolve",
                               json::object{{"decision", "different_households"},
                                            {"reason", "父子同名，分户居住"}},
                               d.dispatcher),
                 200);
  // An unrelated edit: not flagged again.
  Response unrelated = Patch(f, jin_b, json::object{{"household_size", 2}}, d.station_b);
  REQUIRE_STATUS(unrelated, 200);
  CHECK(StatusOf(DuplicateOf(unrelated)) == "none");
  // The same address written another way is the same key: still not flagged.
  Response respelled = Patch(f, jin_b, json::object{{"address", "幸福里3幢201室"}}, d.station_b);
  REQUIRE_STATUS(respelled, 200);
  CHECK(StatusOf(DuplicateOf(respelled)) == "none");
  // A new phone is a changed key: flagged again, in a new case.
  Response rekeyed = Patch(f, jin_b, json::object{{"phone", "13700003333"}}, d.station_b);
  REQUIRE_STATUS(rekeyed, 200);
  const json::object again = DuplicateOf(rekeyed);
  CHECK(StatusOf(again) == "likely");
  CHECK(BasisOf(again) == std::vector<std::string>{"address", "name"});
  CHECK(IntOr(again, "case_id") > case_id);
}

TEST_CASE("a likely case holds the newer registration's need until the hold period ends",
          "[api][dedup][match]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  const int64_t jin_a = f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  const int64_t jin_b =
      f.CreateRequester(d.station_b, Jin(d.b, "+86 13800001111", "幸福里３栋２０１"));
  const int64_t need_a = f.CreateNeed(d.station_a, Need(jin_a, d.item, 5));
  const int64_t need_b = f.CreateNeed(d.station_b, Need(jin_b, d.item, 5));
  // B's eggs: an item the older registration never asked for.
  const int64_t eggs_b = f.CreateNeed(d.station_b, Need(jin_b, d.other_item, 5));
  f.CreateLot(d.dispatcher, Lot(d.donor, d.item, d.depot, 100));
  f.CreateLot(d.dispatcher, Lot(d.donor, d.other_item, d.depot, 100));

  const json::object held = Run(f, d.dispatcher, true);
  CHECK(UnmetOf(held)[need_b] == "held_as_possible_duplicate");
  CHECK(AllocatedOf(held)[need_a] == 5);
  CHECK(AllocatedOf(held)[eggs_b] == 5);

  // The same database once the hold period is over (0 hours): served, and
  // the case stays open.
  TestServerOptions later;
  later.initial_db = server.db_path();
  later.extra_args = {"--duplicate-hold-hours", "0"};
  server.Stop();
  TestServer after(later);
  Fixture g(after);
  const std::string dispatcher = g.NewDispatcherToken();
  const json::object served = Run(g, dispatcher, true);
  CHECK(UnmetOf(served).count(need_b) == 0);
  CHECK(AllocatedOf(served)[need_b] == 5);
  const json::object open = g.Fetch("/v1/duplicates?status=open", dispatcher);
  CHECK(open.at("items").as_array().size() == 1);
}

TEST_CASE("a household of two linked registrations counts its fill fraction once",
          "[api][dedup][match]") {
  TestServerOptions options;
  options.extra_args = {"--duplicate-hold-hours", "0"};
  TestServer server(options);
  Fixture f(server);
  Desk d = MakeDesk(f);
  const int64_t jin_a = f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  Response second =
      f.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  const int64_t jin_b = IdOf(second);
  const int64_t case_id = IntOr(DuplicateOf(second), "case_id");
  const int64_t need_a = f.CreateNeed(d.station_a, Need(jin_a, d.item, 10));
  const int64_t need_b = f.CreateNeed(d.station_b, Need(jin_b, d.item, 30));
  f.CreateLot(d.dispatcher, Lot(d.donor, d.item, d.depot, 20));
  // Not yet one household: 20 units fairly between 10 and 30 -> 5 and 15.
  const json::object first = Run(f, d.dispatcher, false);
  REQUIRE(AllocatedOf(first)[need_a] == 5);
  REQUIRE(AllocatedOf(first)[need_b] == 15);

  REQUIRE_STATUS(
      f.http().Post(
          CasePath(case_id) + ":resolve",
          json::object{{"decision", "same_household"}, {"primary_id", jin_a}, {"reason", "同一户"}},
          d.dispatcher),
      200);
  // B's outstanding 15 is cancelled; its 15 allocated stay and count.
  const json::object nb = f.Fetch(NeedPath(need_b), d.dispatcher);
  CHECK(Int(nb.at("allocated")) == 15);
  CHECK(Int(nb.at("cancelled")) == 15);

  const int64_t neighbour =
      f.CreateRequester(d.station_a, Household(d.a, "周阿姨", "13600004444", "幸福里7栋101"));
  const int64_t need_n = f.CreateNeed(d.station_a, Need(neighbour, d.item, 10));
  f.CreateLot(d.dispatcher, Lot(d.donor, d.item, d.depot, 7));
  // The household holds 20 of 25 (0.8); the neighbour 0 of 10. Counted per
  // registration A would hold 5 of 10 (0.5) and take one of the 7 units.
  const json::object run = Run(f, d.dispatcher, true);
  CHECK(AllocatedOf(run)[need_n] == 7);
  CHECK(AllocatedOf(run).count(need_a) == 0);
}

TEST_CASE("a quota binds two linked registrations as one household in a real run",
          "[api][dedup][match][quotas]") {
  TestServerOptions options;
  options.extra_args = {"--duplicate-hold-hours", "0"};
  TestServer server(options);
  Fixture f(server);
  Desk d = MakeDesk(f);
  const int64_t jin_a = f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  Response second =
      f.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  const int64_t jin_b = IdOf(second);
  const int64_t case_id = IntOr(DuplicateOf(second), "case_id");
  REQUIRE(case_id > 0);
  REQUIRE_STATUS(
      f.http().Post(
          CasePath(case_id) + ":resolve",
          json::object{{"decision", "same_household"}, {"primary_id", jin_a}, {"reason", "同一户"}},
          d.dispatcher),
      200);
  const int64_t neighbour =
      f.CreateRequester(d.station_a, Household(d.a, "周阿姨", "13600004444", "幸福里7栋101"));
  // 10 a week per household, hard.
  REQUIRE_STATUS(f.http().Post("/v1/quotas",
                               json::object{{"item_id", d.item},
                                            {"per", "household"},
                                            {"amount", 10},
                                            {"window", "calendar_week"},
                                            {"enforcement", "hard"}},
                               d.dispatcher),
                 201);
  const int64_t need_a = f.CreateNeed(d.station_a, Need(jin_a, d.item, 8));
  const int64_t need_b = f.CreateNeed(d.station_b, Need(jin_b, d.item, 8));
  const int64_t need_n = f.CreateNeed(d.station_a, Need(neighbour, d.item, 8));
  f.CreateLot(d.dispatcher, Lot(d.donor, d.item, d.depot, 100));

  // Counted per registration each would get 8; as one household 10 between them.
  const json::object run = Run(f, d.dispatcher, false);
  std::map<int64_t, int64_t> got = AllocatedOf(run);
  CHECK(got[need_a] + got[need_b] == 10);
  CHECK(got[need_n] == 8);
  const std::map<int64_t, std::string> unmet = UnmetOf(run);
  CHECK((unmet.count(need_a) + unmet.count(need_b)) >= 1);
  for (int64_t n : {need_a, need_b}) {
    if (unmet.count(n)) CHECK(unmet.at(n) == "quota_reached");
  }

  // Both registrations answer the household's entitlement: the cluster, all used.
  for (const int64_t r : {jin_a, jin_b}) {
    const json::object e = f.Fetch(
        "/v1/requesters/" + std::to_string(r) + "/entitlements?as_of=" + kAsOf, d.dispatcher);
    CHECK(Id(e.at("household_id")) == jin_a);
    REQUIRE(e.at("items").as_array().size() == 1);
    const json::object& item = e.at("items").as_array()[0].as_object();
    CHECK(IntOr(item, "used") == 10);
    CHECK(IntOr(item, "remaining") == 0);
  }
  // A later run of the same week gives the household nothing more.
  const json::object again = Run(f, d.dispatcher, true);
  CHECK(AllocatedOf(again).count(need_a) == 0);
  CHECK(AllocatedOf(again).count(need_b) == 0);
}

TEST_CASE("the duplicate answer and a case travel as protobuf", "[api][dedup][protobuf]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  v1::Requester req;
  req.set_station_id(d.b);
  req.set_kind("household");
  req.set_name("金老伯");
  req.set_contact_name("金老伯");
  req.set_phone("13800001111");
  req.set_address("幸福里3幢201室");
  req.set_district("江汉区");
  req.set_household_size(1);
  const Headers proto{{"Authorization", "Bearer " + d.station_b},
                      {"Content-Type", "application/x-protobuf"},
                      {"Accept", "application/x-protobuf"}};
  Response r = f.http().Request("POST", "/v1/requesters", req.SerializeAsString(), proto);
  REQUIRE_STATUS(r, 201);
  v1::Requester out;
  REQUIRE(out.ParseFromString(r.body));
  CHECK(out.duplicate().status() == "likely");
  REQUIRE(out.duplicate().case_id() > 0);
  CHECK(out.duplicate().basis_size() == 3);

  Response c = f.http().Request(
      "GET", CasePath(out.duplicate().case_id()), "",
      {{"Authorization", "Bearer " + d.dispatcher}, {"Accept", "application/x-protobuf"}});
  REQUIRE_STATUS(c, 200);
  v1::DuplicateCase dc;
  REQUIRE(dc.ParseFromString(c.body));
  CHECK(dc.status() == "open");
  CHECK(dc.sides_size() == 2);
  CHECK(dc.sides(1).requester().id() == out.id());

  v1::ResolveDuplicateRequest resolve;
  resolve.set_decision("different_households");
  resolve.set_reason("两户");
  Response rr =
      f.http().Request("POST", CasePath(dc.id()) + ":resolve", resolve.SerializeAsString(),
                       {{"Authorization", "Bearer " + d.dispatcher},
                        {"Content-Type", "application/x-protobuf"},
                        {"Accept", "application/x-protobuf"}});
  REQUIRE_STATUS(rr, 200);
  v1::DuplicateCase resolved;
  REQUIRE(resolved.ParseFromString(rr.body));
  CHECK(resolved.decision() == "different_households");
}

TEST_CASE("requesters registered before duplicate detection get keys at start-up", "[api][dedup]") {
  TestServer server;
  Fixture f(server);
  Desk d = MakeDesk(f);
  f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  server.Stop();
  // As a database from before the migration had them: no keys.
  ExecSql(server.db_path(), "DELETE FROM requester_keys");
  server.Restart();
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM requester_keys") == 3);
  Fixture g(server);
  Response r =
      g.http().Post("/v1/requesters", Jin(d.b, "+86 13800001111", "幸福里３栋２０１"), d.station_b);
  REQUIRE_STATUS(r, 201);
  CHECK(StatusOf(DuplicateOf(r)) == "likely");
}

TEST_CASE("the dedup secret is a 0600 file beside the admin token, kept across restarts",
          "[api][dedup]") {
  TestServer server;
  const std::string key = server.dir() + "/dedup.key";
  REQUIRE(std::filesystem::exists(key));
  CHECK(std::filesystem::file_size(key) == 32);
  const auto perms = std::filesystem::status(key).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  Fixture f(server);
  Desk d = MakeDesk(f);
  f.CreateRequester(d.station_a, Jin(d.a, "138 0000 1111", "幸福里3号楼201"));
  server.Restart();
  Fixture g(server);
  Response r =
      g.http().Post("/v1/requesters", Jin(d.b, "13800001111", "幸福里3栋201"), d.station_b);
  REQUIRE_STATUS(r, 201);
  CHECK(StatusOf(DuplicateOf(r)) == "likely");
  // Neither the secret nor any key reaches the log.
  CHECK(server.ReadLog().find("dedup.key") == std::string::npos);
}

}  // namespace
}  // namespace aidlink::test
