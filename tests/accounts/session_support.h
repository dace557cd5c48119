#pragma once

#include <string>
#include <string_view>

#include "support/fixture.h"

// Small helpers of the accounts tests: users' bodies, logging in, and the
// headers of a cookie-authenticated write.
namespace aidlink::test {

// Ten characters or more, with Chinese in it, as a social worker might pick.
inline constexpr const char* kPassword = "民族街2026春天来了";

// POST /v1/users body for a station user of `station_id`.
inline json::object UserBody(std::string_view username, int64_t station_id) {
  return {{"username", username},
          {"password", kPassword},
          {"role", "station"},
          {"station_id", station_id},
          {"display_name", "民族街社工站 李社工"}};
}

inline json::object Credentials(std::string_view username, std::string_view password) {
  return {{"username", username}, {"password", password}};
}

// "aidlink_session=<id>" from a login's Set-Cookie, or "".
inline std::string CookieOf(const Response& r) {
  const std::string set_cookie = r.Header("Set-Cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

// Logs `username` in and REQUIREs success; returns the Cookie header value.
inline std::string LoginCookie(HttpClient& http, std::string_view username,
                               std::string_view password = kPassword) {
  const Response r = http.Post("/v1/sessions", Credentials(username, password));
  REQUIRE_STATUS(r, 201);
  const std::string cookie = CookieOf(r);
  REQUIRE(cookie.size() == std::string("aidlink_session=").size() + 64);
  return cookie;
}

// What a browser page of ours sends with a write: the cookie, the CSRF
// header and a JSON content type.
inline Headers CsrfHeaders(const std::string& cookie) {
  return {{"Cookie", cookie}, {"X-Aidlink-CSRF", "1"}, {"Content-Type", "application/json"}};
}

}  // namespace aidlink::test
