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
namespace {

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
struct Context {
  const Snapshot* snapshot = nullptr;
  const Policy* policy = nullptr;
  std::unordered_map<int64_t, int32_t> depot_index;
  std::unordered_map<std::string_view, int32_t> district_ids;  // depots' and earmarks' districts

  int32_t DistrictId(std::string_view district) const {
    auto it = district_ids.find(district);
    return it == district_ids.end() ? -1 : it->second;
  }
  const Depot* DepotOf(const Lot& lot) const {
    auto it = depot_index.find(lot.depot_id);
    return it == depot_index.end() ? nullptr : &snapshot->depots[static_cast<size_t>(it->second)];
  }
};

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

// The tier a need is served in (0 = critical): its urgency, raised by a
// near deadline (rule 2).
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
  const auto tags = static_cast<uint64_t>(kTagCount - std::popcount(need.tags & 0xffu));
  const auto household =
      static_cast<uint64_t>((1 << 20) - 1 - std::clamp(need.household_size, 0, (1 << 20) - 1));
  TieKey key;
  key.hi = (static_cast<uint64_t>(by) << 24) | (tags << 20) | household;
  key.seq = need.created_seq;
  key.id = need.id;
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
  int32_t district = -1;
  uint8_t kind = 0;
  uint8_t tier = 0;
  uint8_t urgency = 0;
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
constexpr std::string_view kUnmetReasons[] = {kUnmetNoStock, kUnmetExcludedByEarmark,
                                              kUnmetOnlyExpiringStock, kUnmetTierExhausted};

// Buffers a worker reuses from item to item, so that a run touches little
// fresh memory (page faults are a large part of a run's cost), and the rows
// of all the items it solved.
struct Workspace {
  FairProblem fair;
  std::vector<NeedInfo> infos;
  std::vector<char> admitted_expired;
  std::vector<AllocationRow> allocations;  // per item: by need (snapshot order), then lot id
  std::vector<UnmetRow> unmet;             // per item: in snapshot order
};

// Where an item's rows are (in the workspace of the worker that solved it),
// and its counts.
struct ItemResult {
  int32_t worker = 0;
  size_t allocations_begin = 0, allocations_end = 0;
  size_t unmet_begin = 0, unmet_end = 0;
  int64_t units = 0, filled = 0, partial = 0, unmet_count = 0;
};

// Rules 1-6 for one item. `needs` and `lots` index the snapshot's open needs
// and stocked lots of the item, in snapshot order.
ItemResult SolveItem(const Context& ctx, Workspace& ws, int32_t worker, int64_t item_id,
                     std::span<const int32_t> needs, const std::vector<int32_t>& lots) {
  const Snapshot& snap = *ctx.snapshot;
  const Policy& policy = *ctx.policy;
  const int64_t usable_from = policy.as_of + policy.min_shelf_days;
  const size_t n = needs.size();

  // Lot groups: lots with the same earmark are interchangeable for rule 1.
  struct Group {
    EarmarkKey key;
    int64_t capacity = 0;  // usable stock
    bool has_expired = false;
    bool open = false;
  };
  std::vector<Group> groups;
  std::map<EarmarkKey, int32_t> group_of_key;
  std::vector<int32_t> lot_group(lots.size());
  for (size_t k = 0; k < lots.size(); ++k) {
    const Lot& lot = snap.lots[static_cast<size_t>(lots[k])];
    EarmarkKey key = Normalise(lot.earmark, ctx);
    auto [it, inserted] =
        group_of_key.try_emplace(std::move(key), static_cast<int32_t>(groups.size()));
    if (inserted) groups.push_back({it->first, 0, false, it->first.Open()});
    Group& g = groups[static_cast<size_t>(it->second)];
    lot_group[k] = it->second;
    if (lot.expires_on && *lot.expires_on < usable_from) {
      g.has_expired = true;
    } else {
      g.capacity += lot.available;
    }
  }
  std::vector<int32_t> earmarked_groups;
  bool open_expired = false;
  const size_t words = (groups.size() + 63) / 64 + 1;
  std::vector<uint64_t> open_key(words, 0);  // usable open groups
  for (size_t g = 0; g < groups.size(); ++g) {
    if (!groups[g].open) {
      earmarked_groups.push_back(static_cast<int32_t>(g));
      continue;
    }
    open_expired |= groups[g].has_expired;
    if (groups[g].capacity > 0) open_key[1 + g / 64] |= uint64_t{1} << (g % 64);
  }

  // Gather the item's needs from the snapshot (scattered in memory).
  FairProblem& fair = ws.fair;
  fair.needs.resize(n);
  fair.classes.clear();
  fair.group_capacity.clear();
  fair.seed = static_cast<uint64_t>(item_id) * 0x9e3779b97f4a7c15ULL + 1;
  for (const Group& g : groups) fair.group_capacity.push_back(g.capacity);
  std::vector<NeedInfo>& infos = ws.infos;
  infos.resize(n);
  for (size_t k = 0; k < n; ++k) {
    // The needs of an item are scattered over the snapshot: fetch ahead (a
    // Need spans three cache lines).
    if (k + 16 < n) {
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
    fn.tie = MakeTieKey(need, policy.as_of);
    fn.cls = -1;
    NeedInfo& info = infos[k];
    info.id = need.id;
    info.station_id = need.station_id;
    info.outstanding = fn.outstanding;
    info.lat = info.lon = internal::kUnknownCoordinate;
    if (need.lat && need.lon) {
      info.lat = *need.lat;
      info.lon = *need.lon;
    }
    info.tags = need.tags;
    info.district = ctx.DistrictId(need.district);
    info.kind = static_cast<uint8_t>(need.kind);
    info.tier = static_cast<uint8_t>(EffectiveTier(need, policy.as_of));
    info.urgency = static_cast<uint8_t>(need.urgency);
  }

  // Rule 1 per earmarked group, in a form cheap to test a million times.
  struct FastEarmark {
    const Group* group;
    size_t word;
    uint64_t bit;
    uint64_t district_mask;  // when every listed district id is < 64
    bool district_list, district_overflow;
  };
  std::vector<FastEarmark> earmarks;
  for (int32_t g : earmarked_groups) {
    const Group& group = groups[static_cast<size_t>(g)];
    if (group.capacity == 0 && !group.has_expired) continue;
    FastEarmark f{&group, 1 + static_cast<size_t>(g) / 64, uint64_t{1} << (g % 64),
                  0,      !group.key.districts.empty(),    false};
    for (int32_t d : group.key.districts) {
      if (d >= 0 && d < 64) {
        f.district_mask |= uint64_t{1} << d;
      } else {
        f.district_overflow = true;
      }
    }
    earmarks.push_back(f);
  }
  auto admits = [](const FastEarmark& f, const NeedInfo& need) {
    const EarmarkKey& e = f.group->key;
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
    if (!e.stations.empty() &&
        !std::binary_search(e.stations.begin(), e.stations.end(), need.station_id)) {
      return false;
    }
    return true;
  };

  // Classes: needs of one tier admitted by the same usable groups, found
  // through a small open-addressing table on the group bitmap.
  std::vector<uint64_t> class_words;  // words per class, flat
  std::vector<int32_t> table(256, -1);
  std::vector<uint64_t> key(words);
  std::vector<char>& admitted_expired = ws.admitted_expired;
  admitted_expired.assign(n, 0);
  auto hash_of = [&](const uint64_t* k) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t w = 0; w < words; ++w) h = (h ^ k[w]) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
  };
  auto insert = [&](int32_t cls) {
    const size_t mask = table.size() - 1;
    for (size_t slot = hash_of(&class_words[static_cast<size_t>(cls) * words]) & mask;;
         slot = (slot + 1) & mask) {
      if (table[slot] < 0) {
        table[slot] = cls;
        return;
      }
    }
  };
  for (size_t k = 0; k < n; ++k) {
    const NeedInfo& need = infos[k];
    key = open_key;
    key[0] = need.tier;
    admitted_expired[k] = open_expired;
    for (const FastEarmark& f : earmarks) {
      if (!admits(f, need)) continue;
      if (f.group->capacity > 0) key[f.word] |= f.bit;
      if (f.group->has_expired) admitted_expired[k] = 1;
    }
    bool any = false;
    for (size_t w = 1; w < words; ++w) any |= key[w] != 0;
    if (!any) continue;
    const size_t mask = table.size() - 1;
    int32_t cls = -1;
    size_t slot = hash_of(key.data()) & mask;
    for (; table[slot] >= 0; slot = (slot + 1) & mask) {
      if (std::equal(key.begin(), key.end(),
                     class_words.begin() +
                         static_cast<std::ptrdiff_t>(static_cast<size_t>(table[slot]) * words))) {
        cls = table[slot];
        break;
      }
    }
    if (cls < 0) {
      cls = static_cast<int32_t>(fair.classes.size());
      class_words.insert(class_words.end(), key.begin(), key.end());
      FairClass fc;
      fc.tier = need.tier;
      for (size_t g = 0; g < groups.size(); ++g) {
        if (key[1 + g / 64] & (uint64_t{1} << (g % 64)))
          fc.groups.push_back(static_cast<int32_t>(g));
      }
      fair.classes.push_back(std::move(fc));
      if (fair.classes.size() * 2 > table.size()) {
        table.assign(table.size() * 2, -1);
        for (int32_t c = 0; c <= cls; ++c) insert(c);
      } else {
        table[slot] = cls;
      }
    }
    fair.needs[k].cls = cls;
  }

