#include "render.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "util/text.h"

using aidlink::client::LedgerOk;
using aidlink::client::LinesText;
using aidlink::client::Names;
using aidlink::client::RenderDelivery;
using aidlink::client::RenderDonorTrace;
using aidlink::client::RenderLedger;
using aidlink::client::RenderMatchRun;
using aidlink::client::RenderRoute;
namespace json = boost::json;
namespace text = aidlink::text;

namespace {

class FakeNames : public Names {
 public:
  std::string Item(int64_t id) override { return Find(items, id); }
  std::string Requester(int64_t id) override { return Find(requesters, id); }
  std::string Depot(int64_t id) override { return Find(depots, id); }
  std::optional<NeedRef> Need(int64_t id) override {
    const auto it = needs.find(id);
    if (it == needs.end()) return std::nullopt;
    return it->second;
  }

  std::map<int64_t, std::string> items{{1, "降压药"}, {2, "KN95口罩"}};
  std::map<int64_t, std::string> requesters{{1, "金老伯"}, {2, "Li Wei"}};
  std::map<int64_t, std::string> depots{{1, "和平区中心仓"}};
  std::map<int64_t, NeedRef> needs{{10, {1, 1}}, {11, {2, 2}}};

 private:
  static std::string Find(const std::map<int64_t, std::string>& m, int64_t id) {
    const auto it = m.find(id);
    return it == m.end() ? "" : it->second;
  }
};

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines from the one starting with `header` up to the next blank line.
std::vector<std::string> TableAt(const std::string& out, const std::string& header) {
  std::vector<std::string> block;
  for (const auto& line : Lines(out)) {
    if (block.empty() && line.rfind(header, 0) != 0) continue;
    if (!block.empty() && line.empty()) break;
    block.push_back(line);
  }
  return block;
}

int ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  REQUIRE(at != std::string::npos);
  return text::DisplayWidth(line.substr(0, at));
}

}  // namespace

TEST_CASE("route and delivery lines read as names and quantities", "[render]") {
  FakeNames names;
  CHECK(LinesText(json::parse(R"([{"item_id":1,"quantity":2},{"item_id":"2","quantity":20}])"),
                  names) == "降压药×2, KN95口罩×20");
  CHECK(LinesText(json::parse(R"([{"item_id":9,"quantity":1}])"), names) == "#9×1");
  CHECK(LinesText(json::parse("null"), names).empty());
}

TEST_CASE("a match run shows stats, unmet needs with a legend, and allocations when verbose",
          "[render]") {
  FakeNames names;
  const json::value run = json::parse(R"({
    "id": 0, "dry_run": true, "as_of": "2026-11-22",
    "stats": {"needs_considered": 3, "lots_considered": 1, "units_allocated": 2,
              "needs_filled": 1, "needs_partial": 0, "needs_unmet": 2},
    "allocations": [{"lot_id": 5, "need_id": 10, "quantity": 2,
                     "reasons": ["eligible", "tier_critical"], "delivery_id": 0}],
    "unmet": [{"need_id": 11, "outstanding": 40, "reason": "no_stock"},
              {"need_id": 12, "outstanding": 3, "reason": "excluded_by_earmark"}]})");
  const std::string out = RenderMatchRun(run, names, false, /*english=*/true);
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("dry run as of 2026-11-22: nothing was written"));
  CHECK_THAT(out, Catch::Contains("units allocated   2\n"));
  CHECK_THAT(out, !Catch::Contains("allocations"));
  const auto unmet = TableAt(out, "need_id");
  REQUIRE(unmet.size() == 4);
  for (const auto& line : unmet) CHECK(text::DisplayWidth(line) == text::DisplayWidth(unmet[0]));
  CHECK(ColumnOf(unmet[2], "Li Wei") == ColumnOf(unmet[0], "requester"));
  CHECK(ColumnOf(unmet[2], "KN95口罩") == ColumnOf(unmet[0], "item"));
  // An unknown need keeps its row, without names.
  CHECK_THAT(unmet[3], Catch::Contains("excluded by earmark"));
  CHECK_THAT(out,
             Catch::Contains("no stock (no_stock):                        no stock of the item"));
  CHECK_THAT(out,
             Catch::Contains("excluded by earmark (excluded_by_earmark):  there is stock, but"));
  CHECK_THAT(out, !Catch::Contains("(tier_exhausted)"));

  const std::string verbose = RenderMatchRun(run, names, true);
  const auto allocations = TableAt(verbose, "lot_id");
  REQUIRE(allocations.size() == 3);
  CHECK_THAT(allocations[2], Catch::Contains("金老伯"));
  CHECK_THAT(allocations[2], Catch::Contains("eligible,tier_critical"));
  CHECK(ColumnOf(allocations[2], "金老伯") == ColumnOf(allocations[0], "requester"));
}

