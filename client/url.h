#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

// Where the server is, and how to spell a request target. Pure; thread-safe.
namespace aidlink::client {

// A parsed "http[s]://host[:port][/base]" server address.
struct ServerUrl {
  bool tls = false;  // https
  std::string host;
  std::string port;       // when the URL has none: "80", or "443" for https
  std::string base_path;  // "" or "/prefix" without a trailing slash

  // "http[s]://host:port/base", for messages.
  std::string ToString() const;
};

// Parses `url`. Returns InvalidArgument for a scheme other than http or
// https, a missing host or a bad port.
StatusOr<ServerUrl> ParseServerUrl(std::string_view url);

// Percent-encodes `s` for a query string (RFC 3986 unreserved bytes stay).
std::string UrlEncode(std::string_view s);

// `path` followed by "?k=v&..." for the pairs whose value is not empty.
std::string WithQuery(std::string_view path,
                      const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace aidlink::client
