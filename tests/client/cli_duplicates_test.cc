// The CLI's duplicate commands against the real server: the note on
// `requester add`, and `duplicates list|show|resolve|reopen` in zh and en.

#include <catch2/catch.hpp>

#include "client/cli_support.h"

namespace aidlink::test {
namespace {

TEST_CASE("the CLI shows a flagged registration, the case, and resolves and reopens it",
          "[cli][dedup]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::vector<std::string> add = {"requester",  "add",       "--station-id",     d.station_id,
                                        "--kind",     "household", "--name",           "金老伯",
                                        "--district", "和平区",    "--household-size", "1"};
  auto with = [&](std::vector<std::string> args, const std::string& phone,
                  const std::string& address) {
    args.insert(args.end(), {"--phone", phone, "--address", address});
    return args;
  };
  const CliRun first = cli.Run(d.station, with(add, "138 0000 1111", "幸福里3号楼201"));
  REQUIRE_EXIT(first, 0);
  CHECK_THAT(first.out, !Catch::Contains("可能已在辖区其他站登记"));
  const CliRun second = cli.Run(d.station, with(add, "+86 13800001111", "幸福里３栋２０１"));
  REQUIRE_EXIT(second, 0);
  CHECK_THAT(second.out, Catch::Contains("很可能重复（依据：电话、地址、姓名）"));

  const CliRun listed = cli.Run(d.dispatcher, {"duplicates", "list", "--status", "open"});
  REQUIRE_EXIT(listed, 0);
  CHECK_THAT(listed.out, Catch::Contains("待核实"));
  const CliRun shown = cli.Run(d.dispatcher, {"--lang", "en", "duplicates", "show", "1"});
  REQUIRE_EXIT(shown, 0);
  CHECK_THAT(shown.out, Catch::Contains("likely") && Catch::Contains("幸福里３栋２０１"));

  const CliRun bad = cli.Run(d.dispatcher, {"duplicates", "resolve", "1", "--decision", "merge"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("decision"));
  const CliRun resolved = cli.Run(d.dispatcher, {"duplicates", "resolve", "1", "--decision",
                                                 "same_household", "--primary-id", "1"});
  REQUIRE_EXIT(resolved, 0);
  CHECK_THAT(resolved.out, Catch::Contains("同一户"));
  const CliRun reopened = cli.Run(d.dispatcher, {"duplicates", "reopen", "1"});
  REQUIRE_EXIT(reopened, 0);
  CHECK_THAT(reopened.out, Catch::Contains("待核实"));
}

TEST_CASE("an import notes the rows the server flags as possible duplicates", "[cli][dedup]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string csv =
      "station_id,kind,name,contact_name,phone,address,district,household_size\n" + d.station_id +
      ",household,金老伯,金老伯,138 0000 1111,幸福里3号楼201,和平区,1\n" + d.station_id +
      ",household,王阿姨,王阿姨,13900002222,和平里5栋101,和平区,2\n" + d.station_id +
      ",household,金老伯,金老伯的女儿,+86 13800001111,幸福里３栋２０１,和平区,1\n";
  const std::string path = WriteFile(server, "households.csv", csv);
  const CliRun run = cli.Run(d.station, {"import", "requesters", path});
  REQUIRE_EXIT(run, 0);
  CHECK_THAT(run.err, Catch::Contains("households.csv:4: note: 很可能重复"));
  CHECK_THAT(run.err, !Catch::Contains("households.csv:3: note"));
}

}  // namespace
}  // namespace aidlink::test
