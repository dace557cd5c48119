#include "http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/version.hpp>
#include <optional>

namespace aidlink::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  const std::string key = Lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return "";
}

// One kept-alive connection: plain TCP, or TLS over it.
struct HttpClient::Connection {
  asio::io_context ioc;
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::optional<beast::tcp_stream> plain;
  beast::flat_buffer buffer;
  bool open = false;

  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  // Calls `fn(stream)` with the stream requests go over.
  template <typename Fn>
  void With(Fn fn) {
    if (tls) {
      fn(*tls);
    } else {
      fn(*plain);
    }
  }
  void Close() {
    if (!open) return;
    open = false;
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().socket().close(ignored);
  }
};

HttpClient::HttpClient(ServerUrl server, std::chrono::seconds timeout, std::string cacert)
    : server_(std::move(server)),
      timeout_(timeout),
      cacert_(std::move(cacert)),
      connection_(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() {
  if (connection_) connection_->Close();
}

Status HttpClient::Connect() {
  Connection& c = *connection_;
  beast::error_code ec;
  tcp::resolver resolver(c.ioc);
  const auto endpoints = resolver.resolve(server_.host, server_.port, ec);
  if (ec) return Status(Code::kInternal, "cannot resolve " + server_.host + ": " + ec.message());
  c.buffer.clear();
  if (server_.tls) {
    c.plain.reset();
    if (cacert_.empty()) {
      c.tls_context.set_default_verify_paths(ec);
    } else {
      c.tls_context.load_verify_file(cacert_, ec);
    }
    if (ec) return InvalidArgument("cannot read --cacert " + cacert_ + ": " + ec.message());
    c.tls_context.set_verify_mode(asio::ssl::verify_peer);
    c.tls.emplace(c.ioc, c.tls_context);
    // SNI, and the certificate must name the host.
    // SSL_set_tlsext_host_name, without its macro's C cast.
    SSL_ctrl(c.tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             static_cast<void*>(const_cast<char*>(server_.host.c_str())));
    c.tls->set_verify_callback(asio::ssl::host_name_verification(server_.host));
  } else {
    c.tls.reset();
    c.plain.emplace(c.ioc);
  }
  c.Tcp().expires_after(timeout_);
  c.Tcp().connect(endpoints, ec);
  if (ec) {
    return Status(Code::kInternal, "cannot connect to " + server_.ToString() + ": " + ec.message());
  }
  if (c.tls) {
    c.tls->handshake(asio::ssl::stream_base::client, ec);
    if (ec) {
      c.open = true;
      c.Close();
      return Status(Code::kInternal,
                    "TLS with " + server_.ToString() + " failed: " + ec.message() +
                        (cacert_.empty() ? " (a self-signed server needs --cacert FILE)" : ""));
    }
  }
  c.open = true;
  return Status::Ok();
}

StatusOr<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                        const Headers& headers, std::string body) {
  bool retryable = method == "GET" || method == "HEAD";
  for (const auto& [name, value] : headers) {
    if (Lower(name) == "idempotency-key") retryable = true;
  }
  bool reused = false;
  auto response = SendOnce(method, target, headers, body, &reused);
  if (!response.ok() && reused && retryable) {
    response = SendOnce(method, target, headers, body, &reused);
  }
  return response;
}

StatusOr<HttpResponse> HttpClient::SendOnce(std::string_view method, std::string_view target,
                                            const Headers& headers, const std::string& body,
                                            bool* reused) {
  Connection& c = *connection_;
  beast::error_code ec;
  *reused = c.open;
  if (!c.open) AIDLINK_RETURN_IF_ERROR(Connect());

  http::request<http::string_body> request;
  request.method_string(method);
  request.target(server_.base_path + std::string(target));
  request.version(11);
  request.set(http::field::host, server_.host + ":" + server_.port);
  request.set(http::field::user_agent, "aidlink-cli");
  request.set(http::field::accept, "application/json");
  request.keep_alive(true);
  for (const auto& [name, value] : headers) request.set(name, value);
  // Every write says it is JSON (a server checks a cookie-authenticated
  // write's type), with a body or without.
  if (!body.empty() || (method != "GET" && method != "HEAD")) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();

  auto fail = [&](std::string_view what) -> Status {
    c.Close();
    return Status(Code::kInternal,
                  std::string(what) + " " + server_.ToString() + ": " + ec.message());
  };

  c.Tcp().expires_after(timeout_);
  c.With([&](auto& stream) { http::write(stream, request, ec); });
  if (ec) return fail("lost the connection to");

  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  c.Tcp().expires_after(timeout_);
  c.With([&](auto& stream) { http::read(stream, c.buffer, parser, ec); });
  if (ec == beast::error::timeout) return fail("no answer in time from");
  if (ec) return fail("lost the connection to");

  const auto& message = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(message.result_int());
  out.body = message.body();
  for (const auto& field : message) {
    out.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  if (!message.keep_alive()) c.Close();
  return out;
}

}  // namespace aidlink::client
