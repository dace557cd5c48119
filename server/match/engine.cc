#include "match/engine.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "match/internal.h"

namespace aidlink::match {

namespace internal {

int EffectiveTier(const Need& need, int64_t as_of) {
  int tier = static_cast<int>(need.urgency);
  if (need.needed_by) {
    if (*need.needed_by <= as_of + 1) {
      tier = 0;
    } else if (*need.needed_by <= as_of + 3) {
      tier = std::min(tier, 1);
    }
  }
  return tier;
}

TieKey MakeTieKey(const Need& need, int64_t as_of) {
  // needed_by (none last): 31 bits; fewer tags later: 4 bits; smaller
  // household later: 20 bits.
  constexpr int64_t kNone = (int64_t{1} << 31) - 1;
  int64_t by = kNone;
  if (need.needed_by)
    by = std::clamp<int64_t>(*need.needed_by - as_of + (int64_t{1} << 30), 0, kNone - 1);
  const auto tags =
      static_cast<uint64_t>(kTagCount - std::popcount(need.tags & ((1u << kTagCount) - 1)));
  const auto household =
      static_cast<uint64_t>((1 << 20) - 1 - std::clamp(need.household_size, 0, (1 << 20) - 1));
  TieKey key;
  key.hi = (static_cast<uint64_t>(by) << 24) | (tags << 20) | household;
  key.seq = need.created_seq;
  key.id = need.id;
  return key;
}

}  // namespace internal

namespace {

using internal::EffectiveTier;
using internal::MakeTieKey;

using internal::ChoiceLot;
using internal::ChoiceNeed;
using internal::ChoiceProblem;
using internal::FairClass;
using internal::FairNeed;
using internal::FairProblem;
using internal::TieKey;

// Need's REQUIRES bound; larger inputs are treated as this much.
constexpr int64_t kMaxQuantity = (int64_t{1} << 31) - 1;

constexpr uint32_t kTierReasons[4] = {kReasonTierCritical, kReasonTierHigh, kReasonTierNormal,
                                      kReasonTierLow};

// Lookups shared read-only by the workers.
//
// Rule 1's area part: the cities and places (city, district) that depots are
// in or serve are interned. A need's *zone* is its place when interned, else
// its city when interned, else "nowhere" (no depot serves it); whether a
// depot's service area serves a zone is one table lookup.
struct Context {
  const Snapshot* snapshot = nullptr;
  const Policy* policy = nullptr;
  std::unordered_map<int64_t, int32_t> depot_index;
  // Districts of depots, earmarks and service areas, by name (earmarks name
  // districts without a city).
  std::unordered_map<std::string_view, int32_t> district_ids;
  std::unordered_map<std::string_view, int32_t> city_ids;
  std::unordered_map<uint64_t, int32_t> place_ids;  // PlaceKey(city, district) -> place
  std::vector<int32_t> place_city;                  // place -> city
  std::vector<int32_t> depot_area;                  // snapshot depot -> service area
  std::vector<int32_t> depot_place;                 // snapshot depot -> its own place
  int32_t unknown_depot_area = 0;                   // a depot missing from the snapshot
  int32_t area_count = 0;
  int32_t zone_count = 0;
  std::vector<char> serves;  // [zone * area_count + area]
  // Rule 9: per snapshot need; empty when no need names a cap.
  std::vector<internal::NeedLimit> limits;

  static uint64_t PlaceKey(int32_t city, int32_t district) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(city)) << 32) |
           static_cast<uint32_t>(district);
  }
  static int32_t Find(const std::unordered_map<std::string_view, int32_t>& ids,
                      std::string_view name) {
    auto it = ids.find(name);
    return it == ids.end() ? -1 : it->second;
  }
  int32_t DistrictId(std::string_view district) const { return Find(district_ids, district); }
  int32_t CityId(std::string_view city) const { return Find(city_ids, city); }
  int32_t PlaceId(int32_t city, int32_t district) const {
    if (city < 0 || district < 0) return -1;
    auto it = place_ids.find(PlaceKey(city, district));
    return it == place_ids.end() ? -1 : it->second;
  }
  int32_t ZoneOf(int32_t city, int32_t place) const {
    if (place >= 0) return place;
    return city >= 0 ? static_cast<int32_t>(place_city.size()) + city : zone_count - 1;
  }
  bool Serves(int32_t area, int32_t zone) const {
    return serves[static_cast<size_t>(zone) * static_cast<size_t>(area_count) +
                  static_cast<size_t>(area)] != 0;
  }
  int32_t DepotIndex(const Lot& lot) const {
    auto it = depot_index.find(lot.depot_id);
    return it == depot_index.end() ? -1 : it->second;
  }
};

// A depot's service area, normalised so that equal areas compare equal.
struct AreaKey {
  std::vector<int32_t> cities;  // sorted city ids
  std::vector<int32_t> places;  // sorted place ids

  friend auto operator<=>(const AreaKey&, const AreaKey&) = default;
};

int32_t Intern(std::unordered_map<std::string_view, int32_t>& ids, std::string_view name) {
  return ids.emplace(name, static_cast<int32_t>(ids.size())).first->second;
}

int32_t InternPlace(Context& ctx, std::string_view city, std::string_view district) {
  const int32_t c = Intern(ctx.city_ids, city), d = Intern(ctx.district_ids, district);
  auto [it, inserted] =
      ctx.place_ids.emplace(Context::PlaceKey(c, d), static_cast<int32_t>(ctx.place_city.size()));
  if (inserted) ctx.place_city.push_back(c);
  return it->second;
}

