#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aidlink::test {

// One HTTP response as the tests see it. Header names are lower-cased.
struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  // The value of header `name` (any case), or "" if absent.
  std::string Header(std::string_view name) const;
  // The body parsed as JSON. Throws std::runtime_error naming the body if it
  // is not JSON.
  boost::json::value Json() const;
  // True if the body parses as JSON.
  bool IsJson() const;
  // "HTTP 400 {...body...}" (body cut at 2,000 bytes), for failure messages.
  std::string Describe() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A small synchronous HTTP/1.1 client over one keep-alive connection to
// host:port (an IPv4 address, 127.0.0.1 by default). Reconnects when the server closed the
// connection. Every operation has a deadline (timeout(), 30 s by default); a transport failure
// throws std::runtime_error. Not thread-safe: one client per thread.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads its response. `headers` are added verbatim
  // (a Content-Type of application/json is added when `body` is non-empty
  // and `headers` names none).
  Response Request(std::string_view method, std::string_view target, std::string_view body = {},
                   const Headers& headers = {});

  // GET with `Authorization: Bearer token` when `token` is non-empty.
  Response Get(std::string_view target, std::string_view token = {}, const Headers& headers = {});
  // POST of a JSON body, with a bearer token when non-empty.
  Response Post(std::string_view target, const boost::json::value& body,
                std::string_view token = {}, const Headers& headers = {});
  // POST of raw bytes as the body (Content-Type application/json unless
  // `headers` names one).
  Response PostRaw(std::string_view target, std::string_view body, std::string_view token = {},
                   const Headers& headers = {});

  // Opens a fresh connection, writes `bytes` verbatim, and returns everything
  // the server sends back until it closes the connection or `timeout`
  // passes (counted from the moment the connection is up). `closed` (optional) tells whether the
  // server closed.
  std::string SendRaw(std::string_view bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5),
                      bool* closed = nullptr);

  // Closes the keep-alive connection (the next request reconnects).
  void Close();
  // Number of TCP connections opened so far (for keep-alive checks).
  int connections_opened() const;

  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  uint16_t port_;
  std::string host_;
  std::chrono::milliseconds timeout_{30'000};
  std::unique_ptr<Impl> impl_;
};

// Parses every HTTP/1.1 response found in `raw` (as SendRaw returns it), in
// order; stops at the first incomplete or malformed one.
std::vector<Response> ParseResponses(std::string_view raw);

}  // namespace aidlink::test
