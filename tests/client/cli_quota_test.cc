// `aidlink quota ...` and `aidlink requester entitlements` through the built
// binary against the real server.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "client/cli_support.h"
#include "support/test_server.h"

namespace aidlink::test {
namespace {

namespace json = boost::json;

TEST_CASE("a dispatcher adds, lists, edits and disables a quota and a station reads entitlements",
          "[cli][quotas]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const json::value added = cli.Json(d.dispatcher, {"quota",         "add",
                                                    "--item-id",     d.item_id,
                                                    "--per",         "person",
                                                    "--amount",      "2",
                                                    "--max-persons", "3",
                                                    "--window",      "rolling_days",
                                                    "--days",        "7",
                                                    "--enforcement", "hard",
                                                    "--tag",         "elderly_alone",
                                                    "--tag",         "chronic_illness"});
  const std::string id = Cli::IdText(added.at("id"));
  CHECK(added.at("tags").as_array().size() == 2);
  CHECK(added.at("days").to_number<int64_t>() == 7);

  const CliRun list = cli.Run(d.dispatcher, {"quota", "list"});
  REQUIRE_EXIT(list, 0);
  CHECK_THAT(list.out, Catch::Contains("每人"));
  CHECK_THAT(list.out, Catch::Contains("滚动天数 7 天"));
  CHECK_THAT(list.out, Catch::Contains("硬上限"));
  const CliRun list_en = cli.Run(d.dispatcher, {"--lang", "en", "quota", "list"});
  REQUIRE_EXIT(list_en, 0);
  CHECK_THAT(list_en.out, Catch::Contains("per person"));

  const json::value edited =
      cli.Json(d.dispatcher, {"quota", "edit", id, "--amount", "5", "--if-match", "1"});
  CHECK(edited.at("amount").to_number<int64_t>() == 5);
  const CliRun stale =
      cli.Run(d.dispatcher, {"quota", "edit", id, "--amount", "6", "--if-match", "1"});
  REQUIRE_EXIT(stale, 1);
  const CliRun bad = cli.Run(
      d.dispatcher, {"quota", "add", "--item-id", d.item_id, "--per", "household", "--amount", "1",
                     "--window", "calendar_week", "--days", "3", "--enforcement", "hard"});
  REQUIRE_EXIT(bad, 1);
  CHECK_THAT(bad.err, Catch::Contains("days"));

  const std::string requester =
      cli.Id(d.station, {"requester", "add", "--kind", "household", "--name", "金老伯", "--address",
                         "和平区幸福里3幢201", "--district", "和平区", "--household-size", "4",
                         "--tag", "elderly_alone"});
  const CliRun ent =
      cli.Run(d.station, {"requester", "entitlements", requester, "--as-of", "2026-11-04"});
  REQUIRE_EXIT(ent, 0);
  CHECK_THAT(ent.out, Catch::Contains("上限"));
  CHECK_THAT(ent.out, Catch::Contains("15"));  // 5 x min(4, 3)
  CHECK_THAT(ent.out, Catch::Contains("2026-10-29~2026-11-04"));

  const json::value disabled = cli.Json(d.dispatcher, {"quota", "disable", id});
  CHECK(disabled.at("disabled").as_bool());
  const CliRun none = cli.Run(d.station, {"requester", "entitlements", requester});
  REQUIRE_EXIT(none, 0);
  CHECK_THAT(none.out, Catch::Contains("没有适用的配额"));
  REQUIRE_EXIT(
      cli.Run(d.station, {"quota", "add", "--category", "food", "--per", "household", "--amount",
                          "1", "--window", "calendar_week", "--enforcement", "hard"}),
      1);
}

}  // namespace
}  // namespace aidlink::test
