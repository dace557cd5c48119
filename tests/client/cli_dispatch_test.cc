// A dispatcher's day through the built `aidlink` binary against the real
// server: match (dry run, then for real), build a route, print its list,
// dispatch it, record what happened at each door, show the donor where the
// stock went, and check the ledger.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "client/cli_support.h"
#include "support/db_rows.h"
#include "support/test_server.h"
#include "util/text.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;

// Every line of `block` (the lines of one table) has the same display width.
void CheckAligned(const std::vector<std::string>& block) {
  REQUIRE_FALSE(block.empty());
  for (const auto& line : block) {
    INFO(line);
    CHECK(text::DisplayWidth(line) == text::DisplayWidth(block[0]));
  }
}

// The lines of the first table in `out` whose header starts with `header`:
// the header, the rule and the rows up to the next blank line.
std::vector<std::string> TableAt(const std::string& out, const std::string& header) {
  std::vector<std::string> block;
  for (const auto& line : Lines(out)) {
    if (block.empty() && line.rfind(header, 0) != 0) continue;
    if (!block.empty() && line.empty()) break;
    block.push_back(line);
  }
  return block;
}

int64_t Int(const json::value& v, const char* key) {
  const json::value& x = v.at(key);
  return x.is_string() ? std::stoll(std::string(x.get_string())) : x.to_number<int64_t>();
}

// The registry of a small flood-relief morning: a depot, a donor with
// 5 boxes of 降压药 and 100 KN95 masks, and three requesters of one station
// with four needs, one for 消毒液 of which there is no stock at all.
struct Day {
  Desk desk;
  std::string donor_token;
  std::string kn95, disinfectant, depot, donor;
  std::string jin, wang, estate;  // requester ids
  std::string lot_pills, lot_masks;
  std::string need_jin, need_wang, need_estate, need_wang_disinfectant;
};

Day Morning(const TestServer& server, const Cli& cli) {
  Day d;
  d.desk = SetUp(server, cli);
  const std::string& disp = d.desk.dispatcher;
  const std::string& st = d.desk.station;
  d.kn95 = cli.Id(disp, {"item", "add", "--code", "PPE-KN95", "--name", "KN95口罩", "--category",
                         "ppe", "--unit", "piece", "--pack-size", "10"});
  d.disinfectant = cli.Id(disp, {"item", "add", "--code", "HYG-84", "--name", "84消毒液",
                                 "--category", "hygiene", "--unit", "bottle", "--pack-size", "1"});
  d.depot = cli.Id(disp, {"depot", "add", "--name", "和平区中心仓", "--address", "南京路100号",
                          "--district", "和平区"});
  d.donor = cli.Id(disp, {"donor", "add", "--name", "仁和大药房", "--kind", "enterprise", "--phone",
                          "02288886666"});
  d.donor_token =
      cli.Token(d.desk.admin, {"--role", "donor", "--donor-id", d.donor, "--label", "仁和大药房"});
  const std::string s = d.desk.station_id;
  d.jin = cli.Id(st, {"requester",
                      "add",
                      "--station-id",
                      s,
                      "--kind",
                      "household",
                      "--name",
                      "金老伯",
                      "--contact-name",
                      "金老伯",
                      "--phone",
                      "13800001111",
                      "--address",
                      "和平区幸福里3幢201",
                      "--district",
                      "和平区",
                      "--household-size",
                      "1",
                      "--tag",
                      "elderly_alone,chronic_illness"});
  d.wang = cli.Id(st, {"requester",
                       "add",
                       "--station-id",
                       s,
                       "--kind",
                       "household",
                       "--name",
                       "王阿姨",
                       "--contact-name",
                       "王阿姨",
                       "--phone",
                       "13900002222",
                       "--address",
                       "和平区幸福里12幢101",
                       "--district",
                       "和平区",
                       "--household-size",
                       "3",
                       "--tag",
                       "disability"});
  d.estate = cli.Id(st, {"requester",
                         "add",
                         "--station-id",
                         s,
                         "--kind",
                         "community",
                         "--name",
                         "幸福里小区",
                         "--contact-name",
                         "物业王经理",
                         "--phone",
                         "13700003333",
                         "--address",
                         "幸福里小区北门",
                         "--district",
                         "和平区",
                         "--household-size",
                         "2400",
                         "--tag",
                         "quarantined"});
  d.lot_pills = cli.Id(d.donor_token,
                       {"lot", "add", "--donor-id", d.donor, "--item-id", d.desk.item_id,
                        "--depot-id", d.depot, "--quantity", "5", "--expires-on", "2099-06-30"});
  d.lot_masks =
      cli.Id(d.donor_token, {"lot", "add", "--donor-id", d.donor, "--item-id", d.kn95, "--depot-id",
                             d.depot, "--quantity", "100", "--expires-on", "2099-12-31"});
  // The donor pledged them; the depot confirms they arrived in full.
  cli.Json(d.desk.dispatcher, {"lot", "receive", d.lot_pills, "--quantity", "5"});
  cli.Json(d.desk.dispatcher, {"lot", "receive", d.lot_masks, "--quantity", "100"});
  d.need_jin = cli.Id(st, {"need", "add", "--requester-id", d.jin, "--item-code", "MED-AMLO-5",
                           "--quantity", "2", "--urgency", "critical", "--needed-by", "2026-11-26",
                           "--note", "降压药只剩四天，请先电话联系"});
  d.need_wang = cli.Id(st, {"need", "add", "--requester-id", d.wang, "--item-id", d.desk.item_id,
                            "--quantity", "4", "--urgency", "high"});
  d.need_estate = cli.Id(st, {"need", "add", "--requester-id", d.estate, "--item-id", d.kn95,
                              "--quantity", "500", "--urgency", "high", "--note", "整栋封控"});
  d.need_wang_disinfectant = cli.Id(st, {"need", "add", "--requester-id", d.wang, "--item-id",
                                         d.disinfectant, "--quantity", "2", "--urgency", "normal"});
  return d;
}

