#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/auth.h"
#include "api/http.h"
#include "store/accounts.h"
#include "store/database.h"
#include "util/status.h"

// Sessions and logins: the session cookie, authentication by Bearer token or
// cookie, the CSRF rule for cookie-authenticated writes, and the throttle on
// failed logins.
namespace aidlink::api {

using TimePoint = std::chrono::system_clock::time_point;
// The time for expiry and throttling; tests inject one to move it.
using Clock = std::function<TimePoint()>;

struct AccountOptions {
  // A session ends when unused this long (--session-idle-hours) ...
  std::chrono::seconds session_idle = std::chrono::hours(12);
  // ... and this long after login, whatever its use.
  std::chrono::seconds session_lifetime = std::chrono::hours(24 * 7);
  // Failed logins allowed per username and per client address in a window.
  int failures_per_username = 5;
  int failures_per_address = 20;
  std::chrono::seconds failure_window = std::chrono::minutes(15);
  // A request refreshes its session's last_seen only when it is older than
  // this, so that reading does not mean a write per request.
  std::chrono::seconds touch_interval = std::chrono::seconds(60);
  Clock clock;  // empty: the system clock
};

// Counts failed logins per username and per client address over a sliding
// window, in memory (a restart forgets them; several servers on one
// database count separately). An attempt is counted when it starts, and
// forgiven if it succeeds, so that many concurrent guesses cannot all pass
// the check before the first one fails. Keys hold a SHA-256 of the
// username, never the name. Thread-safe.
class LoginThrottle {
 public:
  explicit LoginThrottle(const AccountOptions& options);

  // Counts an attempt for `user_key` from `address` at `now` and returns 0,
  // or, if either has used up its failures in the window, counts nothing
  // and returns the seconds until one of them leaves the window.
  std::chrono::seconds Attempt(const std::string& user_key, const std::string& address,
                               TimePoint now);
  // Forgets the attempt that Attempt counted at `at` (a successful login).
  void Forgive(const std::string& user_key, const std::string& address, TimePoint at);

 private:
  using Times = std::deque<TimePoint>;
  using Map = std::unordered_map<std::string, Times>;
  std::chrono::seconds Wait(Map& map, const std::string& key, int limit, TimePoint now);
  void Prune(Map& map, TimePoint now);

  // Immutable after construction.
  const int per_username_, per_address_;
  const std::chrono::seconds window_;

  std::mutex mu_;
  Map by_user_;     // guarded by mu_
  Map by_address_;  // guarded by mu_
};

// The router's account settings, clock and throttle. Thread-safe.
class Accounts {
 public:
  explicit Accounts(AccountOptions options);

  TimePoint Now() const {
    return options_.clock ? options_.clock() : std::chrono::system_clock::now();
  }
  const AccountOptions& options() const { return options_; }
  LoginThrottle& throttle() { return throttle_; }

  // When a session used last at `last_seen` ends if not used again: the
  // idle expiry, capped by its absolute expiry (RFC 3339 strings).
  std::string IdleExpiry(const std::string& last_seen, const std::string& expires_at) const;

 private:
  const AccountOptions options_;
  LoginThrottle throttle_;
};

// The cookie that holds the session id.
inline constexpr std::string_view kSessionCookieName = "aidlink_session";

// The value of the session cookie in a Cookie header, or "".
std::string_view SessionCookieValue(std::string_view cookie_header);
// Set-Cookie values: the session for `max_age`, and its removal. HttpOnly,
// SameSite=Strict, Path=/, and Secure when `secure` (served over TLS).
std::string SessionCookie(const std::string& session_id, std::chrono::seconds max_age, bool secure);
std::string ClearedSessionCookie(bool secure);

// The caller of `request`: by its Authorization: Bearer token if it has
// one, else by its session cookie. kUnauthenticated if neither is given or
// the one given is not live (a session ended, expired, or of a disabled
// user). Reads the database on every call, so an ending takes effect at the
// next request.
StatusOr<Principal> AuthenticateRequest(store::Database& db, const Request& request,
                                        const Accounts& accounts);

// The CSRF rule for a cookie-authenticated request that is not GET or HEAD:
// X-Aidlink-CSRF: 1, a JSON or protobuf Content-Type, and an Origin (if
// given) equal to the server's own. kPermissionDenied naming what is wrong.
Status CheckCsrf(const Request& request);
// An Origin header, if present, must be the server's own scheme://Host.
Status CheckOrigin(const Request& request);

// A user to create, as POST /v1/users and `aidlink-server user add` take it.
struct NewUser {
  std::string username, password, role;
  std::optional<int64_t> station_id, donor_id;
  std::string display_name;
};
// The record store::InsertUser takes for `user`: validated (username 3..64
// characters without spaces or control characters, password of at least 10,
// a role of the vocabulary, station_id exactly for a station and donor_id
// exactly for a donor, display_name 1..200) and with the password hashed
// (tens of milliseconds: not on an I/O thread). kInvalidArgument naming the
// field. That the station or donor exists is InsertUser's check. The one
// place of these rules.
StatusOr<store::UserRecord> NewUserRecord(const NewUser& user);
// A new password: 10..1024 characters of valid UTF-8.
Status CheckPassword(const std::string& password, const char* field);

// The username as the users table compares it (ASCII case folded), hashed:
// the throttle's key and what logs may show of it.
std::string UsernameKey(std::string_view username);

}  // namespace aidlink::api
