#include "net/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "api/errors.h"
#include "net/request.h"
#include "util/logging.h"
#include "util/text.h"
#include "web/static_site.h"

namespace aidlink::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
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
  std::unique_ptr<ssl::context> tls_;  // set when serving HTTPS
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
  std::unique_ptr<asio::steady_timer> accept_timer_;
};

namespace {

// An error answer that net/ sends itself (before or instead of the router),
// built by the one function that builds every error body.
http::response<http::string_body> ErrorMessage(const Status& status, unsigned version = 11) {
  const api::Response r = api::ErrorResponse(status);
  http::response<http::string_body> res(static_cast<http::status>(r.status), version);
  res.set(http::field::server, "aidlink");
  res.set(http::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(false);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

// How long writing an answer of `bytes` may take: the read timeout, plus a
// second for every 64 KiB (a client on a slow link still gets a large
// committed match run), counted from when the answer is ready.
std::chrono::steady_clock::duration WriteDeadline(size_t bytes, std::chrono::seconds read_timeout) {
  return read_timeout + std::chrono::seconds(bytes / (64 << 10));
}

// Refusals a request's header earns before its body is read: two
// Authorization headers (which one would count?) and a transfer coding
// other than plain chunked (the body could not be read as sent).
Status CheckHeader(const http::request_header<>& header) {
  if (header.count(http::field::authorization) > 1) {
    return InvalidArgument("more than one Authorization header", "Authorization");
  }
  const auto codings = header[http::field::transfer_encoding];
  if (!codings.empty() && !beast::iequals(text::Trim(codings), "chunked")) {
    return Status(Code::kUnimplemented,
                  "Transfer-Encoding " + std::string(codings) +
                      " is not supported; send Content-Length or plain chunked");
  }
  return Status::Ok();
}

// One connection: reads a request, hands it to the router, writes the
// answer, and reads the next. `Stream` is a plain TCP stream or a TLS
// stream over one. Lives as long as an async operation holds a shared_ptr
// to it.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  // `buffer` holds bytes already read from the connection (by the TLS
  // detector).
  Session(Stream&& stream, beast::flat_buffer&& buffer, ServerImpl& server)
      : stream_(std::move(stream)), buffer_(std::move(buffer)), server_(server) {
    beast::error_code ec;
    const auto remote = Tcp().socket().remote_endpoint(ec);
    loopback_ = !ec && remote.address().is_loopback();
    if (!ec) peer_ = remote.address().to_string();
    server_.connections_++;
  }
  ~Session() { server_.connections_--; }

  void Start() {
    if constexpr (kTls) {
      Tcp().expires_after(server_.options_.read_timeout);
      // bind_front_handler, not a lambda: Boost 1.81 constrains this
      // overload to handlers callable as void(error_code) as well.
      stream_.async_handshake(
          ssl::stream_base::server, buffer_.data(),
          beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else {
      asio::dispatch(stream_.get_executor(),
                     beast::bind_front_handler(&Session::DoRead, this->shared_from_this()));
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void OnHandshake(beast::error_code ec, size_t used) {
    if (ec) return;  // not a TLS client after all, or it gave up
    buffer_.consume(used);
    DoRead();
  }

  void DoRead() {
    if (server_.stopping_) return DoClose();
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options_.max_header_bytes));
    Tcp().expires_after(server_.options_.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  // The header is in: refuse what the body cannot fix before reading it, and
  // tell a client that waits (Expect: 100-continue) to send the body.
  void OnHeader(beast::error_code ec, size_t bytes) {
    if (ec) return OnRead(ec, bytes);
    const Status refused = CheckHeader(parser_->get());
    if (!refused.ok()) return WriteError(refused);
    if (!parser_->is_done() &&
        beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     parser_->get().version());
      http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code write_ec, size_t) {
            if (write_ec) return self->DoClose();
            self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated) {
      return DoClose();
    }
    if (ec == http::error::body_limit) {
      return WriteError(Status(
          Code::kPayloadTooLarge,
          "request body exceeds " + std::to_string(server_.options_.max_body_bytes) + " bytes",
          "body"));
    }
    if (ec == http::error::header_limit) {
      return WriteError(Status(Code::kHeadersTooLarge, "request headers are too large"));
    }
    if (ec) {
      return WriteError(InvalidArgument("malformed HTTP request"));
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    if (head_) req.method(http::verb::get);  // answered as GET, without the body
    if (server_.options_.site && req.method() == http::verb::get &&
        web::StaticSite::IsUiPath(req.target())) {
      return ServeWeb(req);
    }
    api::Request request = ToApiRequest(std::move(req), loopback_, peer_, kTls);
    server_.in_flight_++;
    // Quick requests are answered right here; writes answer from the store's
    // writer thread once durable, heavy reads from the worker pool. Either
    // way the answer is posted to this connection's strand to be logged and
    // written: the writer thread only commits, it never formats a log line
    // or touches a socket.
    const auto start = std::chrono::steady_clock::now();
    std::string method = head_ ? "HEAD" : request.method;
    server_.router_.HandleAsync(
        std::move(request),
        [this](std::function<void()> task) { asio::post(server_.workers_, std::move(task)); },
        [self = this->shared_from_this(), start,
         method = std::move(method)](api::Response response) mutable {
          asio::post(self->stream_.get_executor(), [self, start, method = std::move(method),
                                                    response = std::move(response)]() mutable {
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
            log::Info("request", {{"id", static_cast<uint64_t>(self->server_.next_request_id_++)},
                                  {"method", method},
                                  {"route", response.route.empty() ? std::string("unmatched")
                                                                   : response.route},
                                  {"status", response.status},
                                  {"ms", ms},
                                  {"role", response.role}});
            self->WriteResponse(std::move(response));
          });
        });
  }

  // A UI file (or index.html for a client-side route), answered right here.
  void ServeWeb(const http::request<http::string_body>& req) {
    server_.in_flight_++;
    web::WebAnswer a = server_.options_.site->Serve(req.target(), req[http::field::accept_encoding],
                                                    req[http::field::if_none_match]);
    api::Response response;
    response.status = a.status;
    response.content_type = std::move(a.content_type);
    response.headers = std::move(a.headers);
    response.body = std::move(a.body);
    log::Info("request", {{"id", static_cast<uint64_t>(server_.next_request_id_++)},
                          {"method", head_ ? "HEAD" : "GET"},
                          {"route", "web"},
                          {"status", response.status},
                          {"ms", 0.0},
                          {"role", ""}});
    WriteResponse(std::move(response));
  }

  void WriteResponse(api::Response response) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "aidlink");
    res->set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res->set(k, v);
    // API answers (and errors) are never cached; UI files set their own.
    if (res->find(http::field::cache_control) == res->end()) {
      res->set(http::field::cache_control, "no-store");
    }
    res->set("X-Content-Type-Options", "nosniff");
    res->keep_alive(keep_alive_ && !server_.stopping_);
    res->body() = std::move(response.body);
    res->prepare_payload();
    if (head_) res->body().clear();  // Content-Length stays that of the GET answer
    // The write gets its own deadline, set now and sized for the body: time
    // spent reading the request and in the handler does not count against
    // it, so a committed write's answer is never cut short.
    Tcp().expires_after(WriteDeadline(res->body().size(), server_.options_.read_timeout));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                        self->server_.in_flight_--;
                        self->OnWrite(ec, !res->keep_alive());
                      });
  }

  // Answers a request the parser refused, then closes: the rest of the
  // stream cannot be trusted to hold message boundaries.
  void WriteError(const Status& status) {
    auto res = std::make_shared<http::response<http::string_body>>(ErrorMessage(status));
    Tcp().expires_after(std::chrono::seconds(5));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec) return self->DoClose();
                        self->Linger();
                      });
  }

  // nginx's lingering_close: a client that sends its whole (oversized) body
  // before reading gets the answer only if the server reads what it sent;
  // closing with unread input sends a reset, which destroys the answer in
  // the client's buffers. So after the refusal: stop sending, then read and
  // drop for at most kLingerTime and kLingerBytes, then close.
  static constexpr std::chrono::seconds kLingerTime{10};
  static constexpr size_t kLingerBytes = 64 << 20;
  void Linger() {
    if constexpr (kTls) {
      return DoClose();  // the TLS close_notify; TLS clients read as they send
    } else {
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      buffer_.consume(buffer_.size());
      Tcp().expires_after(kLingerTime);
      DrainUnread(0);
    }
  }
  void DrainUnread(size_t drained) {
    Tcp().async_read_some(buffer_.prepare(16 << 10), [self = this->shared_from_this(), drained](
                                                         beast::error_code ec, size_t n) {
      // EOF, the deadline or the byte cap: the socket closes with the session.
      if (!ec && drained + n < kLingerBytes) self->DrainUnread(drained + n);
    });
  }

  void OnWrite(beast::error_code ec, bool close) {
    if (ec || close) return DoClose();
    DoRead();
  }

  void DoClose() {
    if constexpr (kTls) {
      // A TLS close_notify, so the client can tell the end from a cut.
      Tcp().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    } else {
      beast::error_code ec;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  ServerImpl& server_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool loopback_ = false;
  std::string peer_;  // the client's address, for login throttling
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
};

// Answers a connection the server will not serve (over the cap, or plain
// HTTP on the TLS port) with one plain-HTTP error and closes it. The request
// the client may already have sent is read and dropped first (for up to
// 2 s): closing a socket with unread input sends a reset, which can destroy
// the answer before the client reads it.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(beast::tcp_stream&& stream, const Status& status)
      : stream_(std::move(stream)), res_(ErrorMessage(status)) {}

  void Start() {
    stream_.expires_after(std::chrono::seconds(2));
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Refusal::OnWrite, shared_from_this()));
  }

 private:
  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    DoDrain();
  }
  void DoDrain() {
    stream_.async_read_some(asio::buffer(sink_),
                            beast::bind_front_handler(&Refusal::OnDrain, shared_from_this()));
  }
  void OnDrain(beast::error_code ec, size_t) {
    if (!ec) DoDrain();  // else: EOF or the deadline; the socket closes with this
  }

  beast::tcp_stream stream_;
  http::response<http::string_body> res_;
  char sink_[4096];
};

