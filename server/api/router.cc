#include "api/router.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <future>

#include "aidlink/v1/responses.pb.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "store/repo.h"
#include "util/logging.h"

namespace aidlink::api {
namespace {

// The segments of `path` (views into it).
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (!key.empty()) out[std::move(key)] = std::move(value);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Matches one path segment against a template segment; "{id}" (optionally
// followed by ":action") captures a positive integer.
bool MatchSegment(std::string_view tmpl, std::string_view seg, int64_t* id) {
  constexpr std::string_view kId = "{id}";
  if (tmpl.substr(0, kId.size()) != kId) return tmpl == seg;
  const std::string_view suffix = tmpl.substr(kId.size());
  if (seg.size() <= suffix.size() || seg.substr(seg.size() - suffix.size()) != suffix) return false;
  const std::string_view digits = seg.substr(0, seg.size() - suffix.size());
  if (digits.size() > 18) return false;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1) return false;
  *id = v;
  return true;
}

}  // namespace

Router::Router(store::Store& store) : store_(store) {
  Add(
      "GET", "/healthz",
      [](Context& ctx) {
        v1::Health h;
        h.set_status("ok");
        return ctx.Reply(200, h);
      },
      false);
  // Heavy: the open-needs gauge counts the open needs by a scan.
  Add(
      "GET", "/metrics",
      [this](Context& ctx) {
        Response r;
        r.content_type = "text/plain; version=0.0.4";
        r.body = MetricsText();
        (void)ctx;
        return r;
      },
      false, Cost::kHeavy);
  Add("POST", "/v1/tokens", CreateToken);
  Add("POST", "/v1/items", CreateItem);
  Add("GET", "/v1/items", ListItems);
  Add("GET", "/v1/items/{id}", GetItem);
  Add("POST", "/v1/donors", CreateDonor);
  Add("GET", "/v1/donors", ListDonors);
  Add("GET", "/v1/donors/{id}", GetDonor);
  Add("POST", "/v1/depots", CreateDepot);
  Add("GET", "/v1/depots", ListDepots);
  Add("GET", "/v1/depots/{id}", GetDepot);
  Add("POST", "/v1/stations", CreateStation);
  Add("GET", "/v1/stations", ListStations);
  Add("GET", "/v1/stations/{id}", GetStation);
  Add("POST", "/v1/requesters", CreateRequester);
  Add("GET", "/v1/requesters", ListRequesters);
  Add("GET", "/v1/requesters/{id}", GetRequester);
  Add("POST", "/v1/lots", CreateLot);
  Add("GET", "/v1/lots", ListLots);
  Add("GET", "/v1/lots/{id}", GetLot);
  Add("POST", "/v1/lots/{id}:write_off", WriteOffLot);
  Add("POST", "/v1/needs", CreateNeed);
  Add("GET", "/v1/needs", ListNeeds);
  Add("GET", "/v1/needs/{id}", GetNeed);
  Add("POST", "/v1/needs/{id}:cancel", CancelNeed);
  Add("POST", "/v1/match/runs", CreateMatchRun, true, Cost::kHeavy);
  Add("GET", "/v1/match/runs/{id}", GetMatchRun, true, Cost::kHeavy);
  Add("POST", "/v1/routes", CreateRoute);
  Add("GET", "/v1/routes/{id}", GetRoute);
  Add("POST", "/v1/routes/{id}:dispatch", DispatchRoute);
  Add("GET", "/v1/routes/{id}/manifest", GetManifest, true, Cost::kHeavy);
  Add("GET", "/v1/deliveries", ListDeliveries);
  Add("GET", "/v1/deliveries/{id}", GetDelivery);
  Add("POST", "/v1/deliveries/{id}:dispatch", DispatchDelivery);
  Add("POST", "/v1/deliveries/{id}:deliver", DeliverDelivery);
  Add("POST", "/v1/deliveries/{id}:fail", FailDelivery);
  Add("POST", "/v1/deliveries/{id}:cancel", CancelDelivery);
  Add("POST", "/v1/lots:expire", ExpireLots);
  Add("GET", "/v1/donors/{id}/trace", GetDonorTrace, true, Cost::kHeavy);
  Add("GET", "/v1/reports/ledger", GetLedgerReport, true, Cost::kHeavy);
  Add("GET", "/v1/lots/{id}/receipt", GetLotReceipt);
}

void Router::Add(std::string method, std::string path, Handler handler, bool needs_auth,
                 Cost cost) {
  const std::vector<std::string_view> segments = SplitPath(path);
  Route r{
      std::move(method), path, {segments.begin(), segments.end()}, needs_auth, cost == Cost::kHeavy,
      std::move(handler)};
  routes_.push_back(std::move(r));
}

// One request on its way through the router. Shared by the steps that may
// run on different threads (the caller's, a worker's, the store writer's);
// only one of them touches it at a time.
struct Router::Call {
  Request request;
  Done done;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::unique_ptr<Context> ctx;  // refers to `request`
  const Route* route = nullptr;
};

void Router::HandleAsync(Request request, const Offload& offload, Done done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->done = std::move(done);
  try {
    if (!Prepare(call)) return;
  } catch (const std::exception& e) {
    return Finish(call, ErrorResponse(Internal(std::string("handler exception: ") + e.what())));
  }
  if (call->route->heavy && offload) {
    // Not across the wait for a worker: a new transaction starts there.
    call->ctx->EndRead();
    offload([this, call] { Run(call); });
  } else {
    Run(call);
  }
}

Response Router::Handle(const Request& request) {
  std::promise<Response> promise;
  std::future<Response> answer = promise.get_future();
  HandleAsync(request, nullptr, [&promise](Response r) { promise.set_value(std::move(r)); });
  return answer.get();
}

bool Router::Prepare(const std::shared_ptr<Call>& call) {
  const Request& request = call->request;
  const std::string_view target = request.target;
  const size_t qpos = target.find('?');
  const std::string path = PercentDecode(target.substr(0, qpos), false);
  std::map<std::string, std::string> query;
  if (qpos != std::string_view::npos) query = ParseQuery(target.substr(qpos + 1));
  call->ctx = std::make_unique<Context>(store_, request, path, std::move(query));
  Context& ctx = *call->ctx;

  if (path.empty() || path[0] != '/') {
    Finish(call, ctx.Error(InvalidArgument("request target must be an absolute path")));
    return false;
  }
  const std::vector<std::string_view> segments = SplitPath(path);
  bool path_known = false;
  int64_t id = 0;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    int64_t candidate = 0;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i)
      ok = MatchSegment(r.segments[i], segments[i], &candidate);
    if (!ok) continue;
    path_known = true;
    if (r.method == request.method) {
      call->route = &r;
      id = candidate;
      break;
    }
  }
  if (call->route == nullptr) {
    Finish(call, ctx.Error(NotFound(path_known ? request.method + " is not supported on " + path
                                               : "no such endpoint: " + path)));
    return false;
  }
  ctx.set_id(id);
  auto authenticate = [&] {
    return ctx.Read([&](store::Database& db) { return Authenticate(db, request.authorization); });
  };
  if (call->route->path == "/metrics" && !request.from_loopback) {
    // Off loopback, metrics are for the operator only.
    auto p = authenticate();
    if (!p.ok()) {
      Finish(call, ctx.Error(p.status()));
      return false;
    }
    if (p->role != Role::kAdmin) {
      Finish(call, ctx.Error(PermissionDenied("metrics are for admins")));
      return false;
    }
  }
  if (call->route->needs_auth) {
    auto p = authenticate();
    if (!p.ok()) {
      Finish(call, ctx.Error(p.status()));
      return false;
    }
    ctx.set_principal(*p);
  }
  return true;
}

