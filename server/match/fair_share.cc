// Rules 2-4 on the class graph.
//
// The reference process hands out packs one at a time. A need's k-th pack is
// handed out when its fill fraction is (filled + k * pack) / demand, so the
// process visits "events" (need, k) in the order of the key
// (fraction, TieKey) and would give every event in full, except that a need
// stops when stock runs out for it. Running out is a property of a whole class
// (its needs are interchangeable), it happens when a set of classes becomes
// tight (their demand equals the capacity of the lots they can use), and a
// tight set stays tight. So the outcome is described by the event at which
// each class stops, and we find those events one at a time:
//  1. if every remaining event fits, give it all;
//  2. else find the first event e* whose prefix is infeasible (Newton steps
//     on min cuts: a violated set S bounds e* by the first event at which
//     S's demand exceeds its lots; check the prefix just below that);
//  3. give every active need its events before e*, the need of e* what still
//     fits, and retire the (maximal) tight set together with its lots.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <vector>

#include "match/internal.h"
#include "match/lemon.h"

namespace aidlink::match::internal {
namespace {

using Graph = lemon::SmartDigraph;
using CapMap = Graph::ArcMap<int64_t>;

// A position in the event order: everything with key < (num/den, tie), or
// <= when inclusive. `all` means after every event.
struct Threshold {
  bool all = false;
  int64_t num = 0;
  int64_t den = 1;
  TieKey tie;
  bool inclusive = false;
};

int64_t EventCount(const FairNeed& n) { return (n.outstanding + n.pack - 1) / n.pack; }

int64_t AmountAt(const FairNeed& n, int64_t count) {
  return std::min(n.outstanding, count * n.pack);
}

// Number of events of `n` before threshold `t`. Event k has fraction
// (filled + k * pack) / demand; products stay below 2^62 by the REQUIRES on
// quantities.
int64_t CountAt(const FairNeed& n, const Threshold& t) {
  const int64_t events = EventCount(n);
  if (t.all) return events;
  const bool le = n.tie < t.tie || (n.tie == t.tie && t.inclusive);
  const int64_t x = t.num * n.demand - t.den * n.filled;  // k * pack * den vs x
  const int64_t step = n.pack * t.den;
  int64_t count;
  if (le) {
    count = x < 0 ? 0 : x / step + 1;
  } else {
    count = x <= 0 ? 0 : (x - 1) / step + 1;
  }
  return std::min(count, events);
}

Threshold EventKey(const FairNeed& n, int64_t k, bool inclusive) {
  return Threshold{false, n.filled + k * n.pack, n.demand, n.tie, inclusive};
}

// splitmix64: a tiny deterministic generator for pivot choice.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// The bipartite class graph source -> class -> group -> sink, for feasibility
// checks. Not thread-safe; one per item.
class ClassGraph {
 public:
  explicit ClassGraph(const FairProblem& p) : cap_(graph_) {
    source_ = graph_.addNode();
    sink_ = graph_.addNode();
    const size_t nc = p.classes.size();
    const size_t ng = p.group_capacity.size();
    int64_t total_cap = 1;
    for (int64_t c : p.group_capacity) total_cap += c;
    for (size_t c = 0; c < nc; ++c) {
      class_nodes_.push_back(graph_.addNode());
      class_arcs_.push_back(graph_.addArc(source_, class_nodes_.back()));
    }
    for (size_t g = 0; g < ng; ++g) {
      group_nodes_.push_back(graph_.addNode());
      group_arcs_.push_back(graph_.addArc(group_nodes_.back(), sink_));
      cap_[group_arcs_.back()] = p.group_capacity[g];
    }
    for (size_t c = 0; c < nc; ++c) {
      for (int32_t g : p.classes[c].groups) {
        cap_[graph_.addArc(class_nodes_[c], group_nodes_[static_cast<size_t>(g)])] = total_cap;
      }
    }
    reach_.assign(static_cast<size_t>(graph_.maxNodeId() + 1), 0);
    // One Preflow for all runs: it keeps its maps between run() calls.
    preflow_ = std::make_unique<Preflow>(graph_, cap_, source_, sink_);
  }

  void RemoveGroup(size_t g) { cap_[group_arcs_[g]] = 0; }

