// `aidlink login`, `whoami`, `logout` and `user add|list|disable` with the
// built binary: a station worker logs in with a password instead of a
// token, and the session is kept in a file only its owner can read.

#include <sys/stat.h>

#include <filesystem>

#include "client/cli_support.h"

namespace aidlink::test {
namespace {

// The CLI with a config directory of its own and no token.
struct SessionCli {
  explicit SessionCli(const TestServer& server)
      : config(server.dir() + "/config"),
        env{{"AIDLINK_SERVER", "http://127.0.0.1:" + std::to_string(server.port())},
            {"XDG_CONFIG_HOME", config}} {}
  CliRun Run(std::vector<std::string> args) const { return RunAidlink(args, env); }
  std::string session_file() const { return config + "/aidlink/session"; }

  std::string config;
  std::vector<std::pair<std::string, std::string>> env;
};

TEST_CASE("a station worker logs in, works by session, and logs out", "[cli][accounts]") {
  TestServer server;
  const Cli cli(server);
  const Desk d = SetUp(server, cli);
  const std::string password = "幸福里的春天-2026";
  const std::string password_file = WriteFile(server, "pw", password + "\n");
  const CliRun added = cli.Run(
      d.admin, {"user", "add", "--username", "xingfuli", "--role", "station", "--station-id",
                d.station_id, "--display-name", "王社工", "--password-file", password_file});
  REQUIRE_EXIT(added, 0);
  CHECK_THAT(added.out, Catch::Contains("xingfuli"));
  CHECK_THAT(added.out, !Catch::Contains(password));
  const CliRun listed = cli.Run(d.admin, {"user", "list"});
  REQUIRE_EXIT(listed, 0);
  CHECK_THAT(listed.out, Catch::Contains("xingfuli"));

  const SessionCli s(server);
  const CliRun wrong = s.Run({"login", "--username", "xingfuli", "--password-file",
                              WriteFile(server, "bad", "not-the-password\n")});
  REQUIRE_EXIT(wrong, 1);
  CHECK_FALSE(std::filesystem::exists(s.session_file()));

  const CliRun login = s.Run({"login", "--username", "xingfuli", "--password-file", password_file});
  REQUIRE_EXIT(login, 0);
  CHECK_THAT(login.out, Catch::Contains("xingfuli"));
  struct stat st {};
  REQUIRE(stat(s.session_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_THAT(ReadFile(s.session_file()), Catch::Contains("aidlink_session="));

  const CliRun who = s.Run({"whoami"});
  REQUIRE_EXIT(who, 0);
  CHECK_THAT(who.out, Catch::Contains("station"));
  CHECK_THAT(who.out, Catch::Contains("xingfuli"));
  CHECK_THAT(who.out, Catch::Contains("王社工"));
  // A write by session: the CLI sends the CSRF header the server requires.
  const CliRun requester =
      s.Run({"requester", "add", "--station-id", d.station_id, "--kind", "household", "--name",
             "金老伯", "--contact-name", "金老伯", "--phone", "13800001111", "--address",
             "幸福里3幢201", "--district", "和平区", "--household-size", "1"});
  REQUIRE_EXIT(requester, 0);
  // A station session may not create users.
  REQUIRE_EXIT(s.Run({"user", "list"}), 1);

  const CliRun out = s.Run({"logout"});
  REQUIRE_EXIT(out, 0);
  CHECK_FALSE(std::filesystem::exists(s.session_file()));
  const CliRun after = s.Run({"whoami"});
  REQUIRE_EXIT(after, 1);
  CHECK_THAT(after.err, Catch::Contains("aidlink login"));

  const std::string user_id = std::to_string(
      cli.Json(d.admin, {"user", "list"}).at("items").as_array()[0].at("id").to_number<int64_t>());
  REQUIRE_EXIT(cli.Run(d.admin, {"user", "disable", user_id}), 0);
  REQUIRE_EXIT(s.Run({"login", "--username", "xingfuli", "--password-file", password_file}), 1);
}

}  // namespace
}  // namespace aidlink::test
