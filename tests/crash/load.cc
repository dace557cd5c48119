#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <exception>
#include <random>
#include <stdexcept>
#include <thread>

#include "crash/journal.h"
#include "util/date.h"

namespace aidlink::crash {
namespace {

constexpr std::string_view kDistricts[] = {"江汉区", "武昌区"};
constexpr std::string_view kTags[] = {"elderly_alone", "chronic_illness", "disability",
                                      "low_income", "quarantined"};
constexpr std::string_view kUrgencies[] = {"critical", "high", "normal", "low"};

bool Ok(const test::Response& r) { return r.status >= 200 && r.status < 300; }

json::object Expect(const test::Response& r, std::string_view what) {
  if (!Ok(r)) throw std::runtime_error(std::string(what) + ": " + r.Describe());
  return ObjectOf(r);
}

}  // namespace

int64_t IntOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_string()) return std::stoll(std::string(v->get_string()));
  throw std::runtime_error("not an integer: " + std::string(key) + "=" + json::serialize(*v));
}

std::string StrOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return "";
  return std::string(v->get_string());
}

json::object ObjectOf(const test::Response& r) {
  json::value v = r.Json();
  if (!v.is_object()) throw std::runtime_error("answer is not a JSON object: " + r.Describe());
  return v.get_object();
}

Setup CreateSetup(test::HttpClient& http, const std::string& admin) {
  Setup s;
  s.admin = admin;
  s.today = date::Today();
  auto token = [&](json::object body) {
    return StrOf(Expect(http.Post("/v1/tokens", body, admin), "POST /v1/tokens"), "token");
  };
  s.dispatcher = token({{"role", "dispatcher"}, {"label", "崩溃测试调度台"}});
  const std::string& d = s.dispatcher;

  const json::object items[] = {
      {{"code", "CRASH-MASK"},
       {"name", "医用口罩"},
       {"category", "ppe"},
       {"unit", "piece"},
       {"pack_size", 10},
       {"perishable", false}},
      {{"code", "CRASH-EGG"},
       {"name", "鸡蛋"},
       {"category", "food"},
       {"unit", "piece"},
       {"pack_size", 6},
       {"perishable", true}},
      {{"code", "CRASH-BP"},
       {"name", "降压药"},
       {"category", "medicine"},
       {"unit", "box"},
       {"pack_size", 1},
       {"perishable", false}},
  };
  for (const auto& item : items) {
    s.items.push_back(IntOf(Expect(http.Post("/v1/items", item, d), "POST /v1/items"), "id"));
  }
  for (size_t i = 0; i < 2; ++i) {
    json::object depot = {{"name", i == 0 ? "江汉区物资仓库" : "武昌区爱心超市"},
                          {"address", i == 0 ? "新华路1号" : "中山路8号"},
                          {"district", kDistricts[i]}};
    s.depots.push_back(IntOf(Expect(http.Post("/v1/depots", depot, d), "POST /v1/depots"), "id"));
  }
  json::object donor = {
      {"name", "仁和大药房"}, {"kind", "enterprise"}, {"phone", "027-8888"}, {"note", "崩溃测试"}};
  s.donor_id = IntOf(Expect(http.Post("/v1/donors", donor, d), "POST /v1/donors"), "id");
  s.donor_token = token({{"role", "donor"}, {"donor_id", s.donor_id}, {"label", "仁和"}});

  for (size_t i = 0; i < 2; ++i) {
    Setup::Station st;
    json::object body = {{"name", i == 0 ? "民权街社工站" : "中华路社工站"},
                         {"district", kDistricts[i]}};
    st.id = IntOf(Expect(http.Post("/v1/stations", body, admin), "POST /v1/stations"), "id");
    st.token = token({{"role", "station"}, {"station_id", st.id}, {"label", "社工站"}});
    for (int h = 0; h < 8; ++h) {
      json::array tags;
      for (size_t t = 0; t < std::size(kTags); ++t) {
        if ((h + static_cast<int>(t)) % 3 == 0) tags.push_back(json::string(kTags[t]));
      }
      json::object req = {{"station_id", st.id},
                          {"kind", h == 7 ? "community" : "household"},
                          {"name", "住户" + std::to_string(i) + "-" + std::to_string(h)},
                          {"contact_name", "联系人"},
                          {"phone", "1380000" + std::to_string(1000 + h)},
                          {"address", "幸福里" + std::to_string(h + 1) + "幢"},
                          {"district", kDistricts[(i + static_cast<size_t>(h)) % 2]},
                          {"household_size", 1 + h % 5},
                          {"tags", tags}};
      st.requesters.push_back(
          IntOf(Expect(http.Post("/v1/requesters", req, st.token), "POST /v1/requesters"), "id"));
    }
    s.stations.push_back(std::move(st));
  }
  return s;
}