void SortUnique(std::vector<int32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Interns every name rule 1 compares: districts of earmarks, cities and
// places of depots and their service areas ("" is a city: the one city of a
// database that names none).
void InternNames(const Snapshot& snapshot, Context& ctx) {
  Intern(ctx.city_ids, "");
  for (const Depot& d : snapshot.depots) {
    InternPlace(ctx, d.city, d.district);
    for (const std::string& c : d.serves.cities) Intern(ctx.city_ids, c);
    for (const Place& p : d.serves.places) InternPlace(ctx, p.city, p.district);
  }
  for (const Lot& lot : snapshot.lots) {
    for (const std::string& d : lot.earmark.districts) Intern(ctx.district_ids, d);
  }
}

AreaKey AreaOf(const Depot& d, const Context& ctx) {
  AreaKey key;
  if (d.serves.empty()) {
    key.cities.push_back(ctx.CityId(d.city));
    return key;
  }
  for (const std::string& c : d.serves.cities) key.cities.push_back(ctx.CityId(c));
  for (const Place& p : d.serves.places) {
    key.places.push_back(ctx.PlaceId(ctx.CityId(p.city), ctx.DistrictId(p.district)));
  }
  SortUnique(key.cities);
  SortUnique(key.places);
  return key;
}

// Rule 1's "the lot's depot serves the requester's area", tabulated for
// every (zone, distinct service area).
void TabulateAreas(const Snapshot& snapshot, Context& ctx) {
  std::map<AreaKey, int32_t> area_ids;
  auto area_id = [&](AreaKey key) {
    return area_ids.emplace(std::move(key), static_cast<int32_t>(area_ids.size())).first->second;
  };
  for (size_t d = 0; d < snapshot.depots.size(); ++d) {
    const Depot& depot = snapshot.depots[d];
    ctx.depot_index.emplace(depot.id, static_cast<int32_t>(d));
    ctx.depot_area.push_back(area_id(AreaOf(depot, ctx)));
    ctx.depot_place.push_back(ctx.PlaceId(ctx.CityId(depot.city), ctx.DistrictId(depot.district)));
  }
  ctx.unknown_depot_area = area_id(AreaKey{{ctx.CityId("")}, {}});
  ctx.area_count = static_cast<int32_t>(area_ids.size());
  const auto places = static_cast<int32_t>(ctx.place_city.size());
  ctx.zone_count = places + static_cast<int32_t>(ctx.city_ids.size()) + 1;
  ctx.serves.assign(static_cast<size_t>(ctx.zone_count) * area_ids.size(), 0);
  for (const auto& [key, area] : area_ids) {
    auto has = [](const std::vector<int32_t>& v, int32_t x) {
      return std::binary_search(v.begin(), v.end(), x);
    };
    for (int32_t zone = 0; zone + 1 < ctx.zone_count; ++zone) {
      const bool served =
          zone < places
              ? has(key.cities, ctx.place_city[static_cast<size_t>(zone)]) || has(key.places, zone)
              : has(key.cities, zone - places);
      ctx.serves[static_cast<size_t>(zone) * area_ids.size() + static_cast<size_t>(area)] = served;
    }
  }
}

// The earmark of a group of lots, normalised so that equal restrictions
// compare equal.
struct EarmarkKey {
  std::vector<int32_t> districts;  // sorted district ids
  uint32_t kinds = 0;              // bit per RequesterKind
  uint32_t tags = 0;
  std::vector<int64_t> stations;  // sorted

  friend auto operator<=>(const EarmarkKey&, const EarmarkKey&) = default;

  bool Open() const { return districts.empty() && kinds == 0 && tags == 0 && stations.empty(); }
};

EarmarkKey Normalise(const Earmark& e, const Context& ctx) {
  EarmarkKey key;
  for (const std::string& d : e.districts) key.districts.push_back(ctx.DistrictId(d));
  std::sort(key.districts.begin(), key.districts.end());
  key.districts.erase(std::unique(key.districts.begin(), key.districts.end()), key.districts.end());
  for (RequesterKind k : e.requester_kinds) key.kinds |= 1u << static_cast<unsigned>(k);
  key.tags = e.tags;
  key.stations = e.station_ids;
  std::sort(key.stations.begin(), key.stations.end());
  key.stations.erase(std::unique(key.stations.begin(), key.stations.end()), key.stations.end());
  return key;
}

// What the engine keeps of a Need: compact, so that the per-item work reads
// contiguous memory.
struct NeedInfo {
  int64_t id = 0;
  int64_t station_id = 0;
  int64_t outstanding = 0;
  double lat = internal::kUnknownCoordinate, lon = internal::kUnknownCoordinate;
  uint32_t tags = 0;
  int32_t district = -1;  // by name, for earmarks
  int32_t place = -1;     // city and district, for rule 5's "same district"
  int32_t zone = 0;       // for rule 1's area (Context)
  uint8_t kind = 0;
  uint8_t tier = 0;
  uint8_t urgency = 0;
  bool held = false;       // rule 8: gets nothing
  bool over_soft = false;  // rule 9: this run took it past a soft cap
  int64_t cluster_id = 0;  // rule 8's household; 0 = alone
  // Rule 9: the most the hard caps allow (entitled), and within the soft
  // caps too (base); `limit` is where a shortfall is the caps' doing: base,
  // or entitled once the need went past a soft cap.
  int64_t entitled = 0, base = 0, limit = 0;
};

bool Open(const Need& need) { return need.outstanding > 0 && need.quantity - need.cancelled > 0; }

// The output of one item, compact (fresh memory is a large part of a run's
// cost) but carrying the ids, so that placing rows in the plan reads no
// scattered snapshot memory. Quantities fit in 32 bits by Need's REQUIRES.
struct AllocationRow {
  int64_t lot_id;
  int64_t need_id;
  int32_t need;  // snapshot index
  int32_t quantity;
  uint32_t reasons;
};
struct UnmetRow {
  int64_t need_id;
  int32_t need;  // snapshot index
  int32_t outstanding;
  int32_t reason;  // index into kUnmetReasons
};
// Rule 6's unmet reasons, indexes into kUnmetReasons.
enum UnmetIndex : int32_t {
  kNoStock,
  kExcludedByEarmark,
  kOnlyExpiringStock,
  kTierExhausted,
  kOutOfArea,
  kQuotaReached,
  kHeldAsPossibleDuplicate,
};
constexpr std::string_view kUnmetReasons[] = {
    kUnmetNoStock,   kUnmetExcludedByEarmark, kUnmetOnlyExpiringStock,       kUnmetTierExhausted,
    kUnmetOutOfArea, kUnmetQuotaReached,      kUnmetHeldAsPossibleDuplicate,
};

// A set of an item's lot groups as a bitmap, and what it is the key of: a
// need class (word 0 holds the tier) or a zone's open groups.
using GroupBits = std::vector<uint64_t>;

// What rule 1 admits a zone to among an item's groups before earmarks are
// looked at, computed once per zone and item.
struct ZoneAdmission {
  GroupBits open;             // usable open groups whose depots serve the zone
  bool open_expired = false;  // such a group holds expired stock
  bool in_area = false;       // some group of the item (any earmark) serves the zone
};

// Buffers a worker reuses from item to item, so that a run touches little
// fresh memory (page faults are a large part of a run's cost), and the rows
// of all the items it solved.
struct Workspace {
  FairProblem fair;
  std::vector<NeedInfo> infos;
  std::vector<char> admitted_expired;
  std::vector<int32_t> zone_slot;  // zone -> index into zones, -1 until needed
  std::vector<ZoneAdmission> zones;
  std::vector<AllocationRow> allocations;  // per item: by need (snapshot order), then lot id
  std::vector<UnmetRow> unmet;             // per item: in snapshot order
  // Rules 8-9 (empty when the item has no caps, holds or clusters): each
  // need's class before merging; the fair needs past the item's own (soft
  // cap extensions and hard cap probes), with their needs.
  std::vector<int32_t> need_cls;
  std::vector<int32_t> extra_owner;
  std::vector<char> extra_probe;  // a probe measures stock held by hard caps; never allocated
  // Households merged into one fair need: runs of need indexes, the first
  // of each run standing for all of them.
  std::vector<int32_t> merged;
  std::vector<std::pair<size_t, size_t>> merged_runs;
};

// Where an item's rows are (in the workspace of the worker that solved it),
// and its counts.
struct ItemResult {
  int32_t worker = 0;
  size_t allocations_begin = 0, allocations_end = 0;
  size_t unmet_begin = 0, unmet_end = 0;
  int64_t units = 0, filled = 0, partial = 0, unmet_count = 0;
  int64_t held_by_quota = 0;
};

// A group of one item's lots that are interchangeable for rule 1: the same
// earmark, at depots with the same service area.
struct GroupKey {
  EarmarkKey earmark;
  int32_t area = 0;

  friend auto operator<=>(const GroupKey&, const GroupKey&) = default;
};

struct Group {
  GroupKey key;
  int64_t capacity = 0;  // usable stock
  bool has_expired = false;
  bool open = false;  // no earmark
};

// One item's lots pooled into groups.
struct ItemLots {
  std::vector<Group> groups;
  std::vector<int32_t> group_of;   // per lot of the item
  std::vector<int32_t> earmarked;  // groups with an earmark
  size_t words = 1;                // GroupBits words: the tier, then a bit per group
};

int64_t UsableFrom(const Policy& policy) { return policy.as_of + policy.min_shelf_days; }

bool Expired(const Lot& lot, const Policy& policy) {
  return lot.expires_on && *lot.expires_on < UsableFrom(policy);
}

int32_t AreaOfLot(const Context& ctx, const Lot& lot) {
  const int32_t d = ctx.DepotIndex(lot);
  return d < 0 ? ctx.unknown_depot_area : ctx.depot_area[static_cast<size_t>(d)];
}

// Rule 1, the lots' side: pools the item's lots (snapshot indexes) by
// earmark and service area.
ItemLots PoolLots(const Context& ctx, const std::vector<int32_t>& lots) {
  ItemLots out;
  std::map<GroupKey, int32_t> group_of_key;
  out.group_of.resize(lots.size());
  for (size_t k = 0; k < lots.size(); ++k) {
    const Lot& lot = ctx.snapshot->lots[static_cast<size_t>(lots[k])];
    GroupKey key{Normalise(lot.earmark, ctx), AreaOfLot(ctx, lot)};
    auto [it, inserted] =
        group_of_key.try_emplace(std::move(key), static_cast<int32_t>(out.groups.size()));
    if (inserted) out.groups.push_back({it->first, 0, false, it->first.earmark.Open()});
    Group& g = out.groups[static_cast<size_t>(it->second)];
    out.group_of[k] = it->second;
    if (Expired(lot, *ctx.policy)) {
      g.has_expired = true;
    } else {
      g.capacity += lot.available;
    }
  }
  for (size_t g = 0; g < out.groups.size(); ++g) {
    if (!out.groups[g].open) out.earmarked.push_back(static_cast<int32_t>(g));
  }
  out.words = (out.groups.size() + 63) / 64 + 1;
  return out;
}

// The zone's admission among the item's groups, computed on first use.
// The reference is valid until the next call.
const ZoneAdmission& AdmissionOf(const Context& ctx, const ItemLots& lots, Workspace& ws,
                                 int32_t zone) {
  int32_t& slot = ws.zone_slot[static_cast<size_t>(zone)];
  if (slot >= 0) return ws.zones[static_cast<size_t>(slot)];
  slot = static_cast<int32_t>(ws.zones.size());
  ZoneAdmission& z = ws.zones.emplace_back();
  z.open.assign(lots.words, 0);
  for (size_t g = 0; g < lots.groups.size(); ++g) {
    const Group& group = lots.groups[g];
    if (!ctx.Serves(group.key.area, zone)) continue;
    z.in_area = true;
    if (!group.open) continue;
    z.open_expired |= group.has_expired;
    if (group.capacity > 0) z.open[1 + g / 64] |= uint64_t{1} << (g % 64);
  }
  return z;
}

// Fills ws.infos and ws.fair's needs (classes unset) from the item's needs
// (snapshot indexes), which are scattered over the snapshot.
void GatherNeeds(const Context& ctx, Workspace& ws, int64_t item_id, std::span<const int32_t> needs,
                 const ItemLots& lots) {
  const Snapshot& snap = *ctx.snapshot;
  const size_t n = needs.size();
  FairProblem& fair = ws.fair;
  fair.needs.resize(n);
  fair.classes.clear();
  fair.group_capacity.clear();
  fair.seed = static_cast<uint64_t>(item_id) * 0x9e3779b97f4a7c15ULL + 1;
  fair.tiers = internal::kUrgencyTiers;
  for (const Group& g : lots.groups) fair.group_capacity.push_back(g.capacity);
  ws.infos.resize(n);
  for (size_t k = 0; k < n; ++k) {
    if (k + 16 < n) {  // fetch ahead: a Need spans several cache lines
      const char* ahead =
          reinterpret_cast<const char*>(&snap.needs[static_cast<size_t>(needs[k + 16])]);
      __builtin_prefetch(ahead);
      __builtin_prefetch(ahead + 64);
      __builtin_prefetch(ahead + 128);
    }
    const Need& need = snap.needs[static_cast<size_t>(needs[k])];
    FairNeed& fn = fair.needs[k];
    fn.demand = std::min(need.quantity - need.cancelled, kMaxQuantity);
    fn.filled = std::clamp<int64_t>(need.filled, 0, fn.demand - 1);
    fn.outstanding = std::min(need.outstanding, kMaxQuantity);
    fn.pack = std::clamp<int64_t>(need.pack_size, 1, kMaxQuantity);
    fn.tie = MakeTieKey(need, ctx.policy->as_of);
    fn.cls = -1;
    NeedInfo& info = ws.infos[k];
    info.id = need.id;
    info.station_id = need.station_id;
    info.outstanding = fn.outstanding;
    info.lat = info.lon = internal::kUnknownCoordinate;
    if (need.lat && need.lon) {
      info.lat = *need.lat;
      info.lon = *need.lon;
    }
    info.tags = need.tags;
    const int32_t city = ctx.CityId(need.city);
    info.district = ctx.DistrictId(need.district);
    info.place = ctx.PlaceId(city, info.district);
    info.zone = ctx.ZoneOf(city, info.place);
    info.kind = static_cast<uint8_t>(need.kind);
    info.tier = static_cast<uint8_t>(EffectiveTier(need, ctx.policy->as_of));
    info.urgency = static_cast<uint8_t>(need.urgency);
    const internal::NeedLimit limit =
        ctx.limits.empty() ? internal::NeedLimit{} : ctx.limits[static_cast<size_t>(needs[k])];
    info.held = need.held;
    info.over_soft = false;
    info.cluster_id = need.cluster_id;
    info.entitled = need.held ? 0 : std::min(fn.outstanding, limit.hard);
    info.base = std::min(info.entitled, limit.soft);
    info.limit = info.base;
  }
}

// Rule 1 per earmarked group, in a form cheap to test a million times.
struct FastEarmark {
  const Group* group;
  size_t word;
  uint64_t bit;
  uint64_t district_mask;  // when every listed district id is < 64
  bool district_list, district_overflow;
};

std::vector<FastEarmark> FastEarmarks(const ItemLots& lots) {
  std::vector<FastEarmark> earmarks;
  for (int32_t g : lots.earmarked) {
    const Group& group = lots.groups[static_cast<size_t>(g)];
    FastEarmark f{&group, 1 + static_cast<size_t>(g) / 64,      uint64_t{1} << (g % 64),
                  0,      !group.key.earmark.districts.empty(), false};
    for (int32_t d : group.key.earmark.districts) {
      if (d >= 0 && d < 64) {
        f.district_mask |= uint64_t{1} << d;
      } else {
        f.district_overflow = true;
      }
    }
    earmarks.push_back(f);
  }
  return earmarks;
}

bool EarmarkAdmits(const FastEarmark& f, const NeedInfo& need) {
  const EarmarkKey& e = f.group->key.earmark;
  if (f.district_list) {
    const bool in =
        (need.district >= 0 && need.district < 64)
            ? ((f.district_mask >> need.district) & 1) != 0
            : f.district_overflow &&
                  std::binary_search(e.districts.begin(), e.districts.end(), need.district);
    if (!in) return false;
  }
  if (e.kinds != 0 && !(e.kinds & (1u << need.kind))) return false;
  if (e.tags != 0 && !(e.tags & need.tags)) return false;
  return e.stations.empty() ||
         std::binary_search(e.stations.begin(), e.stations.end(), need.station_id);
}

// Need classes by their GroupBits key: a small open-addressing table.
class ClassTable {
 public:
  explicit ClassTable(size_t words) : words_(words), table_(256, -1) {}

  // The class of `key`, or -1.
  int32_t Find(const GroupBits& key) const {
    const size_t mask = table_.size() - 1;
    for (size_t slot = Hash(key.data()) & mask; table_[slot] >= 0; slot = (slot + 1) & mask) {
      if (std::equal(key.begin(), key.end(), KeyOf(table_[slot]))) return table_[slot];
    }
    return -1;
  }

  // Adds `key` (not yet present); returns its class, the next number.
  int32_t Add(const GroupBits& key) {
    const auto cls = static_cast<int32_t>(keys_.size() / words_);
    keys_.insert(keys_.end(), key.begin(), key.end());
    if (static_cast<size_t>(cls + 1) * 2 > table_.size()) {
      table_.assign(table_.size() * 2, -1);
      for (int32_t c = 0; c <= cls; ++c) Place(c);
    } else {
      Place(cls);
    }
    return cls;
  }

 private:
  const uint64_t* KeyOf(int32_t cls) const {
    return keys_.data() + static_cast<size_t>(cls) * words_;
  }
  uint64_t Hash(const uint64_t* k) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t w = 0; w < words_; ++w) h = (h ^ k[w]) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
  }
  void Place(int32_t cls) {
    const size_t mask = table_.size() - 1;
    size_t slot = Hash(KeyOf(cls)) & mask;
    while (table_[slot] >= 0) slot = (slot + 1) & mask;
    table_[slot] = cls;
  }

  size_t words_;
  std::vector<uint64_t> keys_;  // words_ per class
  std::vector<int32_t> table_;  // a power of two, at most half full
};

