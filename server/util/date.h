#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Calendar dates as day numbers, so that "as_of + 3 days" is integer
// arithmetic. Pure functions; thread-safe.
namespace aidlink::date {

// Days since 1970-01-01 of an ISO "YYYY-MM-DD" date, or nullopt if `s` is not
// exactly that form or not a real calendar date (2026-02-30 is rejected).
// Years 1900..9999 are accepted.
std::optional<int64_t> ParseDate(std::string_view s);

// "YYYY-MM-DD" of a day number.
std::string FormatDate(int64_t days);

// Today's date (UTC) as a day number. Reads the clock: not for pure cores.
int64_t Today();

// `t` as RFC 3339 UTC with seconds, "2026-11-22T17:00:06Z". Strings of this
// one form sort in time order.
std::string Rfc3339(std::chrono::system_clock::time_point t);

// The time of an RFC 3339 UTC string of exactly the form Rfc3339 writes,
// or nullopt.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s);

// The current time as RFC 3339 UTC with seconds, "2026-11-22T17:00:06Z".
// Reads the clock: not for pure cores.
std::string NowRfc3339();

}  // namespace aidlink::date