TEST_CASE("unmet reasons and statuses read in Chinese by default, English when asked",
          "[render][issue12]") {
  FakeNames names;
  const json::value run = json::parse(R"({
    "id": 0, "dry_run": true, "as_of": "2026-11-22",
    "stats": {"needs_considered": 2, "needs_unmet": 2},
    "unmet": [{"need_id": 10, "outstanding": 2, "reason": "out_of_area"},
              {"need_id": 11, "outstanding": 40, "reason": "tier_exhausted"}]})");
  const std::string zh = RenderMatchRun(run, names, false);
  INFO(zh);
  CHECK_THAT(zh, Catch::Contains("本区域无库存"));
  CHECK_THAT(zh, Catch::Contains("本区域无库存 (out_of_area):"));
  CHECK_THAT(zh, Catch::Contains("更紧急的需求已用完库存 (tier_exhausted):"));
  const auto rows = TableAt(zh, "need_id");
  REQUIRE(rows.size() == 4);
  CHECK(ColumnOf(rows[2], "本区域无库存") == ColumnOf(rows[0], "reason"));
  const std::string en = RenderMatchRun(run, names, false, true);
  CHECK_THAT(en, Catch::Contains("no stock in the requester's area (out_of_area):"));

  const json::value route = json::parse(R"({"id": 3, "status": "completed", "stops": [
      {"seq": 1, "delivery_id": 4, "requester_id": 1, "status": "failed"}]})");
  CHECK_THAT(RenderRoute(route, names), Catch::Contains("status    已完成"));
  CHECK_THAT(RenderRoute(route, names), Catch::Contains("未送达"));
  CHECK_THAT(RenderRoute(route, names, true), Catch::Contains("status    completed"));
  const json::value delivery = json::parse(R"({"id": 4, "status": "dispatched"})");
  CHECK_THAT(RenderDelivery(delivery, names), Catch::Contains("status  配送中"));
  CHECK_THAT(RenderDelivery(delivery, names, true), Catch::Contains("status  dispatched"));
}

TEST_CASE("the match summary's counts agree with its lists", "[render][issue12]") {
  FakeNames names;
  // Need 10 got 2 of 5 (partial), needs 11 and 12 got nothing (unmet); one
  // more need was filled.
  const json::value run = json::parse(R"({
    "id": 0, "dry_run": true, "as_of": "2026-11-22",
    "stats": {"needs_considered": 4, "lots_considered": 1, "units_allocated": 12,
              "needs_filled": 1, "needs_partial": 1, "needs_unmet": 2},
    "allocations": [{"lot_id": 5, "need_id": 10, "quantity": 2, "reasons": ["eligible"]},
                    {"lot_id": 5, "need_id": 13, "quantity": 10, "reasons": ["eligible"]}],
    "unmet": [{"need_id": 10, "outstanding": 3, "reason": "tier_exhausted"},
              {"need_id": 11, "outstanding": 40, "reason": "no_stock"},
              {"need_id": 12, "outstanding": 3, "reason": "excluded_by_earmark"}]})");
  const std::string out = RenderMatchRun(run, names, false, true);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("needs partial     1\n"));
  CHECK_THAT(out, Catch::Contains("needs unmet       2\n"));
  // The list holds the partial need once, and says so; its heading counts
  // the same two groups as the stats.
  CHECK_THAT(out, Catch::Contains("needs left short (3: 1 partial, 2 unmet)"));
  CHECK_THAT(out, !Catch::Contains("unmet needs (3)"));
  const auto rows = TableAt(out, "need_id");
  REQUIRE(rows.size() == 5);
  CHECK(ColumnOf(rows[2], "2") == ColumnOf(rows[0], "allocated") + 8);
}

TEST_CASE("a committed run with every need filled says so", "[render]") {
  FakeNames names;
  const std::string out = RenderMatchRun(
      json::parse(
          R"({"id":"7","dry_run":false,"as_of":"2026-11-22","created_at":"2026-11-22T08:00:00Z",
                      "stats":{},"allocations":[],"unmet":[]})"),
      names, false);
  CHECK_THAT(out,
             Catch::StartsWith("match run 7 as of 2026-11-22, committed 2026-11-22T08:00:00Z"));
  CHECK_THAT(out, Catch::Contains("needs considered  0"));
  CHECK_THAT(out, Catch::Contains("no unmet needs"));
}

