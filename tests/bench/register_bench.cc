// `aidlink-bench register`: what the duplicate check adds to registering one
// requester, on a SQLite registry of N requesters (1,000,000 by default)
// whose keys are all recorded, as the server's write path does it.
//
// Each sample is one whole write through the store's writer (a transaction
// and its commit): a new requester inserted alone ("without"), or inserted
// and checked with store::RecordRequesterKeys ("with": keying, the lookups
// of the keys, a case opened or joined), interleaved so both see the same
// page cache and disk. One in twenty new registrations repeats a registered
// household in another spelling, so cases are opened as in the field. Then
// POST /v1/requesters through the real router (no sockets), which always
// checks. Prints
//   register: requesters=N samples=S without_p99_us=A with_p99_us=B
//             extra_p99_us=B-A check_p99_us=C post_p99_us=D
// (one line): the target is extra_p99_us <= 1000.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/router.h"
#include "bench.h"
#include "dedup/keys.h"
#include "store/duplicates.h"
#include "store/repo.h"
#include "store/store.h"

namespace aidlink::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStations = 200;
constexpr int kSamples = 2'000;
constexpr int kSeedBatch = 20'000;

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
constexpr const char* kGiven[] = {"建国", "秀英", "桂兰", "志强", "玉兰", "国华", "淑珍",
                                  "文",   "军",   "敏",   "丽",   "伟",   "芳",   "海燕",
                                  "德明", "春梅", "金凤", "长生", "福贵", "小红"};

// Household `i` of the registry: deterministic, so a duplicate of it can be
// written later in another spelling.
store::Requester Household(int64_t i, bool other_spelling) {
  std::mt19937_64 rng(static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL + 1);
  auto pick = [&](const auto& list) {
    return std::string(list[rng() % (sizeof(list) / sizeof(list[0]))]);
  };
  store::Requester r;
  r.station_id = 1 + (i + (other_spelling ? 1 : 0)) % kStations;
  r.kind = "household";
  r.name = pick(kSurnames) + pick(kGiven);
  r.contact_name = r.name;
  char digits[16];
  std::snprintf(digits, sizeof digits, "1%02d%08lld", 30 + static_cast<int>(rng() % 60),
                static_cast<long long>(i % 100'000'000));
  const std::string d = digits;
  r.phone = other_spelling ? "+86 " + d.substr(0, 3) + " " + d.substr(3, 4) + " " + d.substr(7) : d;
  const std::string building = std::to_string(1 + i % 60), room = std::to_string(101 + i % 997);
  r.address = "幸福里" + std::to_string(i / 60'000) + "小区" + building +
              (other_spelling ? "幢" : "号楼") + room + (other_spelling ? "室" : "");
  r.district = "区" + std::to_string(r.station_id % 13);
  r.household_size = 1 + static_cast<int>(i % 5);
  return r;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "register: %s\n", s.ToString().c_str());
  return 1;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// The registry: stations, then `requesters` households with their keys, in
// batches of kSeedBatch per transaction.
Status Seed(store::Store& s, int64_t requesters) {
  const store::Actor actor{0, "system"};
  Status st = s.Write([&](store::Database& db) -> Status {
    for (int k = 1; k <= kStations; ++k) {
      store::Station station;
      station.name = "社工站" + std::to_string(k);
      station.district = "区" + std::to_string(k % 13);
      auto inserted = store::InsertStation(db, station, actor);
      if (!inserted.ok()) return inserted.status();
    }
    return Status::Ok();
  });
  for (int64_t from = 0; st.ok() && from < requesters; from += kSeedBatch) {
    st = s.Write([&](store::Database& db) -> Status {
      for (int64_t i = from; i < std::min(requesters, from + kSeedBatch); ++i) {
        auto inserted = store::InsertRequester(db, Household(i, false), actor);
        if (!inserted.ok()) return inserted.status();
        auto found = store::RecordRequesterKeys(db, *inserted, s.dedup_secret(), actor);
        if (!found.ok()) return found.status();
      }
      return Status::Ok();
    });
  }
  return st;
}

// A new registration for sample `k`: one in twenty repeats a registered
// household in another spelling, the others are new households.
store::Requester NewRegistration(int64_t requesters, int k, std::mt19937_64& rng) {
  if (k % 20 == 0) return Household(static_cast<int64_t>(rng() % requesters), true);
  return Household(requesters + k, false);
}

std::string RequesterJson(const store::Requester& r) {
  return "{\"station_id\":" + std::to_string(r.station_id) + ",\"kind\":\"household\",\"name\":\"" +
         r.name + "\",\"contact_name\":\"" + r.contact_name + "\",\"phone\":\"" + r.phone +
         "\",\"address\":\"" + r.address + "\",\"district\":\"" + r.district +
         "\",\"household_size\":" + std::to_string(r.household_size) + "}";
}

}  // namespace