FairClass ClassOf(const GroupBits& key, int tier, size_t groups) {
  FairClass fc;
  fc.tier = tier;
  for (size_t g = 0; g < groups; ++g) {
    if (key[1 + g / 64] & (uint64_t{1} << (g % 64))) fc.groups.push_back(static_cast<int32_t>(g));
  }
  return fc;
}

// Rule 1, the needs' side: the usable groups that admit each need (its zone
// served by the group's depots, the group's earmark admitting it); needs of
// one tier admitted by the same groups form a class. Notes which needs some
// expired stock would have admitted.
void ClassifyNeeds(const Context& ctx, const ItemLots& lots, Workspace& ws) {
  const size_t n = ws.infos.size();
  const std::vector<FastEarmark> earmarks = FastEarmarks(lots);
  ws.zone_slot.assign(static_cast<size_t>(ctx.zone_count), -1);
  ws.zones.clear();
  ws.admitted_expired.assign(n, 0);
  ClassTable table(lots.words);
  GroupBits key(lots.words);
  for (size_t k = 0; k < n; ++k) {
    const NeedInfo& need = ws.infos[k];
    const ZoneAdmission& zone = AdmissionOf(ctx, lots, ws, need.zone);
    key = zone.open;
    key[0] = need.tier;
    ws.admitted_expired[k] = zone.open_expired;
    for (const FastEarmark& f : earmarks) {
      if (!ctx.Serves(f.group->key.area, need.zone) || !EarmarkAdmits(f, need)) continue;
      if (f.group->capacity > 0) key[f.word] |= f.bit;
      if (f.group->has_expired) ws.admitted_expired[k] = 1;
    }
    if (std::all_of(key.begin() + 1, key.end(), [](uint64_t w) { return w == 0; })) continue;
    int32_t cls = table.Find(key);
    if (cls < 0) {
      cls = table.Add(key);
      ws.fair.classes.push_back(ClassOf(key, need.tier, lots.groups.size()));
    }
    ws.fair.needs[k].cls = cls;
  }
}

