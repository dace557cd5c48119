// Seeded property tests over thousands of random small instances. The
// engine is checked against independent code written here: rule 1 on the raw
// structs, a tiny augmenting-path max-flow, the naive pack-by-pack reference
// of rule 3, and a negative-cycle test for rule 5's min-cost flow.

#include <algorithm>
#include <array>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "match/engine.h"
#include "match/internal.h"

namespace aidlink::match {
namespace {

constexpr int64_t kAsOf = 20000;

// ---------------------------------------------------------------------------
// Random instances.

struct Shape {
  int items = 1;
  int max_needs = 6;
  int max_lots = 4;
  int64_t max_quantity = 10;
  bool ties = false;        // equal requests: the tie-break order decides
  bool areas = false;       // cities and service areas (else every depot and need in city "")
  bool households = false;  // rules 8-9: registrations of one household, holds and caps
};

// Depot cities and service areas (rule 1's area part) for an instance.
void RandomAreas(std::mt19937_64& rng, const std::vector<std::string>& districts, Snapshot& s) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const std::vector<std::string> cities = {"", "x", "y"};
  for (Depot& d : s.depots) {
    d.city = cities[static_cast<size_t>(uniform(0, 2))];
    if (uniform(0, 9) < 4) continue;
    for (int64_t k = uniform(0, 2); k > 0; --k)
      d.serves.cities.push_back(cities[static_cast<size_t>(uniform(0, 2))]);
    for (int64_t k = uniform(0, 2); k > 0; --k) {
      d.serves.places.push_back({cities[static_cast<size_t>(uniform(0, 2))],
                                 districts[static_cast<size_t>(uniform(0, 3))]});
    }
  }
  for (Need& n : s.needs) n.city = cities[static_cast<size_t>(uniform(0, 2))];
}

// Rules 8-9's inputs: some needs are another registration of an earlier
// need's household (mostly asking alike, so that the engine merges them),
// some are held, and up to three caps (hard or soft) bind random needs.
void RandomHouseholds(std::mt19937_64& rng, Snapshot& s) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const int64_t caps = uniform(0, 3);
  for (int64_t c = 0; c < caps; ++c) s.caps.push_back({c + 1, uniform(0, 12), chance(0.4)});
  for (size_t i = 1; i < s.needs.size(); ++i) {
    if (!chance(0.4)) continue;
    Need& other = s.needs[static_cast<size_t>(uniform(0, static_cast<int64_t>(i) - 1))];
    if (other.cluster_id == 0) other.cluster_id = 1000 + other.id;
    Need& n = s.needs[i];
    n.cluster_id = other.cluster_id;
    if (chance(0.3)) continue;  // asks differently: not merged
    n.item_id = other.item_id;
    n.pack_size = other.pack_size;
    n.urgency = other.urgency;
    n.needed_by = other.needed_by;
    n.city = other.city;
    n.district = other.district;
    n.kind = other.kind;
    n.tags = other.tags;
    n.station_id = other.station_id;
  }
  for (Need& n : s.needs) {
    n.held = chance(0.1);
    for (int64_t k = caps > 0 && chance(0.5) ? uniform(1, 2) : 0; k > 0; --k) {
      n.caps.push_back(static_cast<int32_t>(uniform(0, caps - 1)));
    }
  }
}

Snapshot RandomSnapshot(uint64_t seed, const Shape& shape) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  const std::vector<std::string> districts = {"a", "b", "c", "d"};
  Snapshot s;
  s.depots = {{1, "a", 30.0, 114.0, "", {}},
              {2, "b", 30.1, 114.1, "", {}},
              {3, "c", std::nullopt, std::nullopt, "", {}}};
  std::vector<int64_t> pack(static_cast<size_t>(shape.items) + 1);
  for (auto& p : pack)
    p = std::array<int64_t, 5>{1, 1, 2, 3, 5}[static_cast<size_t>(uniform(0, 4))];

  const int64_t needs = uniform(1, shape.max_needs);
  std::vector<int64_t> seqs(static_cast<size_t>(needs));
  std::iota(seqs.begin(), seqs.end(), 1);
  std::shuffle(seqs.begin(), seqs.end(), rng);
  for (int64_t i = 0; i < needs; ++i) {
    Need n;
    n.id = 100 + i;
    n.requester_id = n.id;
    n.item_id = uniform(1, shape.items);
    n.pack_size = pack[static_cast<size_t>(n.item_id)];
    n.quantity = shape.ties ? shape.max_quantity : uniform(1, shape.max_quantity);
    if (chance(0.2)) n.cancelled = uniform(0, n.quantity / 3);
    if (chance(0.3)) n.filled = uniform(0, n.quantity - n.cancelled - 1);
    n.outstanding = n.quantity - n.cancelled - n.filled;
    if (chance(0.05)) n.outstanding = 0;  // closed: ignored
    n.urgency = static_cast<Urgency>(uniform(0, 3));
    if (chance(0.5)) n.needed_by = kAsOf + uniform(-1, 6);
    n.household_size = static_cast<int>(uniform(1, 3));
    for (int t = 0; t < kTagCount; ++t) {
      if (chance(0.15)) n.tags |= 1u << t;
    }
    if (shape.ties) {
      n.urgency = chance(0.8) ? Urgency::kNormal : Urgency::kHigh;
      n.needed_by.reset();
      n.household_size = 1;
      n.tags = chance(0.2) ? kTagPregnant : 0;
    }
    n.kind = static_cast<RequesterKind>(uniform(0, 3));
    n.station_id = uniform(1, 3);
    n.district = districts[static_cast<size_t>(uniform(0, 3))];
    if (chance(0.7)) {
      n.lat = 30.0 + static_cast<double>(uniform(0, 20)) / 100;
      n.lon = 114.0 + static_cast<double>(uniform(0, 20)) / 100;
    }
    n.created_seq = seqs[static_cast<size_t>(i)];
    s.needs.push_back(n);
  }
  const int64_t lots = uniform(0, shape.max_lots);
  for (int64_t l = 0; l < lots; ++l) {
    Lot lot;
    lot.id = 500 - l * 7;  // ids not in creation order
    lot.item_id = uniform(1, shape.items);
    lot.depot_id = uniform(1, 4);  // depot 4 does not exist
    lot.available = chance(0.1) ? 0 : uniform(1, shape.max_quantity * 3 / 2);
    if (chance(0.4)) lot.expires_on = kAsOf + uniform(-1, 6);
    if (chance(0.35)) {
      if (chance(0.4)) {
        for (int64_t k = uniform(1, 2); k > 0; --k)
          lot.earmark.districts.push_back(districts[static_cast<size_t>(uniform(0, 3))]);
      }
      if (chance(0.3)) lot.earmark.requester_kinds = {static_cast<RequesterKind>(uniform(0, 3))};
      if (chance(0.3)) lot.earmark.tags = 1u << uniform(0, 7) | 1u << uniform(0, 7);
      if (chance(0.3)) lot.earmark.station_ids = {uniform(1, 3)};
    }
    lot.created_seq = uniform(1, 5);  // ties broken by id
    s.lots.push_back(lot);
  }
  if (shape.areas) RandomAreas(rng, districts, s);
  if (shape.households) RandomHouseholds(rng, s);
  return s;
}

