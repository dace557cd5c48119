// aidlink-bench: benchmark programs, one subcommand each.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench.h"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const std::vector<std::string>& args);
  std::string_view help;
};

constexpr Command kCommands[] = {
    {"match", aidlink::bench::RunMatch,
     "match [--seed N] [--threads N] [--commit [--province-db FILE]]  matching engine on a "
     "synthetic province"},
    {"http-seed", aidlink::bench::RunHttpSeed,
     "http-seed --db PATH [--needs N] [--out DIR]  the database scripts/bench-http serves"},
    {"search", aidlink::bench::RunSearch,
     "search [--requesters N]  GET /v1/requesters?q= at 100,000 requesters"},
    {"earmarks", aidlink::bench::RunEarmarks,
     "earmarks  a one-item dry run as distinct earmarks grow (issue 14, defect 9)"},
    {"password", aidlink::bench::RunPassword,
     "password [--count N]  milliseconds per login password check (Argon2id)"},
    {"dedup", aidlink::bench::RunDedup,
     "dedup [--requesters N] [--seed N]  duplicate detection on 1,000,000 registrations"},
    {"register", aidlink::bench::RunRegister,
     "register [--requesters N]  what the duplicate check adds to one registration's write"},
};

int Usage() {
  std::fprintf(stderr, "usage: aidlink-bench <command> [options]\ncommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(c.help.size()), c.help.data());
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string_view name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (c.name == name) return c.run(args);
  }
  return Usage();
}