// A need's class (its eligible groups and tier), whether or not its
// household's fair need stands for it.
int32_t NeedClass(const Workspace& ws, size_t k) {
  return ws.need_cls.empty() ? ws.fair.needs[k].cls : ws.need_cls[k];
}

// Rule 9 as later tiers of the fair problem, for each need `k` of the item:
// past its soft caps (tier + 4), what it may take up to its hard caps, only
// from stock the first four tiers left; past its hard caps (tier + 8), a
// probe of what it could still use, never allocated. A later tier gets
// stock only once the need's own class got all it asked (a tight class stays
// tight), so the need's fill fraction there starts from what it asked.
void AddCapTiers(Workspace& ws) {
  FairProblem& fair = ws.fair;
  const size_t n = ws.infos.size();
  std::map<std::pair<int32_t, int>, int32_t> classes;  // (class, tier) -> class
  auto class_at = [&](int32_t cls, int tier) {
    auto [it, inserted] =
        classes.try_emplace({cls, tier}, static_cast<int32_t>(fair.classes.size()));
    if (inserted) {
      FairClass copy = fair.classes[static_cast<size_t>(cls)];
      copy.tier = tier;
      fair.classes.push_back(std::move(copy));
    }
    return it->second;
  };
  auto add = [&](size_t k, int64_t from, int64_t to, int tier_offset, bool probe) {
    FairNeed extra = fair.needs[k];
    extra.filled = std::min(extra.filled + from, extra.demand - 1);
    extra.outstanding = to - from;
    extra.cls = class_at(ws.need_cls[k], ws.infos[k].tier + tier_offset);
    fair.needs.push_back(extra);
    ws.extra_owner.push_back(static_cast<int32_t>(k));
    ws.extra_probe.push_back(probe ? 1 : 0);
  };
  for (size_t k = 0; k < n; ++k) {
    const NeedInfo& info = ws.infos[k];
    if (ws.need_cls[k] < 0 || info.held) continue;
    if (info.entitled > info.base) add(k, info.base, info.entitled, internal::kUrgencyTiers, false);
    if (info.outstanding > info.entitled) {
      add(k, info.entitled, info.outstanding, 2 * internal::kUrgencyTiers, true);
    }
  }
  if (!ws.extra_owner.empty()) fair.tiers = 3 * internal::kUrgencyTiers;
}

