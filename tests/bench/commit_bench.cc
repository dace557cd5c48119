// `aidlink-bench match --commit`: the province's match run committed through
// the store into a fresh SQLite file, exactly as POST /v1/match/runs does.
// Loading the province into the database is set-up and is not timed.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "api/match_io.h"
#include "bench.h"
#include "match/engine.h"
#include "store/matching.h"
#include "store/store.h"
#include "util/date.h"

namespace aidlink::bench {
namespace {

namespace fs = std::filesystem;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// User + system CPU seconds of the whole process so far (every thread).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string JoinTags(uint32_t tags) {
  std::string out;
  for (const std::string& t : match::TagNames(tags)) {
    if (!out.empty()) out += '\x1f';  // the store's list separator
    out += t;
  }
  return out;
}

#define BENCH_STMT(var, sql)                    \
  auto var##_or = db.Prepare(sql);              \
  if (!var##_or.ok()) return var##_or.status(); \
  store::Statement* var = *var##_or

// Inserts the province with the snapshot's ids, so that the plan's ids match.
Status LoadProvince(store::Database& db, const match::Snapshot& s) {
  const std::string now = date::NowRfc3339();
  std::map<int64_t, int64_t> pack_size;  // item -> pack
  std::set<int64_t> stations, items;
  for (const match::Need& n : s.needs) {
    pack_size[n.item_id] = n.pack_size;
    stations.insert(n.station_id);
  }
  for (const match::Lot& l : s.lots) {
    items.insert(l.item_id);
    for (int64_t st : l.earmark.station_ids) stations.insert(st);
  }
  for (const auto& [item, pack] : pack_size) items.insert(item);
  {
    BENCH_STMT(st, "INSERT INTO stations (id, name, district, created_at) VALUES (?, ?, 'd', ?)");
    for (int64_t id : stations) {
      st->Reset();
      st->Bind(1, id).Bind(2, "station " + std::to_string(id)).Bind(3, now);
      AIDLINK_RETURN_IF_ERROR(st->Run());
    }
  }
  {
    BENCH_STMT(st,
               "INSERT INTO items (id, code, name, category, unit, pack_size, perishable, "
               "created_at) VALUES (?, ?, ?, 'food', 'piece', ?, 0, ?)");
    for (int64_t id : items) {
      st->Reset();
      const int64_t pack = pack_size.count(id) ? std::max<int64_t>(1, pack_size[id]) : 1;
      st->Bind(1, id)
          .Bind(2, "ITEM-" + std::to_string(id))
          .Bind(3, "item " + std::to_string(id))
          .Bind(4, pack)
          .Bind(5, now);
      AIDLINK_RETURN_IF_ERROR(st->Run());
    }
  }
  {
    BENCH_STMT(st,
               "INSERT INTO depots (id, name, address, district, lat, lon, created_at) "
               "VALUES (?, ?, 'address', ?, ?, ?, ?)");
    for (const match::Depot& d : s.depots) {
      st->Reset();
      st->Bind(1, d.id)
          .Bind(2, "depot " + std::to_string(d.id))
          .Bind(3, d.district)
          .Bind(4, d.lat)
          .Bind(5, d.lon)
          .Bind(6, now);
      AIDLINK_RETURN_IF_ERROR(st->Run());
    }
  }
  AIDLINK_RETURN_IF_ERROR(
      db.Exec("INSERT INTO donors (id, name, kind, phone, note, created_at) VALUES "
              "(1, 'bench donor', 'charity', '', '', '" +
              now + "')"));
  {
    BENCH_STMT(req,
               "INSERT OR IGNORE INTO requesters (id, station_id, kind, name, contact_name, phone, "
               "address, district, lat, lon, household_size, tags, created_at) "
               "VALUES (?, ?, ?, 'household', '', '', 'address', ?, ?, ?, ?, ?, ?)");
    BENCH_STMT(need,
               "INSERT INTO needs (id, requester_id, item_id, quantity, urgency, needed_by, note, "
               "status, outstanding, allocated, delivered, cancelled, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, 0, ?, ?, ?)");
    for (const match::Need& n : s.needs) {
      req->Reset();
      req->Bind(1, n.requester_id)
          .Bind(2, n.station_id)
          .Bind(3, std::string(match::RequesterKindName(n.kind)))
          .Bind(4, n.district)
          .Bind(5, n.lat)
          .Bind(6, n.lon)
          .Bind(7, static_cast<int64_t>(n.household_size))
          .Bind(8, JoinTags(n.tags))
          .Bind(9, now);
      AIDLINK_RETURN_IF_ERROR(req->Run());
      // Earlier runs' fills are recorded as delivered, so the sums hold.
      need->Reset();
      need->Bind(1, n.id)
          .Bind(2, n.requester_id)
          .Bind(3, n.item_id)
          .Bind(4, n.quantity)
          .Bind(5, std::string(match::UrgencyName(n.urgency)));
      if (n.needed_by)
        need->Bind(6, date::FormatDate(*n.needed_by));
      else
        need->BindNull(6);
      need->Bind(7, n.filled > 0 ? "partial" : "open")
          .Bind(8, n.outstanding)
          .Bind(9, n.filled)
          .Bind(10, n.cancelled)
          .Bind(11, now);
      AIDLINK_RETURN_IF_ERROR(need->Run());
    }
  }
  {
    BENCH_STMT(st,
               "INSERT INTO lots (id, donor_id, item_id, depot_id, quantity, expires_on, "
               "earmark_districts, earmark_kinds, earmark_tags, earmark_stations, note, "
               "available, allocated, delivered, written_off, created_at) "
               "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0, 0, 0, ?)");
    for (const match::Lot& l : s.lots) {
      std::string districts, kinds, stations_list;
      for (const auto& d : l.earmark.districts) districts += (districts.empty() ? "" : "\x1f") + d;
      for (auto k : l.earmark.requester_kinds) {
        kinds += (kinds.empty() ? "" : "\x1f") + std::string(match::RequesterKindName(k));
      }
      for (int64_t id : l.earmark.station_ids) {
        stations_list += (stations_list.empty() ? "" : "\x1f") + std::to_string(id);
      }
      st->Reset();
      st->Bind(1, l.id).Bind(2, l.item_id).Bind(3, l.depot_id).Bind(4, l.available);
      if (l.expires_on)
        st->Bind(5, date::FormatDate(*l.expires_on));
      else
        st->BindNull(5);
      st->Bind(6, districts)
          .Bind(7, kinds)
          .Bind(8, JoinTags(l.earmark.tags))
          .Bind(9, stations_list)
          .Bind(10, l.available)
          .Bind(11, now);
      AIDLINK_RETURN_IF_ERROR(st->Run());
    }
  }
  return Status::Ok();
}

// Loads the province into a new database at `path` (closing it, so that it
// is one file) and prints how long that took.
Status CreateProvinceDb(const std::string& path, const match::Snapshot& snapshot) {
  store::StoreOptions options;
  options.path = path;
  auto store = store::Store::Open(options);
  if (!store.ok()) return store.status();
  const auto start = std::chrono::steady_clock::now();
  AIDLINK_RETURN_IF_ERROR(
      (*store)->Write([&](store::Database& db) { return LoadProvince(db, snapshot); }));
  std::printf("loaded: needs=%zu lots=%zu seconds=%.3f (set-up, not timed)\n",
              snapshot.needs.size(), snapshot.lots.size(), Seconds(start));
  return Status::Ok();
}

}  // namespace

int RunMatchCommit(uint64_t seed, int threads, const std::string& province_db) {
  const match::Snapshot snapshot = GenerateProvince(seed);
  match::Policy policy;
  policy.as_of = kProvinceAsOf;
  policy.threads = threads;
  const match::Plan plan = match::Allocate(snapshot, policy);

  const fs::path dir = fs::temp_directory_path() / ("aidlink-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "province.db").string();
  // A saved province (made by an earlier run with the same seed) saves the
  // loading time when measuring again and again; the commit is the same.
  Status s = Status::Ok();
  if (province_db.empty()) {
    s = CreateProvinceDb(path, snapshot);
  } else {
    if (!fs::exists(province_db)) s = CreateProvinceDb(province_db, snapshot);
    std::error_code ec;
    if (s.ok() && !fs::copy_file(province_db, path, ec)) s = Internal("copy: " + ec.message());
  }
  if (!s.ok()) {
    std::fprintf(stderr, "commit: loading the province failed: %s\n", s.ToString().c_str());
    return 1;
  }
  store::StoreOptions options;
  options.path = path;
  auto store = store::Store::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "commit: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const double cpu_start = CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  const store::RunRecord run =
      api::RunRecordOf(plan, date::FormatDate(policy.as_of), policy.min_shelf_days, {});
  const std::vector<store::PlannedAllocation> allocations = api::PlannedAllocations(plan, snapshot);
  s = (*store)->WriteAlone([&](store::Database& db) {
    return store::CommitRun(db, run, allocations, store::Actor{0, "bench"}).status();
  });
  const double seconds = Seconds(start);
  const double cpu_seconds = CpuSeconds() - cpu_start;
  if (!s.ok()) {
    std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
    return 1;
  }
  store->reset();
  fs::remove_all(dir);
  // CPU time is steadier than wall time on a shared machine; the difference
  // is mostly waiting for the disk (fsync) and for the CPU.
  std::printf("commit: allocations=%zu seconds=%.3f cpu_seconds=%.3f\n", plan.allocations.size(),
              seconds, cpu_seconds);
  return 0;
}

}  // namespace aidlink::bench
