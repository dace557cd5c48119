// The built `aidlink` binary against the real server: what a station, a
// dispatcher and a script see.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <map>

#include "client/cli_support.h"
#include "support/db_rows.h"
#include "support/test_server.h"
#include "util/text.h"

namespace aidlink::test {

namespace json = boost::json;
namespace text = aidlink::text;

TEST_CASE("a station registers 金老伯 and his need for 降压药 through the CLI", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);

  const CliRun added = cli.Run(d.station, {"requester",
                                           "add",
                                           "--station-id",
                                           d.station_id,
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
                                           "elderly_alone",
                                           "--tag",
                                           "chronic_illness"});
  REQUIRE_EXIT(added, 0);
  CHECK_THAT(added.out, Catch::Contains("金老伯"));
  CHECK_THAT(added.out, Catch::Contains("elderly_alone,chronic_illness"));

  const json::value requesters = cli.Json(d.station, {"requester", "list"});
  REQUIRE(requesters.at("items").as_array().size() == 1);
  const json::value& jin = requesters.at("items").as_array()[0];
  CHECK(jin.at("name").as_string() == "金老伯");
  CHECK(jin.at("tags").as_array() == json::array{"elderly_alone", "chronic_illness"});
  const std::string requester_id =
      std::to_string(jin.at("id").is_string() ? std::stoll(std::string(jin.at("id").as_string()))
                                              : jin.at("id").to_number<int64_t>());

  // Four days of pills left: a critical need, with the item named by its code.
  const json::value need =
      cli.Json(d.station, {"need", "add", "--requester-id", requester_id, "--item-code",
                           "MED-AMLO-5", "--quantity", "2", "--urgency", "critical", "--needed-by",
                           "2026-11-26", "--note", "降压药只剩四天，不会用智能手机，请先电话联系"});
  CHECK(need.at("status").as_string() == "open");
  CHECK(need.at("urgency").as_string() == "critical");

  SECTION("the need list names him and the medicine, aligned by display width") {
    const CliRun list = cli.Run(d.station, {"need", "list"});
    REQUIRE_EXIT(list, 0);
    const auto lines = Lines(list.out);
    REQUIRE(lines.size() == 3);
    INFO(list.out);
    CHECK(text::DisplayWidth(lines[0]) == text::DisplayWidth(lines[1]));
    CHECK(text::DisplayWidth(lines[0]) == text::DisplayWidth(lines[2]));
    CHECK(ColumnOf(lines[2], "金老伯") == ColumnOf(lines[0], "requester "));
    CHECK(ColumnOf(lines[2], "降压药") == ColumnOf(lines[0], "item "));
    CHECK(ColumnOf(lines[2], "critical") == ColumnOf(lines[0], "urgency"));
    CHECK(ColumnOf(lines[2], "2026-11-26") == ColumnOf(lines[0], "needed_by"));
  }
  SECTION("the requester list with Chinese names and addresses lines up") {
    REQUIRE_EXIT(cli.Run(d.station, {"requester",
                                     "add",
                                     "--station-id",
                                     d.station_id,
                                     "--kind",
                                     "community",
                                     "--name",
                                     "幸福里小区（封控）",
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
                                     "quarantined"}),
                 0);
    const CliRun list = cli.Run(d.station, {"requester", "list"});
    REQUIRE_EXIT(list, 0);
    const auto lines = Lines(list.out);
    REQUIRE(lines.size() == 4);
    INFO(list.out);
    for (const auto& line : lines) CHECK(text::DisplayWidth(line) == text::DisplayWidth(lines[0]));
    CHECK(ColumnOf(lines[2], "household") == ColumnOf(lines[3], "community"));
    CHECK(ColumnOf(lines[2], "金老伯") == ColumnOf(lines[3], "幸福里小区"));
    CHECK(ColumnOf(lines[2], "和平区幸福里") == ColumnOf(lines[0], "address"));
  }
  SECTION("one object reads as aligned fields") {
    const CliRun get = cli.Run(d.station, {"requester", "get", requester_id});
    REQUIRE_EXIT(get, 0);
    CHECK_THAT(get.out, Catch::Contains("name            金老伯"));
    CHECK_THAT(get.out, Catch::Contains("tags            elderly_alone,chronic_illness"));
  }
}

