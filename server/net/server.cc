#include "net/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "net/request.h"
#include "util/logging.h"

namespace aidlink::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class ServerImpl {
 public:
  ServerImpl(api::Router& router, const ServerOptions& options)
      : router_(router),
        options_(options),
        ioc_(options.io_threads),
        acceptor_(asio::make_strand(ioc_)),
        workers_(static_cast<size_t>(options.worker_threads)),
        signals_(ioc_, SIGINT, SIGTERM) {}

  Status Listen();
  void Run();
  void Stop();
  uint16_t port() const { return port_; }

  // Shared with sessions.
  // Declared before ioc_ so that they outlive the sessions it destroys.
  api::Router& router_;
  const ServerOptions options_;
  std::atomic<int> connections_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> next_request_id_{1};
  std::atomic<bool> stopping_{false};
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void DrainThenStop(std::chrono::steady_clock::time_point deadline);

  asio::signal_set signals_;
  uint16_t port_ = 0;
  std::unique_ptr<asio::steady_timer> drain_timer_;
};

namespace {

std::string ErrorJson(const char* code, const std::string& message, const char* field) {
  return std::string("{\"error\":{\"code\":\"") + code + "\",\"message\":\"" +
         log::JsonEscape(message) + "\",\"field\":\"" + field + "\"}}";
}

// One connection: reads a request, hands it to the router on the worker
// pool, writes the answer, and reads the next. Lives as long as an async
// operation holds a shared_ptr to it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerImpl& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    loopback_ = !ec && remote.address().is_loopback();
    server_.connections_++;
  }
  ~Session() { server_.connections_--; }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

 private:
  void DoRead() {
    if (server_.stopping_) return DoClose();
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options_.max_header_bytes));
    stream_.expires_after(server_.options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return DoClose();
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, ErrorJson("payload_too_large",
                                       "request body exceeds " +
                                           std::to_string(server_.options_.max_body_bytes) + " bytes",
                                       "body"));
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, ErrorJson("invalid_argument", "request headers are too large", ""));
    }
    if (ec) {
      return WriteError(400, ErrorJson("invalid_argument", "malformed HTTP request", ""));
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    api::Request request = ToApiRequest(std::move(req), loopback_);
    server_.in_flight_++;
    // Handlers block on SQLite: run them on the worker pool, then come back
    // to this connection's strand to write.
    asio::post(server_.workers_, [self = shared_from_this(), request = std::move(request)] {
      const auto start = std::chrono::steady_clock::now();
      api::Response response = self->server_.router_.Handle(request);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      log::Info("request", {{"id", static_cast<uint64_t>(self->server_.next_request_id_++)},
                            {"method", request.method},
                            {"route", response.route.empty() ? std::string("unmatched") : response.route},
                            {"status", response.status},
                            {"ms", ms},
                            {"role", response.role}});
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->WriteResponse(std::move(response));
      });
    });
  }

  void WriteResponse(api::Response response) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "aidlink");
    res->set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res->set(k, v);
    res->keep_alive(keep_alive_ && !server_.stopping_);
    res->body() = std::move(response.body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        self->server_.in_flight_--;
                        self->OnWrite(ec, !res->keep_alive());
                      });
  }

  // Answers a request the parser refused, then closes: the rest of the
  // stream cannot be trusted to hold message boundaries.
  void WriteError(int status, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), 11);
    res->set(http::field::server, "aidlink");
    res->set(http::field::content_type, "application/json");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    stream_.expires_after(std::chrono::seconds(5));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) {
      self->DoClose();
    });
  }

  void OnWrite(beast::error_code ec, bool close) {
    if (ec || close) return DoClose();
    DoRead();
  }

  void DoClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  ServerImpl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool loopback_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

Status ServerImpl::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return InvalidArgument("invalid listen address " + options_.host, "listen");
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Internal("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                    ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void ServerImpl::DoAccept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         beast::bind_front_handler(&ServerImpl::OnAccept, this));
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;
  if (!ec) {
    if (connections_.load() >= options_.max_connections) {
      // Over the cap: refuse plainly rather than let the queue grow.
      auto res = std::make_shared<http::response<http::string_body>>(http::status::service_unavailable, 11);
      res->set(http::field::content_type, "application/json");
      res->keep_alive(false);
      res->body() = ErrorJson("resource_exhausted", "too many connections; retry shortly", "");
      res->prepare_payload();
      auto sock = std::make_shared<tcp::socket>(std::move(socket));
      http::async_write(*sock, *res, [sock, res](beast::error_code, size_t) {
        beast::error_code ignored;
        sock->shutdown(tcp::socket::shutdown_both, ignored);
      });
    } else {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
  }
  DoAccept();
}

void ServerImpl::Run() {
  signals_.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    log::Info("signal", {{"signal", signal}});
    Stop();
  });
  DoAccept();
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
  workers_.join();
}

void ServerImpl::Stop() {
  asio::post(acceptor_.get_executor(), [this] {
    if (stopping_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel();
    DrainThenStop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  });
}

// Waits for in-flight requests to be answered, then stops the io_context
// (which closes idle keep-alive connections).
void ServerImpl::DrainThenStop(std::chrono::steady_clock::time_point deadline) {
  if (in_flight_.load() == 0 || std::chrono::steady_clock::now() > deadline) {
    ioc_.stop();
    return;
  }
  drain_timer_ = std::make_unique<asio::steady_timer>(ioc_, std::chrono::milliseconds(10));
  drain_timer_->async_wait([this, deadline](beast::error_code) { DrainThenStop(deadline); });
}

Server::Server(std::unique_ptr<ServerImpl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

StatusOr<std::unique_ptr<Server>> Server::Create(api::Router& router, const ServerOptions& options) {
  auto impl = std::make_unique<ServerImpl>(router, options);
  AIDLINK_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace aidlink::net
