// GET /metrics after a scenario, parsed as Prometheus text format 0.0.4.

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/db_rows.h"
#include "support/fixture.h"

namespace aidlink::test {
namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram
  std::vector<Sample> samples;
  std::vector<std::string> problems;

  // The one sample named `name` whose labels include `want`; -1 if none.
  double Value(const std::string& name, const std::map<std::string, std::string>& want = {}) const {
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& [k, v] : want) {
        auto it = s.labels.find(k);
        all = all && it != s.labels.end() && it->second == v;
      }
      if (all) return s.value;
    }
    return -1;
  }
};

// Parses the text and records every departure from the format: a sample
// before its family's HELP and TYPE, a malformed line, a histogram whose
// buckets are not cumulative in increasing `le` or whose +Inf bucket is not
// its _count.
Exposition Parse(const std::string& text) {
  Exposition e;
  std::set<std::string> helped;
  const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)");
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([^ ]+)$)");
  const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$))re");
  std::istringstream lines(text);
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_match(line, m, help)) {
      helped.insert(m[1]);
    } else if (std::regex_match(line, m, type)) {
      if (!helped.count(m[1])) e.problems.push_back("TYPE before HELP: " + line);
      e.types[m[1]] = m[2];
    } else if (std::regex_match(line, m, sample)) {
      Sample s;
      s.name = m[1];
      const std::string labels = m[3];
      for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
        s.labels[(*it)[1]] = (*it)[2];
      }
      s.value = m[4] == "+Inf" ? 1e308 : std::stod(m[4]);
      std::string family = s.name;
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string sfx = suffix;
        if (!e.types.count(family) && family.size() > sfx.size() &&
            family.compare(family.size() - sfx.size(), sfx.size(), sfx) == 0) {
          family = family.substr(0, family.size() - sfx.size());
        }
      }
      if (!e.types.count(family)) e.problems.push_back("sample without TYPE: " + line);
      e.samples.push_back(std::move(s));
    } else {
      e.problems.push_back("malformed line: " + line);
    }
  }
  // Histograms: per family and label set (without le).
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // key -> (le, count)
  std::map<std::string, double> counts;
  auto key_of = [](const std::string& family, std::map<std::string, std::string> labels) {
    labels.erase("le");
    std::string key = family;
    for (const auto& [k, v] : labels) key += "|" + k + "=" + v;
    return key;
  };
  for (const auto& [family, t] : e.types) {
    if (t != "histogram") continue;
    for (const Sample& s : e.samples) {
      if (s.name == family + "_bucket") {
        if (!s.labels.count("le")) {
          e.problems.push_back(family + " bucket without le");
          continue;
        }
        const std::string le = s.labels.at("le");
        buckets[key_of(family, s.labels)].emplace_back(le == "+Inf" ? 1e308 : std::stod(le),
                                                       s.value);
      } else if (s.name == family + "_count") {
        counts[key_of(family, s.labels)] = s.value;
      }
    }
  }
  for (const auto& [key, b] : buckets) {
    for (size_t i = 1; i < b.size(); ++i) {
      if (!(b[i].first > b[i - 1].first)) e.problems.push_back(key + ": le not increasing");
      if (b[i].second < b[i - 1].second) e.problems.push_back(key + ": buckets not cumulative");
    }
    if (b.empty() || b.back().first < 1e308) {
      e.problems.push_back(key + ": no +Inf bucket");
    } else if (!counts.count(key) || counts.at(key) != b.back().second) {
      e.problems.push_back(key + ": +Inf bucket differs from _count");
    }
  }
  return e;
}

TEST_CASE("the Prometheus parser used below catches broken expositions", "[ops][metrics]") {
  CHECK(Parse("# HELP a x\n# TYPE a counter\na 1\n").problems.empty());
  CHECK_FALSE(Parse("a 1\n").problems.empty());
  CHECK_FALSE(Parse("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 2\n"
                    "h_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n")
                  .problems.empty());
  CHECK_FALSE(Parse("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
                    "h_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n")
                  .problems.empty());
  CHECK_FALSE(Parse("# HELP a x\n# TYPE a counter\na{x=\"1\" 1\n").problems.empty());
}

