#include "store/quotas.h"

#include <algorithm>

#include "store/internal.h"
#include "util/date.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::JoinList;
using internal::ReadColumns;
using internal::SplitList;

constexpr const char* kQuotaCols =
    "id, item_id, category, per, amount, window_kind, days, max_persons, tags, enforcement, "
    "ifnull(active_from, ''), ifnull(active_to, ''), note, created_at, ifnull(disabled_at, ''), "
    "version";

Quota ReadQuota(const Statement& st) {
  Quota q;
  ReadColumns(st, q.id, q.item_id, q.category, q.per, q.amount, q.window, q.days, q.max_persons,
              q.tags, q.enforcement, q.active_from, q.active_to, q.note, q.created_at,
              q.disabled_at, q.version);
  return q;
}

// Binds the editable columns of `q` as parameters first..first+11.
void BindFields(Statement* st, const Quota& q, int first) {
  st->Bind(first, q.item_id);
  if (q.category.empty())
    st->BindNull(first + 1);
  else
    st->Bind(first + 1, q.category);
  st->Bind(first + 2, q.per)
      .Bind(first + 3, q.amount)
      .Bind(first + 4, q.window)
      .Bind(first + 5, q.days)
      .Bind(first + 6, q.max_persons)
      .Bind(first + 7, JoinList(q.tags))
      .Bind(first + 8, q.enforcement);
  if (q.active_from.empty())
    st->BindNull(first + 9);
  else
    st->Bind(first + 9, q.active_from);
  if (q.active_to.empty())
    st->BindNull(first + 10);
  else
    st->Bind(first + 10, q.active_to);
  st->Bind(first + 11, q.note);
}

Status Stale(int64_t id) {
  return Conflict("quota " + std::to_string(id) +
                      " was changed by someone else since it was read; reload it and retry",
                  "version");
}

// What a quota_* event records: the rule, never anyone's data.
std::string Detail(const Quota& q) {
  std::string out = "{\"version\":" + std::to_string(q.version);
  if (q.item_id) out += ",\"item_id\":" + std::to_string(*q.item_id);
  if (!q.category.empty()) out += ",\"category\":\"" + q.category + "\"";
  out += ",\"per\":\"" + q.per + "\",\"amount\":" + std::to_string(q.amount) + ",\"window\":\"" +
         q.window + "\",\"enforcement\":\"" + q.enforcement + "\"}";
  return out;
}

int64_t FloorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }

}  // namespace

StatusOr<Quota> InsertQuota(Database& db, Quota q, const Actor& actor) {
  if (q.item_id) {
    AIDLINK_RETURN_IF_ERROR(internal::MustExist(db, "items", *q.item_id, "item_id", "item"));
  }
  q.created_at = date::NowRfc3339();
  q.version = 1;
  q.disabled_at.clear();
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO quotas (item_id, category, per, amount, window_kind, days, "
                      "max_persons, tags, enforcement, active_from, active_to, note, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  BindFields(st, q, 1);
  st->Bind(13, q.created_at);
  AIDLINK_RETURN_IF_ERROR(internal::InsertRow(db, st, actor, "quota", &q.id, Detail(q)));
  return q;
}

StatusOr<Quota> GetQuota(Database& db, int64_t id) {
  return internal::GetById<Quota>(db, kQuotaCols, "quotas", id, ReadQuota, "quota");
}

StatusOr<std::vector<Quota>> ListQuotas(Database& db, const QuotaFilter& f, const Page& page) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kQuotaCols +
                          " FROM quotas WHERE id > ?1 AND (?2 IS NULL OR item_id = ?2) AND "
                          "(?3 = '' OR category = ?3) AND (?4 IS NULL OR "
                          "(disabled_at IS NOT NULL) = ?4) ORDER BY id LIMIT ?5");
  BindAll(st, page.after_id, f.item_id, f.category);
  if (f.disabled)
    st->Bind(4, static_cast<int64_t>(*f.disabled ? 1 : 0));
  else
    st->BindNull(4);
  st->Bind(5, page.limit);
  return internal::Many<Quota>(st, ReadQuota);
}