void Router::Run(const std::shared_ptr<Call>& call) {
  Response response;
  try {
    response = call->route->handler(*call->ctx);
    call->ctx->EndRead();
  } catch (const std::exception& e) {
    return Finish(call, ErrorResponse(Internal(std::string("handler exception: ") + e.what())));
  }
  if (!call->ctx->has_deferred_write()) return Finish(call, std::move(response));
  Context::DeferredWrite deferred = call->ctx->TakeDeferredWrite();
  auto answer = std::move(deferred.answer);
  store_.WriteAsync(
      std::move(deferred.write), deferred.alone,
      [this, call, answer = std::move(answer)](Status s) { Finish(call, answer(s)); });
}

void Router::Finish(const std::shared_ptr<Call>& call, Response response) {
  if (call->ctx != nullptr) call->ctx->EndRead();  // an error before the handler ran
  if (call->route != nullptr) response.route = call->route->path;
  if (call->ctx != nullptr && call->ctx->authenticated()) {
    response.role = RoleName(call->ctx->principal().role);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call->start).count();
  Record(response.route.empty() ? "unmatched" : response.route, response.status, seconds);
  Done done = std::move(call->done);
  done(std::move(response));
}

void Router::Record(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find({route, status});
  if (it == requests_.end()) {
    it = requests_.emplace(std::make_pair(route, status), Histogram(Histogram::LatencyBounds()))
             .first;
  }
  it->second.Observe(seconds);
}

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
    for (const char* u : {"critical", "high", "normal", "low"}) by_urgency[u].urgency = u;
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
