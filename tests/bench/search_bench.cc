// `aidlink-bench search`: GET /v1/requesters?q= at 100,000 requesters,
// through the real router (authentication, the handler, the store and JSON
// encoding; no sockets), as a dispatcher (the whole registry) and as a
// station (its own households). Prints one line per scope and a summary:
// `search: requesters=N queries=Q p50_ms=... p95_ms=... max_ms=...`.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/router.h"
#include "bench.h"
#include "store/repo.h"
#include "store/store.h"

namespace aidlink::bench {
namespace {

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
constexpr const char* kGiven[] = {"建国", "秀英", "桂兰", "志强", "玉兰", "国华", "淑珍",
                                  "文",   "军",   "敏",   "丽",   "伟",   "芳",   "海燕",
                                  "德明", "春梅", "金凤", "长生", "福贵", "小红"};

struct Household {
  std::string name, contact, phone;
};

Household MakeHousehold(std::mt19937_64& rng) {
  auto pick = [&](const auto& list) {
    return std::string(list[rng() % (sizeof(list) / sizeof(list[0]))]);
  };
  Household h;
  h.name = pick(kSurnames) + pick(kGiven) + (rng() % 3 == 0 ? "老人" : "");
  h.contact = pick(kSurnames) + pick(kGiven);
  char digits[16];
  std::snprintf(digits, sizeof digits, "1%02d%08d", 30 + static_cast<int>(rng() % 60),
                static_cast<int>(rng() % 100'000'000));
  const std::string d = digits;
  switch (rng() % 4) {  // written as people write them
    case 0:
      h.phone = d;
      break;
    case 1:
      h.phone = d.substr(0, 3) + " " + d.substr(3, 4) + " " + d.substr(7);
      break;
    case 2:
      h.phone = "+86 " + d;
      break;
    default:
      h.phone = d.substr(0, 3) + "-" + d.substr(3, 4) + "-" + d.substr(7);
  }
  return h;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "search: %s\n", s.ToString().c_str());
  return 1;
}

StatusOr<std::string> AddToken(store::Store& st, store::TokenRecord record) {
  const std::string token = api::NewToken();
  record.hash = api::HashToken(token);
  Status s = st.Write([&](store::Database& db) {
    return store::InsertToken(db, record, store::Actor{0, "system"}).status();
  });
  if (!s.ok()) return s;
  return token;
}

// The search texts: what a desk types, in every form, found or not.
std::vector<std::string> Queries(const std::vector<Household>& all, std::mt19937_64& rng) {
  std::vector<std::string> out;
  for (int i = 0; i < 40; ++i) {
    const Household& h = all[rng() % all.size()];
    std::string digits;
    for (char c : h.phone) {
      if (c >= '0' && c <= '9') digits += c;
    }
    if (digits.size() > 11) digits = digits.substr(digits.size() - 11);
    out.push_back(digits);  // full
    out.push_back(digits.substr(0, 3) + " " + digits.substr(3, 4) + " " + digits.substr(7));
    out.push_back(digits.substr(7));     // last 4
    out.push_back(h.name.substr(0, 6));  // 2 chars
    out.push_back(h.contact);            // 2-3 chars
  }
  // Misses, the short ones included: fewer than 3 characters cannot use the
  // trigram index, so they scan every row in scope (the worst case).
  for (const char* miss :
       {"欧阳修远", "13012345678", "不存在的名字", "9999", "欧阳", "司马", "鑫", "Zz"}) {
    out.push_back(miss);
  }
  return out;
}

std::string Encode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

void Report(const char* label, int requesters, const std::vector<double>& ms) {
  std::printf("%s: requesters=%d queries=%zu p50_ms=%.2f p95_ms=%.2f max_ms=%.2f\n", label,
              requesters, ms.size(), Percentile(ms, 0.50), Percentile(ms, 0.95),
              *std::max_element(ms.begin(), ms.end()));
}

// Writes `stations` stations and one requester per household, in one
// transaction.
Status Seed(store::Store& s, const std::vector<Household>& all, int stations) {
  return s.Write([&](store::Database& db) -> Status {
    const store::Actor actor{0, "system"};
    for (int k = 1; k <= stations; ++k) {
      store::Station station;
      station.name = "社工站" + std::to_string(k);
      station.district = "区" + std::to_string(k % 10);
      auto inserted = store::InsertStation(db, station, actor);
      if (!inserted.ok()) return inserted.status();
    }
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
      store::Requester r;
      r.station_id = 1 + i % stations;
      r.kind = "household";
      r.name = all[static_cast<size_t>(i)].name;
      r.contact_name = all[static_cast<size_t>(i)].contact;
      r.phone = all[static_cast<size_t>(i)].phone;
      r.address = "幸福里" + std::to_string(i % 40) + "幢" + std::to_string(i % 700) + "室";
      r.district = "区" + std::to_string(r.station_id % 10);
      r.household_size = 1 + i % 5;
      auto inserted = store::InsertRequester(db, r, actor);
      if (!inserted.ok()) return inserted.status();
    }
    return Status::Ok();
  });
}

}  // namespace

int RunSearch(const std::vector<std::string>& args) {
  int requesters = 100'000;
  const int stations = 50;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--requesters") requesters = std::stoi(args[i + 1]);
  }
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("aidlink-search-bench-" + std::to_string(getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  store::StoreOptions options;
  options.path = dir + "/search.db";
  options.synchronous = "NORMAL";
  auto st = store::Store::Open(options);
  if (!st.ok()) return Fail(st.status());
  store::Store& s = **st;

  std::mt19937_64 rng(1);
  std::vector<Household> all;
  for (int i = 0; i < requesters; ++i) all.push_back(MakeHousehold(rng));
  Status w = Seed(s, all, stations);
  if (!w.ok()) return Fail(w);
  auto desk = AddToken(s, {0, "", "dispatcher", std::nullopt, std::nullopt, "desk", "", false, ""});
  auto station =
      AddToken(s, {0, "", "station", int64_t{7}, std::nullopt, "station 7", "", false, ""});
  if (!desk.ok()) return Fail(desk.status());
  if (!station.ok()) return Fail(station.status());

  api::Router router(s);
  const std::vector<std::string> queries = Queries(all, rng);
  std::vector<double> desk_ms, station_ms, all_ms;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& q : queries) {
      for (bool as_desk : {true, false}) {
        api::Request req;
        req.method = "GET";
        req.target = "/v1/requesters?q=" + Encode(q);
        req.authorization = "Bearer " + (as_desk ? *desk : *station);
        const auto start = std::chrono::steady_clock::now();
        const api::Response r = router.Handle(req);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (r.status != 200) {
          std::fprintf(stderr, "search: HTTP %d for q=%s\n", r.status, q.c_str());
          return 1;
        }
        if (round == 0) continue;  // warm-up: the first pass fills the page cache
        (as_desk ? desk_ms : station_ms).push_back(ms);
        all_ms.push_back(ms);
      }
    }
  }
  Report("search-dispatcher", requesters, desk_ms);
  Report("search-station", requesters, station_ms);
  Report("search", requesters, all_ms);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace aidlink::bench
