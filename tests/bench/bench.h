#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "match/engine.h"

// Subcommands of aidlink-bench. Each takes the arguments after its name,
// prints its report to stdout (the last line is the machine-readable
// summary) and returns the process exit code.
namespace aidlink::bench {

// `match [--seed N] [--threads N] [--commit]`: the matching engine on a
// synthetic province of 1,000,000 needs and 100,000 lots.
int RunMatch(const std::vector<std::string>& args);

// `match --commit`: commits the province's plan through the store into a
// fresh SQLite file and times that commit (printing `commit: allocations=N
// seconds=S cpu_seconds=C`). With `province_db` (non-empty), the loaded
// province is kept in that file (created on the first run, copied on later
// ones) so that repeated measurements skip the loading; the file belongs to
// one seed and one schema version: delete it when either changes.
int RunMatchCommit(uint64_t seed, int threads, const std::string& province_db);

// `http-seed --db PATH [--needs N] [--out DIR]`: a database of N needs
// (100,000 by default) with station and dispatcher tokens written to
// DIR/seed.env, for scripts/bench-http.
int RunHttpSeed(const std::vector<std::string>& args);

// `search [--requesters N]`: GET /v1/requesters?q= through the router at N
// requesters (100,000 by default), as a dispatcher and as a station.
int RunSearch(const std::vector<std::string>& args);
// `earmarks`: a one-item dry run's cost as distinct earmarks grow (the
// worst case the per-donor earmark limit allows, and the case it refuses).
int RunEarmarks(const std::vector<std::string>& args);
// `password [--count N]`: milliseconds per Argon2id hash and check, as a
// login pays them.
int RunPassword(const std::vector<std::string>& args);
// `dedup [--requesters N] [--seed N]`: duplicate detection's precision,
// recall and cost per check on N generated registrations (1,000,000 by
// default) with 5% planted duplicates.
int RunDedup(const std::vector<std::string>& args);
// `register [--requesters N]`: p99 of one registration's write with and
// without the duplicate check, on N registered requesters (1,000,000 by
// default) whose keys are recorded.
int RunRegister(const std::vector<std::string>& args);

// The synthetic province of `match` (see match_bench.cc), for benchmarks that
// need the same data, e.g. committing its plan through the store. Its needs
// are listed by increasing id. Deterministic for a seed.
match::Snapshot GenerateProvince(uint64_t seed);
// The as_of day number the province is generated for.
inline constexpr int64_t kProvinceAsOf = 20'400;

}  // namespace aidlink::bench