// Household data that must never reach a donor.
const std::vector<std::string> kHouseholdStrings = {
    "金老伯",      "王阿姨",    "幸福里小区", "物业王经理", "13800001111",    "13900002222",
    "13700003333", "幸福里3幢", "幸福里12幢", "北门",       "降压药只剩四天", "整栋封控"};

}  // namespace

TEST_CASE("a dispatcher's day through the CLI: match, route, print, deliver, fail, trace, ledger",
          "[cli][dispatch]") {
  TestServer server;
  const Cli cli(server);
  const Day d = Morning(server, cli);
  const std::string& disp = d.desk.dispatcher;

  // 1. A dry run shows the plan and writes nothing.
  const CliRun dry = cli.Run(disp, {"match", "run", "--dry-run", "--as-of", "2026-11-22"});
  REQUIRE_EXIT(dry, 0);
  INFO(dry.out);
  CHECK_THAT(dry.out, Catch::Contains("dry run as of 2026-11-22: nothing was written"));
  CHECK_THAT(dry.out, Catch::Contains("needs considered  4"));
  CHECK_THAT(dry.out, Catch::Contains("units allocated   105"));
  CHECK(CountRows(server.db_path(), "allocations") == 0);
  CHECK(CountRows(server.db_path(), "deliveries") == 0);
  {
    // The unmet needs name who waits for what and why, aligned.
    const auto unmet = TableAt(dry.out, "need_id");
    REQUIRE(unmet.size() == 5);  // header, rule, 王阿姨 ×2, 幸福里小区
    CheckAligned(unmet);
    bool disinfectant = false;
    for (const auto& line : unmet) {
      if (line.find("84消毒液") == std::string::npos) continue;
      disinfectant = true;
      CHECK_THAT(line, Catch::Contains("王阿姨"));
      // Reasons read in Chinese by default (--lang zh), with their codes in the legend.
      CHECK_THAT(line, Catch::Contains("无库存"));
      CHECK(ColumnOf(line, "84消毒液") == ColumnOf(unmet[0], "item"));
      CHECK(ColumnOf(line, "无库存") == ColumnOf(unmet[0], "reason"));
    }
    CHECK(disinfectant);
    CHECK_THAT(dry.out, Catch::Contains("无库存 (no_stock):"));
    CHECK_THAT(dry.out, Catch::Contains("(tier_exhausted):"));
    const CliRun en =
        cli.Run(disp, {"match", "run", "--dry-run", "--as-of", "2026-11-22", "--lang", "en"});
    REQUIRE_EXIT(en, 0);
    CHECK_THAT(en.out, Catch::Contains("no stock (no_stock):"));
    CHECK_THAT(dry.out, !Catch::Contains("allocations ("));  // only with --verbose
  }

  // 2. The real run commits, and its allocations can be read back with reasons.
  const json::value run = cli.Json(disp, {"match", "run", "--as-of", "2026-11-22"});
  const std::string run_id = Cli::IdText(run.at("id"));
  CHECK(Int(run.at("stats"), "units_allocated") == 105);
  CHECK(CountRows(server.db_path(), "deliveries") == 3);
  const CliRun got = cli.Run(disp, {"match", "get", run_id, "--verbose"});
  REQUIRE_EXIT(got, 0);
  {
    INFO(got.out);
    CHECK_THAT(got.out, Catch::Contains("match run " + run_id + " as of 2026-11-22, committed"));
    const auto allocations = TableAt(got.out, "lot_id");
    REQUIRE(allocations.size() == 5);
    CheckAligned(allocations);
    CHECK_THAT(allocations[2], Catch::Contains("金老伯"));
    CHECK_THAT(allocations[2], Catch::Contains("tier_critical"));
  }

  // 3. A route from the depot: the three planned deliveries as stops.
  const json::value route = cli.Json(disp, {"route", "create", "--depot-id", d.depot, "--date",
                                            "2026-11-23", "--driver", "志愿者小刘"});
  const std::string route_id = Cli::IdText(route.at("id"));
  REQUIRE(route.at("stops").as_array().size() == 3);
  const CliRun shown = cli.Run(disp, {"route", "get", route_id});
  REQUIRE_EXIT(shown, 0);
  {
    INFO(shown.out);
    CHECK_THAT(shown.out, Catch::Contains("driver    志愿者小刘"));
    CHECK_THAT(shown.out, Catch::Contains("depot     " + d.depot + " 和平区中心仓"));
    const auto stops = TableAt(shown.out, "seq");
    REQUIRE(stops.size() == 5);
    CheckAligned(stops);
    CHECK_THAT(shown.out, Catch::Contains("降压药×2"));
    CHECK_THAT(shown.out, Catch::Contains("KN95口罩×100"));
  }
  // Which delivery goes to whom.
  std::map<std::string, std::string> delivery_of;  // requester id -> delivery id
  for (const auto& stop : route.at("stops").as_array()) {
    delivery_of[Cli::IdText(stop.at("requester_id"))] = Cli::IdText(stop.at("delivery_id"));
  }
  REQUIRE(delivery_of.size() == 3);

  // 4. The printed list: txt on stdout by default, aligned by display width.
  const CliRun txt = cli.Run(disp, {"route", "print", route_id, "--format", "txt"});
  REQUIRE_EXIT(txt, 0);
  {
    INFO(txt.out);
    CHECK_THAT(txt.out, Catch::Contains("金老伯"));
    CHECK_THAT(txt.out, Catch::Contains("13800001111"));
    CHECK_THAT(txt.out, Catch::Contains("志愿者小刘"));
    const auto lines = Lines(txt.out);
    for (const auto& line : lines) CHECK(text::DisplayWidth(line) <= 100);
    // The pick list: 降压药 and KN95口罩 (different widths) line up under
    // the unit header.
    std::string header, pills, masks;
    for (const auto& line : lines) {
      if (header.empty() && line.find("单位") != std::string::npos) header = line;
      if (pills.empty() && line.find("降压药") != std::string::npos &&
          line.find("箱") != std::string::npos)
        pills = line;
      if (masks.empty() && line.find("KN95口罩") != std::string::npos &&
          line.find("个") != std::string::npos)
        masks = line;
    }
    REQUIRE_FALSE(header.empty());
    REQUIRE_FALSE(pills.empty());
    REQUIRE_FALSE(masks.empty());
    CHECK(ColumnOf(pills, "箱") == ColumnOf(header, "单位"));
    CHECK(ColumnOf(masks, "个") == ColumnOf(header, "单位"));
  }
  const CliRun plain = cli.Run(disp, {"route", "print", route_id});
  REQUIRE_EXIT(plain, 0);
  CHECK(plain.out == txt.out);

  // The A4 page for the volunteers, written to a file.
  const std::string html_path = server.dir() + "/route.html";
  const CliRun html = cli.Run(
      disp, {"route", "print", route_id, "--format", "html", "-o", html_path, "--lang", "zh"});
  REQUIRE_EXIT(html, 0);
  CHECK_THAT(html.out, Catch::Contains("wrote " + html_path));
  const std::string page = ReadFile(html_path);
  CHECK_THAT(page, Catch::Contains("<html"));
  CHECK_THAT(page, Catch::Contains("金老伯"));
  CHECK_THAT(page, Catch::Contains("幸福里小区"));
  // The format follows the file name when --format is not given.
  const std::string csv_path = server.dir() + "/route.csv";
  REQUIRE_EXIT(cli.Run(disp, {"route", "print", route_id, "--output", csv_path}), 0);
  CHECK(ReadFile(csv_path).rfind("\xEF\xBB\xBF", 0) == 0);

  // 5. The route goes out.
  const CliRun dispatched = cli.Run(disp, {"route", "dispatch", route_id});
  REQUIRE_EXIT(dispatched, 0);
  CHECK_THAT(dispatched.out, Catch::Contains("status    已发车"));
  const json::value out_now =
      cli.Json(disp, {"delivery", "list", "--route-id", route_id, "--status", "dispatched"});
  CHECK(out_now.at("items").as_array().size() == 3);

  // 6. At the doors: 金老伯 takes everything, the estate takes 60 of 100
  //    masks, 王阿姨 is not home.
  const CliRun jin = cli.Run(disp, {"delivery", "deliver", delivery_of[d.jin], "--received-by",
                                    "金老伯本人", "--note", "已当面交付"});
  REQUIRE_EXIT(jin, 0);
  CHECK_THAT(jin.out, Catch::Contains("status        已送达"));
  CHECK_THAT(jin.out, Catch::Contains("requester     金老伯"));

  const CliRun estate = cli.Run(disp, {"delivery", "deliver", delivery_of[d.estate],
                                       "--received-by", "物业王经理", "--line", d.kn95 + "=60"});
  REQUIRE_EXIT(estate, 0);
  {
    INFO(estate.out);
    const auto lines = TableAt(estate.out, "item_id");
    REQUIRE(lines.size() == 3);
    CheckAligned(lines);
    CHECK(ColumnOf(lines[2], "KN95口罩") == ColumnOf(lines[0], "item "));
    // allotted 100, delivered 60, returned 40
    CHECK_THAT(lines[2], Catch::Matches(".*100 +60 +40 +0 *"));
  }
  CHECK(Int(cli.Json(disp, {"lot", "get", d.lot_masks}), "available") == 40);

  const CliRun wang =
      cli.Run(disp, {"delivery", "fail", delivery_of[d.wang], "--reason", "不在家"});
  REQUIRE_EXIT(wang, 0);
  CHECK_THAT(wang.out, Catch::Contains("status        未送达"));
  CHECK_THAT(wang.out, Catch::Contains("fail_reason   不在家"));
  // Her need reopens for a later run.
  const json::value need = cli.Json(disp, {"need", "get", d.need_wang});
  CHECK(Int(need, "outstanding") == 4);

  const CliRun listed = cli.Run(disp, {"delivery", "list", "--route-id", route_id});
  REQUIRE_EXIT(listed, 0);
  {
    INFO(listed.out);
    const auto lines = Lines(listed.out);
    REQUIRE(lines.size() == 5);
    CheckAligned(lines);
  }

  // 7. The donor sees where the stock went, without a single household detail.
  for (const std::string* token : {&d.donor_token, &disp}) {
    const CliRun trace = cli.Run(*token, {"donor", "trace", d.donor});
    REQUIRE_EXIT(trace, 0);
    INFO(trace.out);
    CHECK_THAT(trace.out, Catch::Contains("仁和大药房"));
    CHECK_THAT(trace.out, Catch::Contains("lot " + d.lot_pills + "  降压药"));
    CHECK_THAT(trace.out, Catch::Contains("lot " + d.lot_masks + "  KN95口罩"));
    CHECK_THAT(trace.out, Catch::Contains("household"));
    CHECK_THAT(trace.out, Catch::Contains("community"));
    CHECK_THAT(trace.out, Catch::Contains("和平区"));
    for (const auto& s : kHouseholdStrings) CHECK_THAT(trace.out, !Catch::Contains(s));
    const auto masks = TableAt(trace.out.substr(trace.out.find("KN95口罩")), "district");
    REQUIRE(masks.size() == 4);  // header, rule, 和平区 community, total
    CheckAligned(masks);
    CHECK_THAT(masks[2], Catch::Matches("和平区 +community +0 +0 +60 +40 *"));
    CHECK_THAT(masks[3], Catch::Matches("total +0 +0 +60 +40 +40 +0"));
  }
  const CliRun receipt = cli.Run(d.donor_token, {"lot", "receipt", d.lot_masks});
  REQUIRE_EXIT(receipt, 0);
  CHECK_THAT(receipt.out, Catch::Contains("仁和大药房"));
  for (const auto& s : kHouseholdStrings) CHECK_THAT(receipt.out, !Catch::Contains(s));

  // 8. Everything adds up.
  const CliRun ledger = cli.Run(disp, {"report", "ledger"});
  REQUIRE_EXIT(ledger, 0);
  CHECK_THAT(ledger.out, Catch::Contains("ledger ok: 2 lots and 4 needs checked"));
  CHECK(cli.Json(disp, {"report", "ledger"}).at("ok").as_bool());

  // The evening: stock past its date is written off, and the ledger still holds.
  const CliRun expired = cli.Run(disp, {"lot", "expire", "--as-of", "2100-01-01"});
  REQUIRE_EXIT(expired, 0);
  CHECK_THAT(expired.out, Catch::Contains("2 lots expired, 43 units written off"));
  REQUIRE_EXIT(cli.Run(disp, {"report", "ledger"}), 0);
}