namespace {

// One client thread of the load. Every answer is classified: 2xx is
// acknowledged and recorded, 4xx rejected (a target in the wrong state),
// 5xx a server error; a transport failure leaves the write unknown.
class Worker {
 public:
  Worker(int index, uint16_t port, const Setup& setup, Journal& journal, uint64_t seed, int round)
      : index_(index), http_(port), setup_(setup), journal_(journal), rng_(seed), round_(round) {
    http_.set_timeout(std::chrono::seconds(20));
  }

  void Run(std::atomic<bool>& stop) {
    while (!stop.load()) {
      keyed_ = KeyedWrite{};
      try {
        Step();
      } catch (const std::exception& e) {
        std::lock_guard lock(journal_.mu);
        ++journal_.unknown;
        if (!keyed_.key.empty()) journal_.keyed_unknown.push_back(keyed_);
        if (!stop.load() && journal_.error_samples.size() < 5) {
          journal_.error_samples.push_back(std::string("transport error before the kill: ") +
                                           e.what());
        }
      }
    }
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int64_t>(v.size()) - 1))];
  }
  std::string Tag() {
    return "r" + std::to_string(round_) + "-w" + std::to_string(index_) + "-" +
           std::to_string(++seq_);
  }

  // Sends a POST; with `keyed`, under a fresh Idempotency-Key that is kept
  // so that the write can be sent again after the restart.
  test::Response Post(const std::string& target, const json::object& body, const std::string& token,
                      std::string_view kind, bool keyed) {
    const std::string text = json::serialize(body);
    test::Headers headers;
    if (keyed) {
      keyed_ = KeyedWrite{target, text, token, "crash-" + Tag(), std::string(kind), 0, 0};
      headers.emplace_back("Idempotency-Key", keyed_.key);
    }
    test::Response r = http_.PostRaw(target, text, token, headers);
    std::lock_guard lock(journal_.mu);
    if (Ok(r)) {
      ++journal_.acknowledged;
      ++journal_.acked_by_kind[std::string(kind)];
    } else if (r.status >= 500) {
      ++journal_.server_errors;
      if (journal_.error_samples.size() < 5)
        journal_.error_samples.push_back("POST " + target + " " + r.Describe());
    } else {
      ++journal_.rejected;
      ++journal_.rejected_by_kind[std::string(kind)];
    }
    return r;
  }

  void Step() {
    const int64_t op = Uniform(0, 99);
    if (op < 25) return CreateLot();
    if (op < 55) return CreateNeed();
    if (op < 63) return CancelNeed();
    if (op < 68) return WriteOff();
    if (op < 73) return MatchRun();
    if (op < 75) return Expire();
    if (op < 78) return CreateRoute();
    if (op < 81) return DispatchRoute();
    return DeliveryAction();
  }

  void CreateLot() {
    const bool as_donor = Chance(40);
    json::object body = {{"item_id", Pick(setup_.items)},
                         {"depot_id", Pick(setup_.depots)},
                         {"quantity", Uniform(10, 400)},
                         {"note", "crash-lot " + Tag()}};
    if (!as_donor) body["donor_id"] = setup_.donor_id;
    if (Chance(50)) body["expires_on"] = date::FormatDate(setup_.today + Uniform(1, 30));
    if (Chance(20)) {
      json::object earmark;
      if (Chance(50))
        earmark["districts"] = json::array{json::string(kDistricts[Uniform(0, 1)])};
      else
        earmark["tags"] = json::array{json::string(kTags[Uniform(0, 4)])};
      body["earmark"] = earmark;
    }
    const bool keyed = Chance(30);
    test::Response r =
        Post("/v1/lots", body, as_donor ? setup_.donor_token : setup_.dispatcher, "lot", keyed);
    if (Ok(r)) Record(r, keyed, "lot");
  }

  void CreateNeed() {
    const Setup::Station& st = setup_.stations[static_cast<size_t>(Uniform(0, 1))];
    json::object body = {{"requester_id", Pick(st.requesters)},
                         {"item_id", Pick(setup_.items)},
                         {"quantity", Uniform(1, 60)},
                         {"urgency", kUrgencies[Uniform(0, 3)]},
                         {"note", "crash-need " + Tag()}};
    if (Chance(40)) body["needed_by"] = date::FormatDate(setup_.today + Uniform(1, 10));
    const bool keyed = Chance(30);
    test::Response r =
        Post("/v1/needs", body, Chance(50) ? st.token : setup_.dispatcher, "need", keyed);
    if (Ok(r)) Record(r, keyed, "need");
  }

  void CancelNeed() {
    int64_t id = 0;
    {
      std::lock_guard lock(journal_.mu);
      const std::vector<int64_t>& ids = journal_.need_ids;
      if (ids.empty()) return;
      // Most needs are soon allocated by a run (then a cancel is refused):
      // aim mostly at the newest ones.
      const int64_t recent = std::min<int64_t>(static_cast<int64_t>(ids.size()), 20);
      id = Chance(70) ? ids[ids.size() - static_cast<size_t>(Uniform(1, recent))] : Pick(ids);
    }
    const bool keyed = Chance(30);
    test::Response r = Post("/v1/needs/" + std::to_string(id) + ":cancel",
                            {{"reason", "已搬离 " + Tag()}}, setup_.dispatcher, "cancel", keyed);
    if (Ok(r)) Record(r, keyed, "cancel");
  }

  void WriteOff() {
    int64_t id = 0;
    {
      std::lock_guard lock(journal_.mu);
      if (journal_.lot_ids.empty()) return;
      id = Pick(journal_.lot_ids);
    }
    test::Response r = Post("/v1/lots/" + std::to_string(id) + ":write_off",
                            {{"quantity", Uniform(1, 5)}, {"reason", "破损"}}, setup_.dispatcher,
                            "write_off", false);
    if (!Ok(r)) return;
    json::object lot = ObjectOf(r);
    std::lock_guard lock(journal_.mu);
    Raise(journal_.lot_written_off, id, IntOf(lot, "written_off"));
  }

  void Expire() {
    test::Response r =
        Post("/v1/lots:expire", {{"as_of", date::FormatDate(setup_.today + Uniform(1, 3))}},
             setup_.dispatcher, "expire", false);
    if (!Ok(r)) return;
    json::object out = ObjectOf(r);
    std::lock_guard lock(journal_.mu);
    if (const json::value* lots = out.if_contains("lots")) {
      for (const json::value& l : lots->as_array()) {
        Raise(journal_.lot_written_off, IntOf(l.as_object(), "id"),
              IntOf(l.as_object(), "written_off"));
      }
    }
  }

  void MatchRun() {
    json::object body = {{"dry_run", false}};
    if (Chance(30)) body["item_ids"] = json::array{Pick(setup_.items)};
    test::Response r = Post("/v1/match/runs", body, setup_.dispatcher, "run", false);
    if (!Ok(r)) return;
    json::object run = ObjectOf(r);
    const int64_t id = IntOf(run, "id");
    std::lock_guard lock(journal_.mu);
    journal_.runs[id] = run;
    if (const json::value* allocs = run.if_contains("allocations")) {
      for (const json::value& v : allocs->as_array()) {
        const json::object& a = v.as_object();
        const int64_t delivery = IntOf(a, "delivery_id");
        if (!journal_.deliveries.contains(delivery)) {
          journal_.deliveries[delivery] = DeliveryPromise{};
          journal_.open_deliveries.insert(delivery);
        }
        auto lot = journal_.lots.find(IntOf(a, "lot_id"));
        if (lot != journal_.lots.end()) {
          journal_.delivery_items[delivery][IntOf(lot->second, "item_id")] += IntOf(a, "quantity");
        }
      }
    }
  }

  void CreateRoute() {
    json::object body = {{"depot_id", Pick(setup_.depots)},
                         {"date", date::FormatDate(setup_.today + Uniform(0, 2))},
                         {"driver", "志愿者 " + Tag()}};
    if (Chance(30)) body["district"] = kDistricts[Uniform(0, 1)];
    if (Chance(50)) body["max_stops"] = Uniform(1, 20);
    test::Response r = Post("/v1/routes", body, setup_.dispatcher, "route", false);
    if (!Ok(r)) return;
    json::object route = ObjectOf(r);
    const int64_t id = IntOf(route, "id");
    std::lock_guard lock(journal_.mu);
    if (journal_.routes.emplace(id, route).second) journal_.route_ids.push_back(id);
  }

  void DispatchRoute() {
    int64_t id = 0;
    {
      std::lock_guard lock(journal_.mu);
      if (journal_.route_ids.empty()) return;
      id = Pick(journal_.route_ids);
    }
    test::Response r = Post("/v1/routes/" + std::to_string(id) + ":dispatch", json::object{},
                            setup_.dispatcher, "route_dispatch", false);
    if (!Ok(r)) return;
    json::object route = ObjectOf(r);
    std::lock_guard lock(journal_.mu);
    journal_.dispatched_routes.insert(id);
    std::erase(journal_.route_ids, id);  // a route leaves once
    if (const json::value* stops = route.if_contains("stops")) {
      for (const json::value& v : stops->as_array()) {
        const json::object& stop = v.as_object();
        auto it = journal_.deliveries.find(IntOf(stop, "delivery_id"));
        if (it != journal_.deliveries.end() && StrOf(stop, "status") == "dispatched") {
          it->second.rank = std::max(it->second.rank, 1);
        }
      }
    }
  }

  void DeliveryAction() {
    int64_t id = 0;
    int rank = 0;
    std::map<int64_t, int64_t> items;
    {
      std::lock_guard lock(journal_.mu);
      if (journal_.open_deliveries.empty()) return;
      auto it = journal_.open_deliveries.begin();
      std::advance(it, Uniform(0, static_cast<int64_t>(journal_.open_deliveries.size()) - 1));
      id = *it;
      rank = journal_.deliveries[id].rank;
      items = journal_.delivery_items[id];
    }
    const std::string base = "/v1/deliveries/" + std::to_string(id);
    const int64_t roll = Uniform(0, 99);
    test::Response r;
    if (rank == 0 && roll < 55) {
      r = Post(base + ":dispatch", json::object{}, setup_.dispatcher, "dispatch", false);
    } else if (roll < 70) {
      r = Post(base + ":fail", {{"reason", "不在家 " + Tag()}}, setup_.dispatcher, "fail", false);
    } else if (roll < 80) {
      r = Post(base + ":cancel", {{"reason", "取消 " + Tag()}}, setup_.dispatcher,
               "cancel_delivery", false);
    } else {
      json::object body = {{"received_by", "本人 " + Tag()}, {"note", "已签收"}};
      if (!items.empty() && Chance(50)) {
        json::array lines;
        for (const auto& [item, quantity] : items) {
          lines.push_back(json::object{{"item_id", item}, {"quantity", Uniform(0, quantity)}});
        }
        body["lines"] = lines;
      }
      r = Post(base + ":deliver", body, setup_.dispatcher, "deliver", false);
    }
    if (!Ok(r)) return;
    json::object d = ObjectOf(r);
    const std::string status = StrOf(d, "status");
    std::lock_guard lock(journal_.mu);
    DeliveryPromise& p = journal_.deliveries[id];
    if (status == "dispatched") {
      p.rank = std::max(p.rank, 1);
    } else if (status == "planned") {
      // An answer that leaves it planned promises nothing new.
    } else {
      p.rank = 2;
      p.outcome = d;
      journal_.open_deliveries.erase(id);
    }
  }

  // Records an acknowledged create or cancel.
  void Record(const test::Response& r, bool keyed, const std::string& kind) {
    json::object o = ObjectOf(r);
    const int64_t id = IntOf(o, "id");
    std::lock_guard lock(journal_.mu);
    if (keyed) {
      keyed_.status = r.status;
      keyed_.id = id;
      journal_.keyed_acked.push_back(keyed_);
    }
    RecordObject(journal_, kind, o);
  }

 public:
  // REQUIRES: journal.mu held.
  static void RecordObject(Journal& journal, const std::string& kind, const json::object& o) {
    const int64_t id = IntOf(o, "id");
    if (kind == "lot") {
      if (journal.lots.emplace(id, o).second) {
        journal.lot_ids.push_back(id);
        journal.round_lots.push_back(id);
      }
    } else if (kind == "need") {
      if (journal.needs.emplace(id, o).second) journal.need_ids.push_back(id);
    } else if (kind == "cancel") {
      Raise(journal.need_cancelled, id, IntOf(o, "cancelled"));
    }
  }

  static void Raise(std::map<int64_t, int64_t>& floors, int64_t id, int64_t value) {
    int64_t& f = floors[id];
    f = std::max(f, value);
  }

 private:
  const int index_;
  test::HttpClient http_;
  const Setup& setup_;
  Journal& journal_;
  std::mt19937_64 rng_;
  const int round_;
  int seq_ = 0;
  KeyedWrite keyed_;  // the keyed write in flight, if any
};

}  // namespace