int RunRegister(const std::vector<std::string>& args) {
  int64_t requesters = 1'000'000;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--requesters") requesters = std::max<int64_t>(1, std::stoll(args[i + 1]));
  }
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("aidlink-register-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  store::StoreOptions options;
  options.path = (dir / "register.db").string();
  auto secret = dedup::LoadOrCreateSecret((dir / "dedup.key").string());
  if (!secret.ok()) return Fail(secret.status());
  options.dedup_secret = *secret;  // synchronous FULL, as the server runs
  auto opened = store::Store::Open(options);
  if (!opened.ok()) return Fail(opened.status());
  store::Store& s = **opened;

  const auto seeding = Clock::now();
  if (Status st = Seed(s, requesters); !st.ok()) return Fail(st);
  std::printf("register: seeded requesters=%lld with keys in seconds=%.1f\n",
              static_cast<long long>(requesters), MicrosSince(seeding) / 1e6);

  const store::Actor actor{0, "bench"};
  std::mt19937_64 rng(7);
  std::vector<double> without, with, check;
  for (int k = 0; k < 2 * kSamples; ++k) {
    const bool checked = k % 2 == 1;
    const store::Requester r = NewRegistration(requesters, k, rng);
    double check_us = 0;
    const auto start = Clock::now();
    Status st = s.Write([&](store::Database& db) -> Status {
      auto inserted = store::InsertRequester(db, r, actor);
      if (!inserted.ok() || !checked) return inserted.status();
      const auto check_start = Clock::now();
      auto found = store::RecordRequesterKeys(db, *inserted, s.dedup_secret(), actor);
      check_us = MicrosSince(check_start);
      return found.status();
    });
    if (!st.ok()) return Fail(st);
    (checked ? with : without).push_back(MicrosSince(start));
    if (checked) check.push_back(check_us);
  }

  store::TokenRecord desk{0, "", "dispatcher", std::nullopt, std::nullopt, "desk", "", false, ""};
  const std::string token = api::NewToken();
  desk.hash = api::HashToken(token);
  if (Status st = s.Write(
          [&](store::Database& db) { return store::InsertToken(db, desk, actor).status(); });
      !st.ok()) {
    return Fail(st);
  }
  api::Router router(s);
  std::vector<double> post;
  for (int k = 0; k < kSamples; ++k) {
    api::Request req;
    req.method = "POST";
    req.target = "/v1/requesters";
    req.authorization = "Bearer " + token;
    req.body = RequesterJson(NewRegistration(requesters, 2 * kSamples + k, rng));
    const auto start = Clock::now();
    const api::Response answer = router.Handle(req);
    post.push_back(MicrosSince(start));
    if (answer.status != 201) {
      std::fprintf(stderr, "register: POST answered %d: %s\n", answer.status, answer.body.c_str());
      return 1;
    }
  }

  const double without_p99 = Percentile(without, 0.99), with_p99 = Percentile(with, 0.99);
  std::printf("register: p50_us without=%.0f with=%.0f check=%.0f post=%.0f\n",
              Percentile(without, 0.5), Percentile(with, 0.5), Percentile(check, 0.5),
              Percentile(post, 0.5));
  std::printf(
      "register: requesters=%lld samples=%d without_p99_us=%.0f with_p99_us=%.0f "
      "extra_p99_us=%.0f check_p99_us=%.0f post_p99_us=%.0f\n",
      static_cast<long long>(requesters), kSamples, without_p99, with_p99, with_p99 - without_p99,
      Percentile(check, 0.99), Percentile(post, 0.99));
  opened->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace aidlink::bench
