#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Users (people who log in with a password) and their sessions, on a
// connection the caller owns, as the repositories of repo.h. Writes append
// their ledger event on the same connection. The store never sees a
// password or a session id: only their hashes (an Argon2id string, a hex
// SHA-256) computed by the API layer. Times are RFC 3339 UTC strings of one
// width (date::Rfc3339), passed in by the caller so that expiry follows the
// API layer's clock.
namespace aidlink::store {

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // "$argon2id$..."; never shown
  std::string role;
  std::optional<int64_t> station_id;
  std::optional<int64_t> donor_id;
  std::string display_name;
  std::string created_at;
  std::string disabled_at;  // empty while the user may log in

  bool disabled() const { return !disabled_at.empty(); }
};

struct SessionRecord {
  int64_t id = 0;
  std::string hash;  // hex SHA-256 of the session id
  int64_t user_id = 0;
  std::string created_at;
  std::string last_seen;
  std::string expires_at;  // absolute: the session ends then whatever its use
  std::string ended_at;    // empty while not ended (logout, disable, password change)
};

// Inserts `user` (created_at set here) and appends a user_created event.
// kConflict naming "username" if the name is taken (case-insensitively),
// kNotFound naming station_id / donor_id if that station or donor does not
// exist.
StatusOr<UserRecord> InsertUser(Database& db, UserRecord user, const Actor& actor);
// kNotFound (field "id") if there is no such user.
StatusOr<UserRecord> GetUser(Database& db, int64_t id);
// The user named `username` (case-insensitively), or nullopt.
StatusOr<std::optional<UserRecord>> FindUserByUsername(Database& db, const std::string& username);
StatusOr<std::vector<UserRecord>> ListUsers(Database& db, const Page& page);

// Disables user `id` at `now` and ends its live sessions; appends a
// user_disabled event. kNotFound if there is no such user,
// kFailedPrecondition if it is already disabled.
StatusOr<UserRecord> DisableUser(Database& db, int64_t id, const std::string& now,
                                 const Actor& actor);
// Replaces user `id`'s password hash and ends its live sessions except
// `keep_session_id` (0: none kept); appends a user_password_set event.
// kNotFound if there is no such user.
StatusOr<UserRecord> SetUserPassword(Database& db, int64_t id, const std::string& password_hash,
                                     int64_t keep_session_id, const std::string& now,
                                     const Actor& actor);
// Ends every live session of user `id` except `keep_session_id`, with
// `reason`; returns how many it ended. No event of its own: the caller's
// event says why.
StatusOr<int> EndUserSessions(Database& db, int64_t user_id, int64_t keep_session_id,
                              const std::string& now, const std::string& reason);

// Whether a caller authenticated when its request arrived is still live
// now, inside the write's transaction: its token (token_id != 0) not
// revoked, or its session (session_id != 0) not ended and the session's user
// not disabled. A write queued before a revocation must not commit.
StatusOr<bool> CallerStillLive(Database& db, int64_t token_id, int64_t session_id);

// Inserts `session` and appends a session_started event.
StatusOr<SessionRecord> InsertSession(Database& db, SessionRecord session, const Actor& actor);
// The session whose hash is `hash` with its user, ended or not, or nullopt:
// the caller decides whether it is still live.
struct SessionWithUser {
  SessionRecord session;
  UserRecord user;
};
StatusOr<std::optional<SessionWithUser>> FindSessionByHash(Database& db, const std::string& hash);
// Sets a live session's last_seen to `now` (no event: use is not a change).
Status TouchSession(Database& db, int64_t session_id, const std::string& now);
// Ends live session `id` at `now` with `reason` ("logout") and appends a
// session_ended event. kFailedPrecondition if it has already ended.
StatusOr<SessionRecord> EndSession(Database& db, int64_t session_id, const std::string& now,
                                   const std::string& reason, const Actor& actor);

}  // namespace aidlink::store
