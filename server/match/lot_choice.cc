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
// buckets, then a greedy split inside each class, same district first.

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

std::vector<Chosen> ExactChoice(const ChoiceProblem& p,
                                const std::vector<std::vector<int32_t>>& group_lots) {
  const size_t n = p.needs.size();
  const size_t m = p.lots.size();

  std::vector<int64_t> expiry_keys(m), lot_ids(m), need_ids(n);
  std::vector<std::pair<int64_t, int64_t>> age_keys(m);
  for (size_t l = 0; l < m; ++l) {
    expiry_keys[l] = ExpiryKey(p.lots[l]);
    age_keys[l] = {p.lots[l].created_seq, p.lots[l].id};
    lot_ids[l] = p.lots[l].id;
  }
  for (size_t i = 0; i < n; ++i) need_ids[i] = p.needs[i].id;
  const std::vector<int64_t> expiry_rank = DenseRanks(expiry_keys);
  const std::vector<int64_t> age_rank = DenseRanks(age_keys);
  const std::vector<int64_t> lot_id_rank = DenseRanks(lot_ids);
  const std::vector<int64_t> need_id_rank = DenseRanks(need_ids);

  Graph graph;
  std::vector<Graph::Node> need_nodes(n), lot_nodes(m);
  for (auto& v : need_nodes) v = graph.addNode();
  for (auto& v : lot_nodes) v = graph.addNode();
  const Graph::Node sink = graph.addNode();

  struct Pair {
    int32_t need, lot;
    int64_t distance;
  };
  std::vector<Pair> pairs;  // arc id order: pair arcs first, then lot arcs
  std::vector<int64_t> nearest(n, kUnknownDistance);
  for (size_t i = 0; i < n; ++i) {
    const ChoiceNeed& need = p.needs[i];
    for (int32_t g : p.class_groups[static_cast<size_t>(need.cls)]) {
      for (int32_t l : group_lots[static_cast<size_t>(g)]) {
        const ChoiceLot& lot = p.lots[static_cast<size_t>(l)];
        const int64_t d = DistanceMetres(need.lat, need.lon, lot.lat, lot.lon);
        nearest[i] = std::min(nearest[i], d);
        graph.addArc(need_nodes[i], lot_nodes[static_cast<size_t>(l)]);
        pairs.push_back({static_cast<int32_t>(i), l, d});
      }
    }
  }
  for (size_t l = 0; l < m; ++l) graph.addArc(lot_nodes[l], sink);

  Graph::ArcMap<int64_t> lower(graph, 0), upper(graph, 0), cost(graph, 0);
  Graph::NodeMap<int64_t> supply(graph, 0);
  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    supply[need_nodes[i]] = p.needs[i].amount;
    total += p.needs[i].amount;
  }
  supply[sink] = -total;
  for (size_t k = 0; k < pairs.size(); ++k) {
    upper[graph.arcFromId(static_cast<int>(k))] =
        p.needs[static_cast<size_t>(pairs[k].need)].amount;
  }
  for (size_t l = 0; l < m; ++l) {
    upper[graph.arcFromId(static_cast<int>(pairs.size() + l))] = p.lots[l].available;
  }

  const auto big_n = static_cast<int64_t>(n);
  const auto big_m = static_cast<int64_t>(m);
  std::vector<int64_t> flow(pairs.size(), 0);
  for (int stage = 0; stage < 5; ++stage) {
    for (size_t k = 0; k < pairs.size(); ++k) {
      const Pair& pr = pairs[k];
      const auto l = static_cast<size_t>(pr.lot);
      const ChoiceNeed& need = p.needs[static_cast<size_t>(pr.need)];
      int64_t c = 0;
      switch (stage) {
        case 0:
          c = expiry_rank[l];
          break;
        case 1:
          c = (need.district >= 0 && need.district == p.lots[l].district) ? 0 : 1;
          break;
        case 2:
          c = pr.distance;
          break;
        case 3:
          c = age_rank[l];
          break;
        default:
          // Ties to the smaller ids: pairing small need ids with small lot
          // ids maximises this product sum (rearrangement inequality).
          c = -(big_n - need_id_rank[static_cast<size_t>(pr.need)]) * (big_m - lot_id_rank[l]);
          break;
      }
      cost[graph.arcFromId(static_cast<int>(k))] = c;
    }
    Simplex simplex(graph);
    simplex.lowerMap(lower).upperMap(upper).costMap(cost).supplyMap(supply);
    if (simplex.run() != Simplex::OPTIMAL) break;  // cannot happen: amounts are feasible
    for (Graph::ArcIt a(graph); a != lemon::INVALID; ++a) {
      const int64_t reduced =
          cost[a] + simplex.potential(graph.source(a)) - simplex.potential(graph.target(a));
      if (reduced != 0) lower[a] = upper[a] = simplex.flow(a);
    }
    for (size_t k = 0; k < pairs.size(); ++k)
      flow[k] = simplex.flow(graph.arcFromId(static_cast<int>(k)));
  }

  std::vector<Chosen> chosen;
  for (size_t k = 0; k < pairs.size(); ++k) {
    if (flow[k] <= 0) continue;
    const Pair& pr = pairs[k];
    const bool is_nearest =
        pr.distance < kUnknownDistance && pr.distance == nearest[static_cast<size_t>(pr.need)];
    chosen.push_back({pr.need, pr.lot, flow[k], is_nearest});
  }
  return MergePairs(std::move(chosen), n);
}

