#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/accounts.h"
#include "api/auth.h"
#include "api/http.h"
#include "store/store.h"
#include "util/histogram.h"

namespace aidlink::api {

class Context;  // api/context.h: what a handler sees of its request

// Maps requests to handlers by method and path template, authenticates the
// caller, and turns every failure into the error body of API.md. Handle()
// never throws and never touches a socket. Thread-safe: Handle() may run on
// many threads at once.
class Router {
 public:
  // Who may call a route: the roles it admits (admins always are), any
  // authenticated caller, or anyone at all.
  struct Access {
    Access(std::initializer_list<Role> admitted) : roles(admitted) {}
    static Access Anyone();
    static Access AnyRole();
    // Anyone on loopback; off it, admins only (GET /metrics).
    static Access LoopbackOrAdmin();
    bool Admits(Role role) const;

    std::vector<Role> roles;
    bool authenticate = true;
    bool loopback_public = false;
  };
  // One row of the route table, for documentation and the authorization
  // matrix test.
  struct RouteInfo {
    std::string method;
    std::string path;
    Access access;
  };

  // `store` must outlive the router.
  explicit Router(store::Store& store, AccountOptions accounts = {});

  // Runs a task that may block for a long time somewhere other than the
  // caller's thread (the server's worker pool).
  using Offload = std::function<void(std::function<void()> task)>;
  using Done = std::function<void(Response)>;

  // Answers `request` by calling `done` exactly once: before returning for
  // quick requests (reads of a few rows), or later — from the store's
  // writer thread once a write is durable, or from `offload` for the heavy
  // routes (match runs, manifests, reports) so that the caller's thread is
  // never held up by them. Quick requests do block briefly on SQLite reads.
  void HandleAsync(Request request, const Offload& offload, Done done);

  // The answer to one request, waiting for it. For tests and fuzzers.
  Response Handle(const Request& request);

  // Prometheus text (format 0.0.4) for GET /metrics: request counts and
  // latency histograms per route template and status, the store's commit
  // batch sizes and commit latency, open needs by urgency and available stock
  // by item (read from SQLite at scrape time through covering indexes).
  std::string MetricsText() const;

  // The route table as registered: method, path template and access.
  std::vector<RouteInfo> Routes() const;

 private:
  using Handler = std::function<Response(Context&)>;
  struct Route {
    std::string method;
    std::string path;  // template, "/v1/lots/{id}:write_off"
    std::vector<std::string> segments;
    Access access;
    bool heavy;  // may take long: run it offloaded
    Handler handler;
  };
  struct Call;

  enum class Cost { kQuick, kHeavy };
  void Add(std::string method, std::string path, Handler handler, Access access,
           Cost cost = Cost::kQuick);
  // The caller of `call`'s route, authenticated and admitted; false if
  // `call` is already answered (401, 403).
  bool Admit(const std::shared_ptr<Call>& call);
  // Records that session `p` is in use (its last_seen, for idle expiry)
  // if the stored time is older than the touch interval.
  void TouchSession(Principal& p);
  // Finds the route and authenticates; false if `call` is already answered.
  bool Prepare(const std::shared_ptr<Call>& call);
  void Run(const std::shared_ptr<Call>& call);
  void Finish(const std::shared_ptr<Call>& call, Response response);
  void Record(const std::string& route, int status, double seconds);
  Response MetricsAnswer() const;

  // Immutable after construction.
  store::Store& store_;
  std::vector<Route> routes_;
  Accounts accounts_;  // thread-safe

  mutable std::mutex mu_;
  // Guarded by mu_: per (route template, status) latency histograms, whose
  // counts are the request counts.
  std::map<std::pair<std::string, int>, Histogram> requests_;
};

}  // namespace aidlink::api
