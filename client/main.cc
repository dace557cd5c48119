#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  aidlink::client::Environment env;
  if (const char* server = std::getenv("AIDLINK_SERVER")) env.server = server;
  if (const char* token = std::getenv("AIDLINK_TOKEN")) env.token = token;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg) {
    env.config_dir = std::string(xdg) + "/aidlink";
  } else if (home && *home) {
    env.config_dir = std::string(home) + "/.config/aidlink";
  }
  try {
    return aidlink::client::RunCli(args, env, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // Our code does not throw; this catches only the unexpected (e.g. bad_alloc).
    std::cerr << "aidlink: internal error: " << e.what() << "\n";
    return 1;
  }
}
