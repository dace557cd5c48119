// store/quotas on a real SQLite file: records, their CHECKs, windows and
// caps; util/time_zone's local days.
#include <catch2/catch.hpp>
#include <chrono>

#include "store/database.h"
#include "store/quotas.h"
#include "support/store_fixture.h"
#include "util/date.h"
#include "util/time_zone.h"

namespace aidlink::test {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

int64_t Day(const char* ymd) { return *date::ParseDate(ymd); }

store::Quota Weekly(int64_t amount) {
  store::Quota q;
  q.category = "food";
  q.per = "household";
  q.amount = amount;
  q.window = "calendar_week";
  q.enforcement = "hard";
  return q;
}

const store::Actor kDesk{0, "dispatcher", 0};

}  // namespace

TEST_CASE("a calendar week runs Monday to Sunday, a month its days, rolling days end on the day",
          "[quotas][store]") {
  store::Quota q = Weekly(1);
  struct Row {
    const char* window;
    int64_t days;
    const char* day;
    const char* start;
    const char* end;
  };
  const Row rows[] = {
      {"calendar_week", 0, "2026-11-02", "2026-11-02", "2026-11-08"},  // a Monday
      {"calendar_week", 0, "2026-11-08", "2026-11-02", "2026-11-08"},  // its Sunday
      {"calendar_week", 0, "2026-11-09", "2026-11-09", "2026-11-15"},
      {"calendar_week", 0, "2027-01-01", "2026-12-28", "2027-01-03"},  // across a year
      {"calendar_week", 0, "1970-01-01", "1969-12-29", "1970-01-04"},  // day 0, a Thursday
      {"calendar_month", 0, "2026-11-30", "2026-11-01", "2026-11-30"},
      {"calendar_month", 0, "2026-12-15", "2026-12-01", "2026-12-31"},
      {"calendar_month", 0, "2028-02-10", "2028-02-01", "2028-02-29"},  // a leap year
      {"calendar_month", 0, "2026-02-01", "2026-02-01", "2026-02-28"},
      {"rolling_days", 1, "2026-11-04", "2026-11-04", "2026-11-04"},
      {"rolling_days", 7, "2026-11-04", "2026-10-29", "2026-11-04"},
      {"rolling_days", 366, "2026-11-04", "2025-11-04", "2026-11-04"},
  };
  for (const Row& r : rows) {
    INFO(r.window << " " << r.days << " on " << r.day);
    q.window = r.window;
    q.days = r.days > 0 ? std::optional<int64_t>(r.days) : std::nullopt;
    const store::Window w = store::WindowOf(q, Day(r.day));
    CHECK(date::FormatDate(w.start) == r.start);
    CHECK(date::FormatDate(w.end) == r.end);
  }
}

