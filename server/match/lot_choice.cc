// Rule 5: with the amount of every need fixed, choose the lots.
//
// Exact path: a lexicographic min-cost flow over (need, eligible lot) pairs,
// solved as a sequence of LEMON NetworkSimplex runs, one per criterion
// (expiry, district, distance, lot age, ids). After each run, an arc whose
// reduced cost is not zero carries the same flow in every optimal solution, so
// it is fixed at that flow before the next criterion is optimised.
//
// Large items (more pairs than exact_pair_limit) take the scalable path:
// a min-cost flow exact on expiry and then same district, between cells of
// needs (class, district) and cells of lots ((group, expiry) bucket,
// district), then within each pair of cells needs by id take lots oldest
// first (distance is not optimised); its rows are marked `nearest` by the
// same definition as the exact path's.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "match/internal.h"
#include "match/lemon.h"

namespace aidlink::match::internal {
namespace {

using Graph = lemon::SmartDigraph;
using Simplex = lemon::NetworkSimplex<Graph, int64_t, int64_t>;

constexpr int64_t kNoExpiry = INT64_MAX;

int64_t ExpiryKey(const ChoiceLot& lot) { return lot.expires_on ? *lot.expires_on : kNoExpiry; }

// Dense ranks of `keys` (equal keys share a rank), ascending.
template <typename Key>
std::vector<int64_t> DenseRanks(const std::vector<Key>& keys) {
  std::vector<Key> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<int64_t> ranks(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    ranks[i] = std::lower_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin();
  }
  return ranks;
}

std::vector<std::vector<int32_t>> LotsByGroup(const ChoiceProblem& p) {
  std::vector<std::vector<int32_t>> lots(static_cast<size_t>(p.group_count));
  for (size_t l = 0; l < p.lots.size(); ++l) {
    lots[static_cast<size_t>(p.lots[l].group)].push_back(static_cast<int32_t>(l));
  }
  return lots;
}

// Orders by (need, lot) and merges rows of the same pair: a counting sort on
// the need, then a sort of each need's few rows.
std::vector<Chosen> MergePairs(std::vector<Chosen> chosen, size_t needs) {
  std::vector<int32_t> start(needs + 1, 0);
  for (const Chosen& c : chosen) ++start[static_cast<size_t>(c.need) + 1];
  for (size_t i = 0; i < needs; ++i) start[i + 1] += start[i];
  std::vector<Chosen> sorted(chosen.size());
  {
    std::vector<int32_t> next(start.begin(), start.end() - 1);
    for (const Chosen& c : chosen)
      sorted[static_cast<size_t>(next[static_cast<size_t>(c.need)]++)] = c;
  }
  size_t kept = 0;
  for (size_t i = 0; i < needs; ++i) {
    const auto begin = sorted.begin() + start[i], end = sorted.begin() + start[i + 1];
    std::sort(begin, end, [](const Chosen& a, const Chosen& b) { return a.lot < b.lot; });
    for (auto it = begin; it != end; ++it) {
      if (kept > 0 && sorted[kept - 1].need == it->need && sorted[kept - 1].lot == it->lot) {
        sorted[kept - 1].quantity += it->quantity;
      } else {
        sorted[kept++] = *it;
      }
    }
  }
  sorted.resize(kept);
  return sorted;
}

// The exact path's graph: need -> lot arcs for every eligible pair (arc ids
// 0 .. pairs-1, in `pairs` order), then lot -> sink arcs.
struct PairGraph {
  struct Pair {
    int32_t need, lot;
    int64_t distance;
  };
  Graph graph;
  std::vector<Pair> pairs;
  std::vector<int64_t> nearest;  // per need: the distance of its nearest eligible lot
  Graph::ArcMap<int64_t> lower{graph, 0}, upper{graph, 0};
  Graph::NodeMap<int64_t> supply{graph, 0};
};

void BuildPairGraph(const ChoiceProblem& p, const std::vector<std::vector<int32_t>>& group_lots,
                    PairGraph& g) {
  const size_t n = p.needs.size(), m = p.lots.size();
  std::vector<Graph::Node> need_nodes(n), lot_nodes(m);
  for (auto& v : need_nodes) v = g.graph.addNode();
  for (auto& v : lot_nodes) v = g.graph.addNode();
  const Graph::Node sink = g.graph.addNode();
  g.nearest.assign(n, kUnknownDistance);
  for (size_t i = 0; i < n; ++i) {
    const ChoiceNeed& need = p.needs[i];
    for (int32_t grp : p.class_groups[static_cast<size_t>(need.cls)]) {
      for (int32_t l : group_lots[static_cast<size_t>(grp)]) {
        const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
        const int64_t d = DistanceMetres(need.lat, need.lon, lot.lat, lot.lon);
        g.nearest[i] = std::min(g.nearest[i], d);
        g.upper[g.graph.addArc(need_nodes[i], lot_nodes[static_cast<size_t>(l)])] = need.amount;
        g.pairs.push_back({static_cast<int32_t>(i), l, d});
      }
    }
  }
  for (size_t l = 0; l < m; ++l) g.upper[g.graph.addArc(lot_nodes[l], sink)] = p.lots[l].available;
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    g.supply[need_nodes[i]] = p.needs[i].amount;
    total += p.needs[i].amount;
  }
  g.supply[sink] = -total;
}

// The rule-5 criteria in order; each is a cost per (need, lot) pair.
struct PairCosts {
  std::vector<int64_t> expiry_rank, age_rank, lot_id_rank, need_id_rank;

