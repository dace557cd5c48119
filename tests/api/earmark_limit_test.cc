// Earmarks as a denial of service (issue 14, defect 9): each distinct
// earmark is a class the match engine plans apart, so one donor's lots of
// one item in stock may carry at most vocab::kMaxEarmarkGroups of them.

#include "support/db_rows.h"
#include "support/fixture.h"
#include "util/vocab.h"

namespace aidlink::test {
namespace {

json::object EarmarkedLot(const World& w, int64_t item, int k) {
  json::object lot = SampleLot(w.donor_a_id, item, w.depot_id, 5);
  lot["earmark"] = json::object{{"districts", json::array{"江汉区" + std::to_string(k)}}};
  return lot;
}

TEST_CASE("a donor's distinct earmarks per item in stock are bounded; reuse is not",
          "[api][trust][earmark]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const int limit = vocab::kMaxEarmarkGroups;
  std::vector<int64_t> lots;
  for (int k = 1; k < limit; ++k)
    lots.push_back(f.CreateLot(w.donor_a, EarmarkedLot(w, w.item_id, k)));
  // World's lot_a may carry an earmark of its own: fill up to the limit.
  while (QueryInt(server.db_path(),
                  "SELECT count(*) FROM (SELECT DISTINCT earmark_districts, earmark_kinds, "
                  "earmark_tags, earmark_stations FROM lots WHERE donor_id = " +
                      std::to_string(w.donor_a_id) + " AND item_id = " + std::to_string(w.item_id) +
                      " AND (available > 0 OR status = 'pledged') AND (earmark_districts <> '' OR "
                      "earmark_kinds <> '' OR "
                      "earmark_tags <> '' OR earmark_stations <> ''))") < limit) {
    lots.push_back(
        f.CreateLot(w.donor_a, EarmarkedLot(w, w.item_id, 1000 + static_cast<int>(lots.size()))));
  }

  const auto before = CountAllRows(server.db_path());
  const Response refused = f.http().Post("/v1/lots", EarmarkedLot(w, w.item_id, 9999), w.donor_a);
  REQUIRE_ERROR(refused, 422, "earmark");
  CHECK(CountAllRows(server.db_path()) == before);

  // The same earmark again, no earmark, another item: all fine.
  CHECK_STATUS(f.http().Post("/v1/lots", EarmarkedLot(w, w.item_id, 1), w.donor_a), 201);
  CHECK_STATUS(
      f.http().Post("/v1/lots", SampleLot(w.donor_a_id, w.item_id, w.depot_id, 5), w.donor_a), 201);
  const int64_t other_item = f.CreateItem(w.dispatcher, "EARMARK-OTHER");
  CHECK_STATUS(f.http().Post("/v1/lots", EarmarkedLot(w, other_item, 9999), w.donor_a), 201);
  // Another donor has its own allowance.
  json::object b = EarmarkedLot(w, w.item_id, 9999);
  b["donor_id"] = w.donor_b_id;
  CHECK_STATUS(f.http().Post("/v1/lots", b, w.donor_b), 201);

  // Once a group's stock is gone (received, then written off), a new
  // earmark fits again. A pledge still counts: it becomes stock on receipt.
  REQUIRE_OK(f.http().Post("/v1/lots/" + std::to_string(lots.back()) + ":receive",
                           json::object{{"quantity_received", 5}}, w.dispatcher));
  CHECK_ERROR(f.http().Post("/v1/lots", EarmarkedLot(w, w.item_id, 9999), w.donor_a), 422,
              "earmark");
  const Response off =
      f.http().Post("/v1/lots/" + std::to_string(lots.back()) + ":write_off",
                    json::object{{"quantity", 5}, {"reason", "破损"}}, w.dispatcher);
  REQUIRE_OK(off);
  CHECK_STATUS(f.http().Post("/v1/lots", EarmarkedLot(w, w.item_id, 9999), w.donor_a), 201);
}

}  // namespace
}  // namespace aidlink::test
