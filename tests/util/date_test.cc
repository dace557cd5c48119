#include "util/date.h"

#include <catch2/catch.hpp>

namespace date = aidlink::date;

TEST_CASE("real calendar dates parse and format back", "[util]") {
  for (const char* s : {"1970-01-01", "2024-02-29", "2026-11-22", "2000-12-31", "9999-12-31"}) {
    auto d = date::ParseDate(s);
    REQUIRE(d.has_value());
    CHECK(date::FormatDate(*d) == s);
  }
  CHECK(*date::ParseDate("1970-01-02") == 1);
  CHECK(*date::ParseDate("2026-03-01") - *date::ParseDate("2026-02-28") == 1);
}

TEST_CASE("impossible or malformed dates are rejected", "[util]") {
  for (const char* s :
       {"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
        "26-01-01", "2026/01/01", "", "2026-01-01T00:00:00Z", "abcd-ef-gh", "1800-01-01"}) {
    INFO(s);
    CHECK_FALSE(date::ParseDate(s).has_value());
  }
}