// Rule 8: the needs of one household admitted by the same stock are one fair
// need, standing at the place of the one with the best tie key.
void MergeHouseholds(Workspace& ws) {
  FairProblem& fair = ws.fair;
  for (size_t k = 0; k < ws.infos.size(); ++k) {
    if (ws.infos[k].cluster_id != 0 && fair.needs[k].cls >= 0) {
      ws.merged.push_back(static_cast<int32_t>(k));
    }
  }
  auto key = [&](int32_t k) {
    const auto u = static_cast<size_t>(k);
    return std::make_tuple(ws.infos[u].cluster_id, fair.needs[u].cls, fair.needs[u].tie);
  };
  std::sort(ws.merged.begin(), ws.merged.end(),
            [&](int32_t a, int32_t b) { return key(a) < key(b); });
  for (size_t first = 0; first < ws.merged.size();) {
    size_t last = first + 1;
    const auto head = static_cast<size_t>(ws.merged[first]);
    while (last < ws.merged.size() &&
           std::get<0>(key(ws.merged[last])) == ws.infos[head].cluster_id &&
           fair.needs[static_cast<size_t>(ws.merged[last])].cls == fair.needs[head].cls) {
      ++last;
    }
    if (last - first > 1) ws.merged_runs.emplace_back(first, last);
    FairNeed& all = fair.needs[head];
    for (size_t m = first + 1; m < last; ++m) {
      FairNeed& other = fair.needs[static_cast<size_t>(ws.merged[m])];
      all.filled += other.filled;
      all.demand = std::min(all.demand + other.demand, kMaxQuantity);
      all.outstanding = std::min(all.outstanding + other.outstanding, kMaxQuantity);
      other.cls = -1;
    }
    all.filled = std::min(all.filled, all.demand - 1);
    first = last;
  }
}

// Rules 8-9 on the item's fair problem: each need asks for what its caps
// allow (nothing when held), past-cap tiers follow the four urgency tiers,
// and households are merged. Leaves the problem as it is when no need of
// the item is capped, held or in a household.
void ApplyHouseholdRules(Workspace& ws) {
  ws.need_cls.clear();
  ws.extra_owner.clear();
  ws.extra_probe.clear();
  ws.merged.clear();
  ws.merged_runs.clear();
  const size_t n = ws.infos.size();
  bool any = false;
  for (size_t k = 0; k < n && !any; ++k) {
    any = ws.infos[k].base < ws.infos[k].outstanding || ws.infos[k].cluster_id != 0;
  }
  if (!any) return;
  ws.need_cls.resize(n);
  for (size_t k = 0; k < n; ++k) ws.need_cls[k] = ws.fair.needs[k].cls;
  AddCapTiers(ws);
  for (size_t k = 0; k < n; ++k) {
    ws.fair.needs[k].outstanding = ws.infos[k].base;
    if (ws.infos[k].base == 0) ws.fair.needs[k].cls = -1;
  }
  MergeHouseholds(ws);
}

