#pragma once

#include <string>
#include <utility>
#include <vector>

// The request and response the router sees: plain structs, so api/ never
// touches a socket and can be driven in-process by tests and fuzzers.
namespace aidlink::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, "/v1/needs?status=open"
  std::string authorization;
  std::string content_type;
  std::string accept;
  std::string idempotency_key;
  std::string if_match;  // PATCH and :deactivate: the version the caller last read
  std::string body;
  bool from_loopback = false;
  // For sessions: the Cookie header, and what the CSRF rule reads (the
  // X-Aidlink-CSRF, Origin and Host headers, and whether the connection is
  // TLS). `peer` is the client's address, for login throttling.
  std::string cookie;
  std::string csrf;
  std::string origin;
  std::string host;
  std::string peer;
  bool tls = false;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The route template that answered ("/v1/needs/{id}"), for logs and metrics.
  std::string route;
  // The caller's role, for logs; empty when unauthenticated.
  std::string role;
};

}  // namespace aidlink::api
