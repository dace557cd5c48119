// POST /v1/match/runs and GET /v1/match/runs/{id} through HTTP.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "dispatch/desk.h"
#include "support/db_rows.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kAsOf = "2026-11-01";

// The eggs example of DESIGN rule 3: 100 eggs in packs of 10 against needs
// of 100, 50 (two tags) and 50 from three households of the same size.
struct Eggs {
  int64_t item = 0, lot = 0;
  int64_t need_a = 0, need_b = 0, need_c = 0;
  int64_t requester_a = 0, requester_b = 0, requester_c = 0;
};

Eggs MakeEggs(Desk& d) {
  Eggs e;
  e.item = d.Item("鲜鸡蛋", "piece", 10, true);
  e.lot = d.Lot(e.item, 100, "2026-12-31");
  Household a{.name = "刘大爷", .address = "江汉区幸福里1幢101", .household_size = 3};
  Household b{.name = "陈奶奶",
              .address = "江汉区幸福里2幢202",
              .household_size = 3,
              .tags = {"elderly_alone", "chronic_illness"}};
  Household c{.name = "周师傅", .address = "江汉区幸福里4幢303", .household_size = 3};
  e.requester_a = d.Requester(a);
  e.requester_b = d.Requester(b);
  e.requester_c = d.Requester(c);
  e.need_a = d.Need(e.requester_a, e.item, 100);
  e.need_b = d.Need(e.requester_b, e.item, 50);
  e.need_c = d.Need(e.requester_c, e.item, 50);
  return e;
}

std::map<int64_t, int64_t> PerNeed(const std::vector<Alloc>& allocs) {
  std::map<int64_t, int64_t> out;
  for (const Alloc& a : allocs) out[a.need_id] += a.quantity;
  return out;
}

std::map<std::string, int64_t> MatchTables(const std::string& db) {
  std::map<std::string, int64_t> out;
  for (const char* t : {"allocations", "deliveries", "match_runs", "events", "lots", "needs"}) {
    out[t] = CountRows(db, t);
  }
  return out;
}

}  // namespace

TEST_CASE("A dry match run of the eggs example answers 50, 30 and 20 and writes nothing",
          "[dispatch][match]") {
  TestServer server;
  Desk d(server);
  Eggs e = MakeEggs(d);
  const auto before = MatchTables(server.db_path());

  Response r =
      d.http().Post("/v1/match/runs", json::object{{"dry_run", true}, {"as_of", kAsOf}}, d.token());
  REQUIRE_STATUS(r, 200);
  json::object run = r.Json().as_object();
  CHECK(run.at("dry_run").as_bool());
  CHECK(StrOr(run, "as_of") == kAsOf);
  auto per_need = PerNeed(AllocsOf(run));
  CHECK(per_need[e.need_a] == 50);
  CHECK(per_need[e.need_b] == 30);
  CHECK(per_need[e.need_c] == 20);
  for (const Alloc& a : AllocsOf(run)) CHECK(a.lot_id == e.lot);
  const json::object& stats = run.at("stats").as_object();
  CHECK(IntOr(stats, "units_allocated") == 100);
  CHECK(IntOr(stats, "needs_considered") == 3);
  CHECK(IntOr(stats, "lots_considered") == 1);
  CHECK(IntOr(stats, "needs_partial") == 3);
  // Every need is left partly unmet, and each says why.
  std::set<int64_t> unmet;
  for (const json::value& v : Arr(run, "unmet")) {
    const json::object& u = v.as_object();
    unmet.insert(IntOr(u, "need_id"));
    CHECK_FALSE(StrOr(u, "reason").empty());
  }
  CHECK(unmet == std::set<int64_t>{e.need_a, e.need_b, e.need_c});

  const auto after = MatchTables(server.db_path());
  CHECK(after == before);
  CHECK(d.LotQuantities(e.lot) == LotQ{100, 100, 0, 0, 0});
  CHECK(d.NeedQuantities(e.need_a) == NeedQ{100, 100, 0, 0, 0});
  CHECK(StrOr(d.GetNeed(e.need_a), "status") == "open");
}