TEST_CASE("delivery deliver --line and --damaged: damaged units are written off, the rest returns",
          "[cli][dispatch]") {
  TestServer server;
  const Cli cli(server);
  const Day d = Morning(server, cli);
  const std::string& disp = d.desk.dispatcher;
  cli.Json(disp, {"match", "run", "--as-of", "2026-11-22"});
  auto delivery_of = [&](const std::string& requester) {
    const json::value list = cli.Json(disp, {"delivery", "list", "--requester-id", requester});
    REQUIRE(list.at("items").as_array().size() == 1);
    return Cli::IdText(list.at("items").as_array()[0].at("id"));
  };
  // 100 masks allotted to the estate: 60 taken, 10 crushed in the van.
  const json::value estate =
      cli.Json(disp, {"delivery", "deliver", delivery_of(d.estate), "--received-by", "物业王经理",
                      "--line", d.kn95 + "=60", "--damaged", d.kn95 + "=10"});
  const json::value& line = estate.at("lines").as_array().at(0);
  CHECK(Int(line, "delivered") == 60);
  CHECK(Int(line, "damaged") == 10);
  CHECK(Int(line, "returned") == 30);
  const json::value masks = cli.Json(disp, {"lot", "get", d.lot_masks});
  CHECK(Int(masks, "available") == 30);
  CHECK(Int(masks, "written_off") == 10);
  CHECK(Int(cli.Json(disp, {"need", "get", d.need_estate}), "outstanding") == 440);
  // Only --damaged: the rest of the item was delivered.
  const CliRun jin = cli.Run(disp, {"delivery", "deliver", delivery_of(d.jin), "--received-by",
                                    "金老伯本人", "--damaged", d.desk.item_id + "=1"});
  REQUIRE_EXIT(jin, 0);
  INFO(jin.out);
  const auto lines = TableAt(jin.out, "item_id");
  REQUIRE(lines.size() == 3);
  CheckAligned(lines);
  CHECK_THAT(lines[2],
             Catch::Matches(".* 2 +1 +0 +1 *"));  // allotted, delivered, returned, damaged
  CHECK(cli.Json(disp, {"report", "ledger"}).at("ok").as_bool());

  // The estate called back: all 100 masks arrived after all.
  const json::value fixed = cli.Json(
      disp, {"delivery", "correct", delivery_of(d.estate), "--reason", "物业回电：全部收到"});
  CHECK(Int(fixed.at("lines").as_array().at(0), "delivered") == 100);
  CHECK(Int(cli.Json(disp, {"lot", "get", d.lot_masks}), "available") == 0);
  CHECK(cli.Json(disp, {"report", "ledger"}).at("ok").as_bool());
}

