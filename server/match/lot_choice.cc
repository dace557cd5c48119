// Rule 5: with the amount of every need fixed, choose the lots.
//
// Exact path: a lexicographic min-cost flow over (need, eligible lot) pairs,
// solved as a sequence of LEMON NetworkSimplex runs, one per criterion
// (expiry, district, distance, lot age, ids). After each run, an arc whose
// reduced cost is not zero carries the same flow in every optimal solution, so
// it is fixed at that flow before the next criterion is optimised.
//
// Large items (more pairs than exact_pair_limit) take the scalable path: an
// exact min-cost flow on expiry between need classes and (group, expiry)
// buckets, then a greedy split inside each class, same district first; its
// rows are marked `nearest` by the same definition as the exact path's.

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// Optimises the criteria one after the other; returns the flow of each pair.
std::vector<int64_t> SolveLexicographic(const ChoiceProblem& p, PairGraph& g) {
  const PairCosts costs(p);
  Graph::ArcMap<int64_t> cost(g.graph, 0);
  std::vector<int64_t> flow(g.pairs.size(), 0);
  for (int stage = 0; stage < PairCosts::kStages; ++stage) {
    for (size_t k = 0; k < g.pairs.size(); ++k) {
      cost[g.graph.arcFromId(static_cast<int>(k))] = costs.Cost(stage, p, g.pairs[k]);
    }
    Simplex simplex(g.graph);
    simplex.lowerMap(g.lower).upperMap(g.upper).costMap(cost).supplyMap(g.supply);
    if (simplex.run() != Simplex::OPTIMAL) break;  // cannot happen: amounts are feasible
    // An arc off the optimum's tight set carries this flow in every optimum.
    for (Graph::ArcIt a(g.graph); a != lemon::INVALID; ++a) {
      const int64_t reduced =
          cost[a] + simplex.potential(g.graph.source(a)) - simplex.potential(g.graph.target(a));
      if (reduced != 0) g.lower[a] = g.upper[a] = simplex.flow(a);
    }
    for (size_t k = 0; k < g.pairs.size(); ++k)
      flow[k] = simplex.flow(g.graph.arcFromId(static_cast<int>(k)));
  }
  return flow;
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

// (bucket, units) per class: what each class takes from each bucket.
using ClassFlows = std::vector<std::vector<std::pair<int32_t, int64_t>>>;

// Exact FEFO between classes and buckets, through one node per group: a
// class reaches every bucket of its groups alike, and only the group ->
// bucket arcs cost, so the graph stays small. Each group's flow is then split
// among its classes (any split costs the same): classes in index order take
// the group's buckets in expiry order.
ClassFlows FefoClassFlows(const ChoiceProblem& p, const Buckets& buckets,
                          const std::vector<int64_t>& class_amount) {
  const size_t nc = p.class_groups.size(), ng = static_cast<size_t>(p.group_count);
  Graph graph;
  std::vector<Graph::Node> class_nodes(nc), group_nodes(ng), bucket_nodes(buckets.all.size());
  for (auto& v : class_nodes) v = graph.addNode();
  for (auto& v : group_nodes) v = graph.addNode();
  for (auto& v : bucket_nodes) v = graph.addNode();
  const Graph::Node sink = graph.addNode();
  Graph::ArcMap<int64_t> upper(graph, 0), cost(graph, 0);
  Graph::NodeMap<int64_t> supply(graph, 0);
  struct Link {
    int32_t from, to;
    Graph::Arc arc;
  };
  std::vector<Link> class_group_arcs, group_bucket_arcs;
  int64_t total = 0;
  for (size_t c = 0; c < nc; ++c) {
    if (class_amount[c] == 0) continue;
    supply[class_nodes[c]] = class_amount[c];
    total += class_amount[c];
    for (int32_t g : p.class_groups[c]) {
      if (buckets.of_group[static_cast<size_t>(g)].empty()) continue;
      const Graph::Arc a = graph.addArc(class_nodes[c], group_nodes[static_cast<size_t>(g)]);
      upper[a] = class_amount[c];
      class_group_arcs.push_back({static_cast<int32_t>(c), g, a});
    }
  }
  for (size_t g = 0; g < ng; ++g) {
    for (int32_t b : buckets.of_group[g]) {
      const Graph::Arc a = graph.addArc(group_nodes[g], bucket_nodes[static_cast<size_t>(b)]);
      upper[a] = buckets.all[static_cast<size_t>(b)].capacity;
      cost[a] = buckets.expiry_rank[static_cast<size_t>(b)];
      group_bucket_arcs.push_back({static_cast<int32_t>(g), b, a});
    }
  }
  for (size_t b = 0; b < buckets.all.size(); ++b) {
    upper[graph.addArc(bucket_nodes[b], sink)] = buckets.all[b].capacity;
  }
  supply[sink] = -total;
  Simplex simplex(graph);
  simplex.upperMap(upper).costMap(cost).supplyMap(supply);
  if (simplex.run() != Simplex::OPTIMAL) return {};  // cannot happen: amounts are feasible

  std::vector<std::vector<std::pair<int32_t, int64_t>>> group_in(ng), group_out(ng);
  for (const Link& l : class_group_arcs) {
    const int64_t f = simplex.flow(l.arc);
    if (f > 0) group_in[static_cast<size_t>(l.to)].push_back({l.from, f});
  }
  for (const Link& l : group_bucket_arcs) {
    const int64_t f = simplex.flow(l.arc);
    if (f > 0) group_out[static_cast<size_t>(l.from)].push_back({l.to, f});
  }
  ClassFlows class_flows(nc);
  for (size_t g = 0; g < ng; ++g) {
    size_t out = 0;
    for (auto [c, units] : group_in[g]) {
      while (units > 0 && out < group_out[g].size()) {
        auto& [b, left] = group_out[g][out];
        const int64_t q = std::min(units, left);
        class_flows[static_cast<size_t>(c)].push_back({b, q});
        units -= q;
        left -= q;
        if (left == 0) ++out;
      }
    }
  }
  return class_flows;
}

// Needs of one class by id, all of them and by district; Front() skips the
// needs already served in full.
struct Queue {
  std::vector<int32_t> needs;
  size_t next = 0;
  // The first need of the queue with units left, or -1.
  int32_t Front(const std::vector<int64_t>& left) {
    while (next < needs.size() && left[static_cast<size_t>(needs[next])] == 0) ++next;
    return next < needs.size() ? needs[next] : -1;
  }
};
struct ClassQueues {
  Queue everyone;
  std::unordered_map<int32_t, Queue> by_district;
};

// The greedy split of the scalable path, bucket by bucket in expiry order:
// first every class's needs take the bucket's lots in their own district,
// then the rest; lots oldest first, needs by id.
class GreedySplit {
 public:
  GreedySplit(const ChoiceProblem& p, const Buckets& buckets)
      : p_(p),
        buckets_(buckets),
        queues_(p.class_groups.size()),
        bucket_flows_(buckets.all.size()),
        lot_left_(p.lots.size()),
        need_left_(p.needs.size()) {
    for (size_t l = 0; l < p.lots.size(); ++l) lot_left_[l] = p.lots[l].available;
    for (size_t i = 0; i < p.needs.size(); ++i) need_left_[i] = p.needs[i].amount;
  }

  // Queues class `c`'s needs (`members`) for its flows.
  void AddClass(size_t c, std::vector<int32_t> members,
                const std::vector<std::pair<int32_t, int64_t>>& flows) {
    std::sort(members.begin(), members.end(), [&](int32_t a, int32_t b) {
      return p_.needs[static_cast<size_t>(a)].id < p_.needs[static_cast<size_t>(b)].id;
    });
    for (int32_t i : members)
      queues_[c].by_district[p_.needs[static_cast<size_t>(i)].district].needs.push_back(i);
    queues_[c].everyone.needs = std::move(members);
    for (auto [b, units] : flows)
      bucket_flows_[static_cast<size_t>(b)].push_back({static_cast<int32_t>(c), units});
    flow_count_ += flows.size();
  }

  std::vector<Chosen> Run() {
    // Each row exhausts a need, a lot or a class's flow from a bucket.
    chosen_.reserve(need_left_.size() + lot_left_.size() + 2 * flow_count_);
    for (int32_t b : BucketOrder()) {
      const Bucket& bucket = buckets_.all[static_cast<size_t>(b)];
      for (auto& [c, units] : bucket_flows_[static_cast<size_t>(b)]) {
        auto& by_district = queues_[static_cast<size_t>(c)].by_district;
        for (int32_t l : bucket.lots) {
          const int32_t district = p_.lots[static_cast<size_t>(l)].district;
          auto it = by_district.find(district);
          if (it == by_district.end() || district < 0) continue;
          Drain(it->second, l, units);
        }
      }
      for (auto& [c, units] : bucket_flows_[static_cast<size_t>(b)]) {
        for (int32_t l : bucket.lots) Drain(queues_[static_cast<size_t>(c)].everyone, l, units);
      }
    }
    return MergePairs(std::move(chosen_), need_left_.size());
  }

 private:
  std::vector<int32_t> BucketOrder() const {
    std::vector<int32_t> order(buckets_.all.size());
    std::iota(order.begin(), order.end(), 0);
    const std::vector<int64_t>& rank = buckets_.expiry_rank;
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return std::make_pair(rank[static_cast<size_t>(a)], a) <
             std::make_pair(rank[static_cast<size_t>(b)], b);
    });
    return order;
  }

  // Lot `l` serves the queue's needs in order while the flow has units.
  void Drain(Queue& queue, int32_t l, int64_t& units) {
    while (units > 0 && lot_left_[static_cast<size_t>(l)] > 0) {
      const int32_t i = queue.Front(need_left_);
      if (i < 0) break;
      const int64_t q =
          std::min({units, lot_left_[static_cast<size_t>(l)], need_left_[static_cast<size_t>(i)]});
      units -= q;
      lot_left_[static_cast<size_t>(l)] -= q;
      need_left_[static_cast<size_t>(i)] -= q;
      chosen_.push_back({i, l, q, false});
    }
  }

  const ChoiceProblem& p_;
  const Buckets& buckets_;
  std::vector<ClassQueues> queues_;
  std::vector<std::vector<std::pair<int32_t, int64_t>>> bucket_flows_;  // (class, units)
  std::vector<int64_t> lot_left_, need_left_;
  size_t flow_count_ = 0;
  std::vector<Chosen> chosen_;
};

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
  std::vector<std::vector<std::pair<double, double>>> places(p.class_groups.size());
  for (size_t c = 0; c < p.class_groups.size(); ++c) {
    for (int32_t g : p.class_groups[c]) {
      for (int32_t l : group_lots[static_cast<size_t>(g)]) {
        const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
        if (!std::isnan(lot.lat) && !std::isnan(lot.lon)) places[c].push_back({lot.lat, lot.lon});
      }
    }
    std::sort(places[c].begin(), places[c].end());
    places[c].erase(std::unique(places[c].begin(), places[c].end()), places[c].end());
  }
  for (Chosen& row : chosen) {
    const ChoiceNeed& need = p.needs[static_cast<size_t>(row.need)];
    const ChoiceLot& lot = p.lots[static_cast<size_t>(row.lot)];
    const int64_t d = DistanceMetres(need.lat, need.lon, lot.lat, lot.lon);
    row.nearest = d < kUnknownDistance &&
                  !CloserPlace(places[static_cast<size_t>(need.cls)], need.lat, need.lon, d);
  }
}

std::vector<Chosen> ScalableChoice(const ChoiceProblem& p,
                                   const std::vector<std::vector<int32_t>>& group_lots) {
  const size_t nc = p.class_groups.size();
  const Buckets buckets = MakeBuckets(p, group_lots);
  std::vector<int64_t> class_amount(nc, 0);
  std::vector<std::vector<int32_t>> class_needs(nc);
  for (size_t i = 0; i < p.needs.size(); ++i) {
    class_amount[static_cast<size_t>(p.needs[i].cls)] += p.needs[i].amount;
    class_needs[static_cast<size_t>(p.needs[i].cls)].push_back(static_cast<int32_t>(i));
  }
  const ClassFlows class_flows = FefoClassFlows(p, buckets, class_amount);
  if (class_flows.empty()) return {};
  GreedySplit split(p, buckets);
  for (size_t c = 0; c < nc; ++c) {
    if (!class_flows[c].empty()) split.AddClass(c, std::move(class_needs[c]), class_flows[c]);
  }
  std::vector<Chosen> chosen = split.Run();
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