// Each need's amount from the fair problem's: a household's amount shared
// out in tie order (each up to what it asked), soft-cap extensions added,
// probes counted as stock the hard caps held.
std::vector<int64_t> SettleAmounts(Workspace& ws, std::vector<int64_t> solved, ItemResult& result) {
  const size_t n = ws.infos.size();
  for (const auto& [first, last] : ws.merged_runs) {
    int64_t total = solved[static_cast<size_t>(ws.merged[first])];
    for (size_t m = first; m < last; ++m) {
      const auto k = static_cast<size_t>(ws.merged[m]);
      solved[k] = std::min(total, ws.infos[k].base);
      total -= solved[k];
    }
  }
  for (size_t j = 0; j < ws.extra_owner.size(); ++j) {
    const int64_t got = solved[n + j];
    if (got == 0) continue;
    const auto k = static_cast<size_t>(ws.extra_owner[j]);
    if (ws.extra_probe[j]) {
      result.held_by_quota += got;
    } else {
      solved[k] += got;
      ws.infos[k].over_soft = true;
      ws.infos[k].limit = ws.infos[k].entitled;
    }
  }
  solved.resize(n);
  return solved;
}

// Rule 5's input: the amounts rules 2-4 fixed. Tiers no longer matter, so
// classes with the same groups share a choice class. need_of[i] is the
// item's need of choice need i.
ChoiceProblem ChoiceOf(const Context& ctx, const ItemLots& lots,
                       const std::vector<int32_t>& lot_ids, const Workspace& ws,
                       const std::vector<int64_t>& amount, std::vector<int32_t>& need_of) {
  ChoiceProblem choice;
  choice.exact_pair_limit = ctx.policy->exact_lot_choice_pairs;
  choice.group_count = static_cast<int32_t>(lots.groups.size());
  std::vector<int32_t> choice_class(ws.fair.classes.size());
  std::map<std::vector<int32_t>, int32_t> by_groups;
  for (size_t c = 0; c < ws.fair.classes.size(); ++c) {
    auto [it, inserted] = by_groups.try_emplace(ws.fair.classes[c].groups,
                                                static_cast<int32_t>(choice.class_groups.size()));
    if (inserted) choice.class_groups.push_back(ws.fair.classes[c].groups);
    choice_class[c] = it->second;
  }
  for (size_t k = 0; k < ws.infos.size(); ++k) {
    if (amount[k] == 0) continue;
    const NeedInfo& need = ws.infos[k];
    choice.needs.push_back({need.id, amount[k], choice_class[static_cast<size_t>(NeedClass(ws, k))],
                            need.place, need.lat, need.lon});
    need_of.push_back(static_cast<int32_t>(k));
  }
  for (size_t k = 0; k < lot_ids.size(); ++k) {
    const Lot& lot = ctx.snapshot->lots[static_cast<size_t>(lot_ids[k])];
    if (Expired(lot, *ctx.policy)) continue;
    ChoiceLot cl;
    cl.id = lot.id;
    cl.available = lot.available;
    cl.expires_on = lot.expires_on;
    cl.group = lots.group_of[k];
    if (const int32_t d = ctx.DepotIndex(lot); d >= 0) {
      const Depot& depot = ctx.snapshot->depots[static_cast<size_t>(d)];
      cl.district = ctx.depot_place[static_cast<size_t>(d)];
      if (depot.lat && depot.lon) {
        cl.lat = *depot.lat;
        cl.lon = *depot.lon;
      }
    }
    cl.created_seq = lot.created_seq;
    choice.lots.push_back(cl);
  }
  return choice;
}

// Rule 6 for one allocation.
uint32_t AllocationReasons(const NeedInfo& need, int64_t amount, const internal::ChoiceLot& lot,
                           const internal::Chosen& chosen, bool earmarked) {
  uint32_t reasons = kReasonEligible | kTierReasons[need.tier];
  if (need.tier < need.urgency) reasons |= kReasonDeadlineRaisedTier;
  if (amount < need.limit) reasons |= kReasonFairShare;
  if (need.over_soft) reasons |= kReasonOverSoftQuota;
  if (lot.expires_on) reasons |= kReasonFefo;
  if (lot.district >= 0 && lot.district == need.place) reasons |= kReasonSameDistrict;
  if (chosen.nearest) reasons |= kReasonNearest;
  if (earmarked) reasons |= kReasonEarmarkMatch;
  return reasons;
}

// Rule 6: the chosen lots as allocation rows with their reasons, each need's
// rows by lot id. `chosen` is ordered by need.
void ExplainAllocations(const ChoiceProblem& choice, const std::vector<internal::Chosen>& chosen,
                        const std::vector<int32_t>& need_of, const ItemLots& lots,
                        const std::vector<int64_t>& amount, std::span<const int32_t> needs,
                        Workspace& ws) {
  for (size_t first = 0; first < chosen.size();) {
    size_t last = first;
    while (last < chosen.size() && chosen[last].need == chosen[first].need) ++last;
    const auto k = static_cast<size_t>(need_of[static_cast<size_t>(chosen[first].need)]);
    const NeedInfo& need = ws.infos[k];
    const size_t begin = ws.allocations.size();
    for (size_t x = first; x < last; ++x) {
      const ChoiceLot& cl = choice.lots[static_cast<size_t>(chosen[x].lot)];
      const bool earmarked = !lots.groups[static_cast<size_t>(cl.group)].open;
      ws.allocations.push_back({cl.id, need.id, needs[k], static_cast<int32_t>(chosen[x].quantity),
                                AllocationReasons(need, amount[k], cl, chosen[x], earmarked)});
    }
    std::sort(ws.allocations.begin() + static_cast<std::ptrdiff_t>(begin), ws.allocations.end(),
              [](const AllocationRow& a, const AllocationRow& b) { return a.lot_id < b.lot_id; });
    first = last;
  }
}

// Rule 6: why need k of the item is left short, the first reason that
// applies (see Unmet).
int32_t UnmetReason(const Context& ctx, const ItemLots& lots, Workspace& ws, size_t k,
                    int64_t amount) {
  if (ws.infos[k].held) return kHeldAsPossibleDuplicate;
  if (amount >= ws.infos[k].limit) return kQuotaReached;
  if (NeedClass(ws, k) >= 0) return kTierExhausted;
  if (lots.groups.empty()) return kNoStock;
  if (!AdmissionOf(ctx, lots, ws, ws.infos[k].zone).in_area) return kOutOfArea;
  if (ws.admitted_expired[k]) return kOnlyExpiringStock;
  return kExcludedByEarmark;
}