TEST_CASE("scripts get parseable JSON with --json, all pages of a list in one document", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);

  const json::value item = cli.Json(d.dispatcher, {"item", "list"});
  REQUIRE(item.at("items").as_array().size() == 1);
  CHECK(item.at("items").as_array()[0].at("name").as_string() == "降压药");

  // 130 households through the importer, then listed across several pages.
  std::string csv = "station_id,kind,name,contact_name,phone,address,district,household_size\n";
  for (int i = 1; i <= 130; ++i) {
    csv += d.station_id + ",household,住户" + std::to_string(i) + ",联系人,1380000" +
           std::to_string(1000 + i) + ",幸福里" + std::to_string(i) + "号,和平区,2\n";
  }
  const std::string path = WriteFile(server, "many.csv", csv);
  const CliRun import = cli.Run(d.station, {"import", "requesters", path});
  REQUIRE_EXIT(import, 0);
  CHECK_THAT(import.out, Catch::Contains("imported 130, already present 0, failed 0"));

  const json::value all = cli.Json(d.station, {"requester", "list"});
  CHECK(all.at("items").as_array().size() == 130);
  const json::value some = cli.Json(d.station, {"requester", "list", "--limit", "7"});
  CHECK(some.at("items").as_array().size() == 7);
  CHECK_FALSE(some.at("next_page_token").as_string().empty());

  const CliRun table = cli.Run(d.station, {"requester", "list"});
  REQUIRE_EXIT(table, 0);
  CHECK(Lines(table.out).size() == 132);
}

TEST_CASE("errors exit non-zero with the server's message", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);

  SECTION("a refused request exits 1 and names the field") {
    const CliRun run =
        cli.Run(d.dispatcher, {"item", "add", "--code", "X", "--name", "口罩", "--category",
                               "clothes", "--unit", "piece", "--pack-size", "10"});
    REQUIRE_EXIT(run, 1);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains("category"));
    CHECK_THAT(run.err, Catch::Contains("(field category)"));
  }
  SECTION("with --json the server's error body is printed as well") {
    const CliRun run = cli.Run(d.dispatcher, {"need", "get", "999", "--json"});
    REQUIRE_EXIT(run, 1);
    const json::value body = json::parse(run.out);
    CHECK(body.at("error").at("code").as_string() == "not_found");
    CHECK_THAT(run.err, Catch::Contains(std::string(body.at("error").at("message").as_string())));
  }
  SECTION("a station may not register households for another station") {
    const std::string other =
        cli.Id(d.admin, {"station", "add", "--name", "河西区友谊路社工站", "--district", "河西区"});
    const CliRun run =
        cli.Run(d.station, {"requester", "add", "--station-id", other, "--kind", "household",
                            "--name", "张三", "--contact-name", "张三", "--phone", "1", "--address",
                            "友谊路", "--district", "河西区", "--household-size", "1"});
    CHECK(run.exit_code == 1);
    CHECK_FALSE(run.err.empty());
    CHECK(CountRows(server.db_path(), "requesters") == 0);
  }
  SECTION("no token or a wrong one is refused with a hint") {
    const CliRun none = cli.Run("", {"item", "list"});
    REQUIRE_EXIT(none, 1);
    CHECK_THAT(none.err, Catch::Contains("--token"));
    CHECK(cli.Run("not-a-token", {"item", "list"}).exit_code == 1);
  }
  SECTION("a bad command line exits 2 without calling the server") {
    CHECK(cli.Run(d.station, {"need", "add", "--requester-id", "1"}).exit_code == 2);
    CHECK(cli.Run(d.station, {"need", "get", "abc"}).exit_code == 2);
    CHECK(cli.Run(d.station, {"needs", "list"}).exit_code == 2);
    CHECK(cli.Run(d.station, {"need", "list", "--colour", "red"}).exit_code == 2);
  }
  SECTION("no server exits 3 with a clear message") {
    const CliRun run = RunAidlink({"item", "list", "--server", "http://127.0.0.1:1"});
    REQUIRE_EXIT(run, 3);
    CHECK_THAT(run.err, Catch::Contains("cannot connect to http://127.0.0.1:1"));
  }
}

