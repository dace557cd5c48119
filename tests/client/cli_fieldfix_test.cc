// Issue 12's smaller defects from the field day, as a station and a
// dispatcher meet them through the built `aidlink` binary.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "client/cli_support.h"
#include "support/db_rows.h"
#include "support/test_server.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;

std::vector<std::string> Household(const std::string& name, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"requester",  "add",    "--kind",           "household",
                                   "--name",     name,     "--address",        "和平区幸福里3幢201",
                                   "--district", "和平区", "--household-size", "1"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST_CASE("requester add without --phone works, as docs/API.md says", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  // A station's own token needs neither --station-id nor a phone or contact.
  const json::value added = cli.Json(d.station, Household("金老伯"));
  CHECK(added.at("name").as_string() == "金老伯");
  CHECK(added.at("phone").as_string() == "");
  CHECK(Cli::IdText(added.at("station_id")) == d.station_id);
  // A dispatcher names the station.
  const json::value by_desk =
      cli.Json(d.dispatcher,
               Household("李阿姨", {"--station-id", d.station_id, "--contact-name", "李阿姨"}));
  CHECK(by_desk.at("contact_name").as_string() == "李阿姨");
}

TEST_CASE("lot add with a donor's token needs no --donor-id", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string depot =
      cli.Id(d.dispatcher, {"depot", "add", "--name", "和平区中心仓", "--address", "南京路100号",
                            "--district", "和平区"});
  const std::string donor =
      cli.Id(d.dispatcher, {"donor", "add", "--name", "仁和大药房", "--kind", "enterprise"});
  const std::string donor_token =
      cli.Token(d.admin, {"--role", "donor", "--donor-id", donor, "--label", "仁和大药房"});
  const json::value lot = cli.Json(
      donor_token, {"lot", "add", "--item-id", d.item_id, "--depot-id", depot, "--quantity", "20"});
  CHECK(Cli::IdText(lot.at("donor_id")) == donor);
  // A dispatcher without --donor-id hears from the server which field is missing.
  const CliRun desk = cli.Run(d.dispatcher, {"lot", "add", "--item-id", d.item_id, "--depot-id",
                                             depot, "--quantity", "20"});
  REQUIRE_EXIT(desk, 1);
  CHECK_THAT(desk.err, Catch::Contains("donor_id"));
}

TEST_CASE("item codes are matched case-insensitively, creation included", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);  // has MED-AMLO-5
  const std::string requester = cli.Id(d.station, Household("金老伯", {"--phone", "13800001111"}));

  // need add --item-code med-amlo-5 finds MED-AMLO-5.
  const json::value need =
      cli.Json(d.station, {"need", "add", "--requester-id", requester, "--item-code", "med-amlo-5",
                           "--quantity", "2", "--urgency", "critical"});
  CHECK(Cli::IdText(need.at("item_id")) == d.item_id);

  // A second item whose code differs only in case is a conflict.
  const CliRun twin =
      cli.Run(d.dispatcher, {"item", "add", "--code", "med-amlo-5", "--name", "降压药2",
                             "--category", "medicine", "--unit", "box", "--pack-size", "1"});
  REQUIRE_EXIT(twin, 1);
  CHECK_THAT(twin.err, Catch::Contains("MED-AMLO-5 already exists"));
  CHECK(CountRows(server.db_path(), "items") == 1);

  // An import by code in another case.
  const std::string path =
      WriteFile(server, "needs.csv",
                "requester_id,item_code,quantity,urgency\n" + requester + ",Med-Amlo-5,3,high\n");
  const CliRun imported = cli.Run(d.station, {"import", "needs", path});
  REQUIRE_EXIT(imported, 0);
  CHECK_THAT(imported.out, Catch::Contains("imported 1"));
}

TEST_CASE("a perishable lot without expires_on is 400 naming expires_on", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string veg =
      cli.Id(d.dispatcher, {"item", "add", "--code", "VEG-MIX", "--name", "新鲜蔬菜", "--category",
                            "food", "--unit", "portion", "--pack-size", "1", "--perishable"});
  const std::string depot =
      cli.Id(d.dispatcher, {"depot", "add", "--name", "和平区中心仓", "--address", "南京路100号",
                            "--district", "和平区"});
  const std::string donor =
      cli.Id(d.dispatcher, {"donor", "add", "--name", "绿源合作社", "--kind", "charity"});
  const CliRun bare = cli.Run(d.dispatcher, {"lot", "add", "--donor-id", donor, "--item-id", veg,
                                             "--depot-id", depot, "--quantity", "100"});
  REQUIRE_EXIT(bare, 1);
  CHECK_THAT(bare.err, Catch::Contains("expires_on"));
  CHECK(CountRows(server.db_path(), "lots") == 0);

  const std::string lot =
      cli.Id(d.dispatcher, {"lot", "add", "--donor-id", donor, "--item-id", veg, "--depot-id",
                            depot, "--quantity", "100", "--expires-on", "2026-11-25"});
  // Clearing the date of a perishable lot is refused the same way.
  const CliRun cleared = cli.Run(d.dispatcher, {"lot", "edit", lot, "--expires-on", ""});
  CHECK(cleared.exit_code != 0);
  // Non-perishable stock may still come without a date.
  cli.Id(d.dispatcher, {"lot", "add", "--donor-id", donor, "--item-id", d.item_id, "--depot-id",
                        depot, "--quantity", "10"});
}

