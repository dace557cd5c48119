// `aidlink-bench match`: the matching engine on a seeded synthetic province.
//
// The province: 16 districts, 200 depots, 2,000 stations, 500 items (a third
// perishable-sized packs of 1, the rest packs of 5 or 10), 1,000,000 open needs
// (urgency 5% critical / 15% high / 60% normal / 20% low; a quarter with a
// deadline; a tenth already part-filled), and 100,000 lots (10% earmarked by
// district, kind, tag or station; 30% perishable with an expiry date in the
// next month, some already too close). Each item's stock covers between 30%
// and 150% of its demand, so most items are short.
//
// Rules 8-9 (unless --no-households): 5% of the needs are registrations of a
// household registered twice (25,000 pairs, linked as one cluster, mostly
// asking for the same item), and a fifth of the items carry a quota (a
// quarter of them soft): every household asking for such an item has a cap
// of 1 to 4 packs left in the window.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "bench.h"
#include "match/engine.h"

namespace aidlink::bench {
namespace {

using match::Depot;
using match::Lot;
using match::Need;
using match::RequesterKind;
using match::Snapshot;
using match::Urgency;

constexpr int kNeeds = 1'000'000;
constexpr int kLots = 100'000;
constexpr int kItems = 500;
constexpr int kDepots = 200;
constexpr int kStations = 2'000;
constexpr int kDistricts = 16;
constexpr int64_t kAsOf = kProvinceAsOf;

std::string DistrictName(int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "district-%02d", d);
  return buf;
}

}  // namespace

