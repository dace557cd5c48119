#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "match/engine.h"

namespace aidlink::match {
namespace {

constexpr std::array<std::string_view, 4> kUrgencyNames = {"critical", "high", "normal", "low"};
constexpr std::array<std::string_view, 4> kKindNames = {"household", "community", "institution",
                                                        "frontline_post"};
constexpr std::array<std::string_view, kTagCount> kTagNames = {
    "elderly_alone", "chronic_illness", "disability",       "child_in_difficulty", "quarantined",
    "pregnant",      "low_income",      "frontline_worker", "left_behind_child"};
constexpr std::array<std::string_view, 12> kReasonNames = {
    "eligible",    "tier_critical", "tier_high",
    "tier_normal", "tier_low",      "deadline_raised_tier",
    "fair_share",  "fefo",          "same_district",
    "nearest",     "earmark_match", "over_soft_quota"};

// The enum value whose name is `name` (names in value order), or nullopt.
template <typename Enum, size_t N>
std::optional<Enum> IndexOf(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view UrgencyName(Urgency urgency) {
  return kUrgencyNames[static_cast<size_t>(urgency)];
}

std::optional<Urgency> ParseUrgency(std::string_view name) {
  return IndexOf<Urgency>(kUrgencyNames, name);
}

std::string_view RequesterKindName(RequesterKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::optional<RequesterKind> ParseRequesterKind(std::string_view name) {
  return IndexOf<RequesterKind>(kKindNames, name);
}

std::string_view TagName(int bit) {
  if (bit < 0 || bit >= kTagCount) return {};
  return kTagNames[static_cast<size_t>(bit)];
}

std::optional<uint32_t> ParseTag(std::string_view name) {
  for (int i = 0; i < kTagCount; ++i) {
    if (kTagNames[static_cast<size_t>(i)] == name) return 1u << i;
  }
  return std::nullopt;
}

std::vector<std::string> TagNames(uint32_t tags) {
  std::vector<std::string> names;
  for (int i = 0; i < kTagCount; ++i) {
    if (tags & (1u << i)) names.emplace_back(kTagNames[static_cast<size_t>(i)]);
  }
  return names;
}

std::vector<std::string_view> ReasonCodes(uint32_t reasons) {
  std::vector<std::string_view> codes;
  for (size_t i = 0; i < kReasonNames.size(); ++i) {
    if (reasons & (1u << i)) codes.push_back(kReasonNames[i]);
  }
  return codes;
}

}  // namespace aidlink::match