TEST_CASE(
    "A committed match run moves stock to allocated and plans one delivery per household and depot",
    "[dispatch][match]") {
  TestServer server;
  Desk d(server);
  Eggs e = MakeEggs(d);
  // A second depot with more eggs for household C only (earmarked), and a
  // second item for household A, so deliveries group by (requester, depot).
  const int64_t depot2 = d.Depot("武昌区慈善超市", "武昌区中山路8号", "武昌区");
  json::object earmarked{
      {"donor_id", d.donor_id},     {"item_id", e.item},
      {"depot_id", depot2},         {"quantity", 10},
      {"expires_on", "2026-12-31"}, {"earmark", json::object{{"districts", json::array{"武昌区"}}}},
      {"note", "武昌区定向"}};
  const int64_t lot2 = d.f().CreateLot(d.token(), earmarked);
  Household c2{.name = "吴阿婆", .address = "武昌区和平里7幢", .district = "武昌区"};
  const int64_t requester_w = d.Requester(c2);
  const int64_t need_w = d.Need(requester_w, e.item, 10);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t rice_lot = d.Lot(rice, 5);
  const int64_t need_rice = d.Need(e.requester_a, rice, 2, "high");

  json::object run = d.Match(kAsOf);
  const int64_t run_id = Id(run.at("id"));
  CHECK_FALSE(run.at("dry_run").as_bool());
  const auto allocs = AllocsOf(run);
  auto per_need = PerNeed(allocs);
  CHECK(per_need[e.need_a] == 50);
  CHECK(per_need[e.need_b] == 30);
  CHECK(per_need[e.need_c] == 20);
  CHECK(per_need[need_w] == 10);
  CHECK(per_need[need_rice] == 2);
  for (const Alloc& a : allocs) {
    CHECK(a.delivery_id > 0);
    if (a.need_id == need_w) CHECK(a.lot_id == lot2);
  }
  for (const json::value& v : Arr(run, "allocations")) {
    CHECK_FALSE(Arr(v.as_object(), "reasons").empty());
  }

  // Lots: available -> allocated; needs: outstanding -> allocated.
  CHECK(d.LotQuantities(e.lot) == LotQ{100, 0, 100, 0, 0});
  CHECK(d.LotQuantities(lot2) == LotQ{10, 0, 10, 0, 0});
  CHECK(d.LotQuantities(rice_lot) == LotQ{5, 3, 2, 0, 0});
  CHECK(d.NeedQuantities(e.need_a) == NeedQ{100, 50, 50, 0, 0});
  CHECK(d.NeedQuantities(e.need_c) == NeedQ{50, 30, 20, 0, 0});
  CHECK(d.NeedQuantities(need_w) == NeedQ{10, 0, 10, 0, 0});
  CHECK(StrOr(d.GetNeed(e.need_a), "status") == "partial");
  CHECK(StrOr(d.GetNeed(need_w), "status") == "allocated");
  CHECK(StrOr(d.GetNeed(need_rice), "status") == "allocated");

  // One planned delivery per (requester, depot): A (eggs + rice, depot 1),
  // B, C at depot 1, W at depot 2.
  std::map<std::pair<int64_t, int64_t>, std::set<int64_t>> groups;
  std::map<int64_t, std::set<int64_t>> needs_of_delivery;
  for (const Alloc& a : allocs) needs_of_delivery[a.delivery_id].insert(a.need_id);
  CHECK(needs_of_delivery.size() == 4);
  auto deliveries = d.f().ListAll("/v1/deliveries", d.token());
  CHECK(deliveries.size() == 4);
  for (const json::object& del : deliveries) {
    CHECK(StrOr(del, "status") == "planned");
    CHECK(IntOr(del, "run_id") == run_id);
    groups[{IntOr(del, "requester_id"), IntOr(del, "depot_id")}].insert(IntOr(del, "id"));
    std::set<int64_t> line_needs;
    for (const json::value& l : Arr(del, "lines"))
      line_needs.insert(IntOr(l.as_object(), "need_id"));
    CHECK(line_needs == needs_of_delivery[IntOr(del, "id")]);
  }
  CHECK(groups.size() == 4);
  CHECK(groups.count({e.requester_a, d.depot_id}) == 1);
  CHECK(groups.count({requester_w, depot2}) == 1);
  CHECK(needs_of_delivery[*groups[{e.requester_a, d.depot_id}].begin()] ==
        std::set<int64_t>{e.need_a, need_rice});

  // GET /v1/match/runs/{id} answers the same allocations.
  json::object got = d.f().Fetch("/v1/match/runs/" + std::to_string(run_id), d.token());
  auto got_allocs = AllocsOf(got);
  auto sorted = allocs;
  std::sort(sorted.begin(), sorted.end());
  std::sort(got_allocs.begin(), got_allocs.end());
  CHECK(got_allocs == sorted);
  CHECK(IntOr(got.at("stats").as_object(), "units_allocated") == 112);
  d.RequireLedgerOk();

  // A second run finds nothing more to give and plans no deliveries.
  json::object second = d.Match(kAsOf);
  CHECK(AllocsOf(second).empty());
  CHECK(d.f().ListAll("/v1/deliveries", d.token()).size() == 4);
}

