// The CLI's corrections and searches against the real server: requester
// edit|deactivate|find, need edit, lot edit, route list, match list.

#include <catch2/catch.hpp>

#include "client/cli_support.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;

std::string AddHousehold(const Cli& cli, const Desk& d, const std::string& name,
                         const std::string& phone) {
  return cli.Id(d.station,
                {"requester", "add", "--station-id", d.station_id, "--kind", "household", "--name",
                 name, "--contact-name", name + "本人", "--phone", phone, "--address",
                 "和平区幸福里3幢201", "--district", "和平区", "--household-size", "1"});
}

TEST_CASE("a station corrects a household's phone and finds it by any spelling of it", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string jin = AddHousehold(cli, d, "金老伯", "13800001111");
  AddHousehold(cli, d, "王阿姨", "13900002222");

  const CliRun edited =
      cli.Run(d.station, {"requester", "edit", jin, "--phone", "186 1234 5678", "--if-match", "1"});
  REQUIRE_EXIT(edited, 0);
  CHECK_THAT(edited.out, Catch::Contains("186 1234 5678"));

  // The same stale version again: refused, and the CLI says why.
  const CliRun stale =
      cli.Run(d.station, {"requester", "edit", jin, "--address", "别处", "--if-match", "1"});
  CHECK(stale.exit_code == 1);
  CHECK_THAT(stale.err, Catch::Contains("version"));
  const CliRun nothing = cli.Run(d.station, {"requester", "edit", jin});
  CHECK(nothing.exit_code == 2);
  const CliRun bad = cli.Run(d.station, {"requester", "edit", jin, "--household-size", "0"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("household_size"));

  for (const std::vector<std::string>& words :
       {std::vector<std::string>{"186", "1234", "5678"}, {"18612345678"}, {"+86 186-1234-5678"}}) {
    std::vector<std::string> args{"requester", "find"};
    args.insert(args.end(), words.begin(), words.end());
    const CliRun found = cli.Run(d.station, args);
    INFO(found.Describe());
    REQUIRE_EXIT(found, 0);
    const auto lines = Lines(found.out);
    REQUIRE(lines.size() == 3);  // header, rule and 金老伯
    CHECK_THAT(lines[2], Catch::Contains("金老伯"));
  }
  const CliRun by_name = cli.Run(d.station, {"requester", "find", "王阿"});
  REQUIRE_EXIT(by_name, 0);
  CHECK(Lines(by_name.out).size() == 3);
  CHECK_THAT(by_name.out, Catch::Contains("王阿姨"));
  CHECK(cli.Run(d.station, {"requester", "find"}).exit_code == 2);
  const json::value old = cli.Json(d.station, {"requester", "find", "13800001111"});
  CHECK(old.at("items").as_array().empty());
}

TEST_CASE("a household that moved away is deactivated; its open need is cancelled", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string jin = AddHousehold(cli, d, "金老伯", "13800001111");
  const std::string need =
      cli.Id(d.station, {"need", "add", "--requester-id", jin, "--item-code", "MED-AMLO-5",
                         "--quantity", "2", "--urgency", "high"});
  const CliRun edited = cli.Run(d.station, {"need", "edit", need, "--quantity", "3", "--urgency",
                                            "critical", "--needed-by", "2026-12-01"});
  REQUIRE_EXIT(edited, 0);
  const json::value shown = cli.Json(d.station, {"need", "get", need});
  CHECK(shown.at("quantity").to_number<int64_t>() == 3);
  CHECK(shown.at("urgency").as_string() == "critical");
  const json::value critical = cli.Json(d.station, {"need", "list", "--urgency", "critical"});
  CHECK(critical.at("items").as_array().size() == 1);

  const CliRun gone =
      cli.Run(d.station, {"requester", "deactivate", jin, "--reason", "moved_away"});
  REQUIRE_EXIT(gone, 0);
  CHECK_THAT(gone.out, Catch::Contains("moved_away"));
  CHECK_THAT(gone.out, Catch::Contains("needs cancelled: 1"));
  CHECK(cli.Json(d.station, {"need", "get", need}).at("status").as_string() == "cancelled");
  const CliRun again = cli.Run(d.station, {"need", "add", "--requester-id", jin, "--item-code",
                                           "MED-AMLO-5", "--quantity", "1", "--urgency", "low"});
  CHECK(again.exit_code == 1);
  const CliRun inactive = cli.Run(d.station, {"requester", "list", "--active", "false"});
  REQUIRE_EXIT(inactive, 0);
  CHECK(Lines(inactive.out).size() == 3);
}

TEST_CASE("a dispatcher corrects a lot and lists the day's routes and the match runs", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string jin = AddHousehold(cli, d, "金老伯", "13800001111");
  cli.Id(d.station, {"need", "add", "--requester-id", jin, "--item-code", "MED-AMLO-5",
                     "--quantity", "2", "--urgency", "high"});
  const std::string donor =
      cli.Id(d.dispatcher, {"donor", "add", "--name", "仁和大药房", "--kind", "enterprise"});
  const std::string depot = cli.Id(
      d.dispatcher,
      {"depot", "add", "--name", "和平区仓库", "--address", "和平路1号", "--district", "和平区"});
  const std::string lot =
      cli.Id(d.dispatcher, {"lot", "add", "--donor-id", donor, "--item-id", d.item_id, "--depot-id",
                            depot, "--quantity", "10"});
  REQUIRE_EXIT(cli.Run(d.dispatcher, {"lot", "edit", lot, "--quantity", "12", "--note", "补登2盒"}),
               0);
  REQUIRE_EXIT(cli.Run(d.dispatcher, {"match", "run", "--as-of", "2026-11-27"}), 0);
  const CliRun floor = cli.Run(d.dispatcher, {"lot", "edit", lot, "--quantity", "1"});
  CHECK(floor.exit_code == 1);
  CHECK_THAT(floor.err, Catch::Contains("quantity"));
  REQUIRE_EXIT(cli.Run(d.dispatcher, {"route", "create", "--depot-id", depot, "--date",
                                      "2026-11-27", "--driver", "志愿者小刘"}),
               0);

  const CliRun routes = cli.Run(d.dispatcher, {"route", "list", "--date", "2026-11-27"});
  REQUIRE_EXIT(routes, 0);
  const auto lines = Lines(routes.out);
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains("stop_count"));
  CHECK_THAT(lines[2], Catch::Contains("志愿者小刘"));
  const CliRun none = cli.Run(d.dispatcher, {"route", "list", "--date", "2026-11-28"});
  REQUIRE_EXIT(none, 0);
  CHECK(Lines(none.out).size() == 2);

  const CliRun runs = cli.Run(d.dispatcher, {"match", "list"});
  REQUIRE_EXIT(runs, 0);
  const auto run_lines = Lines(runs.out);
  REQUIRE(run_lines.size() == 3);
  CHECK_THAT(run_lines[0], Catch::Contains("units_allocated"));
  CHECK_THAT(run_lines[2], Catch::Contains("2026-11-27"));
}

}  // namespace
}  // namespace aidlink::test
