#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "util/status.h"

// The server's time zone (--time-zone, an IANA name such as Asia/Shanghai):
// which calendar day a moment falls on there. Backed by ICU's zone data,
// so DST and historical offsets are right; no process-wide TZ is touched
// (setenv("TZ") is not thread-safe). Thread-safe.
namespace aidlink::tz {

// The zone quotas count their windows in unless --time-zone says otherwise.
inline constexpr const char* kDefaultTimeZone = "Asia/Shanghai";

// Ok if ICU knows the zone `name` (an IANA id such as "Asia/Shanghai" or
// "UTC"); kInvalidArgument naming time_zone otherwise.
Status CheckTimeZone(const std::string& name);

// The day number (util/date.h) of the local calendar date at `t` in zone
// `name`. A zone ICU does not know counts as UTC (CheckTimeZone first).
int64_t LocalDay(std::chrono::system_clock::time_point t, const std::string& name);

}  // namespace aidlink::tz
