#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.h"
#include "store/store.h"
#include "util/status.h"

namespace aidlink::api {

enum class Role { kAdmin, kDispatcher, kStation, kDonor, kVolunteer };

const char* RoleName(Role role);
// The role named `name` (a token's or user's role column); kInternal if
// it is not one.
StatusOr<Role> ParseRole(const std::string& name);

// The authenticated caller: a token, or a user's session, bound to a role
// and, for station and donor callers, to the one station or donor it may act
// for. A session's principal is that of a token of the same role and scope:
// handlers never tell them apart, except for who is recorded as acting.
struct Principal {
  int64_t token_id = 0;  // 0 for a session
  Role role = Role::kDispatcher;
  std::optional<int64_t> station_id;
  std::optional<int64_t> donor_id;
  // A session's user and session (0 for a token), and the session's times.
  int64_t user_id = 0;
  int64_t session_id = 0;
  std::string session_last_seen, session_expires_at;
  // The user's username and display name, or "" and the token's label.
  std::string username;
  std::string display_name;
  // A volunteer's assigned routes (read when it is authenticated).
  std::vector<int64_t> route_ids;

  bool via_session() const { return session_id != 0; }
  // The namespace of the caller's Idempotency-Keys: a token's id, or a
  // user's id negated (so a user's sessions share one, distinct from every
  // token's).
  int64_t idempotency_scope() const { return user_id != 0 ? -user_id : token_id; }

  // Admins and dispatchers see the whole registry.
  bool staff() const { return role == Role::kAdmin || role == Role::kDispatcher; }
  // Object-level scope: whether the caller may see an object of station
  // `id` (donor `id`). Only a station (donor) caller is narrowed, to its
  // own; which roles reach a route at all is the route table's business.
  bool MaySeeStation(int64_t id) const { return role != Role::kStation || station_id == id; }
  bool MaySeeDonor(int64_t id) const { return role != Role::kDonor || donor_id == id; }
  // Routes: the desk sees all, a volunteer the routes assigned to it.
  bool MaySeeRoute(int64_t id) const {
    if (staff()) return true;
    return role == Role::kVolunteer &&
           std::find(route_ids.begin(), route_ids.end(), id) != route_ids.end();
  }
  // A delivery for a requester of station `station` on route `route`
  // (none while unrouted): a volunteer sees those on its routes, a station
  // its own requesters'.
  bool MaySeeDelivery(int64_t station, std::optional<int64_t> route) const {
    if (role == Role::kVolunteer) return route.has_value() && MaySeeRoute(*route);
    return MaySeeStation(station);
  }
  store::Actor actor() const { return {token_id, RoleName(role), user_id}; }
};

// Whether `p` may issue a token or user of `role`: an admin any, a
// dispatcher only volunteers (kPermissionDenied naming role otherwise).
Status MayIssueRole(const Principal& p, std::string_view role);

// A fresh bearer token: 256 random bits as 64 hex characters.
std::string NewToken();

// Hex SHA-256 of a token, the only form in which tokens are stored.
std::string HashToken(std::string_view token);

// Hex SHA-256 of arbitrary bytes.
std::string Sha256Hex(std::string_view bytes);

// The principal for an "Authorization: Bearer <token>" header value;
// kUnauthenticated if the header is missing, malformed or names no live token.
// Looks the token's SHA-256 up on every call (no cache, so a revoked token is
// refused at the next request) and compares the stored hash with
// CRYPTO_memcmp, in constant time.
StatusOr<Principal> Authenticate(store::Database& db, std::string_view authorization);

// Makes `token` a live admin token (inserting its hash if new). Used for the
// --admin-token-file at start-up. kFailedPrecondition if the token is not an
// admin's or was revoked.
Status EnsureAdminToken(store::Store& store, const std::string& token);

}  // namespace aidlink::api
