#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/context.h"
#include "api/http.h"
#include "store/store.h"

namespace aidlink::api {

// Maps requests to handlers by method and path template, authenticates the
// caller, and turns every failure into the error body of API.md. Handle()
// never throws and never touches a socket. Thread-safe: Handle() may run on
// many threads at once.
class Router {
 public:
  // `store` must outlive the router.
  explicit Router(store::Store& store);

  // The answer to one request. Blocks on the store: call it off the I/O
  // threads.
  Response Handle(const Request& request);

  // Prometheus text for GET /metrics.
  std::string MetricsText() const;

 private:
  using Handler = std::function<Response(Context&)>;
  struct Route {
    std::string method;
    std::string path;  // template, "/v1/lots/{id}:write_off"
    std::vector<std::string> segments;
    bool needs_auth;
    Handler handler;
  };
  struct Counter {
    uint64_t count = 0;
    double seconds = 0;
  };

  void Add(std::string method, std::string path, Handler handler, bool needs_auth = true);
  Response Dispatch(const Request& request);
  void Record(const std::string& route, int status, double seconds);

  // Immutable after construction.
  store::Store& store_;
  std::vector<Route> routes_;

  mutable std::mutex mu_;
  // Guarded by mu_: per "route status" request counts and latency sums.
  std::map<std::pair<std::string, int>, Counter> counters_;
};

}  // namespace aidlink::api
