#include "api/accounts.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "api/password.h"
#include "api/validate.h"
#include "store/dispatch.h"
#include "util/date.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::api {
namespace {

// A registry of this many keys is swept for keys whose failures have all
// left the window: an attacker trying many usernames cannot grow it without
// bound within one window's worth of attempts.
constexpr size_t kSweepAbove = 10'000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  return Lower(text::Trim(content_type.substr(0, semi)));
}

StatusOr<Principal> AuthenticateSession(store::Database& db, std::string_view id,
                                        const Accounts& accounts) {
  const Status dead = Unauthenticated("session expired or ended; log in again");
  if (!IsHex64(id)) return dead;
  const std::string hash = Sha256Hex(id);
  auto found = store::FindSessionByHash(db, hash);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return dead;
  const store::SessionRecord& s = (*found)->session;
  const store::UserRecord& u = (*found)->user;
  // The lookup is by hash; compare again in constant time, as for tokens.
  if (s.hash.size() != hash.size() || CRYPTO_memcmp(s.hash.data(), hash.data(), hash.size()) != 0)
    return dead;
  const TimePoint now = accounts.Now();
  const std::string now_text = date::Rfc3339(now);
  const std::string idle_cutoff = date::Rfc3339(now - accounts.options().session_idle);
  if (!s.ended_at.empty() || u.disabled() || s.expires_at <= now_text || s.last_seen <= idle_cutoff)
    return dead;
  StatusOr<Role> role = ParseRole(u.role);
  if (!role.ok()) return role.status();
  Principal p;
  p.role = *role;
  p.station_id = u.station_id;
  p.donor_id = u.donor_id;
  p.user_id = u.id;
  p.session_id = s.id;
  p.session_last_seen = s.last_seen;
  p.session_expires_at = s.expires_at;
  p.username = u.username;
  p.display_name = u.display_name;
  return p;
}

}  // namespace

LoginThrottle::LoginThrottle(const AccountOptions& options)
    : per_username_(options.failures_per_username),
      per_address_(options.failures_per_address),
      window_(options.failure_window) {}

std::chrono::seconds LoginThrottle::Wait(Map& map, const std::string& key, int limit,
                                         TimePoint now) {
  auto it = map.find(key);
  if (it == map.end()) return std::chrono::seconds(0);
  Times& times = it->second;
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
  if (times.empty()) {
    map.erase(it);
    return std::chrono::seconds(0);
  }
  if (static_cast<int>(times.size()) < limit) return std::chrono::seconds(0);
  // The oldest failures leave the window first: once the oldest one has, an
  // attempt is allowed again. Rounded up, at least a second.
  const auto wait = times[times.size() - static_cast<size_t>(limit)] + window_ - now;
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
}

void LoginThrottle::Prune(Map& map, TimePoint now) {
  if (map.size() <= kSweepAbove) return;
  for (auto it = map.begin(); it != map.end();) {
    if (it->second.empty() || it->second.back() <= now - window_) {
      it = map.erase(it);
    } else {
      ++it;
    }
  }
}

std::chrono::seconds LoginThrottle::Attempt(const std::string& user_key, const std::string& address,
                                            TimePoint now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::chrono::seconds wait = std::max(Wait(by_user_, user_key, per_username_, now),
                                             Wait(by_address_, address, per_address_, now));
  if (wait.count() > 0) return wait;
  Prune(by_user_, now);
  Prune(by_address_, now);
  by_user_[user_key].push_back(now);
  by_address_[address].push_back(now);
  return std::chrono::seconds(0);
}

void LoginThrottle::Forgive(const std::string& user_key, const std::string& address, TimePoint at) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto [map, key] : {std::pair{&by_user_, &user_key}, std::pair{&by_address_, &address}}) {
    auto it = map->find(*key);
    if (it == map->end()) continue;
    auto pos = std::find(it->second.begin(), it->second.end(), at);
    if (pos != it->second.end()) it->second.erase(pos);
  }
}

Accounts::Accounts(AccountOptions options) : options_(std::move(options)), throttle_(options_) {
  // Computed now rather than at the first login for an unknown username,
  // which would otherwise take twice as long as any other failed login.
  (void)DummyPasswordHash();
}

std::string Accounts::IdleExpiry(const std::string& last_seen,
                                 const std::string& expires_at) const {
  const auto seen = date::ParseRfc3339(last_seen);
  if (!seen) return expires_at;
  return std::min(date::Rfc3339(*seen + options_.session_idle), expires_at);
}