  // Max flow with class c asking for demand[c]; also records which nodes can
  // still reach the sink in the residual graph.
  int64_t Run(const std::vector<int64_t>& demand) {
    for (size_t c = 0; c < class_arcs_.size(); ++c) cap_[class_arcs_[c]] = demand[c];
    preflow_->run();
    MarkReachSink(*preflow_);
    return preflow_->flowValue();
  }

  // After Run(): whether the class / group can no longer reach the sink
  // (with all demand met: cannot grow; otherwise: on the source side of a
  // minimum cut).
  bool ClassStuck(size_t c) const { return !reach_[Graph::id(class_nodes_[c])]; }
  bool GroupStuck(size_t g) const { return !reach_[Graph::id(group_nodes_[g])]; }

 private:
  template <typename Flow>
  void MarkReachSink(const Flow& flow) {
    std::fill(reach_.begin(), reach_.end(), 0);
    std::vector<Graph::Node> queue = {sink_};
    reach_[Graph::id(sink_)] = 1;
    for (size_t head = 0; head < queue.size(); ++head) {
      const Graph::Node v = queue[head];
      for (Graph::InArcIt a(graph_, v); a != lemon::INVALID; ++a) {
        const Graph::Node u = graph_.source(a);
        if (!reach_[Graph::id(u)] && flow.flow(a) < cap_[a]) {
          reach_[Graph::id(u)] = 1;
          queue.push_back(u);
        }
      }
      for (Graph::OutArcIt a(graph_, v); a != lemon::INVALID; ++a) {
        const Graph::Node w = graph_.target(a);
        if (!reach_[Graph::id(w)] && flow.flow(a) > 0) {
          reach_[Graph::id(w)] = 1;
          queue.push_back(w);
        }
      }
    }
  }

  using Preflow = lemon::Preflow<Graph, CapMap>;

  Graph graph_;
  CapMap cap_;
  std::unique_ptr<Preflow> preflow_;
  Graph::Node source_, sink_;
  std::vector<Graph::Node> class_nodes_, group_nodes_;
  std::vector<Graph::Arc> class_arcs_, group_arcs_;
  std::vector<char> reach_;
};

struct Event {
  int32_t need = 0;
  int64_t k = 0;
};

// The first event (in key order) among the needs `v` whose prefix makes
// their total amount exceed `budget`. REQUIRES: the total at counts `lo` is
// <= budget < the total at counts `hi` (both indexed by need).
Event FirstExceeding(const std::vector<FairNeed>& needs, const std::vector<int32_t>& v,
                     const std::vector<int64_t>& lo, const std::vector<int64_t>& hi, int64_t budget,
                     Rng& rng) {
  struct Cand {
    int32_t need;
    int64_t lo, hi, mid;
  };
  std::vector<Cand> cands;
  int64_t base = 0;
  for (int32_t i : v) {
    const auto u = static_cast<size_t>(i);
    if (hi[u] > lo[u]) {
      cands.push_back({i, lo[u], hi[u], 0});
    } else {
      base += AmountAt(needs[u], lo[u]);
    }
  }
  for (;;) {
    uint64_t events = 0;
    for (const Cand& c : cands) events += static_cast<uint64_t>(c.hi - c.lo);
    assert(events > 0);  // by the REQUIRES: some event lies between lo and hi
    if (events == 0) return {v.empty() ? 0 : v.front(), 0};
    if (events == 1) {
      for (const Cand& c : cands) {
        if (c.hi > c.lo) return {c.need, c.lo};
      }
    }
    // A uniformly random event of the interval as pivot: the interval shrinks
    // geometrically in expectation.
    uint64_t r = rng.Below(events);
    Threshold pivot;
    for (const Cand& c : cands) {
      const auto width = static_cast<uint64_t>(c.hi - c.lo);
      if (r < width) {
        pivot = EventKey(needs[static_cast<size_t>(c.need)], c.lo + static_cast<int64_t>(r), true);
        break;
      }
      r -= width;
    }
    int64_t sum = base;
    for (Cand& c : cands) {
      c.mid = CountAt(needs[static_cast<size_t>(c.need)], pivot);
      sum += AmountAt(needs[static_cast<size_t>(c.need)], c.mid);
    }
    const bool over = sum > budget;
    size_t kept = 0;
    for (Cand& c : cands) {
      (over ? c.hi : c.lo) = c.mid;
      if (c.hi > c.lo) {
        cands[kept++] = c;
      } else {
        base += AmountAt(needs[static_cast<size_t>(c.need)], c.lo);
      }
    }
    cands.resize(kept);
  }
}

// The solver's state across tiers: which classes and groups are retired (a
// tight set, which stays tight), what each class asks of the graph, and each
// active need's event count bounds.
class FairShareSolver {
 public:
  explicit FairShareSolver(const FairProblem& p)
      : p_(p),
        graph_(p),
        class_needs_(p.classes.size()),
        class_outstanding_(p.classes.size(), 0),
        demand_(p.classes.size(), 0),
        class_retired_(p.classes.size(), 0),
        group_retired_(p.group_capacity.size(), 0),
        amount_(p.needs.size(), 0),
        count_lo_(p.needs.size(), 0),
        count_hi_(p.needs.size(), 0),
        count_mid_(p.needs.size(), 0),
        rng_(p.seed) {
    for (size_t i = 0; i < p.needs.size(); ++i) {
      const int32_t c = p.needs[i].cls;
      if (c < 0) continue;
      class_needs_[static_cast<size_t>(c)].push_back(static_cast<int32_t>(i));
      class_outstanding_[static_cast<size_t>(c)] += p.needs[i].outstanding;
    }
  }