Snapshot GenerateProvince(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto coord = [&](double centre, double spread) {
    return centre + std::uniform_real_distribution<double>(-spread, spread)(rng);
  };

  Snapshot s;
  for (int d = 0; d < kDepots; ++d) {
    s.depots.push_back(
        {d + 1, DistrictName(d % kDistricts), coord(30.58, 0.2), coord(114.3, 0.25), "", {}});
  }
  struct Station {
    int district;
    double lat, lon;
  };
  std::vector<Station> stations;
  for (int i = 0; i < kStations; ++i) {
    stations.push_back(
        {static_cast<int>(uniform(0, kDistricts - 1)), coord(30.58, 0.2), coord(114.3, 0.25)});
  }
  std::vector<int64_t> pack(kItems + 1);
  for (int item = 1; item <= kItems; ++item)
    pack[static_cast<size_t>(item)] = item % 3 == 0 ? 1 : (item % 3 == 1 ? 10 : 5);

  std::vector<int64_t> item_demand(kItems + 1, 0);
  s.needs.reserve(kNeeds);
  for (int i = 0; i < kNeeds; ++i) {
    Need n;
    n.id = i + 1;
    n.requester_id = uniform(1, 600'000);
    n.item_id = uniform(1, kItems);
    n.pack_size = pack[static_cast<size_t>(n.item_id)];
    const int64_t kind_roll = uniform(0, 99);
    n.kind = kind_roll < 85   ? RequesterKind::kHousehold
             : kind_roll < 93 ? RequesterKind::kCommunity
             : kind_roll < 97 ? RequesterKind::kInstitution
                              : RequesterKind::kFrontlinePost;
    const int64_t packs = n.kind == RequesterKind::kHousehold ? uniform(1, 5) : uniform(10, 50);
    n.quantity =
        packs * n.pack_size - (n.pack_size > 1 && chance(0.2) ? uniform(1, n.pack_size - 1) : 0);
    if (chance(0.05)) n.cancelled = uniform(0, n.quantity / 4);
    if (chance(0.1)) n.filled = uniform(0, (n.quantity - n.cancelled) / 2);
    n.outstanding = n.quantity - n.cancelled - n.filled;
    const int64_t u = uniform(0, 99);
    n.urgency = u < 5    ? Urgency::kCritical
                : u < 20 ? Urgency::kHigh
                : u < 80 ? Urgency::kNormal
                         : Urgency::kLow;
    if (chance(0.25)) n.needed_by = kAsOf + uniform(0, 14);
    n.household_size = static_cast<int>(uniform(1, 6));
    for (int t = 0; t < match::kTagCount; ++t) {
      if (chance(0.08)) n.tags |= 1u << t;
    }
    n.station_id = uniform(1, kStations);
    const Station& st = stations[static_cast<size_t>(n.station_id - 1)];
    n.district = DistrictName(st.district);
    if (chance(0.7)) {
      n.lat = coord(st.lat, 0.01);
      n.lon = coord(st.lon, 0.01);
    }
    n.created_seq = i + 1;
    item_demand[static_cast<size_t>(n.item_id)] += n.outstanding;
    s.needs.push_back(std::move(n));
  }

  std::vector<double> cover(kItems + 1);
  for (auto& c : cover) c = std::uniform_real_distribution<double>(0.3, 1.5)(rng);
  const double lots_per_item = static_cast<double>(kLots) / kItems;
  s.lots.reserve(kLots);
  for (int l = 0; l < kLots; ++l) {
    Lot lot;
    lot.id = l + 1;
    lot.item_id = uniform(1, kItems);
    lot.depot_id = uniform(1, kDepots);
    const auto item = static_cast<size_t>(lot.item_id);
    const double mean = cover[item] * static_cast<double>(item_demand[item]) / lots_per_item;
    lot.available = std::max<int64_t>(
        1, static_cast<int64_t>(mean * std::uniform_real_distribution<double>(0.5, 1.5)(rng)));
    if (chance(0.3)) lot.expires_on = kAsOf + uniform(0, 30);
    if (chance(0.1)) {
      const int64_t kind = uniform(0, 3);
      if (kind == 0) {
        for (int64_t k = uniform(1, 2); k > 0; --k)
          lot.earmark.districts.push_back(
              DistrictName(static_cast<int>(uniform(0, kDistricts - 1))));
      } else if (kind == 1) {
        lot.earmark.requester_kinds = {chance(0.5) ? RequesterKind::kFrontlinePost
                                                   : RequesterKind::kCommunity};
      } else if (kind == 2) {
        lot.earmark.tags = (1u << uniform(0, 7)) | (1u << uniform(0, 7));
      } else {
        for (int64_t k = uniform(1, 5); k > 0; --k)
          lot.earmark.station_ids.push_back(uniform(1, kStations));
      }
    }
    lot.created_seq = l + 1;
    s.lots.push_back(std::move(lot));
  }
  return s;
}

namespace {

// What AddHouseholds added, for the benchmark's line.
struct Households {
  int64_t clusters = 0;
  int64_t quotas = 0;
  int64_t caps = 0;
};

Households AddHouseholds(Snapshot& s, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5eed5eedULL);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Households h;
  const auto needs = static_cast<int64_t>(s.needs.size());
  while (h.clusters < needs / 40) {
    Need& first = s.needs[static_cast<size_t>(uniform(0, needs - 1))];
    Need& second = s.needs[static_cast<size_t>(uniform(0, needs - 1))];
    if (&first == &second || first.cluster_id != 0 || second.cluster_id != 0) continue;
    first.cluster_id = second.cluster_id = ++h.clusters;
    second.district = first.district;
    second.kind = first.kind;
    if (uniform(0, 9) < 7) {
      second.item_id = first.item_id;
      second.pack_size = first.pack_size;
    }
  }
  // Items 5, 10, 15, ... carry a quota; one cap per household and quota.
  std::vector<int64_t> quota_of(kItems + 1, -1);
  for (int item = 5; item <= kItems; item += 5) quota_of[static_cast<size_t>(item)] = h.quotas++;
  std::unordered_map<uint64_t, int32_t> cap_of;  // (quota, household) -> cap
  for (Need& n : s.needs) {
    const int64_t quota = quota_of[static_cast<size_t>(n.item_id)];
    if (quota < 0) continue;
    const int64_t household = n.cluster_id != 0 ? -n.cluster_id : n.requester_id;
    const uint64_t key = static_cast<uint64_t>(quota) << 40 ^ static_cast<uint64_t>(household);
    auto [it, inserted] = cap_of.try_emplace(key, static_cast<int32_t>(s.caps.size()));
    if (inserted) s.caps.push_back({quota, uniform(1, 4) * n.pack_size, quota % 4 == 0});
    n.caps.push_back(it->second);
  }
  h.caps = static_cast<int64_t>(s.caps.size());
  return h;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int RunMatch(const std::vector<std::string>& args) {
  uint64_t seed = 1;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool commit = false;
  bool households = true;
  std::string province_db;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--seed" && i + 1 < args.size()) {
      seed = std::strtoull(args[++i].c_str(), nullptr, 10);
    } else if (args[i] == "--threads" && i + 1 < args.size()) {
      threads = std::atoi(args[++i].c_str());
    } else if (args[i] == "--commit") {
      commit = true;
    } else if (args[i] == "--no-households") {
      households = false;
    } else if (args[i] == "--province-db" && i + 1 < args.size()) {
      province_db = args[++i];
    } else {
      std::fprintf(stderr,
                   "usage: aidlink-bench match [--seed N] [--threads N] [--no-households] "
                   "[--commit [--province-db FILE]]\n");
      return 2;
    }
  }
  if (commit) return RunMatchCommit(seed, threads, province_db);

  auto start = std::chrono::steady_clock::now();
  Snapshot snapshot = GenerateProvince(seed);
  const Households added = households ? AddHouseholds(snapshot, seed) : Households{};
  std::printf(
      "generated: seed=%llu needs=%zu lots=%zu clusters=%lld quotas=%lld caps=%lld "
      "seconds=%.3f\n",
      static_cast<unsigned long long>(seed), snapshot.needs.size(), snapshot.lots.size(),
      static_cast<long long>(added.clusters), static_cast<long long>(added.quotas),
      static_cast<long long>(added.caps), Seconds(start));

  match::Policy policy;
  policy.as_of = kAsOf;
  policy.threads = threads;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  start = std::chrono::steady_clock::now();
  const match::Plan plan = match::Allocate(snapshot, policy);
  const double seconds = Seconds(start);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  std::printf("engine: seconds=%.3f user_seconds=%.3f system_seconds=%.3f minor_faults=%ld\n",
              seconds, secs(after.ru_utime) - secs(before.ru_utime),
              secs(after.ru_stime) - secs(before.ru_stime), after.ru_minflt - before.ru_minflt);
  const match::Stats& st = plan.stats;
  // A digest of the whole plan, to compare runs (e.g. thread counts) by eye.
  uint64_t digest = 1469598103934665603ULL;
  auto mix = [&digest](uint64_t v) { digest = (digest ^ v) * 1099511628211ULL; };
  for (const match::Allocation& a : plan.allocations) {
    mix(static_cast<uint64_t>(a.need_id));
    mix(static_cast<uint64_t>(a.lot_id));
    mix(static_cast<uint64_t>(a.quantity));
    mix(a.reasons);
  }
  for (const match::Unmet& u : plan.unmet) {
    mix(static_cast<uint64_t>(u.need_id));
    mix(static_cast<uint64_t>(u.outstanding));
    mix(u.reason.size());
  }
  std::printf(
      "plan: threads=%d digest=%016llx allocations=%zu unmet=%zu units=%lld filled=%lld "
      "partial=%lld unmet_needs=%lld held_by_quota=%lld\n",
      threads, static_cast<unsigned long long>(digest), plan.allocations.size(), plan.unmet.size(),
      static_cast<long long>(st.units_allocated), static_cast<long long>(st.needs_filled),
      static_cast<long long>(st.needs_partial), static_cast<long long>(st.needs_unmet),
      static_cast<long long>(st.units_held_by_quota));

  // The floor: one plain sort of the needs, the least any matcher must do.
  std::vector<Need> needs = snapshot.needs;
  start = std::chrono::steady_clock::now();
  std::sort(needs.begin(), needs.end(), [](const Need& a, const Need& b) {
    const int64_t ab = a.needed_by.value_or(INT64_MAX), bb = b.needed_by.value_or(INT64_MAX);
    return std::tie(a.item_id, a.urgency, ab, a.id) < std::tie(b.item_id, b.urgency, bb, b.id);
  });
  const double floor_seconds = Seconds(start);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const long peak_rss_mb = usage.ru_maxrss / 1024;  // ru_maxrss is in KiB on Linux
  std::printf(
      "match: needs=%zu lots=%zu clusters=%lld quotas=%lld seconds=%.3f floor_seconds=%.3f "
      "ratio=%.2f peak_rss_mb=%ld\n",
      snapshot.needs.size(), snapshot.lots.size(), static_cast<long long>(added.clusters),
      static_cast<long long>(added.quotas), seconds, floor_seconds, seconds / floor_seconds,
      peak_rss_mb);
  return 0;
}

}  // namespace aidlink::bench