TEST_CASE("units 套 and 副 and the tag left_behind_child exist", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const json::value suits =
      cli.Json(d.dispatcher, {"item", "add", "--code", "PPE-SUIT", "--name", "防护服", "--category",
                              "ppe", "--unit", "set", "--pack-size", "1"});
  CHECK(suits.at("unit").as_string() == "set");
  const json::value goggles =
      cli.Json(d.dispatcher, {"item", "add", "--code", "PPE-GOGGLE", "--name", "护目镜",
                              "--category", "ppe", "--unit", "pair", "--pack-size", "1"});
  CHECK(goggles.at("unit").as_string() == "pair");
  const json::value child = cli.Json(d.station, Household("小明", {"--tag", "left_behind_child"}));
  CHECK(child.at("tags").as_array() == json::array{"left_behind_child"});
}

TEST_CASE("import needs accepts rows naming the requester by name and phone", "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string jin = cli.Id(d.station, Household("金老伯", {"--phone", "138 0000 1111"}));
  cli.Id(d.station, Household("王阿姨", {"--phone", "13900002222"}));
  cli.Id(d.station, Household("王阿姨", {"--phone", "13700003333"}));

  const std::string path = WriteFile(server, "needs.csv",
                                     "requester_name,requester_phone,item_code,quantity,urgency\n"
                                     "金老伯,+86 13800001111,MED-AMLO-5,2,critical\n"  // 2 ok
                                     "王阿姨,,MED-AMLO-5,1,normal\n"            // 3 ambiguous
                                     "赵奶奶,13500005555,MED-AMLO-5,1,low\n");  // 4 unknown
  const CliRun run = cli.Run(d.station, {"import", "needs", path});
  REQUIRE_EXIT(run, 1);
  CHECK_THAT(run.out, Catch::Contains("imported 1, already present 0, failed 2"));
  CHECK_THAT(run.err, Catch::Contains(path + ":3: ambiguous: 2 requesters \"王阿姨\""));
  CHECK_THAT(run.err, Catch::Contains(path + ":4: no requester \"赵奶奶\""));
  const json::value needs = cli.Json(d.station, {"need", "list"});
  REQUIRE(needs.at("items").as_array().size() == 1);
  CHECK(Cli::IdText(needs.at("items").as_array()[0].at("requester_id")) == jin);

  const CliRun again = cli.Run(d.station, {"import", "needs", path});
  CHECK_THAT(again.out, Catch::Contains("imported 0, already present 1, failed 2"));
}

TEST_CASE("need statuses read in Chinese by default and in English with --lang en",
          "[cli][issue12]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string requester = cli.Id(d.station, Household("金老伯"));
  const std::string need =
      cli.Id(d.station, {"need", "add", "--requester-id", requester, "--item-id", d.item_id,
                         "--quantity", "2", "--urgency", "critical"});
  const CliRun zh = cli.Run(d.station, {"need", "list"});
  REQUIRE_EXIT(zh, 0);
  CHECK_THAT(zh.out, Catch::Contains("待分配"));
  const CliRun en = cli.Run(d.station, {"need", "list", "--lang", "en"});
  REQUIRE_EXIT(en, 0);
  CHECK_THAT(en.out, Catch::Contains("open"));
  CHECK_THAT(en.out, !Catch::Contains("待分配"));
  const CliRun got = cli.Run(d.station, {"--lang", "zh", "need", "get", need});
  CHECK_THAT(got.out, Catch::Contains("待分配"));
  // JSON stays the wire names.
  const json::value raw = cli.Json(d.station, {"need", "get", need});
  CHECK(raw.at("status").as_string() == "open");
  const CliRun bad = cli.Run(d.station, {"need", "list", "--lang", "fr"});
  CHECK(bad.exit_code == 2);
}

}  // namespace
}  // namespace aidlink::test