StatusOr<Quota> UpdateQuota(Database& db, Quota q, const FieldChanges& changes,
                            const Actor& actor) {
  auto current = GetQuota(db, q.id);
  if (!current.ok()) return current.status();
  if (current->version != q.version) return Stale(q.id);
  if (!current->disabled_at.empty()) {
    return FailedPrecondition("quota " + std::to_string(q.id) + " is disabled; create a new one");
  }
  if (q.item_id && q.item_id != current->item_id) {
    AIDLINK_RETURN_IF_ERROR(internal::MustExist(db, "items", *q.item_id, "item_id", "item"));
  }
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE quotas SET item_id = ?, category = ?, per = ?, amount = ?, "
                      "window_kind = ?, days = ?, max_persons = ?, tags = ?, enforcement = ?, "
                      "active_from = ?, active_to = ?, note = ?, version = version + 1 "
                      "WHERE id = ? AND version = ?");
  BindFields(st, q, 1);
  st->Bind(13, q.id).Bind(14, q.version);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  if (db.Changes() != 1) return Stale(q.id);
  q.version += 1;
  q.created_at = current->created_at;
  q.disabled_at.clear();
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "quota_updated", "quota", q.id,
                  "{\"version\":" + std::to_string(q.version) + ",\"fields\":" + changes.fields +
                      ",\"before\":" + changes.before + ",\"after\":" + changes.after + "}"));
  return q;
}

StatusOr<Quota> DisableQuota(Database& db, int64_t id, std::optional<int64_t> expected_version,
                             const Actor& actor) {
  auto q = GetQuota(db, id);
  if (!q.ok()) return q.status();
  if (expected_version && *expected_version != q->version) return Stale(id);
  if (!q->disabled_at.empty()) {
    return FailedPrecondition("quota " + std::to_string(id) + " is already disabled");
  }
  q->disabled_at = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE quotas SET disabled_at = ?, version = version + 1 "
                      "WHERE id = ? AND version = ?");
  BindAll(st, q->disabled_at, id, q->version);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  if (db.Changes() != 1) return Stale(id);
  q->version += 1;
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "quota_disabled", "quota", id, Detail(*q)));
  return q;
}

StatusOr<HouseholdClusters> LoadHouseholdClusters(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT requester_id, cluster_id FROM household_links");
  HouseholdClusters out;
  AIDLINK_RETURN_IF_ERROR(
      internal::ForEachRow(st, [&](const Statement& row) { out[row.Int(0)] = row.Int(1); }));
  return out;
}

int64_t HouseholdOf(const HouseholdClusters& clusters, int64_t requester_id) {
  const auto it = clusters.find(requester_id);
  return it == clusters.end() ? requester_id : it->second;
}

StatusOr<int64_t> HouseholdOf(Database& db, int64_t requester_id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT cluster_id FROM household_links WHERE requester_id = ?");
  st->Bind(1, requester_id);
  auto cluster = internal::MaybeOne<int64_t>(st, internal::ReadId);
  if (!cluster.ok()) return cluster.status();
  HouseholdClusters one;
  if (*cluster) one[requester_id] = **cluster;
  return HouseholdOf(one, requester_id);
}

StatusOr<std::vector<int64_t>> RegistrationsOf(Database& db, int64_t requester_id) {
  auto household = HouseholdOf(db, requester_id);
  if (!household.ok()) return household.status();
  std::vector<int64_t> out = {requester_id};
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT requester_id FROM household_links WHERE cluster_id = ? AND "
                      "requester_id != ? ORDER BY requester_id");
  st->Bind(1, *household).Bind(2, requester_id);
  AIDLINK_RETURN_IF_ERROR(
      internal::ForEachRow(st, [&](const Statement& row) { out.push_back(row.Int(0)); }));
  return out;
}

Window WindowOf(const Quota& q, int64_t day) {
  if (q.window == "calendar_week") {
    // Day 0 (1970-01-01) was a Thursday: Monday is 3 days before it.
    const int64_t start = day - FloorMod(day + 3, 7);
    return {start, start + 6};
  }
  if (q.window == "calendar_month") {
    const std::string ymd = date::FormatDate(day);  // YYYY-MM-DD
    const auto digits = [&](size_t at, size_t n) {
      int v = 0;
      for (size_t i = at; i < at + n; ++i) v = v * 10 + (ymd[i] - '0');
      return v;
    };
    const int64_t start = day - (digits(8, 2) - 1);
    int year = digits(0, 4), month = digits(5, 2) + 1;
    if (month == 13) month = 1, ++year;
    const std::string next =
        std::to_string(year) + (month < 10 ? "-0" : "-") + std::to_string(month) + "-01";
    return {start, date::ParseDate(next).value_or(start + 28) - 1};
  }
  const int64_t days = std::clamp<int64_t>(q.days.value_or(1), 1, 366);
  return {day - days + 1, day};
}