  std::vector<int64_t> Solve() {
    for (int tier = 0; tier < p_.tiers; ++tier) {
      std::vector<int32_t> active = ActiveClasses(tier);
      while (!active.empty()) {
        if (AllFit(active)) break;
        const Event first = FirstInfeasibleEvent(active);
        GiveWhatFits(active, first);
        RetireTight(active);
      }
    }
    return std::move(amount_);
  }

 private:
  bool Live(size_t c) const {
    for (int32_t g : p_.classes[c].groups) {
      if (!group_retired_[static_cast<size_t>(g)]) return true;
    }
    return false;
  }

  int64_t TotalDemand() const {
    int64_t t = 0;
    for (int64_t d : demand_) t += d;
    return t;
  }

  // Sets each active need's event count to `count` and its class's demand
  // to what those counts amount to.
  template <typename CountOf>
  void DemandAt(const std::vector<int32_t>& active, CountOf count_of) {
    for (int32_t c : active) {
      int64_t d = 0;
      for (int32_t i : class_needs_[static_cast<size_t>(c)]) {
        const auto u = static_cast<size_t>(i);
        count_mid_[u] = count_of(u);
        d += AmountAt(p_.needs[u], count_mid_[u]);
      }
      demand_[static_cast<size_t>(c)] = d;
    }
  }

  std::vector<int32_t> ActiveClasses(int tier) {
    std::vector<int32_t> active;
    for (size_t c = 0; c < p_.classes.size(); ++c) {
      if (p_.classes[c].tier != tier || class_outstanding_[c] == 0) continue;
      if (Live(c)) {
        active.push_back(static_cast<int32_t>(c));
      } else {
        class_retired_[c] = 1;
      }
    }
    return active;
  }

  // 1. Does everything that is left fit? Then every active need gets it all.
  bool AllFit(const std::vector<int32_t>& active) {
    for (int32_t c : active)
      demand_[static_cast<size_t>(c)] = class_outstanding_[static_cast<size_t>(c)];
    if (graph_.Run(demand_) != TotalDemand()) return false;
    for (int32_t c : active) {
      for (int32_t i : class_needs_[static_cast<size_t>(c)]) {
        amount_[static_cast<size_t>(i)] = p_.needs[static_cast<size_t>(i)].outstanding;
      }
    }
    return true;
  }

  // 2. Newton steps towards the first infeasible event; leaves the demand at
  // the feasible state just below it (feasible_total_).
  Event FirstInfeasibleEvent(const std::vector<int32_t>& active) {
    for (int32_t c : active) {
      for (int32_t i : class_needs_[static_cast<size_t>(c)]) {
        count_hi_[static_cast<size_t>(i)] = EventCount(p_.needs[static_cast<size_t>(i)]);
      }
    }
    for (;;) {
      const Event first = FirstExceedingInViolatedSet(active);
      const Threshold below = EventKey(p_.needs[static_cast<size_t>(first.need)], first.k, false);
      DemandAt(active, [&](size_t u) { return CountAt(p_.needs[u], below); });
      feasible_total_ = TotalDemand();
      if (graph_.Run(demand_) == feasible_total_) return first;
      for (int32_t c : active) {
        for (int32_t i : class_needs_[static_cast<size_t>(c)]) {
          count_hi_[static_cast<size_t>(i)] = count_mid_[static_cast<size_t>(i)];
        }
      }
    }
  }