void RunLoad(uint16_t port, const Setup& setup, Journal& journal, int workers, uint64_t seed,
             int round, std::atomic<bool>& stop) {
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&, i] {
      Worker w(i, port, setup, journal,
               seed * 1000003 + static_cast<uint64_t>(round) * 101 + static_cast<uint64_t>(i),
               round);
      w.Run(stop);
    });
  }
  for (auto& t : threads) t.join();
}

void RetryUnknownKeyed(test::HttpClient& http, Journal& journal) {
  std::vector<KeyedWrite> unknown;
  {
    std::lock_guard lock(journal.mu);
    unknown.swap(journal.keyed_unknown);
  }
  for (KeyedWrite& k : unknown) {
    test::Response r = http.PostRaw(k.target, k.body, k.token, {{"Idempotency-Key", k.key}});
    if (!Ok(r)) continue;
    json::object o = ObjectOf(r);
    std::lock_guard lock(journal.mu);
    ++journal.acknowledged;
    ++journal.retried;
    ++journal.acked_by_kind[k.kind];
    k.status = r.status;
    k.id = IntOf(o, "id");
    // Acknowledged now: a second replay must give the same answer.
    journal.keyed_acked.push_back(k);
    Worker::RecordObject(journal, k.kind, o);
  }
}

}  // namespace aidlink::crash