// Rule 6 for the needs left short, and the item's counts.
void ExplainUnmet(const Context& ctx, const ItemLots& lots, const std::vector<int64_t>& amount,
                  std::span<const int32_t> needs, Workspace& ws, ItemResult& result) {
  for (size_t k = 0; k < ws.infos.size(); ++k) {
    const NeedInfo& need = ws.infos[k];
    result.units += amount[k];
    if (amount[k] == need.outstanding) {
      ++result.filled;
      continue;
    }
    (amount[k] == 0 ? result.unmet_count : result.partial) += 1;
    ws.unmet.push_back({need.id, needs[k], static_cast<int32_t>(need.outstanding - amount[k]),
                        UnmetReason(ctx, lots, ws, k, amount[k])});
  }
}

// Rules 1-6 for one item. `needs` and `lots` index the snapshot's open needs
// and stocked lots of the item, in snapshot order.
ItemResult SolveItem(const Context& ctx, Workspace& ws, int32_t worker, int64_t item_id,
                     std::span<const int32_t> needs, const std::vector<int32_t>& lots) {
  const ItemLots pooled = PoolLots(ctx, lots);
  GatherNeeds(ctx, ws, item_id, needs, pooled);
  ClassifyNeeds(ctx, pooled, ws);
  ApplyHouseholdRules(ws);  // rules 8-9
  ItemResult result;
  const std::vector<int64_t> amount =
      SettleAmounts(ws, internal::SolveFairShare(ws.fair), result);  // rules 2-4
  std::vector<int32_t> need_of;
  const ChoiceProblem choice = ChoiceOf(ctx, pooled, lots, ws, amount, need_of);
  const std::vector<internal::Chosen> chosen = internal::ChooseLots(choice);  // rule 5
  result.worker = worker;
  result.allocations_begin = ws.allocations.size();
  result.unmet_begin = ws.unmet.size();
  ExplainAllocations(choice, chosen, need_of, pooled, amount, needs, ws);
  ExplainUnmet(ctx, pooled, amount, needs, ws, result);
  result.allocations_end = ws.allocations.size();
  result.unmet_end = ws.unmet.size();
  return result;
}

// Runs fn(t) for t in [0, threads) on `threads` threads (the caller's included).
template <typename Fn>
void Parallel(int threads, Fn fn) {
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(fn, t);
  fn(0);
  for (std::thread& w : workers) w.join();
}

// Places the items' rows in snapshot order of their needs: slot[i] becomes
// the position of need i's first row. Each item then writes its own rows (in
// parallel: items have disjoint needs), reading the ids from the snapshot.
template <typename Row, typename Out, typename Convert>
std::vector<Out> Scatter(int threads, const std::vector<ItemResult>& results,
                         const std::vector<Workspace>& ws, std::vector<Row> Workspace::*rows,
                         size_t ItemResult::*begin, size_t ItemResult::*end,
                         std::vector<int32_t>& slot, Convert convert) {
  auto item_rows = [&](const ItemResult& r) {
    const std::vector<Row>& all = ws[static_cast<size_t>(r.worker)].*rows;
    return std::span<const Row>(all).subspan(r.*begin, r.*end - r.*begin);
  };
  std::fill(slot.begin(), slot.end(), 0);
  size_t total = 0;
  for (const ItemResult& r : results) {
    for (const Row& row : item_rows(r)) ++slot[static_cast<size_t>(row.need)];
    total += r.*end - r.*begin;
  }
  int32_t pos = 0;
  for (int32_t& s : slot) {
    const int32_t count = s;
    s = pos;
    pos += count;
  }
  std::vector<Out> out(total);
  std::atomic<size_t> next{0};
  Parallel(threads, [&](int) {
    for (size_t k; (k = next.fetch_add(1)) < results.size();) {
      // An item's rows of one need are contiguous and already in order.
      for (const Row& row : item_rows(results[k])) {
        out[static_cast<size_t>(slot[static_cast<size_t>(row.need)]++)] = convert(row);
      }
    }
  });
  return out;
}

// The open needs of the snapshot grouped by item (items by id; each item's
// needs in snapshot order, whatever the threads).
struct NeedsByItem {
  std::vector<int64_t> item_ids;
  std::unordered_map<int64_t, int32_t> item_index;
  std::vector<int64_t> item_begin;  // item k's needs: item_needs[item_begin[k] .. item_begin[k+1])
  std::vector<int32_t> item_needs;  // indices into snapshot.needs
  bool ids_sorted = true;           // the snapshot lists needs by increasing id

  size_t items() const { return item_ids.size(); }
  int64_t open_needs() const { return item_begin.back(); }
  std::span<const int32_t> NeedsOf(size_t k) const {
    const auto b = static_cast<size_t>(item_begin[k]), e = static_cast<size_t>(item_begin[k + 1]);
    return std::span<const int32_t>(item_needs).subspan(b, e - b);
  }
};

// Counts the open needs of each item per chunk of the snapshot, then writes
// each chunk's needs at its offset.
NeedsByItem GroupNeedsByItem(const Snapshot& snapshot, int threads) {
  NeedsByItem out;
  const size_t total_needs = snapshot.needs.size();
  const auto chunks = static_cast<size_t>(threads);
  auto chunk_begin = [&](size_t c) { return total_needs * c / chunks; };
  std::vector<std::unordered_map<int64_t, int64_t>> chunk_counts(chunks);
  std::vector<char> chunk_sorted(chunks, 1);
  Parallel(threads, [&](int t) {
    const auto c = static_cast<size_t>(t);
    auto& counts = chunk_counts[c];
    for (size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
      const Need& need = snapshot.needs[i];
      if (i > 0 && snapshot.needs[i - 1].id >= need.id) chunk_sorted[c] = 0;
      if (Open(need)) ++counts[need.item_id];
    }
  });
  out.ids_sorted =
      std::all_of(chunk_sorted.begin(), chunk_sorted.end(), [](char s) { return s != 0; });
  for (const auto& counts : chunk_counts) {
    for (const auto& entry : counts) out.item_ids.push_back(entry.first);
  }
  std::sort(out.item_ids.begin(), out.item_ids.end());
  out.item_ids.erase(std::unique(out.item_ids.begin(), out.item_ids.end()), out.item_ids.end());
  const size_t items = out.item_ids.size();
  for (size_t k = 0; k < items; ++k)
    out.item_index.emplace(out.item_ids[k], static_cast<int32_t>(k));
  // offset[c][item]: where chunk c writes its first need of the item.
  std::vector<std::vector<int64_t>> offset(chunks, std::vector<int64_t>(items, 0));
  out.item_begin.assign(items + 1, 0);
  int64_t open_needs = 0;
  for (size_t k = 0; k < items; ++k) {
    out.item_begin[k] = open_needs;
    for (size_t c = 0; c < chunks; ++c) {
      offset[c][k] = open_needs;
      auto it = chunk_counts[c].find(out.item_ids[k]);
      if (it != chunk_counts[c].end()) open_needs += it->second;
    }
  }
  out.item_begin[items] = open_needs;
  out.item_needs.resize(static_cast<size_t>(open_needs));
  Parallel(threads, [&](int t) {
    const auto c = static_cast<size_t>(t);
    for (size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
      const Need& need = snapshot.needs[i];
      if (!Open(need)) continue;
      const auto item = static_cast<size_t>(out.item_index.find(need.item_id)->second);
      out.item_needs[static_cast<size_t>(offset[c][item]++)] = static_cast<int32_t>(i);
    }
  });
  return out;
}