  // The violated set S: classes on the source side of the min cut. Its lots
  // all lie on that side too, so "S's active needs get at most the capacity
  // of the source-side groups minus S's fixed demand" holds in every
  // feasible state and fails at the current upper threshold.
  Event FirstExceedingInViolatedSet(const std::vector<int32_t>& active) {
    std::vector<int32_t> s_needs;
    int64_t budget = 0;
    for (size_t g = 0; g < p_.group_capacity.size(); ++g) {
      if (!group_retired_[g] && graph_.GroupStuck(g)) budget += p_.group_capacity[g];
    }
    std::vector<char> is_active(p_.classes.size(), 0);
    for (int32_t c : active) is_active[static_cast<size_t>(c)] = 1;
    for (size_t c = 0; c < p_.classes.size(); ++c) {
      if (class_retired_[c] || !graph_.ClassStuck(c)) continue;
      if (is_active[c]) {
        for (int32_t i : class_needs_[c]) s_needs.push_back(i);
      } else {
        budget -= demand_[c];
      }
    }
    return FirstExceeding(p_.needs, s_needs, count_lo_, count_hi_, budget, rng_);
  }

  // 3. The need of the first infeasible event gets what still fits; the
  // others are fixed at their counts below the event.
  void GiveWhatFits(const std::vector<int32_t>& active, const Event& first) {
    const auto j = static_cast<size_t>(first.need);
    const auto cj = static_cast<size_t>(p_.needs[j].cls);
    const int64_t step =
        AmountAt(p_.needs[j], count_mid_[j] + 1) - AmountAt(p_.needs[j], count_mid_[j]);
    demand_[cj] += step;
    const int64_t extra = graph_.Run(demand_) - feasible_total_;
    demand_[cj] += extra - step;
    graph_.Run(demand_);  // feasible; marks the maximal tight set
    for (int32_t c : active) {
      for (int32_t i : class_needs_[static_cast<size_t>(c)]) {
        const auto u = static_cast<size_t>(i);
        amount_[u] = AmountAt(p_.needs[u], count_mid_[u]);
        count_lo_[u] = count_mid_[u];
      }
    }
    amount_[j] += extra;
  }

  // A tight set uses all of its lots, and stays tight: retire both, and the
  // active classes left without a live group.
  void RetireTight(std::vector<int32_t>& active) {
    for (size_t c = 0; c < p_.classes.size(); ++c) {
      if (!class_retired_[c] && graph_.ClassStuck(c)) {
        class_retired_[c] = 1;
        demand_[c] = 0;
      }
    }
    for (size_t g = 0; g < p_.group_capacity.size(); ++g) {
      if (!group_retired_[g] && graph_.GroupStuck(g)) {
        group_retired_[g] = 1;
        graph_.RemoveGroup(g);
      }
    }
    std::erase_if(active, [&](int32_t c) {
      const auto u = static_cast<size_t>(c);
      if (class_retired_[u]) return true;
      if (Live(u)) return false;
      class_retired_[u] = 1;
      demand_[u] = 0;
      return true;
    });
  }

  const FairProblem& p_;
  ClassGraph graph_;
  std::vector<std::vector<int32_t>> class_needs_;
  std::vector<int64_t> class_outstanding_;
  std::vector<int64_t> demand_;  // what each class asks of the graph now
  std::vector<char> class_retired_, group_retired_;
  std::vector<int64_t> amount_;
  std::vector<int64_t> count_lo_, count_hi_, count_mid_;
  int64_t feasible_total_ = 0;
  Rng rng_;
};

}  // namespace

std::vector<int64_t> SolveFairShare(const FairProblem& p) { return FairShareSolver(p).Solve(); }

}  // namespace aidlink::match::internal
