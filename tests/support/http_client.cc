#include "support/http_client.h"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <functional>
#include <optional>
#include <stdexcept>

namespace aidlink::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxResponseBody = 64ull << 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Response FromBeast(const http::response<http::string_body>& res) {
  Response out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name = Lower(field.name_string());
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  out.body = res.body();
  return out;
}

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return Lower(h.first) == Lower(name); });
}

// Errors that mean "the server had closed this keep-alive connection before
// our request reached it": safe to retry once on a fresh connection.
bool IsStaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == http::error::partial_message;
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

bool Response::IsJson() const {
  boost::system::error_code ec;
  (void)boost::json::parse(body, ec);
  return !ec;
}

boost::json::value Response::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec)
    throw std::runtime_error("response body is not JSON (" + ec.message() + "): " + Describe());
  return v;
}

std::string Response::Describe() const {
  std::string b = body.size() > 2000
                      ? body.substr(0, 2000) + "...(" + std::to_string(body.size()) + " bytes)"
                      : body;
  return "HTTP " + std::to_string(status) + " " + b;
}

struct HttpClient::Impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int connections = 0;

  void Run() {
    ioc.restart();
    ioc.run();
  }

  void Connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
    stream.emplace(ioc);
    buffer.clear();
    beast::error_code result;
    stream->expires_after(timeout);
    stream->async_connect(tcp::endpoint(asio::ip::make_address(host), port),
                          [&](beast::error_code ec) { result = ec; });
    Run();
    if (result) {
      stream.reset();
      throw std::runtime_error("connect to " + host + ":" + std::to_string(port) + ": " +
                               result.message());
    }
    ++connections;
  }

  void CloseStream() {
    if (!stream) return;
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
    stream.reset();
    buffer.clear();
  }
};

HttpClient::HttpClient(uint16_t port, std::string host)
    : port_(port), host_(std::move(host)), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() { impl_->CloseStream(); }

void HttpClient::Close() { impl_->CloseStream(); }

int HttpClient::connections_opened() const { return impl_->connections; }

Response HttpClient::Request(std::string_view method, std::string_view target,
                             std::string_view body, const Headers& headers) {
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) impl_->Connect(host_, port_, timeout_);

    http::request<http::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    req.set(http::field::user_agent, "aidlink-api-tests");
    for (const auto& [name, value] : headers) req.insert(name, value);
    if (!body.empty() && !HasHeader(headers, "content-type")) {
      req.set(http::field::content_type, "application/json");
    }
    req.body() = std::string(body);
    req.prepare_payload();

    // Write and read at once: a server may answer (413) and close before it
    // has read the whole body, and the answer must still be seen.
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    beast::error_code write_ec, read_ec;
    bool write_done = false;
    impl_->stream->expires_after(timeout_);
    http::async_write(*impl_->stream, req, [&](beast::error_code ec, size_t) {
      write_ec = ec;
      write_done = true;
    });
    http::async_read(*impl_->stream, impl_->buffer, parser, [&](beast::error_code ec, size_t) {
      read_ec = ec;
      // The server answered before taking the whole body:
      // stop pushing it.
      if (!ec && !write_done) impl_->stream->cancel();
    });
    impl_->Run();

    if (!read_ec) {
      Response out = FromBeast(parser.get());
      if (!parser.get().keep_alive() || write_ec || !write_done) impl_->CloseStream();
      return out;
    }
    impl_->CloseStream();
    if (reused && attempt == 0 && (IsStaleConnection(read_ec) || IsStaleConnection(write_ec))) {
      continue;
    }
    throw std::runtime_error(std::string(method) + " " + std::string(target) +
                             ": no response: read: " + read_ec.message() +
                             (write_ec ? "; write: " + write_ec.message() : ""));
  }
}

Response HttpClient::Get(std::string_view target, std::string_view token, const Headers& headers) {
  Headers all = headers;
  if (!token.empty()) all.emplace_back("Authorization", "Bearer " + std::string(token));
  return Request("GET", target, {}, all);
}

Response HttpClient::Post(std::string_view target, const boost::json::value& body,
                          std::string_view token, const Headers& headers) {
  return PostRaw(target, boost::json::serialize(body), token, headers);
}

Response HttpClient::PostRaw(std::string_view target, std::string_view body, std::string_view token,
                             const Headers& headers) {
  Headers all = headers;
  if (!token.empty()) all.emplace_back("Authorization", "Bearer " + std::string(token));
  if (!HasHeader(all, "content-type")) all.emplace_back("Content-Type", "application/json");
  return Request("POST", target, body, all);
}

std::string HttpClient::SendRaw(std::string_view bytes, std::chrono::milliseconds timeout,
                                bool* closed) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  // Connecting gets the usual deadline: a busy machine must not turn a short
  // `timeout` (meant for the exchange) into a failed connect.
  stream.expires_after(std::max<std::chrono::milliseconds>(timeout_, timeout));
  stream.async_connect(tcp::endpoint(asio::ip::make_address(host_), port_),
                       [&](beast::error_code e) { ec = e; });
  ioc.run();
  if (ec) throw std::runtime_error("SendRaw connect: " + ec.message());
  ++impl_->connections;

  std::string received;
  std::array<char, 16384> chunk{};
  bool peer_closed = false;
  beast::error_code write_ec;
  // Keep reading while writing: the server may answer an early error and
  // close before our bytes are all sent.
  std::function<void()> read_more = [&] {
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code e, size_t n) {
      received.append(chunk.data(), n);
      if (!e) {
        read_more();
        return;
      }
      peer_closed = e == asio::error::eof || e == asio::error::connection_reset;
    });
  };
  stream.expires_after(timeout);
  asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code e, size_t) { write_ec = e; });
  read_more();
  ioc.restart();
  ioc.run();
  if (closed) *closed = peer_closed;
  return received;
}

std::vector<Response> ParseResponses(std::string_view raw) {
  std::vector<Response> out;
  size_t pos = 0;
  while (pos < raw.size()) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(kMaxResponseBody);
    beast::error_code ec;
    while (!parser.is_done()) {
      size_t n = parser.put(asio::buffer(raw.data() + pos, raw.size() - pos), ec);
      pos += n;
      if (ec == http::error::need_more || (!ec && n == 0)) {
        if (pos < raw.size() && n > 0) continue;
        ec = {};
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return out;
        break;
      }
      if (ec) return out;
    }
    out.push_back(FromBeast(parser.get()));
  }
  return out;
}

}  // namespace aidlink::test