TEST_CASE("/metrics counts requests per route and status, commits, open needs and stock",
          "[ops][metrics]") {
  TestServer server;
  Fixture f(server);
  World w = MakeWorld(f);  // one critical and one normal need, lots of 500 and 20
  const int64_t item2 =
      f.CreateItem(w.dispatcher, "METRICS-\"Q\"\\2");  // a code that needs escaping
  for (int k = 0; k < 3; ++k) {
    f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, 1, "high"));
  }
  f.CreateNeed(w.station_a, SampleNeed(w.requester_a, item2, 4, "low"));
  const int needs_posted = 2 + 3 + 1;
  for (int k = 0; k < 4; ++k) CHECK_ERROR(f.http().Get("/v1/items", "nope"), 401, "");
  CHECK_ERROR(f.http().Get("/v1/needs/999999", w.dispatcher), 404, "");
  // Commit part of the stock: available drops by what was allocated.
  REQUIRE_STATUS(f.http().Post("/v1/match/runs", json::object{{"item_ids", json::array{w.item_id}}},
                               w.dispatcher, {{"Idempotency-Key", "metrics-run"}}),
                 201);

  Response r = f.http().Get("/metrics");
  REQUIRE_STATUS(r, 200);
  CHECK(r.Header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
  const Exposition e = Parse(r.body);
  INFO(r.body);
  for (const std::string& p : e.problems) FAIL_CHECK(p);
  CHECK(e.types.at("aidlink_requests_total") == "counter");
  CHECK(e.types.at("aidlink_request_duration_seconds") == "histogram");
  CHECK(e.types.at("aidlink_store_commit_batch_size") == "histogram");
  CHECK(e.types.at("aidlink_store_commit_seconds") == "histogram");
  CHECK(e.types.at("aidlink_open_needs") == "gauge");
  CHECK(e.types.at("aidlink_stock_available_units") == "gauge");

  // Requests: by route template (never the concrete path) and status.
  CHECK(e.Value("aidlink_requests_total", {{"route", "/v1/needs"}, {"status", "201"}}) ==
        needs_posted);
  CHECK(e.Value("aidlink_request_duration_seconds_count",
                {{"route", "/v1/needs"}, {"status", "201"}}) == needs_posted);
  CHECK(e.Value("aidlink_requests_total", {{"route", "/v1/items"}, {"status", "401"}}) == 4);
  CHECK(e.Value("aidlink_requests_total", {{"route", "/v1/needs/{id}"}, {"status", "404"}}) == 1);
  CHECK(e.Value("aidlink_request_duration_seconds_bucket",
                {{"route", "/v1/items"}, {"status", "401"}, {"le", "10"}}) == 4);
  CHECK(e.Value("aidlink_request_duration_seconds_bucket",
                {{"route", "/v1/match/runs"}, {"status", "201"}, {"le", "+Inf"}}) == 1);
  CHECK(r.body.find("999999") == std::string::npos);

  // Commits: one batch-size and one latency observation per commit; the
  // batch sizes add up to the writes.
  const double commits = e.Value("aidlink_store_commits_total");
  CHECK(commits >= needs_posted);
  CHECK(e.Value("aidlink_store_commit_batch_size_count") == commits);
  CHECK(e.Value("aidlink_store_commit_seconds_count") == commits);
  CHECK(e.Value("aidlink_store_commit_batch_size_sum") == e.Value("aidlink_store_writes_total"));
  CHECK(e.Value("aidlink_store_commit_seconds_sum") > 0);

  // Gauges agree with the database, urgency by urgency and item by item.
  for (const char* u : {"critical", "high", "normal", "low"}) {
    INFO(u);
    CHECK(e.Value("aidlink_open_needs", {{"urgency", u}}) ==
          QueryInt(server.db_path(), std::string("SELECT count(*) FROM needs WHERE outstanding > 0 "
                                                 "AND urgency = '") +
                                         u + "'"));
    CHECK(e.Value("aidlink_open_need_units", {{"urgency", u}}) ==
          QueryInt(server.db_path(), std::string("SELECT coalesce(sum(outstanding), 0) FROM needs "
                                                 "WHERE urgency = '") +
                                         u + "'"));
  }
  CHECK(e.Value("aidlink_open_needs", {{"urgency", "low"}}) == 1);
  CHECK(e.Value("aidlink_open_need_units", {{"urgency", "low"}}) == 4);
  const double available =
      e.Value("aidlink_stock_available_units", {{"item_id", std::to_string(w.item_id)}});
  CHECK(available == QueryInt(server.db_path(), "SELECT sum(available) FROM lots WHERE item_id = " +
                                                    std::to_string(w.item_id)));
  CHECK(available < 520);  // the run allocated some of the 500 + 20
  CHECK(e.Value("aidlink_stock_available_units", {{"item_id", std::to_string(item2)}}) == 0);
  CHECK(r.body.find(R"(item="METRICS-\"Q\"\\2")") != std::string::npos);
  CHECK(e.Value("aidlink_scrape_errors") == 0);
}

}  // namespace
}  // namespace aidlink::test