TEST_CASE("lot receive confirms a pledge; route assign lets a volunteer record its stops",
          "[cli][dispatch][volunteer]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string& disp = d.dispatcher;
  const std::string donor = cli.Id(disp, {"donor", "add", "--name", "仁和大药房", "--kind",
                                          "enterprise", "--phone", "02288886666"});
  const std::string donor_token =
      cli.Token(d.admin, {"--role", "donor", "--donor-id", donor, "--label", "仁和大药房"});
  const std::string depot = cli.Id(disp, {"depot", "add", "--name", "和平区中心仓", "--address",
                                          "南京路100号", "--district", "和平区"});
  const std::string lot =
      cli.Id(donor_token, {"lot", "add", "--donor-id", donor, "--item-id", d.item_id, "--depot-id",
                           depot, "--quantity", "6", "--expires-on", "2099-06-30"});
  CHECK(std::string(cli.Json(disp, {"lot", "get", lot}).at("status").as_string()) == "pledged");
  const std::string requester = cli.Id(
      d.station, {"requester", "add", "--station-id", d.station_id, "--kind", "household", "--name",
                  "金老伯", "--contact-name", "金老伯", "--phone", "13800001111", "--address",
                  "和平区幸福里3幢201", "--district", "和平区", "--household-size", "1"});
  cli.Id(d.station, {"need", "add", "--requester-id", requester, "--item-id", d.item_id,
                     "--quantity", "2", "--urgency", "critical"});

  // More than pledged is the server's refusal (exit 1); then 5 of 6 arrive.
  const CliRun too_many = cli.Run(disp, {"lot", "receive", lot, "--quantity", "7"});
  REQUIRE_EXIT(too_many, 1);
  CHECK_THAT(too_many.err, Catch::Contains("quantity_received"));
  CHECK(cli.Run(disp, {"lot", "receive", lot}).exit_code == 2);  // --quantity is required
  const json::value received =
      cli.Json(disp, {"lot", "receive", lot, "--quantity", "5", "--note", "少一盒"});
  CHECK(std::string(received.at("status").as_string()) == "received");
  CHECK(Int(received, "quantity_pledged") == 6);
  CHECK(Int(received, "quantity_received") == 5);
  CHECK(Int(received, "available") == 5);

  cli.Json(disp, {"match", "run", "--as-of", "2026-11-22"});
  const std::string route = cli.Id(disp, {"route", "create", "--depot-id", depot, "--date",
                                          "2026-11-23", "--driver", "志愿者小张"});
  const json::value volunteer =
      cli.Json(disp, {"token", "create", "--role", "volunteer", "--label", "志愿者小张"});
  const std::string volunteer_token(volunteer.at("token").as_string());
  const json::value assigned =
      cli.Json(disp, {"route", "assign", route, "--token-id", Cli::IdText(volunteer.at("id"))});
  REQUIRE(assigned.at("volunteers").as_array().size() == 1);
  // A volunteer user too, by its user id.
  const std::string password_file = WriteFile(server, "volunteer-pw", "志愿者小张的密码-2026\n");
  const json::value user =
      cli.Json(disp, {"user", "add", "--username", "xiaozhang", "--role", "volunteer",
                      "--display-name", "志愿者小张", "--password-file", password_file});
  const json::value both =
      cli.Json(disp, {"route", "assign", route, "--user", Cli::IdText(user.at("id"))});
  CHECK(both.at("volunteers").as_array().size() == 2);
  // The volunteer reads its route and records the door.
  const CliRun shown = cli.Run(volunteer_token, {"route", "get", route});
  REQUIRE_EXIT(shown, 0);
  const json::value deliveries = cli.Json(volunteer_token, {"delivery", "list"});
  REQUIRE(deliveries.at("items").as_array().size() == 1);
  const std::string delivery = Cli::IdText(deliveries.at("items").as_array()[0].at("id"));
  const json::value done =
      cli.Json(volunteer_token, {"delivery", "deliver", delivery, "--received-by", "金老伯本人"});
  CHECK(std::string(done.at("status").as_string()) == "delivered");
  // Nothing else: the matcher is not a volunteer's.
  CHECK(cli.Run(volunteer_token, {"match", "run", "--dry-run"}).exit_code == 1);
  CHECK(cli.Json(disp, {"report", "ledger"}).at("ok").as_bool());
}