  explicit PairCosts(const ChoiceProblem& p) {
    const size_t n = p.needs.size(), m = p.lots.size();
    std::vector<int64_t> expiry_keys(m), lot_ids(m), need_ids(n);
    std::vector<std::pair<int64_t, int64_t>> age_keys(m);
    for (size_t l = 0; l < m; ++l) {
      expiry_keys[l] = ExpiryKey(p.lots[l]);
      age_keys[l] = {p.lots[l].created_seq, p.lots[l].id};
      lot_ids[l] = p.lots[l].id;
    }
    for (size_t i = 0; i < n; ++i) need_ids[i] = p.needs[i].id;
    expiry_rank = DenseRanks(expiry_keys);
    age_rank = DenseRanks(age_keys);
    lot_id_rank = DenseRanks(lot_ids);
    need_id_rank = DenseRanks(need_ids);
  }

  static constexpr int kStages = 5;

  int64_t Cost(int stage, const ChoiceProblem& p, const PairGraph::Pair& pr) const {
    const auto l = static_cast<size_t>(pr.lot);
    const ChoiceNeed& need = p.needs[static_cast<size_t>(pr.need)];
    switch (stage) {
      case 0:  // first expiry first out
        return expiry_rank[l];
      case 1:  // same district
        return (need.district >= 0 && need.district == p.lots[l].district) ? 0 : 1;
      case 2:  // nearest depot
        return pr.distance;
      case 3:  // oldest lot
        return age_rank[l];
      default: {
        // Ties to the smaller ids: pairing small need ids with small lot
        // ids maximises this product sum (rearrangement inequality).
        const auto n = static_cast<int64_t>(p.needs.size());
        const auto m = static_cast<int64_t>(p.lots.size());
        return -(n - need_id_rank[static_cast<size_t>(pr.need)]) * (m - lot_id_rank[l]);
      }
    }
  }
};

// Optimises stage after stage on `graph` (costs[k] for stage k): after each,
// an arc whose reduced cost is not zero carries the same flow in every
// optimum, so it is fixed there before the next stage. False if infeasible.
bool SolveStages(Graph& graph, Graph::ArcMap<int64_t>& lower, Graph::ArcMap<int64_t>& upper,
                 const Graph::NodeMap<int64_t>& supply,
                 const std::vector<const Graph::ArcMap<int64_t>*>& costs,
                 Graph::ArcMap<int64_t>& flow) {
  for (const Graph::ArcMap<int64_t>* cost : costs) {
    Simplex simplex(graph);
    simplex.lowerMap(lower).upperMap(upper).costMap(*cost).supplyMap(supply);
    if (simplex.run() != Simplex::OPTIMAL) return false;
    for (Graph::ArcIt a(graph); a != lemon::INVALID; ++a) {
      flow[a] = simplex.flow(a);
      const int64_t reduced =
          (*cost)[a] + simplex.potential(graph.source(a)) - simplex.potential(graph.target(a));
      if (reduced != 0) lower[a] = upper[a] = flow[a];
    }
  }
  return true;
}

// Optimises the criteria one after the other; returns the flow of each pair.
std::vector<int64_t> SolveLexicographic(const ChoiceProblem& p, PairGraph& g) {
  const PairCosts costs(p);
  std::deque<Graph::ArcMap<int64_t>> stage_costs;
  std::vector<const Graph::ArcMap<int64_t>*> stages;
  for (int stage = 0; stage < PairCosts::kStages; ++stage) {
    Graph::ArcMap<int64_t>& cost = stage_costs.emplace_back(g.graph, 0);
    for (size_t k = 0; k < g.pairs.size(); ++k) {
      cost[g.graph.arcFromId(static_cast<int>(k))] = costs.Cost(stage, p, g.pairs[k]);
    }
    stages.push_back(&cost);
  }
  // Infeasible cannot happen (the amounts are feasible); the flow is then
  // the last stage solved.
  Graph::ArcMap<int64_t> flow(g.graph, 0);
  (void)SolveStages(g.graph, g.lower, g.upper, g.supply, stages, flow);
  std::vector<int64_t> out(g.pairs.size());
  for (size_t k = 0; k < g.pairs.size(); ++k) out[k] = flow[g.graph.arcFromId(static_cast<int>(k))];
  return out;
}

std::vector<Chosen> ExactChoice(const ChoiceProblem& p,
                                const std::vector<std::vector<int32_t>>& group_lots) {
  PairGraph g;
  BuildPairGraph(p, group_lots, g);
  const std::vector<int64_t> flow = SolveLexicographic(p, g);
  std::vector<Chosen> chosen;
  for (size_t k = 0; k < g.pairs.size(); ++k) {
    if (flow[k] <= 0) continue;
    const PairGraph::Pair& pr = g.pairs[k];
    const bool is_nearest =
        pr.distance < kUnknownDistance && pr.distance == g.nearest[static_cast<size_t>(pr.need)];
    chosen.push_back({pr.need, pr.lot, flow[k], is_nearest});
  }
  return MergePairs(std::move(chosen), p.needs.size());
}

// Interchangeable stock for first-expiry-first-out: one group, one expiry.
struct Bucket {
  int32_t group;
  int64_t expiry;
  int64_t capacity = 0;
  std::vector<int32_t> lots;  // oldest first
};

struct Buckets {
  std::vector<Bucket> all;
  std::vector<std::vector<int32_t>> of_group;  // group -> bucket indices, soonest expiry first
  std::vector<int64_t> expiry_rank;            // per bucket
};

Buckets MakeBuckets(const ChoiceProblem& p, const std::vector<std::vector<int32_t>>& group_lots) {
  Buckets out;
  out.of_group.resize(static_cast<size_t>(p.group_count));
  for (size_t g = 0; g < group_lots.size(); ++g) {
    std::vector<int32_t> lots = group_lots[g];
    std::sort(lots.begin(), lots.end(), [&](int32_t a, int32_t b) {
      const ChoiceLot& x = p.lots[static_cast<size_t>(a)];
      const ChoiceLot& y = p.lots[static_cast<size_t>(b)];
      return std::make_tuple(ExpiryKey(x), x.created_seq, x.id) <
             std::make_tuple(ExpiryKey(y), y.created_seq, y.id);
    });
    for (int32_t l : lots) {
      const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
      if (out.of_group[g].empty() ||
          out.all[static_cast<size_t>(out.of_group[g].back())].expiry != ExpiryKey(lot)) {
        out.of_group[g].push_back(static_cast<int32_t>(out.all.size()));
        out.all.push_back({static_cast<int32_t>(g), ExpiryKey(lot), 0, {}});
      }
      Bucket& b = out.all.back();
      b.capacity += lot.available;
      b.lots.push_back(l);
    }
  }
  std::vector<int64_t> bucket_expiry(out.all.size());
  for (size_t b = 0; b < out.all.size(); ++b) bucket_expiry[b] = out.all[b].expiry;
  out.expiry_rank = DenseRanks(bucket_expiry);
  return out;
}

// Units moved from the needs of class `cls` in district `need_district` to
// the lots of bucket `bucket` in district `lot_district`.
struct CellFlow {
  int32_t cls, need_district, bucket, lot_district;
  int64_t units;
};

// Exact FEFO and then same district between cells of needs (class,
// district) and cells of lots (bucket, district). A class's needs of one
// district reach a node per (group, district) that sends same-district
// units straight to that district's lot cells of the group's buckets and
// the rest through one node per group to any of its lot cells at a cost
// of 1; expiry costs on the lot cells' arcs to the sink. The graph has a
// node per cell, not per need or lot.
std::vector<CellFlow> FefoDistrictFlows(const ChoiceProblem& p, const Buckets& buckets) {
  using Cell = std::pair<int32_t, int32_t>;
  std::map<Cell, int64_t> need_cells, lot_cells;  // (class, district), (bucket, district)
  for (const ChoiceNeed& n : p.needs) need_cells[{n.cls, n.district}] += n.amount;
  for (size_t b = 0; b < buckets.all.size(); ++b) {
    for (int32_t l : buckets.all[b].lots) {
      const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
      lot_cells[{static_cast<int32_t>(b), lot.district}] += lot.available;
    }
  }
  Graph graph;
  Graph::ArcMap<int64_t> lower(graph, 0), upper(graph, 0), expiry(graph, 0), district(graph, 0);
  Graph::NodeMap<int64_t> supply(graph, 0);
  const Graph::Node sink = graph.addNode();
  std::map<Cell, Graph::Node> lot_nodes;
  int64_t total = 0;
  for (const auto& [cell, units] : need_cells) total += units;
  for (const auto& [cell, capacity] : lot_cells) {
    const Graph::Node v = graph.addNode();
    lot_nodes[cell] = v;
    const Graph::Arc a = graph.addArc(v, sink);
    upper[a] = capacity;
    expiry[a] = buckets.expiry_rank[static_cast<size_t>(cell.first)];
  }
  // The lot cells of each group, from its buckets.
  std::vector<std::vector<Cell>> group_cells(static_cast<size_t>(p.group_count));
  for (const auto& [cell, capacity] : lot_cells) {
    group_cells[static_cast<size_t>(buckets.all[static_cast<size_t>(cell.first)].group)].push_back(
        cell);
  }
  struct Link {
    Cell from, to;
    Graph::Arc arc;
  };
  std::vector<Link> need_links, direct_links, pool_links, out_links;  // by kind of arc
  std::map<int32_t, Graph::Node> pools;                      // group -> its other-district node
  std::map<std::pair<int32_t, int32_t>, Graph::Node> reach;  // (group, district)
  for (const auto& [cell, units] : need_cells) {
    const Graph::Node v = graph.addNode();
    supply[v] = units;
    for (int32_t g : p.class_groups[static_cast<size_t>(cell.first)]) {
      if (group_cells[static_cast<size_t>(g)].empty()) continue;
      auto [it, fresh] = reach.try_emplace({g, cell.second});
      if (fresh) {
        it->second = graph.addNode();
        auto [pool, new_pool] = pools.try_emplace(g);
        if (new_pool) {
          pool->second = graph.addNode();
          for (const Cell& lc : group_cells[static_cast<size_t>(g)]) {
            const Graph::Arc a = graph.addArc(pool->second, lot_nodes[lc]);
            upper[a] = total;
            out_links.push_back({{g, -1}, lc, a});
          }
        }
        for (const Cell& lc : group_cells[static_cast<size_t>(g)]) {
          if (cell.second < 0 || lc.second != cell.second) continue;
          const Graph::Arc a = graph.addArc(it->second, lot_nodes[lc]);
          upper[a] = total;
          direct_links.push_back({{g, cell.second}, lc, a});
        }
        const Graph::Arc a = graph.addArc(it->second, pool->second);
        upper[a] = total;
        district[a] = 1;
        pool_links.push_back({{g, cell.second}, {g, -1}, a});
      }
      const Graph::Arc a = graph.addArc(v, it->second);
      upper[a] = units;
      need_links.push_back({cell, {g, cell.second}, a});
    }
  }
  supply[sink] = -total;
  Graph::ArcMap<int64_t> flow(graph, 0);
  // One run with expiry weighted above any district cost (a rank step costs
  // more than every unit in another district together) where the costs stay
  // far inside int64; two runs otherwise.
  int64_t max_rank = 0;
  for (int64_t r : buckets.expiry_rank) max_rank = std::max(max_rank, r);
  const double worst = static_cast<double>(max_rank + 1) * static_cast<double>(total + 1) *
                       static_cast<double>(total + 1);
  if (worst < 0x1p60) {
    Graph::ArcMap<int64_t> both(graph, 0);
    for (Graph::ArcIt a(graph); a != lemon::INVALID; ++a) {
      both[a] = expiry[a] * (total + 1) + district[a];
    }
    if (!SolveStages(graph, lower, upper, supply, {&both}, flow)) return {};
  } else if (!SolveStages(graph, lower, upper, supply, {&expiry, &district}, flow)) {
    return {};
  }

  // Units entering each (group, district) node, by need cell, and leaving it.
  struct Units {
    Cell need;
    int64_t left;
  };
  std::map<std::pair<int32_t, int32_t>, std::vector<Units>> at_reach;
  std::map<int32_t, std::vector<Units>> at_pool;
  for (const Link& l : need_links) {
    if (flow[l.arc] > 0) at_reach[l.to].push_back({l.from, flow[l.arc]});
  }
  std::vector<CellFlow> out;
  // Takes `units` from the front of `from`, each piece sent by `emit`.
  const auto take = [](std::vector<Units>& from, size_t& next, int64_t units, auto emit) {
    while (units > 0 && next < from.size()) {
      const int64_t q = std::min(units, from[next].left);
      emit(from[next].need, q);
      from[next].left -= q;
      units -= q;
      if (from[next].left == 0) ++next;
    }
  };
  std::map<std::pair<int32_t, int32_t>, size_t> reach_next;
  for (const Link& l : direct_links) {
    take(at_reach[l.from], reach_next[l.from], flow[l.arc], [&](Cell need, int64_t q) {
      out.push_back({need.first, need.second, l.to.first, l.to.second, q});
    });
  }
  for (const Link& l : pool_links) {
    take(at_reach[l.from], reach_next[l.from], flow[l.arc], [&](Cell need, int64_t q) {
      at_pool[l.to.first].push_back({need, q});
    });
  }
  std::map<int32_t, size_t> pool_next;
  for (const Link& l : out_links) {
    take(at_pool[l.from.first], pool_next[l.from.first], flow[l.arc], [&](Cell need, int64_t q) {
      out.push_back({need.first, need.second, l.to.first, l.to.second, q});
    });
  }
  return out;
}

// Turns cell flows into (need, lot) rows, bucket by bucket in expiry order:
// each flow's needs by id take its lots oldest first.
std::vector<Chosen> SplitCellFlows(const ChoiceProblem& p, const Buckets& buckets,
                                   std::vector<CellFlow> flows) {
  std::stable_sort(flows.begin(), flows.end(), [&](const CellFlow& a, const CellFlow& b) {
    return std::make_pair(buckets.expiry_rank[static_cast<size_t>(a.bucket)], a.bucket) <
           std::make_pair(buckets.expiry_rank[static_cast<size_t>(b.bucket)], b.bucket);
  });
  std::map<std::pair<int32_t, int32_t>, std::vector<int32_t>> needs_of;  // (class, district)
  for (size_t i = 0; i < p.needs.size(); ++i) {
    needs_of[{p.needs[i].cls, p.needs[i].district}].push_back(static_cast<int32_t>(i));
  }
  std::map<std::pair<int32_t, int32_t>, size_t> next_need;
  for (auto& [cell, members] : needs_of) {
    std::sort(members.begin(), members.end(), [&](int32_t a, int32_t b) {
      return p.needs[static_cast<size_t>(a)].id < p.needs[static_cast<size_t>(b)].id;
    });
  }
  // The lots of each (bucket, district), oldest first, and the first one
  // with stock left.
  std::map<std::pair<int32_t, int32_t>, std::vector<int32_t>> lots_of;
  std::map<std::pair<int32_t, int32_t>, size_t> next_lot;
  for (size_t b = 0; b < buckets.all.size(); ++b) {
    for (int32_t l : buckets.all[b].lots) {
      lots_of[{static_cast<int32_t>(b), p.lots[static_cast<size_t>(l)].district}].push_back(l);
    }
  }
  std::vector<int64_t> need_left(p.needs.size()), lot_left(p.lots.size());
  for (size_t i = 0; i < p.needs.size(); ++i) need_left[i] = p.needs[i].amount;
  for (size_t l = 0; l < p.lots.size(); ++l) lot_left[l] = p.lots[l].available;
  std::vector<Chosen> chosen;
  chosen.reserve(p.needs.size() + p.lots.size() + 2 * flows.size());
  for (const CellFlow& f : flows) {
    std::vector<int32_t>& members = needs_of[{f.cls, f.need_district}];
    size_t& next = next_need[{f.cls, f.need_district}];
    const std::vector<int32_t>& lots = lots_of[{f.bucket, f.lot_district}];
    size_t& lot_at = next_lot[{f.bucket, f.lot_district}];
    int64_t units = f.units;
    for (; lot_at < lots.size(); ++lot_at) {
      const int32_t l = lots[lot_at];
      while (units > 0 && lot_left[static_cast<size_t>(l)] > 0) {
        while (next < members.size() && need_left[static_cast<size_t>(members[next])] == 0) ++next;
        if (next == members.size()) break;
        const int32_t i = members[next];
        const int64_t q =
            std::min({units, lot_left[static_cast<size_t>(l)], need_left[static_cast<size_t>(i)]});
        units -= q;
        lot_left[static_cast<size_t>(l)] -= q;
        need_left[static_cast<size_t>(i)] -= q;
        chosen.push_back({i, l, q, false});
      }
      if (units == 0 && lot_left[static_cast<size_t>(l)] > 0) break;  // this lot serves on
    }
  }
  return MergePairs(std::move(chosen), p.needs.size());
}

constexpr double kEarthRadius = 6371000.0;
constexpr double kRadians = 3.14159265358979323846 / 180.0;

// True if a place of `places` (sorted by latitude) is less than `d` metres
// from (lat, lon). The scan goes outward from the point's latitude and stops
// where the difference in latitude alone is more than `d`.
bool CloserPlace(const std::vector<std::pair<double, double>>& places, double lat, double lon,
                 int64_t d) {
  const double band = (static_cast<double>(d) + 1) / kEarthRadius / kRadians;
  const auto mid = std::lower_bound(places.begin(), places.end(), std::make_pair(lat, -1e9));
  for (auto it = mid; it != places.end() && it->first - lat <= band; ++it) {
    if (DistanceMetres(lat, lon, it->first, it->second) < d) return true;
  }
  for (auto it = mid; it != places.begin() && lat - std::prev(it)->first <= band; --it) {
    const auto& [plat, plon] = *std::prev(it);
    if (DistanceMetres(lat, lon, plat, plon) < d) return true;
  }
  return false;
}

// Marks the rows whose lot's depot is as near the need as any eligible
// lot's (both places known): the exact path's `nearest`, for the scalable
// path's choice. Each class's distinct depot places are found once; a row's
// scan stops at the first place nearer than its lot.
void MarkNearest(const ChoiceProblem& p, const std::vector<std::vector<int32_t>>& group_lots,
                 std::vector<Chosen>& chosen) {
  using Places = std::vector<std::pair<double, double>>;
  const auto sorted = [](Places v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  std::vector<Places> group_places(group_lots.size());
  for (size_t g = 0; g < group_lots.size(); ++g) {
    for (int32_t l : group_lots[g]) {
      const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
      if (!std::isnan(lot.lat) && !std::isnan(lot.lon))
        group_places[g].push_back({lot.lat, lot.lon});
    }
    group_places[g] = sorted(std::move(group_places[g]));
  }
  // A class of one group (most) shares its group's list.
  std::vector<Places> merged(p.class_groups.size());
  std::vector<const Places*> places(p.class_groups.size());
  for (size_t c = 0; c < p.class_groups.size(); ++c) {
    const std::vector<int32_t>& groups = p.class_groups[c];
    if (groups.size() == 1) {
      places[c] = &group_places[static_cast<size_t>(groups[0])];
      continue;
    }
    for (int32_t g : groups) {
      const Places& more = group_places[static_cast<size_t>(g)];
      merged[c].insert(merged[c].end(), more.begin(), more.end());
    }
    merged[c] = sorted(std::move(merged[c]));
    places[c] = &merged[c];
  }
  for (Chosen& row : chosen) {
    const ChoiceNeed& need = p.needs[static_cast<size_t>(row.need)];
    const ChoiceLot& lot = p.lots[static_cast<size_t>(row.lot)];
    const int64_t d = DistanceMetres(need.lat, need.lon, lot.lat, lot.lon);
    row.nearest = d < kUnknownDistance &&
                  !CloserPlace(*places[static_cast<size_t>(need.cls)], need.lat, need.lon, d);
  }
}

std::vector<Chosen> ScalableChoice(const ChoiceProblem& p,
                                   const std::vector<std::vector<int32_t>>& group_lots) {
  const Buckets buckets = MakeBuckets(p, group_lots);
  std::vector<Chosen> chosen = SplitCellFlows(p, buckets, FefoDistrictFlows(p, buckets));
  MarkNearest(p, group_lots, chosen);
  return chosen;
}

}  // namespace

int64_t DistanceMetres(double lat1, double lon1, double lat2, double lon2) {
  if (std::isnan(lat1) || std::isnan(lon1) || std::isnan(lat2) || std::isnan(lon2)) {
    return kUnknownDistance;
  }
  // Equirectangular approximation: ample for choosing between depots of one
  // city, and cheaper than haversine.
  const double mean_lat = (lat1 + lat2) / 2 * kRadians;
  const double x = (lon2 - lon1) * kRadians * std::cos(mean_lat);
  const double y = (lat2 - lat1) * kRadians;
  const double d = std::sqrt(x * x + y * y) * kEarthRadius;
  if (!(d < static_cast<double>(kUnknownDistance - 1))) return kUnknownDistance - 1;
  return std::llround(d);
}

std::vector<Chosen> ChooseLots(const ChoiceProblem& p) {
  if (p.needs.empty()) return {};
  const std::vector<std::vector<int32_t>> group_lots = LotsByGroup(p);
  int64_t pairs = 0;
  for (const ChoiceNeed& need : p.needs) {
    for (int32_t g : p.class_groups[static_cast<size_t>(need.cls)]) {
      pairs += static_cast<int64_t>(group_lots[static_cast<size_t>(g)].size());
    }
    if (pairs > p.exact_pair_limit) return ScalableChoice(p, group_lots);
  }
  return ExactChoice(p, group_lots);
}

}  // namespace aidlink::match::internal