Policy RandomPolicy(uint64_t seed) {
  Policy p;
  p.as_of = kAsOf;
  p.min_shelf_days = seed % 5 == 0 ? 2 : 1;
  return p;
}

// ---------------------------------------------------------------------------
// Independent rule 1 and tiers.

bool Open(const Need& n) { return n.outstanding > 0 && n.quantity - n.cancelled > 0; }

bool Usable(const Lot& lot, const Policy& p) {
  return lot.available > 0 && (!lot.expires_on || *lot.expires_on >= p.as_of + p.min_shelf_days);
}

bool Admits(const Earmark& e, const Need& n) {
  auto in = [](const auto& list, const auto& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (!e.districts.empty() && !in(e.districts, n.district)) return false;
  if (!e.requester_kinds.empty() && !in(e.requester_kinds, n.kind)) return false;
  if (e.tags != 0 && (e.tags & n.tags) == 0) return false;
  if (!e.station_ids.empty() && !in(e.station_ids, n.station_id)) return false;
  return true;
}

const Depot* DepotOf(const Snapshot& s, const Lot& l) {
  for (const Depot& d : s.depots) {
    if (d.id == l.depot_id) return &d;
  }
  return nullptr;
}

// The lot's depot serves the requester's place (an unknown depot is one of
// city "" serving its own city).
bool Serves(const Snapshot& s, const Lot& l, const Need& n) {
  const Depot* d = DepotOf(s, l);
  if (!d) return n.city.empty();
  if (d->serves.empty()) return d->city == n.city;
  for (const std::string& c : d->serves.cities) {
    if (c == n.city) return true;
  }
  for (const Place& p : d->serves.places) {
    if (p.city == n.city && p.district == n.district) return true;
  }
  return false;
}

bool Eligible(const Snapshot& s, const Need& n, const Lot& l, const Policy& p) {
  return n.item_id == l.item_id && Usable(l, p) && Admits(l.earmark, n) && Serves(s, l, n);
}

// Rule 5's "same district": the same city too.
bool SameDistrict(const Depot* d, const Need& n) {
  return d && d->district == n.district && d->city == n.city;
}

int Tier(const Need& n, const Policy& p) {
  int tier = static_cast<int>(n.urgency);
  if (n.needed_by && *n.needed_by <= p.as_of + 1) return 0;
  if (n.needed_by && *n.needed_by <= p.as_of + 3) return std::min(tier, 1);
  return tier;
}

// ---------------------------------------------------------------------------
// A tiny Edmonds-Karp max-flow on a dense matrix.

class TinyFlow {
 public:
  explicit TinyFlow(int nodes) : n_(nodes), cap_(static_cast<size_t>(nodes * nodes), 0) {}
  void Add(int u, int v, int64_t c) { At(u, v) += c; }
  int64_t Run(int s, int t) {
    int64_t total = 0;
    for (;;) {
      std::vector<int> prev(static_cast<size_t>(n_), -1);
      prev[static_cast<size_t>(s)] = s;
      std::queue<int> q;
      q.push(s);
      while (!q.empty() && prev[static_cast<size_t>(t)] < 0) {
        const int u = q.front();
        q.pop();
        for (int v = 0; v < n_; ++v) {
          if (prev[static_cast<size_t>(v)] < 0 && At(u, v) > 0) {
            prev[static_cast<size_t>(v)] = u;
            q.push(v);
          }
        }
      }
      if (prev[static_cast<size_t>(t)] < 0) return total;
      int64_t push = INT64_MAX;
      for (int v = t; v != s; v = prev[static_cast<size_t>(v)])
        push = std::min(push, At(prev[static_cast<size_t>(v)], v));
      for (int v = t; v != s; v = prev[static_cast<size_t>(v)]) {
        At(prev[static_cast<size_t>(v)], v) -= push;
        At(v, prev[static_cast<size_t>(v)]) += push;
      }
      total += push;
    }
  }

 private:
  int64_t& At(int u, int v) { return cap_[static_cast<size_t>(u * n_ + v)]; }
  int n_;
  std::vector<int64_t> cap_;
};

// Max flow from needs (capacity cap[i]) to their eligible lots.
int64_t MaxFlow(const Snapshot& s, const Policy& p, const std::vector<int64_t>& cap) {
  const int nn = static_cast<int>(s.needs.size());
  const int nl = static_cast<int>(s.lots.size());
  TinyFlow flow(nn + nl + 2);
  const int src = nn + nl, sink = nn + nl + 1;
  constexpr int64_t kBig = int64_t{1} << 40;
  for (int i = 0; i < nn; ++i) {
    flow.Add(src, i, cap[static_cast<size_t>(i)]);
    for (int l = 0; l < nl; ++l) {
      if (Eligible(s, s.needs[static_cast<size_t>(i)], s.lots[static_cast<size_t>(l)], p))
        flow.Add(i, nn + l, kBig);
    }
  }
  for (int l = 0; l < nl; ++l) {
    if (Usable(s.lots[static_cast<size_t>(l)], p))
      flow.Add(nn + l, sink, s.lots[static_cast<size_t>(l)].available);
  }
  return flow.Run(src, sink);
}

// ---------------------------------------------------------------------------
// The naive reference of rule 3: packs one at a time, tier by tier, each to
// the need with the lowest fill fraction that can still take a unit.

// Whether need a goes before need b on rule 3's tie-break alone.
bool TieBefore(const Need& a, const Need& b) {
  if (a.needed_by.has_value() != b.needed_by.has_value()) return a.needed_by.has_value();
  if (a.needed_by && *a.needed_by != *b.needed_by) return *a.needed_by < *b.needed_by;
  if (std::popcount(a.tags) != std::popcount(b.tags))
    return std::popcount(a.tags) > std::popcount(b.tags);
  if (a.household_size != b.household_size) return a.household_size > b.household_size;
  if (a.created_seq != b.created_seq) return a.created_seq < b.created_seq;
  return a.id < b.id;
}

// What the reference hands packs to: a need, a household's needs asking
// alike, or a need's claim past a cap. It may take up to `limit` units in
// tier `tier`, with the eligibility of snapshot need `node`.
struct Claim {
  int tier = 0;
  int64_t filled = 0, demand = 1, limit = 0, pack = 1;
  const Need* tie = nullptr;  // whose tie-break applies
  size_t node = 0;
  int64_t given = 0;
};

bool ClaimBefore(const Claim& a, const Claim& b) {
  const int64_t lhs = (a.filled + a.given) * b.demand, rhs = (b.filled + b.given) * a.demand;
  if (lhs != rhs) return lhs < rhs;
  return TieBefore(*a.tie, *b.tie);
}

// Rule 3's reference: packs one at a time, tier by tier, each to the claim
// with the lowest fill fraction that can still take a unit.
void HandOut(const Snapshot& s, const Policy& p, std::vector<Claim>& claims, int tiers) {
  for (int tier = 0; tier < tiers; ++tier) {
    for (;;) {
      std::vector<Claim*> candidates;
      std::vector<int64_t> cap(s.needs.size(), 0);
      int64_t current = 0;
      for (Claim& c : claims) {
        cap[c.node] += c.given;
        current += c.given;
        if (c.tier == tier && c.given < c.limit) candidates.push_back(&c);
      }
      std::sort(candidates.begin(), candidates.end(),
                [](const Claim* a, const Claim* b) { return ClaimBefore(*a, *b); });
      bool gave = false;
      for (Claim* c : candidates) {
        std::vector<int64_t> more = cap;
        more[c->node] += c->limit - c->given;
        const int64_t extra = MaxFlow(s, p, more) - current;
        if (extra <= 0) continue;
        c->given += std::min({c->pack, c->limit - c->given, extra});
        gave = true;
        break;
      }
      if (!gave) break;
    }
  }
}

Claim ClaimOf(const Need& need, size_t node, const Policy& p) {
  Claim c;
  c.tier = Tier(need, p);
  c.demand = need.quantity - need.cancelled;
  c.filled = need.filled;
  c.limit = need.outstanding;
  c.pack = std::max<int64_t>(1, need.pack_size);
  c.tie = &need;
  c.node = node;
  return c;
}

std::vector<int64_t> NaiveAmounts(const Snapshot& s, const Policy& p) {
  std::vector<Claim> claims;
  for (size_t i = 0; i < s.needs.size(); ++i) {
    if (Open(s.needs[i])) claims.push_back(ClaimOf(s.needs[i], i, p));
  }
  HandOut(s, p, claims, 4);
  std::vector<int64_t> x(s.needs.size(), 0);
  for (const Claim& c : claims) x[c.node] = c.given;
  return x;
}

// Rules 8-9's reference outcome, per snapshot need: the amount, the amount
// beyond which a shortfall is the caps' doing, whether it went past a soft
// cap; and the stock the hard caps held.
struct HouseholdOutcome {
  std::vector<int64_t> amount, limit;
  std::vector<char> over_soft;
  int64_t held_by_quota = 0;
};

// Rule 9's shares: each cap among the open, unheld needs naming it whose item
// has stock, in tier then tie order, each up to its outstanding.
void ShareCaps(const Snapshot& s, const Policy& p, std::vector<int64_t>& hard,
               std::vector<int64_t>& soft) {
  const size_t n = s.needs.size();
  for (size_t c = 0; c < s.caps.size(); ++c) {
    std::vector<size_t> takers;
    for (size_t i = 0; i < n; ++i) {
      const Need& need = s.needs[i];
      const bool names = std::count(need.caps.begin(), need.caps.end(), static_cast<int32_t>(c));
      const bool stocked = std::any_of(s.lots.begin(), s.lots.end(), [&](const Lot& l) {
        return l.item_id == need.item_id && l.available > 0;
      });
      if (names && stocked && Open(need) && !need.held) takers.push_back(i);
    }
    std::sort(takers.begin(), takers.end(), [&](size_t a, size_t b) {
      const int ta = Tier(s.needs[a], p), tb = Tier(s.needs[b], p);
      return ta != tb ? ta < tb : TieBefore(s.needs[a], s.needs[b]);
    });
    int64_t left = std::max<int64_t>(0, s.caps[c].remaining);
    for (size_t i : takers) {
      const int64_t share = std::min(left, s.needs[i].outstanding);
      left -= share;
      int64_t& limit = s.caps[c].soft ? soft[i] : hard[i];
      limit = std::min(limit, share);
    }
  }
}

HouseholdOutcome NaiveHouseholds(const Snapshot& s, const Policy& p) {
  const size_t n = s.needs.size();
  std::vector<int64_t> hard(n, INT64_MAX), soft(n, INT64_MAX), entitled(n), base(n);
  ShareCaps(s, p, hard, soft);
  std::vector<std::vector<char>> eligible(n);
  for (size_t i = 0; i < n; ++i) {
    const Need& need = s.needs[i];
    entitled[i] = need.held ? 0 : std::min(need.outstanding, hard[i]);
    base[i] = std::min(entitled[i], soft[i]);
    for (const Lot& l : s.lots) eligible[i].push_back(Eligible(s, need, l, p) ? 1 : 0);
  }
  auto any_lot = [&](size_t i) {
    return std::find(eligible[i].begin(), eligible[i].end(), 1) != eligible[i].end();
  };
  // Households' needs asking alike (same item, tier and eligible lots) are one claim.
  std::vector<std::vector<size_t>> units;
  std::map<std::tuple<int64_t, int64_t, int, std::vector<char>>, size_t> unit_of;
  for (size_t i = 0; i < n; ++i) {
    const Need& need = s.needs[i];
    if (!Open(need) || base[i] == 0 || !any_lot(i)) continue;
    if (need.cluster_id == 0) {
      units.push_back({i});
      continue;
    }
    auto [it, inserted] = unit_of.try_emplace(
        {need.cluster_id, need.item_id, Tier(need, p), eligible[i]}, units.size());
    if (inserted) units.emplace_back();
    units[it->second].push_back(i);
  }
  std::vector<Claim> claims;
  for (std::vector<size_t>& unit : units) {
    std::sort(unit.begin(), unit.end(),
              [&](size_t a, size_t b) { return TieBefore(s.needs[a], s.needs[b]); });
    Claim c = ClaimOf(s.needs[unit[0]], unit[0], p);
    c.demand = c.filled = c.limit = 0;
    for (size_t i : unit) {
      c.demand += s.needs[i].quantity - s.needs[i].cancelled;
      c.filled += s.needs[i].filled;
      c.limit += base[i];
    }
    claims.push_back(c);
  }
  const size_t past_caps = claims.size();
  std::vector<char> probe;
  for (size_t i = 0; i < n; ++i) {
    const Need& need = s.needs[i];
    if (!Open(need) || need.held || !any_lot(i)) continue;
    auto add = [&](int64_t from, int64_t to, int tiers_later, bool is_probe) {
      Claim c = ClaimOf(need, i, p);
      c.tier += tiers_later;
      c.filled = std::min(need.filled + from, c.demand - 1);
      c.limit = to - from;
      claims.push_back(c);
      probe.push_back(is_probe ? 1 : 0);
    };
    if (entitled[i] > base[i]) add(base[i], entitled[i], 4, false);
    if (need.outstanding > entitled[i]) add(entitled[i], need.outstanding, 8, true);
  }
  HandOut(s, p, claims, 12);
  HouseholdOutcome out;
  out.amount.assign(n, 0);
  out.limit = base;
  out.over_soft.assign(n, 0);
  for (size_t u = 0; u < units.size(); ++u) {
    int64_t total = claims[u].given;
    for (size_t i : units[u]) {
      out.amount[i] = std::min(total, base[i]);
      total -= out.amount[i];
    }
  }
  for (size_t k = past_caps; k < claims.size(); ++k) {
    const Claim& c = claims[k];
    if (probe[k - past_caps]) {
      out.held_by_quota += c.given;
    } else if (c.given > 0) {
      out.amount[c.node] += c.given;
      out.over_soft[c.node] = 1;
      out.limit[c.node] = entitled[c.node];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Checks. Each returns "" or a description of the first violation.

std::map<int64_t, int64_t> PerNeed(const Plan& plan) {
  std::map<int64_t, int64_t> m;
  for (const Allocation& a : plan.allocations) m[a.need_id] += a.quantity;
  return m;
}

std::string CheckConservation(const Snapshot& s, const Policy& p, const Plan& plan) {
  std::ostringstream err;
  std::map<int64_t, const Need*> needs;
  std::map<int64_t, const Lot*> lots;
  for (const Need& n : s.needs) needs[n.id] = &n;
  for (const Lot& l : s.lots) lots[l.id] = &l;
  std::map<int64_t, int64_t> per_lot, per_need;
  for (size_t k = 0; k < plan.allocations.size(); ++k) {
    const Allocation& a = plan.allocations[k];
    if (k > 0 && std::tie(plan.allocations[k - 1].need_id, plan.allocations[k - 1].lot_id) >=
                     std::tie(a.need_id, a.lot_id)) {
      return "allocations not sorted by (need_id, lot_id) or not unique";
    }
    if (!needs.count(a.need_id) || !lots.count(a.lot_id))
      return "allocation names an unknown need or lot";
    if (a.quantity <= 0) return "allocation of a non-positive quantity";
    const Need& n = *needs[a.need_id];
    const Lot& l = *lots[a.lot_id];
    if (!Open(n)) return "allocation to a closed need";
    if (!Eligible(s, n, l, p)) {
      err << "ineligible allocation need " << a.need_id << " lot " << a.lot_id;
      return err.str();
    }
    per_lot[a.lot_id] += a.quantity;
    per_need[a.need_id] += a.quantity;
  }
  for (const auto& [id, q] : per_lot) {
    if (q > lots[id]->available) return "lot over-allocated";
  }
  Stats stats;
  std::map<int64_t, Unmet> unmet;
  for (size_t k = 0; k < plan.unmet.size(); ++k) {
    if (k > 0 && plan.unmet[k - 1].need_id >= plan.unmet[k].need_id)
      return "unmet not sorted or not unique";
    unmet[plan.unmet[k].need_id] = plan.unmet[k];
  }
  for (const Lot& l : s.lots) stats.lots_considered += l.available > 0;
  for (const Need& n : s.needs) {
    if (!Open(n)) {
      if (unmet.count(n.id)) return "closed need listed as unmet";
      continue;
    }
    ++stats.needs_considered;
    const int64_t got = per_need[n.id];
    stats.units_allocated += got;
    if (got > n.outstanding) return "need over-filled";
    if (got == n.outstanding) {
      ++stats.needs_filled;
      if (unmet.count(n.id)) return "filled need listed as unmet";
      continue;
    }
    ++(got == 0 ? stats.needs_unmet : stats.needs_partial);
    if (!unmet.count(n.id) || unmet[n.id].outstanding != n.outstanding - got) {
      err << "need " << n.id << " missing from unmet or wrong remaining";
      return err.str();
    }
  }
  stats.units_held_by_quota = plan.stats.units_held_by_quota;  // CheckHouseholds checks it
  if (!(stats == plan.stats)) return "stats disagree";
  return "";
}

std::string CheckAgainstNaive(const Snapshot& s, const Policy& p, const Plan& plan) {
  const std::vector<int64_t> naive = NaiveAmounts(s, p);
  std::map<int64_t, int64_t> got = PerNeed(plan);
  for (size_t i = 0; i < s.needs.size(); ++i) {
    if (got[s.needs[i].id] != naive[i]) {
      std::ostringstream err;
      err << "need " << s.needs[i].id << ": engine " << got[s.needs[i].id] << ", naive "
          << naive[i];
      return err.str();
    }
  }
  return "";
}

// Rules 8-9: amounts, reasons and the stock held by caps as the reference
// gives them.
std::string CheckHouseholds(const Snapshot& s, const Policy& p, const Plan& plan) {
  if (std::string err = CheckConservation(s, p, plan); !err.empty()) return err;
  const HouseholdOutcome want = NaiveHouseholds(s, p);
  std::map<int64_t, int64_t> got = PerNeed(plan);
  std::map<int64_t, size_t> index;
  std::ostringstream err;
  for (size_t i = 0; i < s.needs.size(); ++i) {
    index[s.needs[i].id] = i;
    if (got[s.needs[i].id] != want.amount[i]) {
      err << "need " << s.needs[i].id << ": engine " << got[s.needs[i].id] << ", reference "
          << want.amount[i];
      return err.str();
    }
  }
  if (plan.stats.units_held_by_quota != want.held_by_quota) {
    err << "units_held_by_quota " << plan.stats.units_held_by_quota << ", reference "
        << want.held_by_quota;
    return err.str();
  }
  for (const Allocation& a : plan.allocations) {
    const size_t i = index[a.need_id];
    if (((a.reasons & kReasonOverSoftQuota) != 0) != (want.over_soft[i] != 0))
      return "over_soft_quota where the reference says otherwise";
    if (((a.reasons & kReasonFairShare) != 0) != (want.amount[i] < want.limit[i]))
      return "fair_share where the reference says otherwise";
  }
  for (const Unmet& u : plan.unmet) {
    const size_t i = index[u.need_id];
    const bool by_rules_8_9 = s.needs[i].held || want.amount[i] >= want.limit[i];
    const std::string_view expect =
        s.needs[i].held ? kUnmetHeldAsPossibleDuplicate : kUnmetQuotaReached;
    const bool named_8_9 =
        u.reason == kUnmetHeldAsPossibleDuplicate || u.reason == kUnmetQuotaReached;
    if (by_rules_8_9 ? u.reason != expect : named_8_9) {
      err << "need " << u.need_id << ": unmet reason " << u.reason;
      return err.str();
    }
  }
  return "";
}

// Rules 2 and 4: for every tier t, what needs of tiers <= t received is a
// maximum flow for them.
std::string CheckTierMaxFlow(const Snapshot& s, const Policy& p, const Plan& plan) {
  std::map<int64_t, int64_t> got = PerNeed(plan);
  for (int tier = 0; tier < 4; ++tier) {
    std::vector<int64_t> cap(s.needs.size(), 0);
    int64_t given = 0;
    for (size_t i = 0; i < s.needs.size(); ++i) {
      const Need& n = s.needs[i];
      if (!Open(n) || Tier(n, p) > tier) continue;
      cap[i] = n.outstanding;
      given += got[n.id];
    }
    const int64_t best = MaxFlow(s, p, cap);
    if (given != best) {
      std::ostringstream err;
      err << "tiers <= " << tier << " got " << given << " but a max flow gives " << best;
      return err.str();
    }
  }
  return "";
}

// Metres from the need to the lot's depot; kUnknownDistance unless both
// places are known.
int64_t DepotDistance(const Snapshot& s, const Need& n, const Lot& l) {
  const Depot* d = DepotOf(s, l);
  return internal::DistanceMetres(n.lat.value_or(internal::kUnknownCoordinate),
                                  n.lon.value_or(internal::kUnknownCoordinate),
                                  d && d->lat ? *d->lat : internal::kUnknownCoordinate,
                                  d && d->lon ? *d->lon : internal::kUnknownCoordinate);
}

// Rule 5: with the per-need amounts fixed, the lot choice is a min-cost flow
// iff its residual graph has no negative cycle. Costs are compared
// lexicographically over the first `criteria` of (expiry, other district,
// distance, lot age).
std::string CheckMinCostLots(const Snapshot& s, const Policy& p, const Plan& plan, int criteria) {
  using Cost = std::array<int64_t, 4>;
  const size_t nn = s.needs.size(), nl = s.lots.size();
  const size_t sink = nn + nl, nodes = nn + nl + 1;
  auto cost_of = [&](const Need& n, const Lot& l) {
    const Depot* d = DepotOf(s, l);
    Cost c = {l.expires_on.value_or(INT64_MAX / 4), SameDistrict(d, n) ? 0 : 1,
              DepotDistance(s, n, l), l.created_seq};
    for (int k = criteria; k < 4; ++k) c[static_cast<size_t>(k)] = 0;
    return c;
  };
  std::map<std::pair<int64_t, int64_t>, int64_t> x;
  std::map<int64_t, int64_t> used;
  for (const Allocation& a : plan.allocations) {
    x[{a.need_id, a.lot_id}] = a.quantity;
    used[a.lot_id] += a.quantity;
  }
  struct Edge {
    size_t from, to;
    Cost cost;
  };
  std::vector<Edge> edges;
  auto neg = [](Cost c) {
    for (auto& v : c) v = -v;
    return c;
  };
  for (size_t i = 0; i < nn; ++i) {
    const Need& n = s.needs[i];
    if (!Open(n)) continue;
    for (size_t l = 0; l < nl; ++l) {
      const Lot& lot = s.lots[l];
      if (!Eligible(s, n, lot, p)) continue;
      const Cost c = cost_of(n, lot);
      edges.push_back({i, nn + l, c});
      if (x[{n.id, lot.id}] > 0) edges.push_back({nn + l, i, neg(c)});
    }
  }
  for (size_t l = 0; l < nl; ++l) {
    const Lot& lot = s.lots[l];
    if (!Usable(lot, p)) continue;
    if (used[lot.id] < lot.available) edges.push_back({nn + l, sink, {0, 0, 0, 0}});
    if (used[lot.id] > 0) edges.push_back({sink, nn + l, {0, 0, 0, 0}});
  }
  std::vector<Cost> dist(nodes, Cost{0, 0, 0, 0});
  for (size_t round = 0; round <= nodes; ++round) {
    bool relaxed = false;
    for (const Edge& e : edges) {
      Cost c = dist[e.from];
      for (size_t k = 0; k < 4; ++k) c[k] += e.cost[k];
      if (c < dist[e.to]) {
        dist[e.to] = c;
        relaxed = true;
      }
    }
    if (!relaxed) return "";
  }
  return "a cheaper choice of lots exists (negative cycle)";
}

std::string CheckReasons(const Snapshot& s, const Policy& p, const Plan& plan) {
  std::map<int64_t, const Need*> needs;
  std::map<int64_t, const Lot*> lots;
  for (const Need& n : s.needs) needs[n.id] = &n;
  for (const Lot& l : s.lots) lots[l.id] = &l;
  std::map<int64_t, int64_t> got = PerNeed(plan);
  const uint32_t tier_bits[4] = {kReasonTierCritical, kReasonTierHigh, kReasonTierNormal,
                                 kReasonTierLow};
  for (const Allocation& a : plan.allocations) {
    const Need& n = *needs[a.need_id];
    const Lot& l = *lots[a.lot_id];
    const Depot* d = DepotOf(s, l);
    const int tier = Tier(n, p);
    uint32_t expect = kReasonEligible | tier_bits[tier];
    if (tier < static_cast<int>(n.urgency)) expect |= kReasonDeadlineRaisedTier;
    if (got[n.id] < n.outstanding) expect |= kReasonFairShare;
    if (l.expires_on) expect |= kReasonFefo;
    if (SameDistrict(d, n)) expect |= kReasonSameDistrict;
    if (!l.earmark.empty()) expect |= kReasonEarmarkMatch;
    // nearest: no eligible lot's depot is closer, both places known.
    int64_t nearest = internal::kUnknownDistance;
    for (const Lot& other : s.lots) {
      if (Eligible(s, n, other, p)) nearest = std::min(nearest, DepotDistance(s, n, other));
    }
    const int64_t distance = DepotDistance(s, n, l);
    if (distance < internal::kUnknownDistance && distance == nearest) expect |= kReasonNearest;
    if (a.reasons != expect) return "wrong reasons on an allocation";
  }
  for (const Unmet& u : plan.unmet) {
    const Need& n = *needs[u.need_id];
    bool eligible = false, stock = false, in_area = false, admitted_expired = false;
    for (const Lot& l : s.lots) {
      if (l.item_id != n.item_id || l.available <= 0) continue;
      stock = true;
      eligible |= Eligible(s, n, l, p);
      in_area |= Serves(s, l, n);
      admitted_expired |= Serves(s, l, n) && Admits(l.earmark, n) && !Usable(l, p);
    }
    const std::string_view expect = eligible           ? kUnmetTierExhausted
                                    : !stock           ? kUnmetNoStock
                                    : !in_area         ? kUnmetOutOfArea
                                    : admitted_expired ? kUnmetOnlyExpiringStock
                                                       : kUnmetExcludedByEarmark;
    if (u.reason != expect) return "wrong unmet reason";
  }
  return "";
}

// Runs `check` on `count` instances of `shape`; reports the first failure with
// its seed.
template <typename Check>
void ForRandomInstances(uint64_t first_seed, int count, const Shape& shape, Check check) {
  for (int k = 0; k < count; ++k) {
    const uint64_t seed = first_seed + static_cast<uint64_t>(k);
    const Snapshot s = RandomSnapshot(seed, shape);
    const Policy p = RandomPolicy(seed);
    const Plan plan = Allocate(s, p);
    const std::string err = check(s, p, plan);
    INFO("seed " << seed << ": " << err);
    REQUIRE(err.empty());
  }
}

const Shape kSmall{1, 6, 4, 10};
const Shape kTwoItems{2, 8, 5, 12};
const Shape kMedium{2, 14, 6, 30};
const Shape kTies{1, 8, 3, 9, true};
const Shape kManyUnits{1, 8, 4, 120};
const Shape kAreas{2, 10, 6, 12, false, true};
const Shape kHouseholds{2, 8, 4, 12, false, false, true};
const Shape kHouseholdAreas{2, 10, 5, 12, false, true, true};

TEST_CASE("random plans conserve stock, never over-fill a need and use only eligible lots",
          "[match]") {
  ForRandomInstances(1000, 2000, kSmall, CheckConservation);
  ForRandomInstances(5000, 1000, kTwoItems, CheckConservation);
  ForRandomInstances(9000, 200, kMedium, CheckConservation);
  ForRandomInstances(20000, 1000, kTies, CheckConservation);
  ForRandomInstances(30000, 100, kManyUnits, CheckConservation);
  ForRandomInstances(40000, 2000, kAreas, CheckConservation);
}

TEST_CASE("random plans equal the naive pack-by-pack reference of rule 3", "[match]") {
  ForRandomInstances(1000, 4000, kSmall, CheckAgainstNaive);
  ForRandomInstances(5000, 2000, kTwoItems, CheckAgainstNaive);
  ForRandomInstances(9000, 150, kMedium, CheckAgainstNaive);
  ForRandomInstances(20000, 1000, kTies, CheckAgainstNaive);
  ForRandomInstances(30000, 100, kManyUnits, CheckAgainstNaive);
  ForRandomInstances(40000, 1500, kAreas, CheckAgainstNaive);
}

TEST_CASE("households, holds and caps give the reference's amounts, reasons and held stock",
          "[match][households]") {
  ForRandomInstances(60000, 3000, kHouseholds, CheckHouseholds);
  ForRandomInstances(70000, 1500, kHouseholdAreas, CheckHouseholds);
  ForRandomInstances(80000, 300, Shape{1, 8, 3, 9, true, false, true}, CheckHouseholds);
}

TEST_CASE("random plans are a maximum flow at every tier", "[match]") {
  ForRandomInstances(1000, 2000, kSmall, CheckTierMaxFlow);
  ForRandomInstances(5000, 1000, kTwoItems, CheckTierMaxFlow);
  ForRandomInstances(9000, 200, kMedium, CheckTierMaxFlow);
  ForRandomInstances(40000, 1000, kAreas, CheckTierMaxFlow);
}

TEST_CASE("random plans choose lots by the lexicographic min-cost flow of rule 5", "[match]") {
  ForRandomInstances(1000, 2000, kSmall, [](const Snapshot& s, const Policy& p, const Plan& plan) {
    return CheckMinCostLots(s, p, plan, 4);
  });
  ForRandomInstances(5000, 1000, kTwoItems,
                     [](const Snapshot& s, const Policy& p, const Plan& plan) {
                       return CheckMinCostLots(s, p, plan, 4);
                     });
  ForRandomInstances(9000, 200, kMedium, [](const Snapshot& s, const Policy& p, const Plan& plan) {
    return CheckMinCostLots(s, p, plan, 4);
  });
  ForRandomInstances(40000, 1000, kAreas, [](const Snapshot& s, const Policy& p, const Plan& plan) {
    return CheckMinCostLots(s, p, plan, 4);
  });
}

TEST_CASE(
    "above the exactness limit lots are still chosen soonest-expiry first, then same district",
    "[match]") {
  for (uint64_t seed = 1000; seed < 3000; ++seed) {
    const Snapshot s = RandomSnapshot(seed, seed % 3 == 0 ? kAreas : seed % 2 ? kSmall : kTwoItems);
    Policy p = RandomPolicy(seed);
    p.exact_lot_choice_pairs = 0;
    const Plan scalable = Allocate(s, p);
    std::string err = CheckConservation(s, p, scalable);
    if (err.empty()) err = CheckMinCostLots(s, p, scalable, 2);
    if (err.empty() && PerNeed(scalable) != PerNeed(Allocate(s, RandomPolicy(seed))))
      err = "amounts changed";
    INFO("seed " << seed << ": " << err);
    REQUIRE(err.empty());
  }
}

TEST_CASE("random plans explain every allocation and every unmet need", "[match]") {
  ForRandomInstances(1000, 2000, kSmall, CheckReasons);
  ForRandomInstances(5000, 1000, kTwoItems, CheckReasons);
  ForRandomInstances(40000, 2000, kAreas, CheckReasons);
}

TEST_CASE("above the exactness limit every allocation is explained, nearest included", "[match]") {
  for (uint64_t seed = 3000; seed < 4000; ++seed) {
    const Snapshot s = RandomSnapshot(seed, seed % 3 == 0 ? kAreas : seed % 2 ? kSmall : kTwoItems);
    Policy p = RandomPolicy(seed);
    p.exact_lot_choice_pairs = 0;
    const std::string err = CheckReasons(s, p, Allocate(s, p));
    INFO("seed " << seed << ": " << err);
    REQUIRE(err.empty());
  }
}

TEST_CASE("plans are identical whatever the thread count", "[match]") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const Snapshot s =
        RandomSnapshot(seed, Shape{6, 40, 20, 20, false, seed % 2 == 0, seed % 3 == 0});
    Policy p = RandomPolicy(seed);
    const Plan one = Allocate(s, p);
    p.threads = 2;
    const Plan two = Allocate(s, p);
    p.threads = 5;
    const Plan five = Allocate(s, p);
    INFO("seed " << seed);
    REQUIRE(one == two);
    REQUIRE(one == five);
  }
}

TEST_CASE("quantities near the 2^31 bound neither overflow nor break the invariants", "[match]") {
  constexpr int64_t kBig = (int64_t{1} << 31) - 1;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Snapshot s = RandomSnapshot(seed, Shape{1, 6, 3, 10});
    std::mt19937_64 rng(seed);
    for (Need& n : s.needs) {
      n.quantity = kBig - static_cast<int64_t>(rng() % 1000);
      n.cancelled = static_cast<int64_t>(rng() % 3);
      n.filled = static_cast<int64_t>(rng() % (int64_t{1} << 30));
      n.outstanding = n.quantity - n.cancelled - n.filled;
      n.pack_size = seed % 2 ? 1 : 999'983;
    }
    for (Lot& l : s.lots) l.available = kBig - static_cast<int64_t>(rng() % 1000);
    Policy p = RandomPolicy(seed);
    const Plan plan = Allocate(s, p);
    std::string err = CheckConservation(s, p, plan);
    if (err.empty()) err = CheckTierMaxFlow(s, p, plan);
    // Above the exactness limit, costs this large take the two-run path.
    p.exact_lot_choice_pairs = 0;
    const Plan scalable = Allocate(s, p);
    if (err.empty()) err = CheckConservation(s, p, scalable);
    if (err.empty()) err = CheckMinCostLots(s, p, scalable, 2);
    INFO("seed " << seed << ": " << err);
    REQUIRE(err.empty());
  }
}

TEST_CASE("an empty snapshot gives an empty plan", "[match]") {
  CHECK(Allocate(Snapshot{}, Policy{}) == Plan{});
  Snapshot only_lots = RandomSnapshot(3, kSmall);
  only_lots.needs.clear();
  const Plan plan = Allocate(only_lots, RandomPolicy(3));
  CHECK(plan.allocations.empty());
  CHECK(plan.unmet.empty());
  CHECK(plan.stats.needs_considered == 0);
}

TEST_CASE("needs listed out of id order still come out sorted", "[match]") {
  Snapshot s = RandomSnapshot(77, Shape{3, 30, 10, 10});
  const Policy p = RandomPolicy(77);
  const Plan sorted = Allocate(s, p);
  std::reverse(s.needs.begin(), s.needs.end());
  std::reverse(s.lots.begin(), s.lots.end());
  const Plan reversed = Allocate(s, p);
  CHECK(PerNeed(reversed) == PerNeed(sorted));
  CHECK(CheckConservation(s, p, reversed).empty());
}

}  // namespace
}  // namespace aidlink::match