  const std::vector<int64_t> amount = internal::SolveFairShare(fair);

  // Rule 5. Tiers no longer matter: classes with the same groups share a
  // choice class.
  ChoiceProblem choice;
  choice.exact_pair_limit = policy.exact_lot_choice_pairs;
  choice.group_count = static_cast<int32_t>(groups.size());
  std::vector<int32_t> choice_class(fair.classes.size());
  {
    std::map<std::vector<int32_t>, int32_t> by_groups;
    for (size_t c = 0; c < fair.classes.size(); ++c) {
      auto [it, inserted] = by_groups.try_emplace(fair.classes[c].groups,
                                                  static_cast<int32_t>(choice.class_groups.size()));
      if (inserted) choice.class_groups.push_back(fair.classes[c].groups);
      choice_class[c] = it->second;
    }
  }
  std::vector<int32_t> choice_need_of;  // choice need -> local need
  for (size_t k = 0; k < n; ++k) {
    if (amount[k] == 0) continue;
    const NeedInfo& need = infos[k];
    choice.needs.push_back({need.id, amount[k],
                            choice_class[static_cast<size_t>(fair.needs[k].cls)], need.district,
                            need.lat, need.lon});
    choice_need_of.push_back(static_cast<int32_t>(k));
  }
  for (size_t k = 0; k < lots.size(); ++k) {
    const Lot& lot = snap.lots[static_cast<size_t>(lots[k])];
    if (lot.expires_on && *lot.expires_on < usable_from) continue;
    const Depot* depot = ctx.DepotOf(lot);
    ChoiceLot cl;
    cl.id = lot.id;
    cl.available = lot.available;
    cl.expires_on = lot.expires_on;
    cl.group = lot_group[k];
    if (depot) {
      cl.district = ctx.DistrictId(depot->district);
      if (depot->lat && depot->lon) {
        cl.lat = *depot->lat;
        cl.lon = *depot->lon;
      }
    }
    cl.created_seq = lot.created_seq;
    choice.lots.push_back(cl);
  }
  const std::vector<internal::Chosen> chosen = internal::ChooseLots(choice);

