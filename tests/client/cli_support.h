#pragma once

// Helpers for the tests that run the built `aidlink` binary against a real
// server: a Cli bound to one TestServer, line and column helpers for the
// aligned tables, and a registry set up through the CLI itself.

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "client/cli_runner.h"
#include "support/test_server.h"
#include "util/text.h"

namespace aidlink::test {

#define REQUIRE_EXIT(run, code)            \
  do {                                     \
    const CliRun& cli_run_ = (run);        \
    INFO(cli_run_.Describe());             \
    REQUIRE(cli_run_.exit_code == (code)); \
  } while (false)

// Runs the CLI against `server` with `token` (none if empty).
class Cli {
 public:
  explicit Cli(const TestServer& server)
      : env_{{"AIDLINK_SERVER", "http://127.0.0.1:" + std::to_string(server.port())}} {}

  CliRun Run(const std::string& token, std::vector<std::string> args) const {
    if (!token.empty()) {
      args.insert(args.begin(), token);
      args.insert(args.begin(), "--token");
    }
    return RunAidlink(args, env_);
  }

  // Runs with --json, REQUIREs exit 0 and returns the parsed output.
  boost::json::value Json(const std::string& token, std::vector<std::string> args) const {
    args.push_back("--json");
    const CliRun run = Run(token, args);
    REQUIRE_EXIT(run, 0);
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(run.out, ec);
    INFO(run.out);
    REQUIRE_FALSE(ec);
    return v;
  }

  std::string Id(const std::string& token, std::vector<std::string> args) const {
    const boost::json::value v = Json(token, std::move(args));
    REQUIRE(v.is_object());
    return IdText(v.get_object().at("id"));
  }

  std::string Token(const std::string& admin, std::vector<std::string> args) const {
    args.insert(args.begin(), {"token", "create"});
    const boost::json::value v = Json(admin, args);
    return std::string(v.at("token").as_string());
  }

  // An id sent as a number or a string, as text.
  static std::string IdText(const boost::json::value& id) {
    return id.is_string() ? std::string(id.get_string()) : std::to_string(id.to_number<int64_t>());
  }

 private:
  std::vector<std::pair<std::string, std::string>> env_;
};

inline std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The display column where `needle` starts in `line`, or -1.
inline int ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  return at == std::string::npos ? -1 : text::DisplayWidth(line.substr(0, at));
}

inline std::string WriteFile(const TestServer& server, const std::string& name,
                             const std::string& content) {
  const std::string path = server.dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A registry set up through the CLI itself: a station with its token, a
// dispatcher, and the catalog item 降压药.
struct Desk {
  std::string admin, dispatcher, station;
  std::string station_id, item_id;
};

inline Desk SetUp(const TestServer& server, const Cli& cli) {
  Desk d;
  d.admin = server.admin_token();
  d.station_id =
      cli.Id(d.admin, {"station", "add", "--name", "和平区幸福里社工站", "--district", "和平区"});
  d.dispatcher = cli.Token(d.admin, {"--role", "dispatcher", "--label", "和平区调度台"});
  d.station = cli.Token(
      d.admin, {"--role", "station", "--station-id", d.station_id, "--label", "幸福里社工站 前台"});
  d.item_id = cli.Id(d.dispatcher, {"item", "add", "--code", "MED-AMLO-5", "--name", "降压药",
                                    "--category", "medicine", "--unit", "box", "--pack-size", "1"});
  return d;
}

}  // namespace aidlink::test