std::vector<Chosen> ScalableChoice(const ChoiceProblem& p,
                                   const std::vector<std::vector<int32_t>>& group_lots) {
  const size_t n = p.needs.size();
  const size_t nc = p.class_groups.size();

  // Buckets of interchangeable stock for FEFO: same group, same expiry.
  struct Bucket {
    int32_t group;
    int64_t expiry;
    int64_t capacity = 0;
    std::vector<int32_t> lots;  // oldest first
  };
  std::vector<Bucket> buckets;
  std::vector<std::vector<int32_t>> group_buckets(static_cast<size_t>(p.group_count));
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
      if (group_buckets[g].empty() ||
          buckets[static_cast<size_t>(group_buckets[g].back())].expiry != ExpiryKey(lot)) {
        group_buckets[g].push_back(static_cast<int32_t>(buckets.size()));
        buckets.push_back({static_cast<int32_t>(g), ExpiryKey(lot), 0, {}});
      }
      Bucket& b = buckets.back();
      b.capacity += lot.available;
      b.lots.push_back(l);
    }
  }
  std::vector<int64_t> bucket_expiry(buckets.size());
  for (size_t b = 0; b < buckets.size(); ++b) bucket_expiry[b] = buckets[b].expiry;
  const std::vector<int64_t> expiry_rank = DenseRanks(bucket_expiry);

  std::vector<int64_t> class_amount(nc, 0);
  std::vector<std::vector<int32_t>> class_needs(nc);
  for (size_t i = 0; i < n; ++i) {
    class_amount[static_cast<size_t>(p.needs[i].cls)] += p.needs[i].amount;
    class_needs[static_cast<size_t>(p.needs[i].cls)].push_back(static_cast<int32_t>(i));
  }

  // Exact FEFO between classes and buckets, through one node per group: a
  // class reaches every bucket of its groups alike, and only the
  // group -> bucket arcs cost, so the graph stays small.
  const auto ng = static_cast<size_t>(p.group_count);
  Graph graph;
  std::vector<Graph::Node> class_nodes(nc), group_nodes(ng), bucket_nodes(buckets.size());
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
      if (group_buckets[static_cast<size_t>(g)].empty()) continue;
      const Graph::Arc a = graph.addArc(class_nodes[c], group_nodes[static_cast<size_t>(g)]);
      upper[a] = class_amount[c];
      class_group_arcs.push_back({static_cast<int32_t>(c), g, a});
    }
  }
  for (size_t g = 0; g < ng; ++g) {
    for (int32_t b : group_buckets[g]) {
      const Graph::Arc a = graph.addArc(group_nodes[g], bucket_nodes[static_cast<size_t>(b)]);
      upper[a] = buckets[static_cast<size_t>(b)].capacity;
      cost[a] = expiry_rank[static_cast<size_t>(b)];
      group_bucket_arcs.push_back({static_cast<int32_t>(g), b, a});
    }
  }
  for (size_t b = 0; b < buckets.size(); ++b) {
    upper[graph.addArc(bucket_nodes[b], sink)] = buckets[b].capacity;
  }
  supply[sink] = -total;
  Simplex simplex(graph);
  simplex.upperMap(upper).costMap(cost).supplyMap(supply);
  if (simplex.run() != Simplex::OPTIMAL) return {};  // cannot happen: amounts are feasible

  // Split each group's flow among its classes (any split costs the same):
  // classes in index order take the group's buckets in expiry order.
  std::vector<std::vector<std::pair<int32_t, int64_t>>> class_flows(nc);  // (bucket, units)
  {
    std::vector<std::vector<std::pair<int32_t, int64_t>>> group_in(ng), group_out(ng);
    for (const Link& l : class_group_arcs) {
      const int64_t f = simplex.flow(l.arc);
      if (f > 0) group_in[static_cast<size_t>(l.to)].push_back({l.from, f});
    }
    for (const Link& l : group_bucket_arcs) {
      const int64_t f = simplex.flow(l.arc);
      if (f > 0) group_out[static_cast<size_t>(l.from)].push_back({l.to, f});
    }
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
  }

  // Greedy split, bucket by bucket in expiry order: first every class's
  // needs take the bucket's lots in their own district, then the rest; lots
  // oldest first, needs by id.
  std::vector<int64_t> lot_left(p.lots.size());
  for (size_t l = 0; l < p.lots.size(); ++l) lot_left[l] = p.lots[l].available;
  std::vector<int64_t> need_left(n);
  for (size_t i = 0; i < n; ++i) need_left[i] = p.needs[i].amount;

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
  std::vector<ClassQueues> queues(nc);
  std::vector<std::vector<std::pair<int32_t, int64_t>>> bucket_flows(
      buckets.size());  // (class, units)
  size_t flows = 0;
  for (size_t c = 0; c < nc; ++c) {
    if (class_flows[c].empty()) continue;
    std::vector<int32_t>& members = class_needs[c];
    std::sort(members.begin(), members.end(), [&](int32_t a, int32_t b) {
      return p.needs[static_cast<size_t>(a)].id < p.needs[static_cast<size_t>(b)].id;
    });
    queues[c].everyone.needs = members;
    for (int32_t i : members)
      queues[c].by_district[p.needs[static_cast<size_t>(i)].district].needs.push_back(i);
    for (auto [b, units] : class_flows[c])
      bucket_flows[static_cast<size_t>(b)].push_back({static_cast<int32_t>(c), units});
    flows += class_flows[c].size();
  }
  std::vector<int32_t> bucket_order(buckets.size());
  std::iota(bucket_order.begin(), bucket_order.end(), 0);
  std::sort(bucket_order.begin(), bucket_order.end(), [&](int32_t a, int32_t b) {
    return std::make_pair(expiry_rank[static_cast<size_t>(a)], a) <
           std::make_pair(expiry_rank[static_cast<size_t>(b)], b);
  });

  // Each row exhausts a need, a lot or a class's flow from a bucket.
  std::vector<Chosen> chosen;
  chosen.reserve(n + p.lots.size() + 2 * flows);
  for (int32_t b : bucket_order) {
    const Bucket& bucket = buckets[static_cast<size_t>(b)];
    auto take = [&](int32_t i, int32_t l, int64_t& units) {
      const int64_t q =
          std::min({units, lot_left[static_cast<size_t>(l)], need_left[static_cast<size_t>(i)]});
      units -= q;
      lot_left[static_cast<size_t>(l)] -= q;
      need_left[static_cast<size_t>(i)] -= q;
      chosen.push_back({i, l, q, false});
    };
    for (auto& [c, units] : bucket_flows[static_cast<size_t>(b)]) {
      auto& by_district = queues[static_cast<size_t>(c)].by_district;
      for (int32_t l : bucket.lots) {
        const int32_t district = p.lots[static_cast<size_t>(l)].district;
        auto it = by_district.find(district);
        if (it == by_district.end() || district < 0) continue;
        while (units > 0 && lot_left[static_cast<size_t>(l)] > 0) {
          const int32_t i = it->second.Front(need_left);
          if (i < 0) break;
          take(i, l, units);
        }
      }
    }
    for (auto& [c, units] : bucket_flows[static_cast<size_t>(b)]) {
      Queue& everyone = queues[static_cast<size_t>(c)].everyone;
      for (int32_t l : bucket.lots) {
        while (units > 0 && lot_left[static_cast<size_t>(l)] > 0) {
          const int32_t i = everyone.Front(need_left);
          if (i < 0) break;
          take(i, l, units);
        }
      }
    }
  }
  return MergePairs(std::move(chosen), n);
}

}  // namespace

int64_t DistanceMetres(double lat1, double lon1, double lat2, double lon2) {
  if (std::isnan(lat1) || std::isnan(lon1) || std::isnan(lat2) || std::isnan(lon2)) {
    return kUnknownDistance;
  }
  // Equirectangular approximation: ample for choosing between depots of one
  // city, and cheaper than haversine.
  constexpr double kEarthRadius = 6371000.0;
  constexpr double kRadians = 3.14159265358979323846 / 180.0;
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