  // Rule 6: reasons. Chosen is ordered by need; order each need's lots by id.
  ItemResult result;
  result.worker = worker;
  result.allocations_begin = ws.allocations.size();
  result.unmet_begin = ws.unmet.size();
  for (size_t first = 0; first < chosen.size();) {
    size_t last = first;
    while (last < chosen.size() && chosen[last].need == chosen[first].need) ++last;
    const auto k = static_cast<size_t>(choice_need_of[static_cast<size_t>(chosen[first].need)]);
    const NeedInfo& need = infos[k];
    const size_t begin = ws.allocations.size();
    for (size_t x = first; x < last; ++x) {
      const ChoiceLot& cl = choice.lots[static_cast<size_t>(chosen[x].lot)];
      uint32_t reasons = kReasonEligible | kTierReasons[need.tier];
      if (need.tier < need.urgency) reasons |= kReasonDeadlineRaisedTier;
      if (amount[k] < need.outstanding) reasons |= kReasonFairShare;
      if (cl.expires_on) reasons |= kReasonFefo;
      if (cl.district >= 0 && cl.district == need.district) reasons |= kReasonSameDistrict;
      if (chosen[x].nearest) reasons |= kReasonNearest;
      if (!groups[static_cast<size_t>(cl.group)].open) reasons |= kReasonEarmarkMatch;
      ws.allocations.push_back(
          {cl.id, need.id, needs[k], static_cast<int32_t>(chosen[x].quantity), reasons});
    }
    std::sort(ws.allocations.begin() + static_cast<std::ptrdiff_t>(begin), ws.allocations.end(),
              [](const AllocationRow& a, const AllocationRow& b) { return a.lot_id < b.lot_id; });
    first = last;
  }
  for (size_t k = 0; k < n; ++k) {
    const NeedInfo& need = infos[k];
    result.units += amount[k];
    if (amount[k] == need.outstanding) {
      ++result.filled;
      continue;
    }
    (amount[k] == 0 ? result.unmet_count : result.partial) += 1;
    int32_t reason;
    if (fair.needs[k].cls >= 0) {
      reason = 3;  // tier_exhausted
    } else if (lots.empty()) {
      reason = 0;  // no_stock
    } else if (admitted_expired[k]) {
      reason = 2;  // only_expiring_stock
    } else {
      reason = 1;  // excluded_by_earmark
    }
    ws.unmet.push_back(
        {need.id, needs[k], static_cast<int32_t>(need.outstanding - amount[k]), reason});
  }
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

}  // namespace