TEST_CASE("Only the dispatcher runs or reads matches; stations and donors get 403",
          "[dispatch][match][authz]") {
  TestServer server;
  Desk d(server);
  Eggs e = MakeEggs(d);
  json::object run = d.Match(kAsOf);
  const std::string path = "/v1/match/runs/" + std::to_string(Id(run.at("id")));
  for (const std::string& token : {d.station_token, d.donor_token}) {
    const auto before = MatchTables(server.db_path());
    for (bool dry : {true, false}) {
      Response r =
          d.http().Post("/v1/match/runs", json::object{{"dry_run", dry}, {"as_of", kAsOf}}, token);
      CHECK_ERROR(r, 403, "");
    }
    CHECK_ERROR(d.http().Get(path, token), 403, "");
    CHECK(MatchTables(server.db_path()) == before);
  }
  CHECK_ERROR(d.http().Post("/v1/match/runs", json::object{{"dry_run", true}}), 401, "");
  CHECK_ERROR(d.http().Get("/v1/match/runs/999999", d.token()), 404, "");
  CHECK(d.LotQuantities(e.lot).allocated == 100);
}

TEST_CASE("Bad match run inputs answer 400 naming the field and change nothing",
          "[dispatch][match][validation]") {
  TestServer server;
  Desk d(server);
  MakeEggs(d);
  const auto before = MatchTables(server.db_path());
  struct Case {
    json::object body;
    const char* field;
  };
  const std::vector<Case> cases = {
      {{{"dry_run", false}, {"as_of", "2026-02-30"}}, "as_of"},
      {{{"dry_run", false}, {"as_of", "2026-13-01"}}, "as_of"},
      {{{"dry_run", false}, {"as_of", "1 Nov 2026"}}, "as_of"},
      {{{"dry_run", false}, {"item_ids", json::array{"x"}}}, "item_ids"},
      {{{"dry_run", false}, {"item_ids", json::array{-3}}}, "item_ids"},
      {{{"dry_run", false}, {"min_shelf_days", -1}}, "min_shelf_days"},
      {{{"dry_run", true}, {"min_shelf_days", -1}}, "min_shelf_days"},
      {{{"dry_run", true}, {"min_shelf_days", 3651}}, "min_shelf_days"},
  };
  for (const Case& c : cases) {
    INFO("body " << json::serialize(c.body));
    CHECK_ERROR(d.http().Post("/v1/match/runs", c.body, d.token()), 400, c.field);
  }
  json::array many;
  for (int i = 1; i <= 101; ++i) many.push_back(i);
  CHECK_ERROR(d.http().Post("/v1/match/runs", json::object{{"dry_run", false}, {"item_ids", many}},
                            d.token()),
              400, "item_ids");
  CHECK_ERROR(d.http().PostRaw("/v1/match/runs", "{\"dry_run\": false, \"as_of\": ", d.token()),
              400, "");
  CHECK(MatchTables(server.db_path()) == before);
}

