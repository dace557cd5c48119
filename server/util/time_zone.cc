#include "util/time_zone.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>

namespace aidlink::tz {
namespace {

// A fresh zone object per call: ICU's zone objects are not documented as
// safe to share between threads, and creating one is a table lookup.
std::unique_ptr<icu::TimeZone> Open(const std::string& name) {
  std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  if (zone == nullptr || *zone == icu::TimeZone::getUnknown()) return nullptr;
  return zone;
}

constexpr int64_t kMsPerDay = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Status CheckTimeZone(const std::string& name) {
  if (name.empty() || Open(name) == nullptr) {
    return InvalidArgument(
        "unknown time zone \"" + name + "\" (an IANA name such as " + kDefaultTimeZone + " or UTC)",
        "time_zone");
  }
  return Status::Ok();
}

int64_t LocalDay(std::chrono::system_clock::time_point t, const std::string& name) {
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  int64_t offset_ms = 0;
  if (auto zone = Open(name)) {
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone->getOffset(static_cast<UDate>(ms), /*local=*/false, raw, dst, status);
    if (U_SUCCESS(status)) offset_ms = static_cast<int64_t>(raw) + dst;
  }
  return FloorDiv(ms + offset_ms, kMsPerDay);
}

}  // namespace aidlink::tz