std::string_view SessionCookieValue(std::string_view header) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view pair = text::Trim(header.substr(0, semi));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && text::Trim(pair.substr(0, eq)) == kSessionCookieName) {
      std::string_view value = text::Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return value;
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

std::string SessionCookie(const std::string& session_id, std::chrono::seconds max_age,
                          bool secure) {
  return std::string(kSessionCookieName) + "=" + session_id +
         "; Path=/; Max-Age=" + std::to_string(max_age.count()) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

std::string ClearedSessionCookie(bool secure) {
  return std::string(kSessionCookieName) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

StatusOr<Principal> AuthenticateRequest(store::Database& db, const Request& request,
                                        const Accounts& accounts) {
  StatusOr<Principal> p = Unauthenticated("missing Authorization: Bearer token or session cookie");
  if (!request.authorization.empty()) {
    p = Authenticate(db, request.authorization);
  } else if (const std::string_view session = SessionCookieValue(request.cookie);
             !session.empty()) {
    p = AuthenticateSession(db, session, accounts);
  }
  if (p.ok() && p->role == Role::kVolunteer) {
    // A user's routes are the user's, whichever session it comes with.
    auto routes = store::AssignedRouteIds(db, p->user_id, p->user_id != 0 ? 0 : p->token_id);
    if (!routes.ok()) return routes.status();
    p->route_ids = std::move(*routes);
  }
  return p;
}

Status CheckOrigin(const Request& request) {
  if (request.origin.empty()) return Status::Ok();
  const std::string own = std::string(request.tls ? "https://" : "http://") + Lower(request.host);
  if (Lower(request.origin) != own) {
    return PermissionDenied("the request's Origin is not this server's");
  }
  return Status::Ok();
}

Status CheckCsrf(const Request& request) {
  if (request.csrf != "1") {
    return PermissionDenied(
        "a request authenticated by the session cookie needs X-Aidlink-CSRF: 1");
  }
  const std::string type = MediaType(request.content_type);
  if (type != "application/json" && type != "application/x-protobuf") {
    return PermissionDenied(
        "a request authenticated by the session cookie needs Content-Type application/json or "
        "application/x-protobuf");
  }
  return CheckOrigin(request);
}

Status CheckPassword(const std::string& password, const char* field) {
  if (!text::IsValidUtf8(password)) {
    return InvalidArgument(std::string(field) + " is not valid UTF-8", field);
  }
  const size_t n = text::CodePointCount(password);
  if (n < vocab::kMinPassword || n > vocab::kMaxPassword) {
    return InvalidArgument(std::string(field) + " must be " + std::to_string(vocab::kMinPassword) +
                               " to " + std::to_string(vocab::kMaxPassword) + " characters",
                           field);
  }
  return Status::Ok();
}

namespace {

Status CheckUsername(const std::string& username) {
  if (!text::IsValidUtf8(username)) {
    return InvalidArgument("username is not valid UTF-8", "username");
  }
  const size_t n = text::CodePointCount(username);
  if (n < vocab::kMinUsername || n > vocab::kMaxUsername) {
    return InvalidArgument("username must be " + std::to_string(vocab::kMinUsername) + " to " +
                               std::to_string(vocab::kMaxUsername) + " characters",
                           "username");
  }
  if (text::HasControlChars(username) || std::any_of(username.begin(), username.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
      })) {
    return InvalidArgument("username must not contain spaces or control characters", "username");
  }
  return Status::Ok();
}

Status CheckScope(const NewUser& u) {
  if (u.role == "station" && (!u.station_id || *u.station_id < 1))
    return InvalidArgument("station_id is required for a station user", "station_id");
  if (u.role == "donor" && (!u.donor_id || *u.donor_id < 1))
    return InvalidArgument("donor_id is required for a donor user", "donor_id");
  if (u.role != "station" && u.station_id)
    return InvalidArgument("station_id is only for station users", "station_id");
  if (u.role != "donor" && u.donor_id)
    return InvalidArgument("donor_id is only for donor users", "donor_id");
  return Status::Ok();
}

}  // namespace

StatusOr<store::UserRecord> NewUserRecord(const NewUser& u) {
  AIDLINK_RETURN_IF_ERROR(CheckUsername(u.username));
  AIDLINK_RETURN_IF_ERROR(CheckPassword(u.password, "password"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(u.role, "role", vocab::kRoles));
  AIDLINK_RETURN_IF_ERROR(CheckScope(u));
  AIDLINK_RETURN_IF_ERROR(CheckText(u.display_name, "display_name"));
  StatusOr<std::string> hash = HashPassword(u.password);
  if (!hash.ok()) return hash.status();
  store::UserRecord r;
  r.username = u.username;
  r.password_hash = std::move(*hash);
  r.role = u.role;
  r.station_id = u.station_id;
  r.donor_id = u.donor_id;
  r.display_name = u.display_name;
  return r;
}

std::string UsernameKey(std::string_view username) { return Sha256Hex(Lower(username)); }

}  // namespace aidlink::api
