// The schema's CHECK lists are the vocabulary of util/vocab.h: a value the
// API accepts is one the database accepts, and nothing else.

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <span>
#include <string>

#include "store/database.h"
#include "store/schema.h"
#include "support/store_fixture.h"
#include "util/vocab.h"

namespace aidlink::test {
namespace {

// The CREATE TABLE statement of `table`.
std::string TableSql(store::Store& store, const std::string& table) {
  auto sql = store.Read([&](store::Database& db) -> StatusOr<std::string> {
    auto st =
        db.Prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'");
    if (!st.ok()) return st.status();
    auto row = (*st)->Step();
    if (!row.ok()) return row.status();
    std::string text = *row ? (*st)->Text(0) : "";
    (*st)->Reset();
    return text;
  });
  REQUIRE(sql.ok());
  return *sql;
}

// The values `column` is compared with in the table's CHECK constraints
// ("column = 'a' OR column = 'b'" or "column IN ('a','b')").
std::set<std::string> CheckedValues(const std::string& sql, const std::string& column) {
  std::set<std::string> out;
  const std::regex eq("\\b" + column + " = '([a-z_]+)'");
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), eq); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1]);
  }
  const std::regex in("\\b" + column + " IN \\(([^)]*)\\)");
  std::smatch m;
  if (std::regex_search(sql, m, in)) {
    const std::string list = m[1];
    const std::regex quoted("'([a-z_]+)'");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), quoted);
         it != std::sregex_iterator(); ++it) {
      out.insert((*it)[1]);
    }
  }
  return out;
}

std::set<std::string> Names(std::span<const vocab::Term> terms) {
  std::set<std::string> out;
  for (const vocab::Term& t : terms) out.emplace(t.name);
  return out;
}

TEST_CASE("the schema's CHECK lists equal the vocabulary", "[store][vocab]") {
  TempDb db;
  auto store = OpenStore(db.path());
  struct Row {
    const char* table;
    const char* column;
    std::span<const vocab::Term> terms;
  };
  const Row rows[] = {
      {"donors", "kind", vocab::kDonorKinds},
      {"requesters", "kind", vocab::kRequesterKinds},
      {"items", "category", vocab::kCategories},
      {"items", "unit", vocab::kUnits},
      {"needs", "urgency", vocab::kUrgencies},
      {"needs", "status", vocab::kNeedStatuses},
      {"deliveries", "status", vocab::kDeliveryStatuses},
      {"routes", "status", vocab::kRouteStatuses},
      {"tokens", "role", vocab::kRoles},
      {"users", "role", vocab::kRoles},
      {"lots", "status", vocab::kLotStatuses},
      {"requesters", "deactivated_reason", vocab::kDeactivationReasons},
      {"quotas", "category", vocab::kCategories},
      {"quotas", "per", vocab::kQuotaPer},
      {"quotas", "window_kind", vocab::kQuotaWindows},
      {"quotas", "enforcement", vocab::kQuotaEnforcements},
  };
  for (const Row& r : rows) {
    INFO(r.table << "." << r.column);
    const std::string sql = TableSql(*store, r.table);
    REQUIRE(!sql.empty());
    CHECK(CheckedValues(sql, r.column) == Names(r.terms));
  }
}

TEST_CASE("a database from before 套 and 副 takes them after migrating, its items kept",
          "[store][vocab][schema][issue12]") {
  TempDb tmp;
  {
    // Version 15: the schema before issue 12's two migrations (later
    // branches append theirs after them, so count from the start).
    auto db = OpenAtVersion(tmp.path(), 15);
    REQUIRE(db->Exec("INSERT INTO items (code, name, category, unit, pack_size, perishable, "
                     "created_at) VALUES ('MASK', '口罩', 'ppe', 'piece', 10, 0, 'now')")
                .ok());
    CHECK_FALSE(db->Exec("INSERT INTO items (code, name, category, unit, pack_size, perishable, "
                         "created_at) VALUES ('SUIT', '防护服', 'ppe', 'set', 1, 0, 'now')")
                    .ok());
    REQUIRE(store::Migrate(*db).ok());
    REQUIRE(db->Exec("INSERT INTO items (code, name, category, unit, pack_size, perishable, "
                     "created_at) VALUES ('SUIT', '防护服', 'ppe', 'set', 1, 0, 'now'),"
                     "('GOGGLE', '护目镜', 'ppe', 'pair', 1, 0, 'now')")
                .ok());
    CHECK_FALSE(db->Exec("INSERT INTO items (code, name, category, unit, pack_size, perishable, "
                         "created_at) VALUES ('X', 'x', 'ppe', 'dozen', 1, 0, 'now')")
                    .ok());
    // Stations have a callback phone, empty for the old ones.
    REQUIRE(db->Exec("INSERT INTO stations (name, district, created_at, phone) VALUES "
                     "('站', '江汉区', 'now', '027-1234')")
                .ok());
  }
  auto store = OpenStore(tmp.path());
  const std::string sql = TableSql(*store, "items");
  CHECK(CheckedValues(sql, "unit") == Names(vocab::kUnits));
  CHECK(Names(vocab::kUnits).count("set") == 1);
  CHECK(Names(vocab::kUnits).count("pair") == 1);
  CHECK(vocab::Find(vocab::kUnits, "set")->zh == "套");
  CHECK(vocab::Find(vocab::kUnits, "pair")->zh == "副");
  CHECK(vocab::Find(vocab::kTags, "left_behind_child")->zh == "留守儿童");
}

}  // namespace
}  // namespace aidlink::test
