// `password [--count N]`: the cost of one login's password check, Argon2id
// with libsodium's interactive limits as the server uses it (api/password.h).

#include <chrono>
#include <cstdio>
#include <string>

#include "api/password.h"
#include "bench.h"

namespace aidlink::bench {

int RunPassword(const std::vector<std::string>& args) {
  int count = 20;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--count") count = std::stoi(args[i + 1]);
  }
  if (count < 1) {
    std::fprintf(stderr, "usage: aidlink-bench password [--count N]\n");
    return 2;
  }
  auto hash = api::HashPassword("民族街2026春天来了");
  if (!hash.ok()) {
    std::fprintf(stderr, "%s\n", hash.status().ToString().c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  int matched = 0;
  for (int i = 0; i < count; ++i) matched += api::VerifyPassword(*hash, "民族街2026春天来了");
  const double verify_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      count;
  const auto hash_start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) (void)api::HashPassword("民族街2026春天来了");
  const double hash_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - hash_start)
          .count() /
      count;
  std::printf(
      "password: argon2id opslimit=interactive memlimit=64MiB count=%d matched=%d "
      "verify_ms=%.1f hash_ms=%.1f\n",
      count, matched, verify_ms, hash_ms);
  return matched == count ? 0 : 1;
}

}  // namespace aidlink::bench
