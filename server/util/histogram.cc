#include "util/histogram.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace aidlink {

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), buckets_(upper_bounds_.size() + 1, 0) {
  assert(!upper_bounds_.empty());
  assert(std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()));
}

std::vector<double> Histogram::LatencyBounds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> Histogram::SizeBounds() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
}

void Histogram::Observe(double value) {
  // Prometheus buckets are "less than or equal": lower_bound finds the first
  // bound >= value.
  const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
  buckets_[static_cast<size_t>(it - upper_bounds_.begin())]++;
  count_++;
  sum_ += value;
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size(), 0);
  uint64_t running = 0;
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    running += buckets_[i];
    out[i] = running;
  }
  return out;
}

}  // namespace aidlink
