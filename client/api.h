#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http.h"
#include "util/status.h"

// The aidlink API as the CLI sees it: JSON in, JSON out, errors in the
// {"error":{"code","message","field"}} shape of API.md.
namespace aidlink::client {

// One answer from the server.
struct ApiReply {
  int http_status = 0;
  std::string raw;          // the body exactly as received
  boost::json::value json;  // the parsed body, null if it was not JSON
  bool replayed = false;    // the server says it repeated a stored answer
  std::string set_cookie;   // the Set-Cookie header, "" if none

  bool ok() const { return http_status >= 200 && http_status < 300; }
  // The error's code, message and field; for a body that is not the API's
  // error shape, the HTTP status and the start of the body. REQUIRES: !ok().
  std::string ErrorCode() const;
  std::string ErrorMessage() const;
  std::string ErrorField() const;
  // "message (field quantity)" for people.
  std::string ErrorText() const;
};

// Everything a list endpoint returned across its pages.
struct ListResult {
  std::vector<boost::json::value> items;
  std::string next_page_token;      // non-empty when `limit` stopped early
  std::optional<ApiReply> failure;  // set when a page came back as an error
};

// Calls the API with a bearer token, or else with a session cookie from
// `aidlink login`; writes carry X-Aidlink-CSRF: 1, which a server requires of
// cookie-authenticated writes. Not thread-safe (see HttpClient).
// Every call returns a non-ok Status only when the server could not be
// reached; HTTP errors come back as replies with !ok().
class ApiClient {
 public:
  ApiClient(HttpClient* http, std::string token) : http_(http), token_(std::move(token)) {}

  StatusOr<ApiReply> Get(std::string_view target);
  StatusOr<ApiReply> Post(std::string_view target, const boost::json::value& body,
                          std::string_view idempotency_key = {});
  // A merge-patch; `if_match` (the version last read), when given, makes the
  // server refuse with 409 if someone changed the object since.
  StatusOr<ApiReply> Patch(std::string_view target, const boost::json::value& body,
                           std::string_view if_match = {});
  StatusOr<ApiReply> Delete(std::string_view target);
  // The Cookie header value ("aidlink_session=...") sent when no token is
  // given.
  void set_cookie(std::string cookie) { cookie_ = std::move(cookie); }
  bool has_token() const { return !token_.empty(); }

  // GETs `path` with `query`, following next_page_token until the end or
  // until `limit` items (0: no limit).
  StatusOr<ListResult> List(std::string_view path,
                            std::vector<std::pair<std::string, std::string>> query,
                            size_t limit = 0);

  const ServerUrl& server() const { return http_->server(); }

 private:
  StatusOr<ApiReply> Call(std::string_view method, std::string_view target, std::string body,
                          std::string_view idempotency_key, std::string_view if_match = {});

  HttpClient* http_;  // not owned
  std::string token_;
  std::string cookie_;
};

}  // namespace aidlink::client