// The first bytes of a connection to a TLS listener: a TLS handshake goes on
// to an HTTPS session; plain HTTP gets a clear 400 in plain HTTP and is
// closed, rather than TLS garbage or a silent reset.
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
 public:
  TlsDetector(tcp::socket&& socket, ServerImpl& server)
      : stream_(std::move(socket)), server_(server) {
    server_.connections_++;
  }
  ~TlsDetector() { server_.connections_--; }

  void Start() {
    stream_.expires_after(server_.options_.read_timeout);
    beast::async_detect_ssl(stream_, buffer_,
                            beast::bind_front_handler(&TlsDetector::OnDetect, shared_from_this()));
  }

 private:
  void OnDetect(beast::error_code ec, bool tls) {
    if (ec) return;
    if (tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          beast::ssl_stream<beast::tcp_stream>(std::move(stream_), *server_.tls_),
          std::move(buffer_), server_)
          ->Start();
      return;
    }
    std::make_shared<Refusal>(std::move(stream_),
                              InvalidArgument("this port speaks HTTPS only; use https://"))
        ->Start();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  ServerImpl& server_;
};

}  // namespace

Status ServerImpl::Listen() {
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return InvalidArgument("--tls-cert and --tls-key go together", "tls");
    }
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
    beast::error_code tls_ec;
    tls_->use_certificate_chain_file(options_.tls_cert_file, tls_ec);
    if (tls_ec)
      return InvalidArgument(
          "cannot load TLS certificate " + options_.tls_cert_file + ": " + tls_ec.message(),
          "tls-cert");
    tls_->use_private_key_file(options_.tls_key_file, ssl::context::pem, tls_ec);
    if (tls_ec)
      return InvalidArgument(
          "cannot load TLS key " + options_.tls_key_file + ": " + tls_ec.message(), "tls-key");
  }
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
  if (ec == asio::error::no_descriptors) {
    // Out of file descriptors: accepting again at once would spin on the
    // same error. Pause, and let closing connections free some.
    log::Warn("accept_failed", {{"error", ec.message()}, {"connections", connections_.load()}});
    accept_timer_ = std::make_unique<asio::steady_timer>(acceptor_.get_executor(),
                                                         std::chrono::milliseconds(100));
    accept_timer_->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) DoAccept();
    });
    return;
  }
  if (!ec) {
    if (connections_.load() >= options_.max_connections) {
      // Over the cap: refuse plainly rather than let the queue grow.
      std::make_shared<Refusal>(
          beast::tcp_stream(std::move(socket)),
          Status(Code::kTooManyConnections, "too many connections; retry shortly"))
          ->Start();
    } else if (tls_) {
      std::make_shared<TlsDetector>(std::move(socket), *this)->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                   beast::flat_buffer(), *this)
          ->Start();
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

StatusOr<std::unique_ptr<Server>> Server::Create(api::Router& router,
                                                 const ServerOptions& options) {
  auto impl = std::make_unique<ServerImpl>(router, options);
  AIDLINK_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace aidlink::net
