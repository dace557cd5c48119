#pragma once

#include <string>
#include <vector>

// Subcommands of aidlink-bench. Each takes the arguments after its name,
// prints its report to stdout (the last line is the machine-readable
// summary) and returns the process exit code.
namespace aidlink::bench {

// `match [--seed N] [--threads N] [--commit]`: the matching engine on a
// synthetic province of 1,000,000 needs and 100,000 lots.
int RunMatch(const std::vector<std::string>& args);

}  // namespace aidlink::bench
