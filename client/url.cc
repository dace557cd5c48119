#include "url.h"

#include <charconv>

namespace aidlink::client {

std::string ServerUrl::ToString() const {
  return (tls ? "https://" : "http://") + host + ":" + port + base_path;
}

StatusOr<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return InvalidArgument("server URL must start with http:// or https:// (got \"" +
                           std::string(url) + "\")");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.base_path = std::string(path);
  }
  out.port = out.tls ? "443" : "80";
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("bad IPv6 address in server URL");
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return InvalidArgument("bad server URL");
      out.port = std::string(authority.substr(1));
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty()) return InvalidArgument("server URL has no host");
  int port = 0;
  const auto [end, ec] = std::from_chars(out.port.data(), out.port.data() + out.port.size(), port);
  if (ec != std::errc() || end != out.port.data() + out.port.size() || port < 1 || port > 65535) {
    return InvalidArgument("bad port in server URL: \"" + out.port + "\"");
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string WithQuery(std::string_view path,
                      const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out(path);
  char sep = '?';
  for (const auto& [key, value] : query) {
    if (value.empty()) continue;
    out += sep;
    out += UrlEncode(key) + "=" + UrlEncode(value);
    sep = '&';
  }
  return out;
}

}  // namespace aidlink::client
