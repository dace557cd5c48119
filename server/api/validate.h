#pragma once

#include <google/protobuf/repeated_field.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/status.h"

// Field checks with the limits of API.md. Each returns kInvalidArgument
// naming the field, with a message a social worker can act on.
namespace aidlink::api {

inline constexpr int64_t kMaxQuantity = 1'000'000'000;
inline constexpr int64_t kMaxHouseholdSize = 100'000;
inline constexpr size_t kMaxShortText = 200;
inline constexpr size_t kMaxNote = 2000;
inline constexpr int kMaxListEntries = 100;

// Single-line text of `min`..200 characters (code points) of valid UTF-8.
Status CheckText(const std::string& value, const char* field, size_t min = 1);
// Multi-line text of 0..2000 characters of valid UTF-8.
Status CheckNote(const std::string& value, const char* field);
// 1..kMaxQuantity.
Status CheckQuantity(int64_t value, const char* field);
// A positive id.
Status CheckId(int64_t value, const char* field);
// One of `allowed`, exactly.
Status CheckEnum(const std::string& value, const char* field,
                 std::span<const std::string_view> allowed);
// A real calendar date YYYY-MM-DD; empty is allowed when `optional`.
Status CheckDate(const std::string& value, const char* field, bool optional);
// At most kMaxListEntries entries.
Status CheckListSize(int size, const char* field);

inline constexpr std::string_view kCategories[] = {"ppe",     "food",      "medicine",
                                                   "hygiene", "equipment", "other"};
inline constexpr std::string_view kUnits[] = {"piece", "box", "kg", "jin", "portion", "bottle"};
inline constexpr std::string_view kDonorKinds[] = {"enterprise", "charity", "individual",
                                                   "government"};
inline constexpr std::string_view kRequesterKinds[] = {"household", "community", "institution",
                                                       "frontline_post"};
inline constexpr std::string_view kTags[] = {"elderly_alone",       "chronic_illness", "disability",
                                             "child_in_difficulty", "quarantined",     "pregnant",
                                             "low_income",          "frontline_worker"};
inline constexpr std::string_view kUrgencies[] = {"critical", "high", "normal", "low"};
inline constexpr std::string_view kNeedStatuses[] = {"open", "partial", "allocated", "fulfilled",
                                                     "cancelled"};
inline constexpr std::string_view kRoles[] = {"admin", "dispatcher", "station", "donor"};

}  // namespace aidlink::api