bool ActiveOn(const Quota& q, int64_t day) {
  if (!q.disabled_at.empty()) return false;
  if (!q.active_from.empty() && day < date::ParseDate(q.active_from).value_or(day)) return false;
  if (!q.active_to.empty() && day > date::ParseDate(q.active_to).value_or(day)) return false;
  return true;
}

bool Covers(const Quota& q, int64_t item_id, const std::string& item_category) {
  return q.item_id ? *q.item_id == item_id : q.category == item_category;
}

bool Admits(const Quota& q, const std::vector<std::string>& tags) {
  if (q.tags.empty()) return true;
  for (const std::string& t : tags) {
    if (std::find(q.tags.begin(), q.tags.end(), t) != q.tags.end()) return true;
  }
  return false;
}

int64_t CapFor(const Quota& q, int64_t household_size) {
  if (q.per != "person") return q.amount;
  int64_t persons = std::max<int64_t>(household_size, 1);
  if (q.max_persons) persons = std::min(persons, *q.max_persons);
  return q.amount * persons;
}

StatusOr<std::vector<Quota>> ActiveQuotas(Database& db, int64_t day) {
  const std::string on = date::FormatDate(day);
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kQuotaCols +
                          " FROM quotas WHERE disabled_at IS NULL AND (active_from IS NULL OR "
                          "active_from <= ?1) AND (active_to IS NULL OR active_to >= ?1) "
                          "ORDER BY id");
  st->Bind(1, on);
  return internal::Many<Quota>(st, ReadQuota);
}

StatusOr<std::vector<std::pair<int64_t, std::string>>> ItemCategories(Database& db) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT id, category FROM items ORDER BY id");
  return internal::Many<std::pair<int64_t, std::string>>(
      st, [](const Statement& s) { return std::make_pair(s.Int(0), s.Text(1)); });
}

StatusOr<std::vector<ItemUse>> UseIn(Database& db, const Window& window,
                                     const std::vector<int64_t>& requester_ids) {
  // A run's allocations are the id range its row records (schema version
  // 3), so this reads the window's runs and their ranges, never the whole
  // allocations table; what came back of an allocation (returned, damaged)
  // no longer counts.
  std::string sql =
      "SELECT n.requester_id, n.item_id, sum(a.quantity - a.returned - a.damaged) "
      "FROM match_runs r JOIN allocations a ON a.id BETWEEN r.first_allocation_id AND "
      "r.last_allocation_id AND a.run_id = r.id JOIN needs n ON n.id = a.need_id "
      "WHERE r.as_of BETWEEN ?1 AND ?2";
  if (!requester_ids.empty()) {
    sql += " AND n.requester_id IN (" + internal::JoinIds(requester_ids, ',') + ")";
  }
  sql += " GROUP BY n.requester_id, n.item_id HAVING sum(a.quantity - a.returned - a.damaged) > 0";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  st->Bind(1, date::FormatDate(window.start)).Bind(2, date::FormatDate(window.end));
  return internal::Many<ItemUse>(st, [](const Statement& s) {
    return ItemUse{s.Int(0), s.Int(1), s.Int(2)};
  });
}

}  // namespace aidlink::store

namespace aidlink::store {

StatusOr<std::vector<Entitlement>> EntitlementsOf(Database& db, const Requester& requester,
                                                  int64_t day) {
  auto quotas = ActiveQuotas(db, day);
  if (!quotas.ok()) return quotas.status();
  std::vector<Entitlement> out;
  for (Quota& q : *quotas) {
    if (!Admits(q, requester.tags)) continue;
    Entitlement e;
    e.cap = CapFor(q, requester.household_size);
    e.window = WindowOf(q, day);
    e.quota = std::move(q);
    out.push_back(std::move(e));
  }
  if (out.empty()) return out;
  auto categories = ItemCategories(db);
  if (!categories.ok()) return categories.status();
  const auto category_of = [&](int64_t item_id) -> const std::string& {
    static const std::string kNone;
    const auto it = std::lower_bound(categories->begin(), categories->end(), item_id,
                                     [](const auto& p, int64_t id) { return p.first < id; });
    return it != categories->end() && it->first == item_id ? it->second : kNone;
  };
  // Every registration of the household counts (its cluster's).
  auto registrations = RegistrationsOf(db, requester.id);
  if (!registrations.ok()) return registrations.status();
  for (Entitlement& e : out) {
    auto use = UseIn(db, e.window, *registrations);
    if (!use.ok()) return use.status();
    for (const ItemUse& u : *use) {
      if (Covers(e.quota, u.item_id, category_of(u.item_id))) {
        e.used += u.units;
      }
    }
  }
  return out;
}

}  // namespace aidlink::store