TEST_CASE("caps, tags, items and active dates decide where a quota binds", "[quotas][store]") {
  store::Quota q = Weekly(20);
  CHECK(store::CapFor(q, 5) == 20);
  q.per = "person";
  CHECK(store::CapFor(q, 5) == 100);
  q.max_persons = 3;
  CHECK(store::CapFor(q, 5) == 60);
  CHECK(store::CapFor(q, 2) == 40);
  q.amount = 1'000'000'000;
  q.max_persons.reset();
  CHECK(store::CapFor(q, 100'000) == 100'000'000'000'000);  // no overflow

  CHECK(store::Covers(q, 7, "food"));
  CHECK_FALSE(store::Covers(q, 7, "ppe"));
  q.item_id = 7;
  q.category.clear();
  CHECK(store::Covers(q, 7, "ppe"));
  CHECK_FALSE(store::Covers(q, 8, "food"));

  CHECK(store::Admits(q, {}));
  q.tags = {"elderly_alone", "pregnant"};
  CHECK(store::Admits(q, {"low_income", "pregnant"}));
  CHECK_FALSE(store::Admits(q, {"low_income"}));
  CHECK_FALSE(store::Admits(q, {}));

  CHECK(store::ActiveOn(q, Day("2026-11-04")));
  q.active_from = "2026-11-05";
  q.active_to = "2026-11-06";
  CHECK_FALSE(store::ActiveOn(q, Day("2026-11-04")));
  CHECK(store::ActiveOn(q, Day("2026-11-05")));
  CHECK(store::ActiveOn(q, Day("2026-11-06")));
  CHECK_FALSE(store::ActiveOn(q, Day("2026-11-07")));
  q.active_from.clear();
  q.active_to.clear();
  q.disabled_at = "2026-11-01T00:00:00Z";
  CHECK_FALSE(store::ActiveOn(q, Day("2026-11-04")));
  CHECK(store::HouseholdOf(store::HouseholdClusters{}, 42) == 42);
  CHECK(store::HouseholdOf(store::HouseholdClusters{{43, 41}}, 43) == 41);
}

TEST_CASE("quotas are stored, versioned, disabled and found by the day they apply",
          "[quotas][store]") {
  TempDb tmp;
  auto store = OpenStore(tmp.path());
  store::Quota q = Weekly(3);
  q.tags = {"elderly_alone"};
  q.active_to = "2026-11-30";
  StatusOr<store::Quota> created = store::Quota{};
  REQUIRE_STATUS_OK(store->Write([&](store::Database& db) -> Status {
    created = store::InsertQuota(db, q, kDesk);
    return created.status();
  }));
  CHECK(created->id > 0);
  CHECK(created->version == 1);
  auto read = store->Read([&](store::Database& db) { return store::GetQuota(db, created->id); });
  REQUIRE(read.ok());
  CHECK(read->tags == std::vector<std::string>{"elderly_alone"});
  CHECK(read->active_to == "2026-11-30");
  CHECK_FALSE(read->item_id.has_value());

  auto on = [&](const char* day) {
    auto active =
        store->Read([&](store::Database& db) { return store::ActiveQuotas(db, Day(day)); });
    REQUIRE(active.ok());
    return active->size();
  };
  CHECK(on("2026-11-30") == 1);
  CHECK(on("2026-12-01") == 0);

  store::Quota edited = *read;
  edited.amount = 4;
  StatusOr<store::Quota> updated = edited;
  REQUIRE_STATUS_OK(store->Write([&](store::Database& db) -> Status {
    updated = store::UpdateQuota(db, edited, {}, kDesk);
    return updated.status();
  }));
  CHECK(updated->version == 2);
  // The version read before the edit is stale now.
  Status stale = store->Write(
      [&](store::Database& db) { return store::UpdateQuota(db, edited, {}, kDesk).status(); });
  CHECK(stale.code() == Code::kConflict);
  Status disabled = store->Write([&](store::Database& db) {
    return store::DisableQuota(db, created->id, std::nullopt, kDesk).status();
  });
  REQUIRE_STATUS_OK(disabled);
  CHECK(on("2026-11-30") == 0);
  Status twice = store->Write([&](store::Database& db) {
    return store::DisableQuota(db, created->id, std::nullopt, kDesk).status();
  });
  CHECK(twice.code() == Code::kFailedPrecondition);

  SECTION("an unknown item is not found, naming item_id") {
    store::Quota bad = Weekly(1);
    bad.category.clear();
    bad.item_id = 999;
    Status s = store->Write(
        [&](store::Database& db) { return store::InsertQuota(db, bad, kDesk).status(); });
    CHECK(s.code() == Code::kNotFound);
    CHECK(s.field() == "item_id");
  }
}

TEST_CASE("the quotas table's CHECKs refuse what validation refuses", "[quotas][store][schema]") {
  TempDb tmp;
  { auto store = OpenStore(tmp.path()); }
  auto db = store::Database::Open(tmp.path(), false);
  REQUIRE(db.ok());
  const auto insert = [&](const std::string& values) {
    return (*db)
        ->Exec(
            "INSERT INTO quotas (item_id, category, per, amount, window_kind, days, "
            "max_persons, enforcement, active_from, active_to, created_at) VALUES (" +
            values + ", 'now')")
        .ok();
  };
  CHECK(insert("NULL, 'food', 'household', 1, 'calendar_week', NULL, NULL, 'hard', NULL, NULL"));
  CHECK_FALSE(
      insert("NULL, NULL, 'household', 1, 'calendar_week', NULL, NULL, 'hard', NULL, "
             "NULL"));  // neither item nor category
  CHECK_FALSE(
      insert("NULL, 'toys', 'household', 1, 'calendar_week', NULL, NULL, 'hard', NULL, "
             "NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'family', 1, 'calendar_week', NULL, NULL, 'hard', NULL, "
             "NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'household', 0, 'calendar_week', NULL, NULL, 'hard', NULL, NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'household', 1, 'rolling_days', NULL, NULL, 'hard', NULL, NULL"));
  CHECK_FALSE(insert("NULL, 'food', 'household', 1, 'calendar_week', 7, NULL, 'hard', NULL, NULL"));
  CHECK(insert("NULL, 'food', 'household', 1, 'rolling_days', 7, NULL, 'soft', NULL, NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'household', 1, 'rolling_days', 367, NULL, 'soft', NULL, NULL"));
  CHECK_FALSE(insert("NULL, 'food', 'household', 1, 'calendar_week', NULL, 3, 'hard', NULL, NULL"));
  CHECK(insert("NULL, 'food', 'person', 1, 'calendar_week', NULL, 3, 'hard', NULL, NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'household', 1, 'calendar_week', NULL, NULL, 'strict', NULL, NULL"));
  CHECK_FALSE(
      insert("NULL, 'food', 'household', 1, 'calendar_week', NULL, NULL, 'hard', "
             "'2026-11-10', '2026-11-09'"));
}

TEST_CASE("the local day is the server's zone's: Monday 00:30 in Shanghai is Sunday in UTC",
          "[quotas][util][tz]") {
  // 2026-11-08T16:30:00Z.
  const auto t = system_clock::time_point(seconds(Day("2026-11-08") * 86400 + 16 * 3600 + 1800));
  CHECK(date::FormatDate(tz::LocalDay(t, "Asia/Shanghai")) == "2026-11-09");
  CHECK(date::FormatDate(tz::LocalDay(t, "UTC")) == "2026-11-08");
  CHECK(date::FormatDate(tz::LocalDay(t - seconds(3600), "Asia/Shanghai")) == "2026-11-08");
  // Daylight saving time is the zone data's: New York is UTC-4 in July, -5 in January.
  const auto july = system_clock::time_point(seconds(Day("2026-07-02") * 86400 + 3 * 3600 + 1800));
  CHECK(date::FormatDate(tz::LocalDay(july, "America/New_York")) == "2026-07-01");
  const auto jan = system_clock::time_point(seconds(Day("2026-01-02") * 86400 + 4 * 3600 + 1800));
  CHECK(date::FormatDate(tz::LocalDay(jan, "America/New_York")) == "2026-01-01");
  CHECK(tz::CheckTimeZone("Asia/Shanghai").ok());
  CHECK(tz::CheckTimeZone("UTC").ok());
  CHECK(tz::CheckTimeZone("Mars/Olympus_Mons").field() == "time_zone");
  CHECK_FALSE(tz::CheckTimeZone("").ok());
}

}  // namespace aidlink::test
