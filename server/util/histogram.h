#pragma once

#include <cstdint>
#include <vector>

namespace aidlink {

// A fixed-bucket histogram in the shape Prometheus expects: per upper bound
// the number of observations at most that bound (kept per bucket here and
// made cumulative when read), plus an overflow bucket, the sum and the count.
// Not thread-safe: the owner guards it (the router's and the store's mutex).
class Histogram {
 public:
  // REQUIRES: `upper_bounds` strictly increasing and non-empty.
  explicit Histogram(std::vector<double> upper_bounds);

  // Latency buckets for seconds: 1 ms .. 10 s.
  static std::vector<double> LatencyBounds();
  // Powers of two 1 .. 1024, for batch sizes.
  static std::vector<double> SizeBounds();

  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Observations at most upper_bounds()[i], cumulative, one per bound.
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> upper_bounds_;
  std::vector<uint64_t> buckets_;  // one per bound, then the overflow (+Inf) bucket
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace aidlink
