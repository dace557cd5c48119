#pragma once

#include <ostream>
#include <string>
#include <vector>

// Entry point of the `aidlink` command-line client.
namespace aidlink::client {

// Where options come from when no flag gives them.
struct Environment {
  std::string server;  // AIDLINK_SERVER
  std::string token;   // AIDLINK_TOKEN
  // Where `aidlink login` keeps the session: $XDG_CONFIG_HOME/aidlink, or
  // ~/.config/aidlink; "" if neither variable is set.
  std::string config_dir;
};

// Runs `aidlink args...` (args excludes the program name), printing results
// to `out` and diagnostics to `err`. Returns the exit code: 0 success, 1 the
// server refused (or import rows failed), 2 usage error, 3 server unreachable.
int RunCli(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
           std::ostream& err);

}  // namespace aidlink::client
