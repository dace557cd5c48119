// GET /metrics: the Prometheus text of the router's request histograms, the
// store's commit statistics and the registry gauges.
#include <cstdio>
#include <map>
#include <string>

#include "api/router.h"
#include "store/repo.h"
#include "util/logging.h"
#include "util/vocab.h"

namespace aidlink::api {
namespace {

// A label value escaped per the text format: backslash, quote, newline.
std::string LabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// The _bucket, _sum and _count samples of `h`; `labels` is "" or
// `key="value",...` without braces.
void Samples(std::string* out, const std::string& name, const std::string& labels,
             const Histogram& h) {
  const std::string sep = labels.empty() ? "" : ",";
  const std::vector<uint64_t> cumulative = h.CumulativeCounts();
  for (size_t i = 0; i < cumulative.size(); ++i) {
    *out += name + "_bucket{" + labels + sep + "le=\"" + Number(h.upper_bounds()[i]) + "\"} " +
            std::to_string(cumulative[i]) + "\n";
  }
  *out += name + "_bucket{" + labels + sep + "le=\"+Inf\"} " + std::to_string(h.count()) + "\n";
  const std::string braced = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + braced + " " + Number(h.sum()) + "\n";
  *out += name + "_count" + braced + " " + std::to_string(h.count()) + "\n";
}

}  // namespace

std::string Router::MetricsText() const {
  std::string out;
  std::string counts, latency;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, h] : requests_) {
      const std::string labels =
          "route=\"" + LabelValue(key.first) + "\",status=\"" + std::to_string(key.second) + "\"";
      counts += "aidlink_requests_total{" + labels + "} " + std::to_string(h.count()) + "\n";
      Samples(&latency, "aidlink_request_duration_seconds", labels, h);
    }
  }
  Header(&out, "aidlink_requests_total", "counter",
         "HTTP requests answered, by route template and status.");
  out += counts;
  Header(&out, "aidlink_request_duration_seconds", "histogram",
         "Time from a parsed request to its answer, by route template and status.");
  out += latency;

  const store::StoreStats s = store_.stats();
  Header(&out, "aidlink_store_commits_total", "counter", "Transactions committed by the writer.");
  out += "aidlink_store_commits_total " + std::to_string(s.commits) + "\n";
  Header(&out, "aidlink_store_writes_total", "counter",
         "Writes committed (several share a group commit).");
  out += "aidlink_store_writes_total " + std::to_string(s.writes) + "\n";
  Header(&out, "aidlink_store_busy_total", "counter",
         "Writes answered 503 because another process held the database.");
  out += "aidlink_store_busy_total " + std::to_string(s.busy) + "\n";
  Header(&out, "aidlink_store_max_batch", "gauge", "Largest group commit so far.");
  out += "aidlink_store_max_batch " + std::to_string(s.max_batch) + "\n";
  Header(&out, "aidlink_store_commit_batch_size", "histogram", "Writes per committed transaction.");
  Samples(&out, "aidlink_store_commit_batch_size", "", s.batch_size);
  Header(&out, "aidlink_store_commit_seconds", "histogram",
         "Time from BEGIN to the end of COMMIT (fsync included), per transaction.");
  Samples(&out, "aidlink_store_commit_seconds", "", s.commit_seconds);

  auto needs = store_.Read([](store::Database& db) { return store::OpenNeedsByUrgency(db); });
  auto stock = store_.Read([](store::Database& db) { return store::AvailableStockByItem(db); });
  Header(&out, "aidlink_scrape_errors", "gauge",
         "1 if this scrape could not read the gauges below from the database.");
  out += std::string("aidlink_scrape_errors ") + (needs.ok() && stock.ok() ? "0" : "1") + "\n";
  if (!needs.ok() || !stock.ok()) {
    log::Error("metrics_read_failed",
               {{"status", (needs.ok() ? stock.status() : needs.status()).ToString()}});
  }
  if (needs.ok()) {
    // Every urgency, so that a series drops to 0 rather than vanishing.
    std::map<std::string, store::UrgencyCount> by_urgency;
    for (const vocab::Term& u : vocab::kUrgencies) by_urgency[std::string(u.name)].urgency = u.name;
    for (const store::UrgencyCount& c : *needs) by_urgency[c.urgency] = c;
    Header(&out, "aidlink_open_needs", "gauge", "Needs with units outstanding, by urgency.");
    for (const auto& [u, c] : by_urgency) {
      out +=
          "aidlink_open_needs{urgency=\"" + LabelValue(u) + "\"} " + std::to_string(c.needs) + "\n";
    }
    Header(&out, "aidlink_open_need_units", "gauge",
           "Units outstanding on open needs, by urgency.");
    for (const auto& [u, c] : by_urgency) {
      out += "aidlink_open_need_units{urgency=\"" + LabelValue(u) + "\"} " +
             std::to_string(c.outstanding) + "\n";
    }
  }
  if (stock.ok()) {
    Header(&out, "aidlink_stock_available_units", "gauge",
           "Units available to allocate (not allocated, delivered or written off), by item.");
    for (const store::ItemStock& i : *stock) {
      out += "aidlink_stock_available_units{item_id=\"" + std::to_string(i.item_id) + "\",item=\"" +
             LabelValue(i.code) + "\"} " + std::to_string(i.available) + "\n";
    }
  }
  return out;
}

}  // namespace aidlink::api