TEST_CASE("a route shows its depot and its stops in order", "[render]") {
  FakeNames names;
  const std::string out = RenderRoute(json::parse(R"({
    "id": 3, "depot_id": 1, "date": "2026-11-23", "driver": "志愿者小刘", "district": "",
    "status": "planned", "stops": [
      {"seq": 1, "delivery_id": 4, "requester_id": 1, "status": "planned",
       "lines": [{"item_id": 1, "quantity": 2}]},
      {"seq": 2, "delivery_id": 5, "requester_id": 2, "status": "planned",
       "lines": [{"item_id": 2, "quantity": 100}]}]})"),
                                      names);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("depot     1 和平区中心仓\n"));
  CHECK_THAT(out, Catch::Contains("stops     2\n"));
  const auto stops = TableAt(out, "seq");
  REQUIRE(stops.size() == 4);
  for (const auto& line : stops) CHECK(text::DisplayWidth(line) == text::DisplayWidth(stops[0]));
  CHECK(ColumnOf(stops[2], "金老伯") == ColumnOf(stops[0], "requester "));
  CHECK(ColumnOf(stops[3], "KN95口罩×100") == ColumnOf(stops[0], "items"));
  CHECK(ColumnOf(stops[3], "Li Wei") == ColumnOf(stops[0], "requester "));
}

TEST_CASE("a delivery shows its fields, the requester's name and its lines", "[render]") {
  FakeNames names;
  const std::string out = RenderDelivery(json::parse(R"({
    "id": 4, "requester_id": 1, "status": "delivered", "received_by": "金老伯本人",
    "lines": [{"item_id": 1, "quantity": 2, "need_id": 10, "lot_id": 5, "delivered": 1,
               "returned": 1}]})"),
                                         names);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("requester_id  1\nrequester     金老伯\n"));
  const auto lines = TableAt(out, "item_id");
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[2], Catch::Matches(" +1  降压药 +10 +5 +2 +1 +1 +0"));
}

TEST_CASE("the donor trace has a table per lot and nothing the server did not send", "[render]") {
  const std::string out = RenderDonorTrace(json::parse(R"({
    "donor_id": 2, "donor_name": "仁和大药房",
    "lots": [{"lot_id": 5, "item_name": "降压药", "unit": "box", "depot_name": "中心仓",
              "depot_district": "和平区", "received_on": "2026-11-20", "expires_on": "",
              "quantity": 100, "available": 60, "allocated": 10, "dispatched": 0,
              "delivered": 25, "returned": 5, "written_off": 5,
              "breakdown": [{"district": "和平区", "requester_kind": "household",
                             "allocated": 10, "dispatched": 0, "delivered": 20, "returned": 5},
                            {"district": "河西区", "requester_kind": "community",
                             "allocated": 0, "dispatched": 0, "delivered": 5, "returned": 0}]}]})"));
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("donor 2 仁和大药房: 1 lot\n\nlot 5  降压药 (box)  quantity 100"
                                    "  depot 中心仓, 和平区  received 2026-11-20\n"));
  const auto table = TableAt(out, "district");
  REQUIRE(table.size() == 5);
  for (const auto& line : table) CHECK(text::DisplayWidth(line) == text::DisplayWidth(table[0]));
  CHECK_THAT(table[3], Catch::Matches("河西区 +community +0 +0 +5 +0 *"));
  CHECK_THAT(table[4], Catch::Matches("total +10 +0 +25 +5 +60 +5"));
}

TEST_CASE("the ledger report lists what does not hold", "[render]") {
  const json::value ok = json::parse(
      R"({"ok":true,"lots_checked":2,"needs_checked":1,"sum_failures":0,"replay_failures":0,
          "lots":[{"id":1,"sum_holds":true,"replay_holds":true}],"needs":[]})");
  CHECK(LedgerOk(ok));
  CHECK_THAT(RenderLedger(ok), Catch::StartsWith("ledger ok: 2 lots and 1 need checked"));

  const json::value bad = json::parse(
      R"({"ok":false,"lots_checked":2,"needs_checked":1,"sum_failures":1,"replay_failures":1,
          "lots":[{"id":1,"total":10,"available":3,"allocated":3,"delivered":3,"written_off":0,
                   "sum_holds":false,"replay_holds":true},
                  {"id":2,"total":5,"available":5,"sum_holds":true,"replay_holds":true}],
          "needs":[{"id":7,"total":4,"outstanding":4,"sum_holds":true,"replay_holds":false}]})");
  CHECK_FALSE(LedgerOk(bad));
  CHECK_FALSE(LedgerOk(json::parse("{}")));
  const std::string out = RenderLedger(bad);
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("ledger NOT ok: 2 lots and 1 need checked; 1 sum failure, "
                                    "1 replay failure\n"));
  const auto table = TableAt(out, "entity");
  REQUIRE(table.size() == 4);  // lot 2 holds and is left out
  CHECK_THAT(table[2], Catch::Matches("lot +1 +10 +3 +3 +3 +0 +NO +yes *"));
  CHECK_THAT(table[3], Catch::Matches("need +7 +4 +4 +0 +0 +0 +yes +NO *"));
}