TEST_CASE("Match runs committed while lots, needs, cancels and write-offs race never over-allocate",
          "[dispatch][match][concurrency]") {
  TestServer server(TestServerOptions{.threads = 4});
  Desk d(server);
  const int64_t masks = d.Item("医用口罩", "piece", 10, false, "ppe");
  const int64_t rice = d.Item("大米", "kg", 1);
  const std::vector<int64_t> items = {masks, rice};
  std::vector<int64_t> requesters;
  for (int i = 0; i < 12; ++i) {
    requesters.push_back(d.Requester({.name = "住户" + std::to_string(i),
                                      .address = "江汉区幸福里" + std::to_string(i + 1) + "幢",
                                      .household_size = 1 + i % 4}));
  }
  std::vector<int64_t> seed_lots;
  for (int64_t item : items) seed_lots.push_back(d.Lot(item, 200, "2027-03-01"));
  for (int i = 0; i < 20; ++i) {
    d.Need(requesters[static_cast<size_t>(i) % requesters.size()],
           items[static_cast<size_t>(i) % 2], 15 + i);
  }

  const uint16_t port = server.port();
  const std::string token = d.token();
  const int64_t donor = d.donor_id, depot = d.depot_id;
  std::atomic<int> runs_committed{0}, runs_refused{0}, unexpected{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> problems;
  auto note = [&](const std::string& what, const Response& r) {
    std::lock_guard<std::mutex> lock(mu);
    problems.push_back(what + " -> " + r.Describe());
    ++unexpected;
  };

  auto writer = [&](unsigned seed) {
    HttpClient http(port);
    std::mt19937 rng(seed);
    std::vector<int64_t> my_lots, my_needs;
    for (int step = 0; step < 40; ++step) {
      const int64_t item = items[rng() % 2];
      switch (rng() % 4) {
        case 0: {
          Response r = http.Post("/v1/lots",
                                 json::object{{"donor_id", donor},
                                              {"item_id", item},
                                              {"depot_id", depot},
                                              {"quantity", 1 + static_cast<int64_t>(rng() % 60)},
                                              {"expires_on", "2027-01-15"},
                                              {"note", "并发"}},
                                 token);
          if (r.status != 201)
            note("POST lot", r);
          else
            my_lots.push_back(IdOf(r));
          break;
        }
        case 1: {
          Response r =
              http.Post("/v1/needs",
                        json::object{{"requester_id", requesters[rng() % requesters.size()]},
                                     {"item_id", item},
                                     {"quantity", 1 + static_cast<int64_t>(rng() % 40)},
                                     {"urgency", (rng() % 2) ? "normal" : "high"}},
                        token);
          if (r.status != 201)
            note("POST need", r);
          else
            my_needs.push_back(IdOf(r));
          break;
        }
        case 2: {
          if (my_needs.empty()) break;
          const int64_t id = my_needs[rng() % my_needs.size()];
          Response r = http.Post("/v1/needs/" + std::to_string(id) + ":cancel",
                                 json::object{{"reason", "已从别处领取"}}, token);
          // 422 when the need already has stock on a planned delivery.
          if (r.status != 200 && r.status != 422) note("cancel need", r);
          break;
        }
        case 3: {
          std::vector<int64_t> pool = my_lots.empty() ? seed_lots : my_lots;
          const int64_t id = pool[rng() % pool.size()];
          Response r = http.Post(
              "/v1/lots/" + std::to_string(id) + ":write_off",
              json::object{{"quantity", 1 + static_cast<int64_t>(rng() % 5)}, {"reason", "破损"}},
              token);
          if (r.status != 200 && r.status != 422) note("write off", r);
          break;
        }
      }
    }
  };
  auto matcher = [&]() {
    HttpClient http(port);
    while (!stop.load()) {
      Response r =
          http.Post("/v1/match/runs", json::object{{"dry_run", false}, {"as_of", kAsOf}}, token);
      if (r.status == 201)
        ++runs_committed;
      else if (r.status == 409)
        ++runs_refused;
      else
        note("match run", r);
    }
  };
  {
    std::vector<std::thread> matchers, writers;
    for (int i = 0; i < 2; ++i) matchers.emplace_back(matcher);
    for (unsigned i = 0; i < 3; ++i) writers.emplace_back(writer, 1000 + i);
    for (auto& t : writers) t.join();
    stop = true;
    for (auto& t : matchers) t.join();
  }
  INFO("problems: " << (problems.empty() ? std::string("none") : problems.front()));
  CHECK(unexpected == 0);
  WARN("concurrent match runs: " << runs_committed << " committed, " << runs_refused
                                 << " refused (409)");
  CHECK(runs_committed > 0);

  d.RequireLedgerOk();
  const std::string db = server.db_path();
  // No lot gave out more than it received; quantities add up.
  CHECK(
      QueryInt(db,
               "SELECT count(*) FROM lots WHERE allocated + delivered > quantity OR available < 0 "
               "OR available + allocated + delivered + written_off != quantity") == 0);
  CHECK(QueryInt(
            db,
            "SELECT count(*) FROM needs WHERE outstanding < 0 OR allocated + delivered > quantity "
            "OR outstanding + allocated + delivered + cancelled != quantity") == 0);
  // Every lot's and need's allocated quantity is the sum of its allocations on
  // open deliveries, and each allocation joins a lot and a need of one item.
  CHECK(QueryInt(
            db,
            "SELECT count(*) FROM lots l WHERE l.allocated != (SELECT ifnull(sum(a.quantity), 0) "
            "FROM allocations a JOIN deliveries d ON d.id = a.delivery_id WHERE a.lot_id = l.id "
            "AND d.status IN ('planned', 'dispatched'))") == 0);
  CHECK(QueryInt(
            db,
            "SELECT count(*) FROM needs n WHERE n.allocated != (SELECT ifnull(sum(a.quantity), 0) "
            "FROM allocations a JOIN deliveries d ON d.id = a.delivery_id WHERE a.need_id = n.id "
            "AND d.status IN ('planned', 'dispatched'))") == 0);
  CHECK(
      QueryInt(db,
               "SELECT count(*) FROM allocations a JOIN lots l ON l.id = a.lot_id JOIN needs n ON "
               "n.id = a.need_id WHERE l.item_id != n.item_id OR a.quantity <= 0") == 0);
  // The same through the API for every lot and need.
  for (const json::object& lot : d.f().ListAll("/v1/lots", d.token())) {
    LotQ q = LotQOf(lot);
    INFO("lot " << json::serialize(lot));
    CHECK(q.allocated + q.delivered <= q.quantity);
    CHECK(q.available + q.allocated + q.delivered + q.written_off == q.quantity);
  }
  for (const json::object& need : d.f().ListAll("/v1/needs", d.token())) {
    NeedQ q = NeedQOf(need);
    INFO("need " << json::serialize(need));
    CHECK(q.outstanding + q.allocated + q.delivered + q.cancelled == q.quantity);
  }
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("Each allocation of a committed run names the delivery of its own household and depot",
          "[dispatch][match]") {
  TestServer server;
  Desk d(server);
  const int64_t depot2 = d.Depot("武昌区慈善超市", "武昌区中山路8号", "武昌区");
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t oil = d.Item("食用油", "bottle", 1);
  // Lots created in the opposite order of their expiry, at two depots, so a
  // need is served by several lots and FEFO order differs from id order.
  std::map<int64_t, int64_t> depot_of;
  const int64_t l1 = d.Lot(rice, 5, "2027-12-31");
  const int64_t l2 = d.Lot(rice, 5, "2026-12-01", depot2);
  const int64_t l3 = d.Lot(rice, 5, "2026-11-20");
  const int64_t l4 = d.Lot(oil, 3, "2027-05-01", depot2);
  const int64_t l5 = d.Lot(oil, 3, "2026-11-25");
  depot_of = {{l1, d.depot_id}, {l2, depot2}, {l3, d.depot_id}, {l4, depot2}, {l5, d.depot_id}};
  const int64_t a = d.Requester({.name = "甲户", .address = "江汉区幸福里1幢"});
  const int64_t b =
      d.Requester({.name = "乙户", .address = "武昌区和平里2幢", .district = "武昌区"});
  std::map<int64_t, int64_t> requester_of;
  requester_of[d.Need(a, rice, 8)] = a;
  requester_of[d.Need(b, rice, 7)] = b;
  requester_of[d.Need(a, oil, 4)] = a;
  requester_of[d.Need(b, oil, 2)] = b;

  json::object run = d.Match(kAsOf);
  const auto allocs = AllocsOf(run);
  REQUIRE(allocs.size() >= 5);
  for (const Alloc& al : allocs) {
    INFO("allocation lot " << al.lot_id << " need " << al.need_id << " delivery "
                           << al.delivery_id);
    json::object del = d.GetDelivery(al.delivery_id);
    CHECK(IntOr(del, "depot_id") == depot_of[al.lot_id]);
    CHECK(IntOr(del, "requester_id") == requester_of[al.need_id]);
    bool on_it = false;
    for (const json::value& v : Arr(del, "lines")) {
      const json::object& l = v.as_object();
      on_it = on_it || (IntOr(l, "lot_id") == al.lot_id && IntOr(l, "need_id") == al.need_id &&
                        IntOr(l, "quantity") == al.quantity);
    }
    CHECK(on_it);
  }
  auto got = AllocsOf(d.f().Fetch("/v1/match/runs/" + std::to_string(Id(run.at("id"))), d.token()));
  auto want = allocs;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CHECK(got == want);
}

TEST_CASE(
    "A match run limited by item_ids and min_shelf_days leaves other stock alone and says why",
    "[dispatch][match]") {
  TestServer server;
  Desk d(server);
  const int64_t milk = d.Item("纯牛奶", "box", 1, true);
  const int64_t rice = d.Item("大米", "kg", 1);
  const int64_t milk_lot = d.Lot(milk, 10, "2026-11-04");
  const int64_t rice_lot = d.Lot(rice, 10);
  const int64_t r = d.Requester({.name = "丙户", .address = "江汉区幸福里5幢"});
  const int64_t milk_need = d.Need(r, milk, 4);
  const int64_t rice_need = d.Need(r, rice, 4);

  // Milk expiring on the 4th is too close for 5 days of shelf life.
  Response dry = d.http().Post(
      "/v1/match/runs", json::object{{"dry_run", true}, {"as_of", kAsOf}, {"min_shelf_days", 5}},
      d.token());
  REQUIRE_STATUS(dry, 200);
  std::map<int64_t, std::string> reason;
  for (const json::value& v : Arr(dry.Json().as_object(), "unmet")) {
    reason[IntOr(v.as_object(), "need_id")] = StrOr(v.as_object(), "reason");
  }
  CHECK(reason[milk_need] == "only_expiring_stock");
  for (const Alloc& a : AllocsOf(dry.Json().as_object())) CHECK(a.lot_id == rice_lot);

  Response only_milk = d.http().Post(
      "/v1/match/runs",
      json::object{{"dry_run", false}, {"as_of", kAsOf}, {"item_ids", json::array{milk}}},
      d.token());
  REQUIRE_STATUS(only_milk, 201);
  for (const Alloc& a : AllocsOf(only_milk.Json().as_object())) CHECK(a.lot_id == milk_lot);
  CHECK(d.NeedQuantities(milk_need) == NeedQ{4, 0, 4, 0, 0});
  CHECK(d.NeedQuantities(rice_need) == NeedQ{4, 4, 0, 0, 0});
  CHECK(d.LotQuantities(rice_lot) == LotQ{10, 10, 0, 0, 0});
  json::object stored = d.f().Fetch("/v1/match/runs/" + std::to_string(IdOf(only_milk)), d.token());
  auto ids = Arr(stored, "item_ids");
  REQUIRE(ids.size() == 1);
  CHECK(Id(ids[0]) == milk);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("A need due tomorrow is served before a more urgent-looking need without a deadline",
          "[dispatch][match]") {
  TestServer server;
  Desk d(server);
  const int64_t pills = d.Item("降压药", "box", 1, false, "medicine");
  d.Lot(pills, 1, "2027-06-30");
  const int64_t r1 = d.Requester({.name = "先申请的住户", .address = "江汉区幸福里1幢"});
  const int64_t r2 = d.Requester({.name = "药快吃完的金老伯", .address = "江汉区幸福里3幢"});
  const int64_t early_high = d.Need(r1, pills, 1, "high");
  const int64_t due = d.Need(r2, pills, 1, "low", std::string("2026-11-02"), "药只够吃一天");
  json::object run = d.Match(kAsOf);
  auto allocs = AllocsOf(run);
  REQUIRE(allocs.size() == 1);
  CHECK(allocs[0].need_id == due);
  std::map<int64_t, std::string> unmet;
  for (const json::value& v : Arr(run, "unmet"))
    unmet[IntOr(v.as_object(), "need_id")] = StrOr(v.as_object(), "reason");
  CHECK(unmet.count(early_high) == 1);
  CHECK_FALSE(unmet[early_high].empty());
  // The stored run keeps the stats and the unmet reasons.
  json::object stored =
      d.f().Fetch("/v1/match/runs/" + std::to_string(Id(run.at("id"))), d.token());
  CHECK(json::serialize(stored.at("stats")) == json::serialize(run.at("stats")));
  std::map<int64_t, std::string> stored_unmet;
  for (const json::value& v : Arr(stored, "unmet")) {
    stored_unmet[IntOr(v.as_object(), "need_id")] = StrOr(v.as_object(), "reason");
  }
  CHECK(stored_unmet == unmet);
  CHECK(StrOr(stored, "as_of") == kAsOf);
}

}  // namespace aidlink::test::dispatch

namespace aidlink::test::dispatch {

TEST_CASE("A committed match run retried with the same Idempotency-Key allocates once",
          "[dispatch][match][idempotency]") {
  TestServer server;
  Desk d(server);
  Eggs e = MakeEggs(d);
  d.Lot(e.item, 100, "2026-12-31");
  const json::object body{{"dry_run", false}, {"as_of", kAsOf}};
  const Headers key = {{"Idempotency-Key", "match-2026-11-01-morning"}};
  Response first = d.http().Post("/v1/match/runs", body, d.token(), key);
  REQUIRE_STATUS(first, 201);
  const auto tables = MatchTables(server.db_path());
  Response again = d.http().Post("/v1/match/runs", body, d.token(), key);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(MatchTables(server.db_path()) == tables);
  CHECK(CountRows(server.db_path(), "match_runs") == 1);
  CHECK(d.NeedQuantities(e.need_a) == NeedQ{100, 0, 100, 0, 0});
}

}  // namespace aidlink::test::dispatch
