#pragma once

#include <string>
#include <utility>
#include <vector>

// Runs the built `aidlink` binary (AIDLINK_CLI_BIN) as a child process, the
// way a user or a script would, and captures what it prints.
namespace aidlink::test {

struct CliRun {
  int exit_code = -1;  // -signal if a signal ended it
  std::string out;
  std::string err;

  // "exit 1\nstdout:\n...\nstderr:\n..." for failure messages.
  std::string Describe() const;
};

// Runs `aidlink args...` with AIDLINK_SERVER and AIDLINK_TOKEN taken from
// `env` only (the test's own environment never leaks in). Throws
// std::runtime_error if the binary cannot be started.
CliRun RunAidlink(const std::vector<std::string>& args,
                  const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace aidlink::test
