// `aidlink-bench earmarks`: what distinct earmarks cost a one-item dry run
// (issue 14, defect 9). Each distinct earmark is a class of lots the engine
// plans apart. 5,000 lots of one item against 50,000 needs over 16 districts,
// with the lots spread over 1, 20 (the most one donor may hold per item now:
// vocab::kMaxEarmarkGroups), 200 (ten donors at the limit) and 5,000 (what
// one donor could make before the limit) distinct station earmarks.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench.h"
#include "match/engine.h"
#include "util/vocab.h"

namespace aidlink::bench {
namespace {

constexpr int kLots = 5'000;
constexpr int kNeeds = 50'000;
constexpr int kStations = 2'000;
constexpr int kDistricts = 16;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One item; lot k carries earmark group k % groups (groups == 1: none).
match::Snapshot Generate(int groups, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  match::Snapshot s;
  for (int d = 0; d < kDistricts; ++d) {
    s.depots.push_back({d + 1, "district-" + std::to_string(d), 30.5 + d * 0.01, 114.3, "", {}});
  }
  for (int i = 0; i < kNeeds; ++i) {
    match::Need n;
    n.id = i + 1;
    n.requester_id = i + 1;
    n.item_id = 1;
    n.pack_size = 1;
    n.quantity = n.outstanding = uniform(1, 5);
    n.urgency = static_cast<match::Urgency>(uniform(0, 3));
    n.station_id = uniform(1, kStations);
    n.district = "district-" + std::to_string(n.station_id % kDistricts);
    n.household_size = 2;
    n.created_seq = i + 1;
    s.needs.push_back(std::move(n));
  }
  for (int l = 0; l < kLots; ++l) {
    match::Lot lot;
    lot.id = l + 1;
    lot.item_id = 1;
    lot.depot_id = uniform(1, kDistricts);
    lot.available = uniform(5, 40);
    // Each group names three stations of its own.
    const int g = l % groups;
    if (groups > 1)
      lot.earmark.station_ids = {3 * g % kStations + 1, (3 * g + 1) % kStations + 1,
                                 (3 * g + 2) % kStations + 1};
    lot.created_seq = l + 1;
    s.lots.push_back(std::move(lot));
  }
  return s;
}

}  // namespace

int RunEarmarks(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "usage: aidlink-bench earmarks\n");
    return 2;
  }
  match::Policy policy;
  policy.as_of = kProvinceAsOf;
  policy.threads = 1;
  double worst_allowed = 0;
  for (const int groups : {1, vocab::kMaxEarmarkGroups, 10 * vocab::kMaxEarmarkGroups, kLots}) {
    const match::Snapshot snapshot = Generate(groups, 7);
    const double cpu = CpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    const match::Plan plan = match::Allocate(snapshot, policy);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = CpuSeconds() - cpu;
    const bool allowed = groups <= 10 * vocab::kMaxEarmarkGroups;
    if (allowed && cpu_seconds > worst_allowed) worst_allowed = cpu_seconds;
    std::printf(
        "earmark_groups: lots=%d needs=%d groups=%d seconds=%.3f cpu_seconds=%.3f "
        "allocations=%zu %s\n",
        kLots, kNeeds, groups, seconds, cpu_seconds, plan.allocations.size(),
        allowed ? "(allowed)" : "(refused by the API now)");
  }
  std::printf("earmarks: limit_per_donor_item=%d worst_allowed_cpu_seconds=%.3f\n",
              vocab::kMaxEarmarkGroups, worst_allowed);
  return 0;
}

}  // namespace aidlink::bench
