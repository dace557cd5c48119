// A model-based test: seeded random sequences of dispatch operations against
// one running server, each answer applied to a small in-test model of lot
// and need quantities and deliveries, the server checked against the model
// after every step and the ledger report every 25 steps.
//
// AIDLINK_MODEL_STEPS (default 300) and AIDLINK_MODEL_SEED (default
// 20261122) make longer or different runs:
//   AIDLINK_MODEL_STEPS=5000 AIDLINK_MODEL_SEED=7 aidlink-dispatch-tests '[model]'
#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";
constexpr const char* kFirstGoodDay = "2026-11-02";  // as_of + min_shelf_days (1)

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::stoll(v);
}

struct MEarmark {
  std::vector<std::string> districts, kinds, tags;
  std::vector<int64_t> stations;
  bool any() const {
    return !districts.empty() || !kinds.empty() || !tags.empty() || !stations.empty();
  }
};
struct MRequester {
  int64_t station = 0;
  std::string district, kind;
  std::vector<std::string> tags;
};
struct MLot {
  int64_t item = 0, depot = 0;
  std::string expires_on;  // "" = never
  MEarmark earmark;
  LotQ q;
};

template <typename T>
bool Has(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// DESIGN: every list the earmark gives must admit the requester.
bool Admits(const MEarmark& e, const MRequester& r) {
  if (!e.districts.empty() && !Has(e.districts, r.district)) return false;
  if (!e.kinds.empty() && !Has(e.kinds, r.kind)) return false;
  if (!e.stations.empty() && !Has(e.stations, r.station)) return false;
  if (!e.tags.empty()) {
    bool any = false;
    for (const auto& t : r.tags) any = any || Has(e.tags, t);
    if (!any) return false;
  }
  return true;
}
struct MNeed {
  int64_t item = 0, requester = 0;
  NeedQ q;
};
struct MLine {
  int64_t lot = 0, need = 0, item = 0, quantity = 0;
  auto operator<=>(const MLine&) const = default;
};
struct MDelivery {
  int64_t requester = 0, depot = 0;
  std::string status = "planned";
  int64_t route = 0;
  std::vector<MLine> lines;
};
struct MRoute {
  std::vector<int64_t> deliveries;
  bool dispatched = false;
};

std::string ExpectedStatus(const NeedQ& q) {
  if (q.outstanding == 0 && q.allocated == 0) return q.cancelled > 0 ? "cancelled" : "fulfilled";
  if (q.outstanding == 0) return "allocated";
  if (q.allocated + q.delivered > 0) return "partial";
  return "open";
}

class Model {
 public:
  Model(Desk& d, uint64_t seed) : d_(d), rng_(seed) {}

  void Setup() {
    items_ = {d_.Item("大米", "kg", 1), d_.Item("鲜鸡蛋", "piece", 10, true),
              d_.Item("医用口罩", "piece", 5, false, "ppe")};
    pack_ = {{items_[0], 1}, {items_[1], 10}, {items_[2], 5}};
    depots_ = {d_.depot_id, d_.Depot("武昌区慈善超市", "武昌区中山路8号", "武昌区")};
    const int64_t station_b = d_.Station("武昌区中华路社工站", "武昌区");
    stations_ = {d_.station_id, station_b};
    const char* kKinds[] = {"household", "household", "community", "institution"};
    const char* kTags[] = {"elderly_alone", "disability", "low_income", "pregnant"};
    for (int i = 0; i < 8; ++i) {
      Household h;
      h.station_id = i % 2 ? station_b : d_.station_id;
      h.name = "模型住户" + std::to_string(i + 1);
      h.district = i % 2 ? "武昌区" : "江汉区";
      h.address = h.district + "幸福里" + std::to_string(12 - i) + "幢";
      h.household_size = 1 + i % 4;
      if (i % 3 == 0) h.tags = {kTags[i % 4]};
      if (i % 4 == 1) {
        h.lat = 30.55 + 0.01 * i;
        h.lon = 114.25 + 0.01 * i;
      }
      h.kind = kKinds[i % 4];
      const int64_t id = d_.Requester(h);
      requesters_.push_back(id);
      people_[id] = {h.station_id, h.district, h.kind, h.tags};
    }
  }

  void Run(int64_t steps, uint64_t seed) {
    for (step_ = 1; step_ <= steps; ++step_) {
      touched_lots_.clear();
      touched_needs_.clear();
      Step();
      INFO("seed " << seed << " step " << step_ << "\nrecent operations:\n" << Recent());
      CheckTouched();
      if (step_ % 25 == 0) {
        d_.RequireLedgerOk();
        CheckAll();
      }
    }
    INFO("seed " << seed << " at the end\nrecent operations:\n" << Recent());
    d_.RequireLedgerOk();
    CheckAll();
    std::ostringstream stats;
    for (const auto& [op, n] : op_counts_) stats << op << "=" << n << " ";
    WARN("model run: seed " << seed << ", " << steps << " steps, " << lots_.size() << " lots, "
                            << needs_.size() << " needs, " << deliveries_.size() << " deliveries, "
                            << routes_.size() << " routes; operations: " << stats.str());
  }

 private:
  template <typename T>
  T Pick(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  void Log(const std::string& s) {
    ++op_counts_[s.substr(0, s.find(' '))];
    recent_.push_back("#" + std::to_string(step_) + " " + s);
    if (recent_.size() > 12) recent_.pop_front();
  }
  std::string Recent() const {
    std::string out;
    for (const auto& s : recent_) out += s + "\n";
    return out;
  }

  void Step() {
    const int64_t r = Uniform(0, 99);
    if (r < 14) return LogLot();
    if (r < 34) return FileNeed();
    if (r < 40) return CancelNeed();
    if (r < 52) return MatchRun();
    if (r < 62) return CreateRoute();
    if (r < 68) return DispatchRoute();
    if (r < 81) return Deliver();
    if (r < 88) return FailOrCancel(Uniform(0, 3) != 0);
    if (r < 92) return Expire();
    return WriteOff();
  }

  void LogLot() {
    static const std::vector<std::string> kExpiry = {"",           "",           kFirstGoodDay,
                                                     "2026-11-05", "2026-11-10", "2026-12-31"};
    MLot l;
    l.item = Pick(items_);
    l.depot = Pick(depots_);
    l.expires_on = Pick(kExpiry);
    // A perishable item's lot always has a date (the API refuses one without).
    if (l.item == items_[1] && l.expires_on.empty()) l.expires_on = "2026-12-31";
    const int64_t qty = pack_[l.item] * Uniform(1, 8) + (Uniform(0, 3) == 0 ? Uniform(0, 4) : 0);
    json::object body{{"donor_id", d_.donor_id},
                      {"item_id", l.item},
                      {"depot_id", l.depot},
                      {"quantity", qty},
                      {"note", "模型"}};
    if (!l.expires_on.empty()) body["expires_on"] = l.expires_on;
    // A quarter of the lots are earmarked.
    switch (Uniform(0, 11)) {
      case 0:
        l.earmark.districts = {"武昌区"};
        break;
      case 1:
        l.earmark.kinds = {"community", "institution"};
        break;
      case 2:
        l.earmark.tags = {"elderly_alone", "disability"};
        break;
      case 3:
        l.earmark.stations = {stations_[0]};
        l.earmark.kinds = {"household"};
        break;
      default:
        break;
    }
    if (l.earmark.any()) {
      json::object e;
      auto strings = [](const std::vector<std::string>& v) {
        json::array a;
        for (const auto& x : v) a.push_back(json::string(x));
        return a;
      };
      e["districts"] = strings(l.earmark.districts);
      e["requester_kinds"] = strings(l.earmark.kinds);
      e["tags"] = strings(l.earmark.tags);
      json::array st;
      for (int64_t x : l.earmark.stations) st.push_back(x);
      e["station_ids"] = st;
      body["earmark"] = e;
    }
    const int64_t id = d_.f().CreateLot(d_.token(), body);
    l.q = {qty, qty, 0, 0, 0};
    lots_[id] = l;
    touched_lots_.insert(id);
    Log("lot " + std::to_string(id) + " item " + std::to_string(l.item) + " qty " +
        std::to_string(qty) + " expires " + l.expires_on + (l.earmark.any() ? " earmarked" : ""));
  }

  void FileNeed() {
    static const std::vector<std::string> kUrgency = {"critical", "high", "normal", "normal",
                                                      "low"};
    MNeed n;
    n.item = Pick(items_);
    n.requester = Pick(requesters_);
    const int64_t qty = Uniform(1, 40);
    const int64_t id = d_.Need(n.requester, n.item, qty, Pick(kUrgency));
    n.q = {qty, qty, 0, 0, 0};
    needs_[id] = n;
    touched_needs_.insert(id);
    Log("need " + std::to_string(id) + " item " + std::to_string(n.item) + " qty " +
        std::to_string(qty));
  }

  void CancelNeed() {
    if (needs_.empty()) return;
    auto it = std::next(needs_.begin(), static_cast<long>(rng_() % needs_.size()));
    MNeed& n = it->second;
    Response r = d_.http().Post("/v1/needs/" + std::to_string(it->first) + ":cancel",
                                json::object{{"reason", "已从别处领取"}}, d_.token());
    const bool can = n.q.allocated == 0 && n.q.outstanding > 0;
    Log("cancel_need " + std::to_string(it->first) + " -> " + std::to_string(r.status));
    INFO("need " << it->first << " model " << Describe(n.q));
    REQUIRE_STATUS(r, can ? 200 : 422);
    if (can) {
      n.q.cancelled += n.q.outstanding;
      n.q.outstanding = 0;
    }
    touched_needs_.insert(it->first);
  }

  bool Eligible(const MLot& l) const {
    return l.expires_on.empty() || l.expires_on >= kFirstGoodDay;
  }

  void MatchRun() {
    json::object run = d_.Match(kAsOf);
    const auto allocs = AllocsOf(run);
    Log("match -> " + std::to_string(allocs.size()) + " allocations");
    std::map<int64_t, std::vector<MLine>> by_delivery;
    std::map<std::pair<int64_t, int64_t>, int64_t> delivery_of_group;
    for (const Alloc& a : allocs) {
      INFO("allocation lot " << a.lot_id << " need " << a.need_id << " qty " << a.quantity
                             << " delivery " << a.delivery_id);
      REQUIRE(lots_.count(a.lot_id));
      REQUIRE(needs_.count(a.need_id));
      MLot& l = lots_[a.lot_id];
      MNeed& n = needs_[a.need_id];
      REQUIRE(l.item == n.item);
      REQUIRE(a.quantity > 0);
      REQUIRE(a.quantity <= l.q.available);
      REQUIRE(a.quantity <= n.q.outstanding);
      CHECK(Eligible(l));
      CHECK(Admits(l.earmark, people_[n.requester]));
      REQUIRE(deliveries_.count(a.delivery_id) == 0);
      // One delivery per (requester, depot) in a run.
      auto [g, fresh] = delivery_of_group.emplace(std::pair{n.requester, l.depot}, a.delivery_id);
      REQUIRE(g->second == a.delivery_id);
      l.q.available -= a.quantity;
      l.q.allocated += a.quantity;
      n.q.outstanding -= a.quantity;
      n.q.allocated += a.quantity;
      by_delivery[a.delivery_id].push_back({a.lot_id, a.need_id, l.item, a.quantity});
      touched_lots_.insert(a.lot_id);
      touched_needs_.insert(a.need_id);
    }
    std::set<int64_t> ids;
    for (const auto& [key, id] : delivery_of_group) REQUIRE(ids.insert(id).second);
    for (auto& [id, lines] : by_delivery) {
      MDelivery del;
      del.lines = lines;
      del.requester = needs_[lines[0].need].requester;
      del.depot = lots_[lines[0].lot].depot;
      deliveries_[id] = del;
    }
    // No idle stock for the item moved unit by unit: no rice need is left
    // wanting while a rice lot that may serve it still has stock.
    for (const auto& [nid, n] : needs_) {
      if (n.item != items_[0] || n.q.outstanding == 0) continue;
      for (const auto& [lid, l] : lots_) {
        if (l.item != items_[0] || l.q.available == 0 || !Eligible(l) ||
            !Admits(l.earmark, people_[n.requester]))
          continue;
        INFO("idle stock: rice lot " << lid << " has " << l.q.available << " while need " << nid
                                     << " wants " << n.q.outstanding);
        CHECK(false);
      }
    }
    // The stored run answers the same allocations.
    if (!allocs.empty() && Uniform(0, 3) == 0) {
      auto got =
          AllocsOf(d_.f().Fetch("/v1/match/runs/" + std::to_string(Id(run.at("id"))), d_.token()));
      auto want = allocs;
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      CHECK(got == want);
    }
  }

  std::vector<int64_t> Unrouted(int64_t depot) const {
    std::vector<int64_t> out;
    for (const auto& [id, del] : deliveries_) {
      if (del.depot == depot && del.status == "planned" && del.route == 0) out.push_back(id);
    }
    return out;
  }

  void CreateRoute() {
    const int64_t depot = Pick(depots_);
    const auto waiting = Unrouted(depot);
    json::object body{
        {"depot_id", depot}, {"date", "2026-11-02"}, {"driver", "志愿者" + std::to_string(step_)}};
    int64_t max_stops = 0;
    if (Uniform(0, 1)) {
      max_stops = Uniform(1, 4);
      body["max_stops"] = max_stops;
    }
    Response r = d_.http().Post("/v1/routes", body, d_.token());
    Log("route depot " + std::to_string(depot) + " max_stops " + std::to_string(max_stops) +
        " waiting " + std::to_string(waiting.size()) + " -> " + std::to_string(r.status));
    if (waiting.empty()) {
      REQUIRE_ERROR(r, 422, "");
      return;
    }
    REQUIRE_STATUS(r, 201);
    json::object route = r.Json().as_object();
    const int64_t id = Id(route.at("id"));
    MRoute mr;
    int64_t seq = 0;
    for (const json::value& v : Arr(route, "stops")) {
      const json::object& s = v.as_object();
      const int64_t del = IntOr(s, "delivery_id");
      INFO("stop " << json::serialize(s));
      REQUIRE(std::find(waiting.begin(), waiting.end(), del) != waiting.end());
      REQUIRE(deliveries_[del].route == 0);
      CHECK(IntOr(s, "seq") == ++seq);
      CHECK(IntOr(s, "requester_id") == deliveries_[del].requester);
      std::map<int64_t, int64_t> want, got;
      for (const MLine& l : deliveries_[del].lines) want[l.item] += l.quantity;
      for (const json::value& lv : Arr(s, "lines"))
        got[IntOr(lv.as_object(), "item_id")] += IntOr(lv.as_object(), "quantity");
      CHECK(got == want);
      deliveries_[del].route = id;
      mr.deliveries.push_back(del);
    }
    const size_t expected = max_stops
                                ? std::min<size_t>(static_cast<size_t>(max_stops), waiting.size())
                                : waiting.size();
    REQUIRE(mr.deliveries.size() == expected);
    routes_[id] = mr;
  }

  void DispatchRoute() {
    std::vector<int64_t> open;
    for (const auto& [id, r] : routes_) {
      if (!r.dispatched) open.push_back(id);
    }
    if (open.empty()) return;
    const int64_t id = Pick(open);
    Response r = d_.http().Post("/v1/routes/" + std::to_string(id) + ":dispatch", json::object{},
                                d_.token());
    Log("dispatch_route " + std::to_string(id) + " -> " + std::to_string(r.status));
    // A route whose every stop already has an outcome is completed: nothing to send.
    const bool completed = std::none_of(
        routes_[id].deliveries.begin(), routes_[id].deliveries.end(), [&](int64_t del) {
          return deliveries_[del].status == "planned" || deliveries_[del].status == "dispatched";
        });
    if (completed) {
      REQUIRE_STATUS(r, 422);
      routes_[id].dispatched = true;
      return;
    }
    REQUIRE_STATUS(r, 200);
    routes_[id].dispatched = true;
    for (int64_t del : routes_[id].deliveries) {
      if (deliveries_[del].status == "planned") deliveries_[del].status = "dispatched";
    }
    for (const json::value& v : Arr(r.Json().as_object(), "stops")) {
      const json::object& s = v.as_object();
      CHECK(StrOr(s, "status") == deliveries_[IntOr(s, "delivery_id")].status);
    }
  }

  std::vector<int64_t> OpenDeliveries() const {
    std::vector<int64_t> out;
    for (const auto& [id, del] : deliveries_) {
      if (del.status == "planned" || del.status == "dispatched") out.push_back(id);
    }
    return out;
  }

  // Applies the server's settled lines of delivery `id` to the model.
  void Settle(int64_t id, const json::object& answer, const std::string& status) {
    MDelivery& del = deliveries_[id];
    CHECK(StrOr(answer, "status") == status);
    std::vector<MLine> got;
    for (const json::value& v : Arr(answer, "lines")) {
      const json::object& l = v.as_object();
      const MLine line{IntOr(l, "lot_id"), IntOr(l, "need_id"), IntOr(l, "item_id"),
                       IntOr(l, "quantity")};
      const int64_t delivered = IntOr(l, "delivered"), returned = IntOr(l, "returned");
      INFO("line " << json::serialize(l));
      REQUIRE(delivered >= 0);
      REQUIRE(returned >= 0);
      REQUIRE(delivered + returned == line.quantity);
      got.push_back(line);
      MLot& lot = lots_[line.lot];
      MNeed& need = needs_[line.need];
      lot.q.allocated -= line.quantity;
      lot.q.delivered += delivered;
      lot.q.available += returned;
      need.q.allocated -= line.quantity;
      need.q.delivered += delivered;
      need.q.outstanding += returned;
      touched_lots_.insert(line.lot);
      touched_needs_.insert(line.need);
    }
    auto want = del.lines;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    REQUIRE(got == want);
    del.status = status;
  }

  void Deliver() {
    const auto open = OpenDeliveries();
    if (open.empty()) return;
    const int64_t id = Pick(open);
    MDelivery& del = deliveries_[id];
    std::map<int64_t, int64_t> allotted, taken;
    for (const MLine& l : del.lines) allotted[l.item] += l.quantity;
    json::object body{{"received_by", "家属代收"}, {"note", "第" + std::to_string(step_) + "步"}};
    const bool partial = Uniform(0, 1) == 1;
    if (partial) {
      json::array lines;
      for (const auto& [item, q] : allotted) {
        taken[item] = Uniform(0, q);
        lines.push_back(json::object{{"item_id", item}, {"quantity", taken[item]}});
      }
      body["lines"] = lines;
    } else {
      taken = allotted;
    }
    // Sometimes a station confirms receipt of its own household's delivery.
    const std::string& token = Uniform(0, 4) == 0 ? station_token_for(del) : d_.token();
    Response r = d_.http().Post("/v1/deliveries/" + std::to_string(id) + ":deliver", body, token);
    Log(std::string("deliver ") + std::to_string(id) + (partial ? " partly " : " all ") +
        json::serialize(body) + " -> " + std::to_string(r.status));
    REQUIRE_STATUS(r, 200);
    const json::object answer = r.Json().as_object();
    std::map<int64_t, int64_t> delivered;
    for (const json::value& v : Arr(answer, "lines")) {
      delivered[IntOr(v.as_object(), "item_id")] += IntOr(v.as_object(), "delivered");
    }
    for (auto& [item, q] : taken) {
      if (q == 0) delivered.emplace(item, 0);
    }
    CHECK(delivered == taken);
    Settle(id, answer, "delivered");
  }

  const std::string& station_token_for(const MDelivery& del) {
    // Requesters with even index belong to the desk's station A.
    for (size_t i = 0; i < requesters_.size(); ++i) {
      if (requesters_[i] == del.requester && i % 2 == 0) return d_.station_token;
    }
    return d_.token();
  }

  void FailOrCancel(bool fail) {
    const auto open = OpenDeliveries();
    if (open.empty()) return;
    const int64_t id = Pick(open);
    const std::string verb = fail ? "fail" : "cancel";
    Response r = d_.http().Post("/v1/deliveries/" + std::to_string(id) + ":" + verb,
                                json::object{{"reason", fail ? "不在家" : "重复申领"}}, d_.token());
    Log(verb + " " + std::to_string(id) + " -> " + std::to_string(r.status));
    REQUIRE_STATUS(r, 200);
    Settle(id, r.Json().as_object(), fail ? "failed" : "cancelled");
    for (const json::value& v : Arr(r.Json().as_object(), "lines"))
      CHECK(IntOr(v.as_object(), "delivered") == 0);
  }

  void Expire() {
    static const std::vector<std::string> kDays = {"2026-11-03", "2026-11-08", "2026-11-15"};
    const std::string as_of = Pick(kDays);
    std::set<int64_t> want;
    int64_t units = 0;
    for (const auto& [id, l] : lots_) {
      if (!l.expires_on.empty() && l.expires_on < as_of && l.q.available > 0) {
        want.insert(id);
        units += l.q.available;
      }
    }
    Response r = d_.http().Post("/v1/lots:expire", json::object{{"as_of", as_of}}, d_.token());
    Log("expire " + as_of + " expecting " + std::to_string(want.size()) + " lots, " +
        std::to_string(units) + " units -> " + std::to_string(r.status));
    REQUIRE_STATUS(r, 200);
    const json::object answer = r.Json().as_object();
    std::set<int64_t> got;
    for (const json::value& v : Arr(answer, "lots")) got.insert(IntOr(v.as_object(), "id"));
    REQUIRE(got == want);
    CHECK(IntOr(answer, "lots_expired") == static_cast<int64_t>(want.size()));
    CHECK(IntOr(answer, "units_written_off") == units);
    for (int64_t id : want) {
      MLot& l = lots_[id];
      l.q.written_off += l.q.available;
      l.q.available = 0;
      touched_lots_.insert(id);
    }
  }

  void WriteOff() {
    std::vector<int64_t> stocked;
    for (const auto& [id, l] : lots_) {
      if (l.q.available > 0) stocked.push_back(id);
    }
    if (stocked.empty()) return;
    const int64_t id = Pick(stocked);
    MLot& l = lots_[id];
    const bool too_much = Uniform(0, 5) == 0;
    const int64_t qty = too_much ? l.q.available + 1 : Uniform(1, l.q.available);
    Response r = d_.http().Post("/v1/lots/" + std::to_string(id) + ":write_off",
                                json::object{{"quantity", qty}, {"reason", "破损"}}, d_.token());
    Log("write_off " + std::to_string(id) + " qty " + std::to_string(qty) + " -> " +
        std::to_string(r.status));
    REQUIRE_STATUS(r, too_much ? 422 : 200);
    if (!too_much) {
      l.q.available -= qty;
      l.q.written_off += qty;
    }
    touched_lots_.insert(id);
  }

  void CheckLot(int64_t id, const json::object& got) {
    INFO("lot " << id << " server " << json::serialize(got) << " model " << Describe(lots_[id].q));
    REQUIRE(LotQOf(got) == lots_[id].q);
  }
  void CheckNeed(int64_t id, const json::object& got) {
    INFO("need " << id << " server " << json::serialize(got) << " model "
                 << Describe(needs_[id].q));
    REQUIRE(NeedQOf(got) == needs_[id].q);
    REQUIRE(StrOr(got, "status") == ExpectedStatus(needs_[id].q));
  }

  void CheckTouched() {
    for (int64_t id : touched_lots_) CheckLot(id, d_.GetLot(id));
    for (int64_t id : touched_needs_) CheckNeed(id, d_.GetNeed(id));
  }

  void CheckAll() {
    size_t lots = 0, needs = 0;
    for (const json::object& l : d_.f().ListAll("/v1/lots", d_.token(), 200)) {
      CheckLot(IntOr(l, "id"), l);
      ++lots;
    }
    for (const json::object& n : d_.f().ListAll("/v1/needs", d_.token(), 200)) {
      CheckNeed(IntOr(n, "id"), n);
      ++needs;
    }
    REQUIRE(lots == lots_.size());
    REQUIRE(needs == needs_.size());
    // Deliveries' statuses as the model has them.
    size_t deliveries = 0;
    for (const json::object& del : d_.f().ListAll("/v1/deliveries", d_.token(), 200)) {
      const int64_t id = IntOr(del, "id");
      INFO("delivery " << json::serialize(del));
      REQUIRE(deliveries_.count(id));
      CHECK(StrOr(del, "status") == deliveries_[id].status);
      CHECK(IntOr(del, "route_id") == deliveries_[id].route);
      ++deliveries;
    }
    REQUIRE(deliveries == deliveries_.size());
  }

  Desk& d_;
  std::mt19937_64 rng_;
  int64_t step_ = 0;
  std::vector<int64_t> items_, depots_, requesters_, stations_;
  std::map<int64_t, MRequester> people_;
  std::map<int64_t, int64_t> pack_;
  std::map<int64_t, MLot> lots_;
  std::map<int64_t, MNeed> needs_;
  std::map<int64_t, MDelivery> deliveries_;
  std::map<int64_t, MRoute> routes_;
  std::set<int64_t> touched_lots_, touched_needs_;
  std::deque<std::string> recent_;
  std::map<std::string, int> op_counts_;
};

}  // namespace

TEST_CASE("Random dispatch operations keep lots, needs and deliveries as a simple model predicts",
          "[dispatch][model]") {
  const int64_t steps = EnvInt("AIDLINK_MODEL_STEPS", 300);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("AIDLINK_MODEL_SEED", 20261122));
  TestServer server;
  Desk d(server);
  Model model(d, seed);
  model.Setup();
  model.Run(steps, seed);
}

}  // namespace aidlink::test::dispatch