// The usable lots of each needed item; counts every usable lot considered.
std::vector<std::vector<int32_t>> LotsByItem(const Snapshot& snapshot, const NeedsByItem& needs,
                                             Stats& stats) {
  std::vector<std::vector<int32_t>> item_lots(needs.items());
  for (size_t l = 0; l < snapshot.lots.size(); ++l) {
    const Lot& lot = snapshot.lots[l];
    if (lot.available <= 0) continue;
    ++stats.lots_considered;
    auto it = needs.item_index.find(lot.item_id);
    if (it == needs.item_index.end()) continue;  // nobody needs this item
    item_lots[static_cast<size_t>(it->second)].push_back(static_cast<int32_t>(l));
  }
  return item_lots;
}

// Per snapshot need: whether its item has stocked lots (rule 9's shares go
// only to those). Empty when no cap is given.
std::vector<char> Stocked(const Snapshot& snapshot, const NeedsByItem& needs,
                          const std::vector<std::vector<int32_t>>& item_lots) {
  if (snapshot.caps.empty()) return {};
  std::vector<char> stocked(snapshot.needs.size(), 0);
  for (size_t i = 0; i < snapshot.needs.size(); ++i) {
    auto it = needs.item_index.find(snapshot.needs[i].item_id);
    stocked[i] =
        it != needs.item_index.end() && !item_lots[static_cast<size_t>(it->second)].empty();
  }
  return stocked;
}

// Solves the items, biggest first so that the threads finish together; each
// worker writes its rows into its own workspace.
std::vector<ItemResult> SolveItems(const Context& ctx, int threads, const NeedsByItem& needs,
                                   const std::vector<std::vector<int32_t>>& item_lots,
                                   std::vector<Workspace>& workspaces) {
  const size_t items = needs.items();
  std::vector<ItemResult> results(items);
  std::vector<size_t> order(items);
  for (size_t k = 0; k < items; ++k) order[k] = k;
  auto size_of = [&](size_t k) { return needs.item_begin[k + 1] - needs.item_begin[k]; };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(size_of(a), b) > std::make_pair(size_of(b), a);
  });
  const int workers = std::min<int>(threads, static_cast<int>(std::max<size_t>(items, 1)));
  workspaces.resize(static_cast<size_t>(workers));
  const auto open_needs = static_cast<size_t>(needs.open_needs());
  std::atomic<size_t> next{0};
  Parallel(workers, [&](int t) {
    Workspace& ws = workspaces[static_cast<size_t>(t)];
    // Room for the rows up front: reserving touches no memory, growing would
    // copy.
    ws.allocations.reserve(open_needs * 3 / 2 / static_cast<size_t>(workers) + 1024);
    ws.unmet.reserve(open_needs / static_cast<size_t>(workers) + 1024);
    for (size_t k; (k = next.fetch_add(1)) < items;) {
      const size_t item = order[k];
      results[item] =
          SolveItem(ctx, ws, t, needs.item_ids[item], needs.NeedsOf(item), item_lots[item]);
    }
  });
  return results;
}

}  // namespace

Plan Allocate(const Snapshot& snapshot, const Policy& policy) {
  Context ctx;
  ctx.snapshot = &snapshot;
  ctx.policy = &policy;
  InternNames(snapshot, ctx);
  TabulateAreas(snapshot, ctx);

  Plan plan;
  const int threads = std::clamp(policy.threads, 1, 64);
  const NeedsByItem needs = GroupNeedsByItem(snapshot, threads);
  plan.stats.needs_considered = needs.open_needs();
  const std::vector<std::vector<int32_t>> item_lots = LotsByItem(snapshot, needs, plan.stats);
  ctx.limits = internal::ApportionCaps(snapshot, policy, Stocked(snapshot, needs, item_lots));
  std::vector<Workspace> workspaces;
  std::vector<ItemResult> results = SolveItems(ctx, threads, needs, item_lots, workspaces);

  for (const ItemResult& r : results) {
    plan.stats.units_allocated += r.units;
    plan.stats.needs_filled += r.filled;
    plan.stats.needs_partial += r.partial;
    plan.stats.needs_unmet += r.unmet_count;
    plan.stats.units_held_by_quota += r.held_by_quota;
  }
  std::vector<int32_t> slot(snapshot.needs.size());
  plan.allocations = Scatter<AllocationRow, Allocation>(
      threads, results, workspaces, &Workspace::allocations, &ItemResult::allocations_begin,
      &ItemResult::allocations_end, slot, [&](const AllocationRow& row) {
        return Allocation{row.lot_id, row.need_id, row.quantity, row.reasons};
      });
  plan.unmet = Scatter<UnmetRow, Unmet>(
      threads, results, workspaces, &Workspace::unmet, &ItemResult::unmet_begin,
      &ItemResult::unmet_end, slot, [&](const UnmetRow& row) {
        return Unmet{row.need_id, row.outstanding, kUnmetReasons[static_cast<size_t>(row.reason)]};
      });
  results = {};
  if (!needs.ids_sorted) {
    std::sort(plan.allocations.begin(), plan.allocations.end(),
              [](const Allocation& a, const Allocation& b) {
                return std::tie(a.need_id, a.lot_id) < std::tie(b.need_id, b.lot_id);
              });
    std::sort(plan.unmet.begin(), plan.unmet.end(),
              [](const Unmet& a, const Unmet& b) { return a.need_id < b.need_id; });
  }
  return plan;
}

}  // namespace aidlink::match