TEST_CASE("importing a spreadsheet reports bad rows by line and never imports a row twice",
          "[cli][import]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string s = d.station_id;

  // BOM, CRLF, a quoted address with a comma, a multi-line cell, and bad rows.
  const std::string requesters =
      "\xEF\xBB\xBF"
      "station_id,kind,name,contact_name,phone,address,district,lat,lon,household_size,tags\r\n" +
      s +
      ",household,金老伯,金老伯,13800001111,\"和平区幸福里3幢, 201\",和平区,39.12,117.2,1,"
      "elderly_alone;chronic_illness\r\n" +  // 2 ok
      s +
      ",household,李阿姨,李阿姨,13900002222,幸福里5幢,和平区,,,0,\r\n" +  // 3 bad
      s +
      ",community,幸福里小区,物业王经理,13700003333,\"幸福里小区\r\n北门\",和平区,,,2400,"
      "quarantined\r\n" +                                         // 4-5 ok
      "999,household,王奶奶,王奶奶,136,南京路,和平区,,,1,\r\n" +  // 6 server
      s +
      ",household,\"赵\"大爷,赵,135,南京路,和平区,,,1,\r\n";  // 7 quote
  const std::string path = WriteFile(server, "requesters.csv", requesters);

  const CliRun first = cli.Run(d.station, {"import", "requesters", path});
  REQUIRE_EXIT(first, 1);
  CHECK_THAT(first.out, Catch::Contains("imported 2, already present 0, failed 3"));
  CHECK_THAT(first.err, Catch::Contains(path + ":3: household_size must be a whole number"));
  CHECK_THAT(first.err, Catch::Contains(path + ":6: server: "));
  CHECK_THAT(first.err, Catch::Contains(path + ":7: unexpected text after a closing quote"));
  CHECK_THAT(first.err, !Catch::Contains(path + ":2:"));
  CHECK_THAT(first.err, !Catch::Contains(path + ":4:"));
  CHECK(CountRows(server.db_path(), "requesters") == 2);

  const CliRun again = cli.Run(d.station, {"import", "requesters", path});
  REQUIRE_EXIT(again, 1);
  CHECK_THAT(again.out, Catch::Contains("imported 0, already present 2, failed 3"));
  CHECK(CountRows(server.db_path(), "requesters") == 2);

  // A new token for the same station (the old one was lost): its keys are
  // new, but the households are recognised and not registered twice.
  const std::string new_token =
      cli.Token(d.admin, {"--role", "station", "--station-id", s, "--label", "新前台"});
  const CliRun other_token = cli.Run(new_token, {"import", "requesters", path});
  REQUIRE_EXIT(other_token, 1);
  CHECK_THAT(other_token.out, Catch::Contains("imported 0, already present 2, failed 3"));
  CHECK(CountRows(server.db_path(), "requesters") == 2);

  // The households' ids, to file their needs.
  std::map<std::string, std::string> ids;
  const json::value listed = cli.Json(d.station, {"requester", "list"});
  for (const auto& r : listed.at("items").as_array()) {
    const json::value& id = r.at("id");
    ids[std::string(r.at("name").as_string())] =
        id.is_string() ? std::string(id.get_string()) : std::to_string(id.to_number<int64_t>());
  }
  REQUIRE(ids.count("金老伯"));
  REQUIRE(ids.count("幸福里小区"));
  CHECK(cli.Json(d.station, {"requester", "get", ids["幸福里小区"]}).at("address").as_string() ==
        "幸福里小区 北门");

  const std::string needs =
      "requester_id,item_code,quantity,urgency,needed_by,note\n" + ids["金老伯"] +
      ",MED-AMLO-5,2,critical,2026-11-26,\"降压药只剩四天, 请先电话联系\"\n" +  // 2
      ids["幸福里小区"] + ",MED-AMLO-5,40,high,2026-02-30,\n" +                 // 3
      ids["幸福里小区"] + ",NO-SUCH-ITEM,40,high,,\n" +                         // 4
      ids["幸福里小区"] + ",MED-AMLO-5,40,high,,整栋封控\n";                    // 5
  const std::string needs_path = WriteFile(server, "needs.csv", needs);
  const CliRun filed = cli.Run(d.station, {"import", "needs", needs_path});
  REQUIRE_EXIT(filed, 1);
  CHECK_THAT(filed.out, Catch::Contains("imported 2, already present 0, failed 2"));
  CHECK_THAT(filed.err, Catch::Contains(needs_path + ":3: needed_by must be a real date"));
  CHECK_THAT(filed.err, Catch::Contains(needs_path + ":4: unknown item_code \"NO-SUCH-ITEM\""));

  // Rows failed, so the exit code is 1 even with --json; the summary says why.
  const CliRun rerun = cli.Run(d.station, {"import", "needs", needs_path, "--json"});
  REQUIRE_EXIT(rerun, 1);
  const json::value refiled = json::parse(rerun.out);
  CHECK(refiled.at("imported").to_number<int>() == 0);
  CHECK(refiled.at("already_present").to_number<int>() == 2);
  CHECK(refiled.at("failed").to_number<int>() == 2);
  CHECK(CountRows(server.db_path(), "needs") == 2);

  SECTION("a header naming an unknown column imports nothing") {
    const std::string bad =
        WriteFile(server, "bad.csv", "requester_id,item,quantity,urgency\n1,2,3,low\n");
    const CliRun run = cli.Run(d.station, {"import", "needs", bad});
    REQUIRE_EXIT(run, 1);
    CHECK_THAT(run.err, Catch::Contains("unknown column \"item\""));
    CHECK(CountRows(server.db_path(), "needs") == 2);
  }
  SECTION("--dry-run checks the file and sends nothing") {
    const std::string more = WriteFile(
        server, "more.csv",
        "requester_id,item_code,quantity,urgency\n" + ids["金老伯"] + ",MED-AMLO-5,1,low\n");
    const CliRun run = cli.Run(d.station, {"import", "needs", more, "--dry-run"});
    REQUIRE_EXIT(run, 0);
    CHECK_THAT(run.out, Catch::Contains("1 of 1 rows are ready"));
    CHECK(CountRows(server.db_path(), "needs") == 2);
  }
}

TEST_CASE("depot add and station add take a city and the areas a depot serves", "[cli]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const json::value station = cli.Json(d.admin, {"station", "add", "--name", "姑苏区平江社工站",
                                                 "--district", "姑苏区", "--city", "苏州市"});
  CHECK(station.at("city").as_string() == "苏州市");
  const json::value depot =
      cli.Json(d.dispatcher, {"depot", "add", "--name", "姑苏仓", "--address", "平江路1号",
                              "--district", "姑苏区", "--city", "苏州市", "--serves-cities",
                              "无锡市", "--serves-districts", "姑苏区,无锡市/梁溪区"});
  CHECK(depot.at("city").as_string() == "苏州市");
  CHECK(depot.at("serves").at("cities").as_array() == json::array{"无锡市"});
  CHECK(depot.at("serves").at("districts").as_array() == json::array{"姑苏区", "无锡市/梁溪区"});
  const CliRun bad = cli.Run(d.dispatcher, {"depot", "add", "--name", "仓", "--address", "路",
                                            "--district", "区", "--serves-districts", "/姑苏区"});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("serves.districts"));
}

}  // namespace aidlink::test