Plan Allocate(const Snapshot& snapshot, const Policy& policy) {
  Context ctx;
  ctx.snapshot = &snapshot;
  ctx.policy = &policy;
  for (size_t d = 0; d < snapshot.depots.size(); ++d) {
    ctx.depot_index.emplace(snapshot.depots[d].id, static_cast<int32_t>(d));
    ctx.district_ids.emplace(snapshot.depots[d].district,
                             static_cast<int32_t>(ctx.district_ids.size()));
  }
  for (const Lot& lot : snapshot.lots) {
    for (const std::string& d : lot.earmark.districts) {
      ctx.district_ids.emplace(d, static_cast<int32_t>(ctx.district_ids.size()));
    }
  }

  Plan plan;
  const int threads = std::clamp(policy.threads, 1, 64);
  const size_t total_needs = snapshot.needs.size();

  // Items: count the open needs of each item, per chunk of the snapshot; note
  // whether the snapshot lists needs by increasing id (then the output needs
  // no sort).
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
  const bool ids_sorted =
      std::all_of(chunk_sorted.begin(), chunk_sorted.end(), [](char s) { return s != 0; });
  std::vector<int64_t> item_ids;
  for (const auto& counts : chunk_counts) {
    for (const auto& entry : counts) item_ids.push_back(entry.first);
  }
  std::sort(item_ids.begin(), item_ids.end());
  item_ids.erase(std::unique(item_ids.begin(), item_ids.end()), item_ids.end());
  const size_t items = item_ids.size();
  std::unordered_map<int64_t, int32_t> item_index;
  for (size_t k = 0; k < items; ++k) item_index.emplace(item_ids[k], static_cast<int32_t>(k));
  // offset[c][item]: where chunk c writes its first need of the item, so
  // that each item lists its needs in snapshot order whatever the threads.
  std::vector<std::vector<int64_t>> offset(chunks, std::vector<int64_t>(items, 0));
  std::vector<int64_t> item_begin(items + 1, 0);
  int64_t open_needs = 0;
  for (size_t k = 0; k < items; ++k) {
    item_begin[k] = open_needs;
    for (size_t c = 0; c < chunks; ++c) {
      offset[c][k] = open_needs;
      auto it = chunk_counts[c].find(item_ids[k]);
      if (it != chunk_counts[c].end()) open_needs += it->second;
    }
  }
  item_begin[items] = open_needs;
  plan.stats.needs_considered = open_needs;
  std::vector<int32_t> item_needs(static_cast<size_t>(open_needs));
  Parallel(threads, [&](int t) {
    const auto c = static_cast<size_t>(t);
    for (size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
      const Need& need = snapshot.needs[i];
      if (!Open(need)) continue;
      const auto item = static_cast<size_t>(item_index.find(need.item_id)->second);
      item_needs[static_cast<size_t>(offset[c][item]++)] = static_cast<int32_t>(i);
    }
  });

  std::vector<std::vector<int32_t>> item_lots(items);
  for (size_t l = 0; l < snapshot.lots.size(); ++l) {
    const Lot& lot = snapshot.lots[l];
    if (lot.available <= 0) continue;
    ++plan.stats.lots_considered;
    auto it = item_index.find(lot.item_id);
    if (it == item_index.end()) continue;  // nobody needs this item
    item_lots[static_cast<size_t>(it->second)].push_back(static_cast<int32_t>(l));
  }

  // Solve the items, biggest first so that the threads finish together.
  std::vector<ItemResult> results(items);
  std::vector<size_t> order(items);
  for (size_t k = 0; k < items; ++k) order[k] = k;
  auto size_of = [&](size_t k) { return item_begin[k + 1] - item_begin[k]; };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(size_of(a), b) > std::make_pair(size_of(b), a);
  });
  const int workers = std::min<int>(threads, static_cast<int>(std::max<size_t>(items, 1)));
  std::vector<Workspace> workspaces(static_cast<size_t>(workers));
  std::atomic<size_t> next{0};
  Parallel(workers, [&](int t) {
    Workspace& ws = workspaces[static_cast<size_t>(t)];
    // Room for the rows up front: reserving touches no memory, growing would
    // copy.
    ws.allocations.reserve(static_cast<size_t>(open_needs) * 3 / 2 / static_cast<size_t>(workers) +
                           1024);
    ws.unmet.reserve(static_cast<size_t>(open_needs) / static_cast<size_t>(workers) + 1024);
    for (size_t k; (k = next.fetch_add(1)) < items;) {
      const size_t item = order[k];
      const auto b = static_cast<size_t>(item_begin[item]);
      const auto e = static_cast<size_t>(item_begin[item + 1]);
      results[item] =
          SolveItem(ctx, ws, t, item_ids[item],
                    std::span<const int32_t>(item_needs).subspan(b, e - b), item_lots[item]);
    }
  });

  for (const ItemResult& r : results) {
    plan.stats.units_allocated += r.units;
    plan.stats.needs_filled += r.filled;
    plan.stats.needs_partial += r.partial;
    plan.stats.needs_unmet += r.unmet_count;
  }
  std::vector<int32_t> slot(total_needs);
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
  if (!ids_sorted) {
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