TEST_CASE("dispatch commands refuse bad command lines and out-of-scope callers",
          "[cli][dispatch]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);

  SECTION("--line takes ITEM_ID=QTY") {
    const CliRun run =
        cli.Run(d.dispatcher, {"delivery", "deliver", "1", "--received-by", "x", "--line", "2"});
    REQUIRE_EXIT(run, 2);
    CHECK_THAT(run.err, Catch::Contains("ITEM_ID=QUANTITY"));
    CHECK(
        cli.Run(d.dispatcher, {"delivery", "deliver", "1", "--received-by", "x", "--line", "2=-1"})
            .exit_code == 2);
  }
  SECTION("required flags and IDs") {
    CHECK(cli.Run(d.dispatcher, {"route", "create", "--date", "2026-11-23"}).exit_code == 2);
    CHECK(cli.Run(d.dispatcher, {"delivery", "fail", "1"}).exit_code == 2);
    CHECK(cli.Run(d.dispatcher, {"route", "print"}).exit_code == 2);
    CHECK(cli.Run(d.dispatcher, {"report", "ledger", "7"}).exit_code == 2);
  }
  SECTION("nothing to route is the server's refusal, exit 1") {
    const std::string depot = cli.Id(
        d.dispatcher, {"depot", "add", "--name", "空仓", "--address", "x", "--district", "和平区"});
    const CliRun run = cli.Run(d.dispatcher, {"route", "create", "--depot-id", depot, "--date",
                                              "2026-11-23", "--driver", "小刘"});
    REQUIRE_EXIT(run, 1);
    CHECK_THAT(run.err, Catch::Contains("(field depot_id)"));
  }
  SECTION("a station may not run the matcher or read the ledger") {
    CHECK(cli.Run(d.station, {"match", "run", "--dry-run"}).exit_code == 1);
    CHECK(cli.Run(d.station, {"report", "ledger"}).exit_code == 1);
  }
  SECTION("a failed download writes no file") {
    const std::string path = server.dir() + "/missing.html";
    const CliRun run = cli.Run(d.dispatcher, {"route", "print", "99", "-o", path});
    REQUIRE_EXIT(run, 1);
    CHECK_FALSE(std::ifstream(path).good());
    CHECK_FALSE(std::ifstream(path + ".part").good());
  }
  SECTION("an empty ledger holds") {
    const CliRun run = cli.Run(d.dispatcher, {"report", "ledger"});
    REQUIRE_EXIT(run, 0);
    CHECK_THAT(run.out, Catch::Contains("ledger ok: 0 lots and 0 needs checked"));
  }
}

}  // namespace aidlink::test
