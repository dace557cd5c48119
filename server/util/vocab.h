#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

// aidlink's one vocabulary: every enumerated value of DESIGN.md with its wire
// name and labels, and the limits of API.md. The server's validation, the
// matching engine's names, the metrics labels, the schema's CHECK lists (a
// test compares them) and the client's CSV import all read them from here.
// Pure constants; no dependencies.
namespace aidlink::vocab {

// One enumerated value: its name on the wire and in the database, and what a
// person reads in Chinese and English.
struct Term {
  std::string_view name;
  std::string_view zh;
  std::string_view en;
};

inline constexpr Term kCategories[] = {
    {"ppe", "防护用品", "PPE"},         {"food", "食品", "food"},
    {"medicine", "药品", "medicine"},   {"hygiene", "卫生用品", "hygiene"},
    {"equipment", "设备", "equipment"}, {"other", "其他", "other"},
};

inline constexpr Term kUnits[] = {
    {"piece", "个", "piece"}, {"box", "箱", "box"},         {"kg", "公斤", "kg"},
    {"jin", "斤", "jin"},     {"portion", "份", "portion"}, {"bottle", "瓶", "bottle"},
    {"set", "套", "set"},     {"pair", "副", "pair"},
};

inline constexpr Term kDonorKinds[] = {
    {"enterprise", "企业", "enterprise"},
    {"charity", "慈善组织", "charity"},
    {"individual", "个人", "individual"},
    {"government", "政府", "government"},
};

// In the engine's order: RequesterKind's values are these indexes.
inline constexpr Term kRequesterKinds[] = {
    {"household", "住户", "household"},
    {"community", "小区", "community"},
    {"institution", "机构", "institution"},
    {"frontline_post", "一线岗点", "frontline post"},
};

// In the engine's order: tag bit i is kTags[i].
inline constexpr Term kTags[] = {
    {"elderly_alone", "独居老人", "elderly, alone"},
    {"chronic_illness", "慢性病", "chronic illness"},
    {"disability", "残疾", "disability"},
    {"child_in_difficulty", "困境儿童", "child in difficulty"},
    {"quarantined", "隔离中", "quarantined"},
    {"pregnant", "孕妇", "pregnant"},
    {"low_income", "低收入", "low income"},
    {"frontline_worker", "一线人员", "frontline worker"},
    {"left_behind_child", "留守儿童", "left-behind child"},
};

// Most urgent first: Urgency's values are these indexes.
inline constexpr Term kUrgencies[] = {
    {"critical", "紧急", "critical"},
    {"high", "高", "high"},
    {"normal", "普通", "normal"},
    {"low", "低", "low"},
};

inline constexpr Term kNeedStatuses[] = {
    {"open", "待分配", "open"},           {"partial", "部分分配", "partly allocated"},
    {"allocated", "已分配", "allocated"}, {"fulfilled", "已送达", "fulfilled"},
    {"cancelled", "已取消", "cancelled"},
};

inline constexpr Term kDeliveryStatuses[] = {
    {"planned", "待发车", "planned"},     {"dispatched", "配送中", "dispatched"},
    {"delivered", "已送达", "delivered"}, {"failed", "未送达", "failed"},
    {"cancelled", "已取消", "cancelled"},
};

inline constexpr Term kRouteStatuses[] = {
    {"planned", "待发车", "planned"},
    {"dispatched", "已发车", "dispatched"},
    {"completed", "已完成", "completed"},
};

inline constexpr Term kRoles[] = {
    {"admin", "管理员", "admin"},         {"dispatcher", "调度员", "dispatcher"},
    {"station", "社工站", "station"},     {"donor", "捐赠方", "donor"},
    {"volunteer", "志愿者", "volunteer"},
};

// A lot a donor logs is pledged until a dispatcher confirms what arrived
// (POST /v1/lots/{id}:receive); only received stock is matched. A lot a
// dispatcher logs is received at once.
inline constexpr Term kLotStatuses[] = {
    {"pledged", "待入库", "pledged"},
    {"received", "已入库", "received"},
};

// Why a need was left (partly) unmet by a match run.
inline constexpr Term kUnmetReasons[] = {
    {"no_stock", "无库存", "no stock"},
    {"out_of_area", "本区域无库存", "no stock in the requester's area"},
    {"excluded_by_earmark", "定向捐赠不适用", "excluded by earmark"},
    {"only_expiring_stock", "仅有临期库存", "only expiring stock"},
    {"tier_exhausted", "更紧急的需求已用完库存", "used up by more urgent needs"},
    {"quota_reached", "已达本期配额", "household quota reached"},
    {"held_as_possible_duplicate", "疑似重复登记，待核实", "held as a possible duplicate"},
};

// Why a requester was deactivated (POST /v1/requesters/{id}:deactivate);
// its open needs are cancelled with the same reason.
inline constexpr Term kDeactivationReasons[] = {
    {"moved_away", "已搬离", "moved away"},
    {"deceased", "已故", "deceased"},
    {"duplicate", "重复登记", "duplicate registration"},
    {"other", "其他", "other"},
};

// Quotas (caps, DESIGN.md rule 9): what a quota counts per, the window it
// counts in (in the server's time zone), and whether a run may go past it.
inline constexpr Term kQuotaPer[] = {
    {"household", "每户", "per household"},
    {"person", "每人", "per person"},
};
inline constexpr Term kQuotaWindows[] = {
    {"calendar_week", "每自然周（周一至周日）", "calendar week (Monday to Sunday)"},
    {"calendar_month", "每自然月", "calendar month"},
    {"rolling_days", "滚动天数", "rolling days"},
};
inline constexpr Term kQuotaEnforcements[] = {
    {"hard", "硬上限", "hard"},
    {"soft", "软上限（有剩余库存时可超出）", "soft (exceeded only with leftover stock)"},
};
// A rolling_days window is 1..366 days long, the run's day included.
inline constexpr int64_t kMaxQuotaDays = 366;

// Limits of API.md.
inline constexpr int64_t kMaxQuantity = 1'000'000'000;
inline constexpr int64_t kMaxHouseholdSize = 100'000;
inline constexpr size_t kMaxShortText = 200;
inline constexpr size_t kMaxNote = 2000;
inline constexpr int kMaxListEntries = 100;
// Distinct earmarks one donor's lots of one item may hold while they have
// stock: each is a class the match engine plans apart, so this bounds what
// one donor can make a match run cost.
inline constexpr int kMaxEarmarkGroups = 20;

// A district a depot serves (ServiceArea.districts) is "姑苏区", a district of
// the depot's own city, or "苏州市/姑苏区", one of the city before the slash.
inline constexpr char kCitySeparator = '/';

// A served district entry as {city, district}; the city is `own_city` when
// the entry names none. Either part may come back empty for a malformed
// entry ("/姑苏区", "苏州市/").
struct ServedDistrict {
  std::string_view city;
  std::string_view district;
};
constexpr ServedDistrict SplitServedDistrict(std::string_view entry, std::string_view own_city) {
  const size_t slash = entry.find(kCitySeparator);
  if (slash == std::string_view::npos) return {own_city, entry};
  return {entry.substr(0, slash), entry.substr(slash + 1)};
}
// Accounts: usernames and passwords in characters (code points).
inline constexpr size_t kMinUsername = 3;
inline constexpr size_t kMaxUsername = 64;
inline constexpr size_t kMinPassword = 10;
inline constexpr size_t kMaxPassword = 1024;

// The term named `name` in `terms`, or nullptr.
constexpr const Term* Find(std::span<const Term> terms, std::string_view name) {
  for (const Term& t : terms) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// What a person reads for `name` of `terms`: its Chinese label, or its
// English one if `english`; `name` itself if `terms` has no such name. The
// printed lists and the CLI both label reasons and statuses through this.
constexpr std::string_view Label(std::span<const Term> terms, std::string_view name, bool english) {
  const Term* term = Find(terms, name);
  if (term == nullptr) return name;
  return english ? term->en : term->zh;
}

// The index of `name` in `terms`, or -1.
constexpr int IndexOf(std::span<const Term> terms, std::string_view name) {
  for (size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace aidlink::vocab
