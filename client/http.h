#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "url.h"
#include "util/status.h"

// A small synchronous HTTP/1.1 client over TCP or TLS, for the CLI.
namespace aidlink::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  Headers headers;  // names lowercased

  // The value of header `name` (case-insensitive), "" when absent.
  std::string Header(std::string_view name) const;
};

// Sends requests one at a time over one kept-alive connection, reconnecting
// when the server has closed it. Not thread-safe: one per thread.
class HttpClient {
 public:
  // For an https server the certificate must verify against `cacert` (a
  // PEM file) if given, else against the system's trusted authorities, and
  // name the server's host.
  explicit HttpClient(ServerUrl server, std::chrono::seconds timeout = std::chrono::seconds(60),
                      std::string cacert = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const ServerUrl& server() const { return server_; }

  // Sends `method target` (the server's base path is prepended to `target`)
  // and returns whatever status the server answered. A non-ok Status means
  // only that no answer came: the server could not be resolved or reached,
  // or the connection broke or timed out. A request that is safe to repeat
  // (GET, or one carrying an Idempotency-Key) is retried once on a fresh
  // connection when a kept-alive one turns out to be closed.
  StatusOr<HttpResponse> Send(std::string_view method, std::string_view target,
                              const Headers& headers, std::string body);

 private:
  struct Connection;

  StatusOr<HttpResponse> SendOnce(std::string_view method, std::string_view target,
                                  const Headers& headers, const std::string& body, bool* reused);
  Status Connect();

  // Immutable after construction.
  ServerUrl server_;
  std::chrono::seconds timeout_;
  std::string cacert_;

  std::unique_ptr<Connection> connection_;
};

}  // namespace aidlink::client
