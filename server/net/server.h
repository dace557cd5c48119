#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/router.h"
#include "util/status.h"
#include "web/static_site.h"

namespace aidlink::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port, see Server::port()
  int io_threads = 2;
  // Threads for the router's heavy requests (match runs, manifests,
  // reports), which would hold up an I/O thread for too long.
  int worker_threads = 4;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 8 << 10;
  std::chrono::seconds read_timeout{30};
  int max_connections = 10000;
  // PEM files; both set: serve HTTPS only (plain HTTP gets a 400 and is
  // closed).
  std::string tls_cert_file, tls_key_file;
  // The web UI's files, answering GET/HEAD of every non-API path; null: the
  // UI is off and such paths reach the router (404). Must outlive the server.
  const web::StaticSite* site = nullptr;
};

class ServerImpl;

// The HTTP/1.1 server: a Beast acceptor and sessions on an Asio io_context
// run by io_threads, handing each parsed request to the router
// (Router::HandleAsync): quick reads are answered on the I/O thread, writes
// answer from the store's writer thread once durable (no thread waits for a
// commit), heavy requests run on a small worker pool. Keep-alive and
// pipelining are served in order, one request at a time per connection.
// Thread-safe: Stop() may be called from any thread (e.g. a signal handler
// strand).
class Server {
 public:
  // Binds and listens; kInternal with the OS's reason if the address cannot
  // be bound. `router` must outlive the server.
  static StatusOr<std::unique_ptr<Server>> Create(api::Router& router,
                                                  const ServerOptions& options);
  ~Server();

  // The bound port (useful with port 0).
  uint16_t port() const;

  // Serves until SIGINT/SIGTERM or Stop(): then stops accepting, lets
  // in-flight requests finish (up to 10 s) and returns.
  void Run();
  void Stop();

 private:
  explicit Server(std::unique_ptr<ServerImpl> impl);
  std::unique_ptr<ServerImpl> impl_;
};

}  // namespace aidlink::net
