// `aidlink-bench http-seed`: the database scripts/bench-http serves. Writes
// through the store's own repository functions (exactly the rows the API
// would write, ledger events included) so that seeding 100,000 needs takes
// seconds rather than a long HTTP run before the benchmark starts.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "api/auth.h"
#include "bench.h"
#include "store/repo.h"
#include "store/store.h"

namespace aidlink::bench {
namespace {

constexpr int kRequesters = 100;
constexpr int kNeedsPerWrite = 5000;

int Fail(const Status& s) {
  std::fprintf(stderr, "http-seed: %s\n", s.ToString().c_str());
  return 1;
}

// Writes `token` for `record` and returns it; the token file gets the
// plaintext, the database only its hash.
StatusOr<std::string> AddToken(store::Store& st, store::TokenRecord record) {
  const std::string token = api::NewToken();
  record.hash = api::HashToken(token);
  Status s = st.Write([&](store::Database& db) {
    return store::InsertToken(db, record, store::Actor{0, "system"}).status();
  });
  if (!s.ok()) return s;
  return token;
}

}  // namespace

int RunHttpSeed(const std::vector<std::string>& args) {
  std::string db_path, out_dir = ".";
  int64_t needs = 100'000;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--db")
      db_path = args[i + 1];
    else if (args[i] == "--out")
      out_dir = args[i + 1];
    else if (args[i] == "--needs")
      needs = std::stoll(args[i + 1]);
    else
      return Fail(InvalidArgument("unknown option " + args[i]));
  }
  if (db_path.empty() || args.size() % 2 != 0) {
    std::fprintf(stderr, "usage: aidlink-bench http-seed --db PATH [--needs N] [--out DIR]\n");
    return 2;
  }
  store::StoreOptions options;
  options.path = db_path;
  options.synchronous = "NORMAL";  // set-up only; the served file is synced on close
  auto st = store::Store::Open(options);
  if (!st.ok()) return Fail(st.status());
  store::Store& store = **st;
  const store::Actor system{0, "system"};

  int64_t station_id = 0, item_id = 0;
  std::vector<int64_t> requesters;
  Status s = store.Write([&](store::Database& db) -> Status {
    store::Station station;
    station.name = "东湖社工站";
    station.district = "东湖区";
    auto st_row = store::InsertStation(db, station, system);
    if (!st_row.ok()) return st_row.status();
    station_id = st_row->id;
    store::Item item;
    item.code = "MASK-KN95";
    item.name = "KN95口罩";
    item.category = "ppe";
    item.unit = "piece";
    auto it_row = store::InsertItem(db, item, system);
    if (!it_row.ok()) return it_row.status();
    item_id = it_row->id;
    for (int i = 0; i < kRequesters; ++i) {
      store::Requester r;
      r.station_id = station_id;
      r.kind = "household";
      r.name = "住户" + std::to_string(i + 1);
      r.contact_name = r.name;
      r.phone = "1380000" + std::to_string(1000 + i);
      r.address = "东湖路" + std::to_string(i + 1) + "号";
      r.district = "东湖区";
      r.household_size = 1 + i % 5;
      auto row = store::InsertRequester(db, r, system);
      if (!row.ok()) return row.status();
      requesters.push_back(row->id);
    }
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);

  static const char* const kUrgency[] = {"critical", "high", "normal", "normal", "low"};
  for (int64_t done = 0; done < needs;) {
    const int64_t batch = std::min<int64_t>(kNeedsPerWrite, needs - done);
    s = store.Write([&](store::Database& db) -> Status {
      for (int64_t i = done; i < done + batch; ++i) {
        store::Need n;
        n.requester_id = requesters[static_cast<size_t>(i % kRequesters)];
        n.item_id = item_id;
        n.quantity = 1 + i % 20;
        n.urgency = kUrgency[i % 5];
        auto row = store::InsertNeed(db, n, system);
        if (!row.ok()) return row.status();
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail(s);
    done += batch;
  }

  store::TokenRecord station_token;
  station_token.role = "station";
  station_token.station_id = station_id;
  station_token.label = "bench station";
  auto station_secret = AddToken(store, station_token);
  if (!station_secret.ok()) return Fail(station_secret.status());
  store::TokenRecord dispatcher_token;
  dispatcher_token.role = "dispatcher";
  dispatcher_token.label = "bench dispatcher";
  auto dispatcher_secret = AddToken(store, dispatcher_token);
  if (!dispatcher_secret.ok()) return Fail(dispatcher_secret.status());

  // Shell-sourceable facts for scripts/bench-http.
  std::ofstream env(out_dir + "/seed.env");
  env << "STATION_TOKEN=" << *station_secret << "\n"
      << "DISPATCHER_TOKEN=" << *dispatcher_secret << "\n"
      << "REQUESTER_FIRST=" << requesters.front() << "\n"
      << "REQUESTERS=" << kRequesters << "\n"
      << "ITEM_ID=" << item_id << "\n"
      << "NEEDS=" << needs << "\n";
  if (!env) return Fail(Internal("cannot write " + out_dir + "/seed.env"));
  std::printf("http-seed: needs=%lld requesters=%d db=%s\n", static_cast<long long>(needs),
              kRequesters, db_path.c_str());
  return 0;
}

}  // namespace aidlink::bench
