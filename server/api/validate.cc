#include "api/validate.h"

#include <vector>

#include "util/date.h"
#include "util/text.h"

namespace aidlink::api {
namespace {

Status CheckUtf8Length(const std::string& value, const char* field, size_t min, size_t max) {
  if (!text::IsValidUtf8(value)) {
    return InvalidArgument(std::string(field) + " is not valid UTF-8", field);
  }
  const size_t n = text::CodePointCount(value);
  if (n < min) {
    return InvalidArgument(std::string(field) + (min == 1 ? " is required" : " is too short"),
                           field);
  }
  if (n > max) {
    return InvalidArgument(
        std::string(field) + " must be at most " + std::to_string(max) + " characters", field);
  }
  return Status::Ok();
}

}  // namespace

Status CheckText(const std::string& value, const char* field, size_t min) {
  AIDLINK_RETURN_IF_ERROR(CheckUtf8Length(value, field, min, kMaxShortText));
  if (text::HasControlChars(value)) {
    return InvalidArgument(std::string(field) + " must be a single line without control characters",
                           field);
  }
  if (text::HasSpoofingChars(value)) {
    return InvalidArgument(
        std::string(field) + " must not contain bidirectional controls or line separators", field);
  }
  // Only spaces or zero-width characters would print as nothing, or as a
  // name that looks empty: refused even where the field is optional.
  if (!value.empty() && text::IsBlank(value)) {
    return InvalidArgument(std::string(field) + " must not be blank", field);
  }
  return Status::Ok();
}

Status CheckNote(const std::string& value, const char* field) {
  AIDLINK_RETURN_IF_ERROR(CheckUtf8Length(value, field, 0, kMaxNote));
  if (value.find('\0') != std::string::npos) {
    return InvalidArgument(std::string(field) + " must not contain NUL characters", field);
  }
  return Status::Ok();
}

Status CheckQuantity(int64_t value, const char* field) {
  if (value < 1 || value > kMaxQuantity) {
    return InvalidArgument(std::string(field) + " must be between 1 and 1000000000", field);
  }
  return Status::Ok();
}

Status CheckId(int64_t value, const char* field) {
  if (value < 1) return InvalidArgument(std::string(field) + " is required", field);
  return Status::Ok();
}

Status CheckEnum(const std::string& value, const char* field,
                 std::span<const std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (value == a) return Status::Ok();
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  if (value.empty()) {
    return InvalidArgument(std::string(field) + " is required (one of " + list + ")", field);
  }
  return InvalidArgument(std::string(field) + " must be one of " + list, field);
}

Status CheckEnum(const std::string& value, const char* field,
                 std::span<const vocab::Term> allowed) {
  std::vector<std::string_view> names;
  names.reserve(allowed.size());
  for (const vocab::Term& t : allowed) names.push_back(t.name);
  return CheckEnum(value, field, names);
}

Status CheckDate(const std::string& value, const char* field, bool optional) {
  if (value.empty()) {
    if (optional) return Status::Ok();
    return InvalidArgument(std::string(field) + " is required (YYYY-MM-DD)", field);
  }
  if (!date::ParseDate(value)) {
    return InvalidArgument(std::string(field) + " must be a real date as YYYY-MM-DD", field);
  }
  return Status::Ok();
}

Status CheckListSize(int size, const char* field) {
  if (size > kMaxListEntries) {
    return InvalidArgument(std::string(field) + " must have at most 100 entries", field);
  }
  return Status::Ok();
}

}  // namespace aidlink::api
