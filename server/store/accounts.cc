#include "store/accounts.h"

#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::MaybeOne;
using internal::ReadColumns;

constexpr const char* kUserCols =
    "id, username, password_hash, role, station_id, donor_id, display_name, created_at, "
    "disabled_at";

UserRecord ReadUser(const Statement& st, int first = 0) {
  UserRecord u;
  u.id = st.Int(first + 0);
  u.username = st.Text(first + 1);
  u.password_hash = st.Text(first + 2);
  u.role = st.Text(first + 3);
  u.station_id = st.OptInt(first + 4);
  u.donor_id = st.OptInt(first + 5);
  u.display_name = st.Text(first + 6);
  u.created_at = st.Text(first + 7);
  if (!st.IsNull(first + 8)) u.disabled_at = st.Text(first + 8);
  return u;
}

UserRecord ReadUserRow(const Statement& st) { return ReadUser(st); }

// kUserCols of the users table joined as "u".
constexpr const char* kUserColsOfU =
    "u.id, u.username, u.password_hash, u.role, u.station_id, u.donor_id, u.display_name, "
    "u.created_at, u.disabled_at";

constexpr const char* kSessionCols =
    "s.id, s.hash, s.user_id, s.created_at, s.last_seen, s.expires_at, s.ended_at";
constexpr int kSessionColCount = 7;

SessionRecord ReadSession(const Statement& st) {
  SessionRecord s;
  ReadColumns(st, s.id, s.hash, s.user_id, s.created_at, s.last_seen, s.expires_at);
  if (!st.IsNull(6)) s.ended_at = st.Text(6);
  return s;
}

// The user's role and scope for an event's detail (never the hash).
std::string UserDetail(const UserRecord& u, int sessions_ended = -1) {
  std::string out = "{\"role\":\"" + u.role + "\"";
  if (u.station_id) out += ",\"station_id\":" + std::to_string(*u.station_id);
  if (u.donor_id) out += ",\"donor_id\":" + std::to_string(*u.donor_id);
  if (sessions_ended >= 0) out += ",\"sessions_ended\":" + std::to_string(sessions_ended);
  return out + "}";
}

}  // namespace

StatusOr<UserRecord> InsertUser(Database& db, UserRecord u, const Actor& actor) {
  AIDLINK_RETURN_IF_ERROR(internal::ScopeMustExist(db, u.station_id, u.donor_id));
  u.created_at = date::NowRfc3339();
  u.disabled_at.clear();
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO users (username, password_hash, role, station_id, donor_id, "
                      "display_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  BindAll(st, u.username, u.password_hash, u.role, u.station_id, u.donor_id, u.display_name,
          u.created_at);
  Status s = st->Run();
  if (s.code() == Code::kConflict) {
    return Conflict("username " + u.username + " is taken", "username");
  }
  AIDLINK_RETURN_IF_ERROR(s);
  u.id = db.LastInsertId();
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "user_created", "user", u.id, UserDetail(u)));
  return u;
}

StatusOr<UserRecord> GetUser(Database& db, int64_t id) {
  return internal::GetById<UserRecord>(db, kUserCols, "users", id, ReadUserRow, "user");
}

StatusOr<std::optional<UserRecord>> FindUserByUsername(Database& db, const std::string& username) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kUserCols + " FROM users WHERE username = ?");
  st->Bind(1, username);
  return MaybeOne<UserRecord>(st, ReadUserRow);
}

StatusOr<std::vector<UserRecord>> ListUsers(Database& db, const Page& page) {
  return internal::ListTable<UserRecord>(db, kUserCols, "users", page, ReadUserRow);
}

StatusOr<int> EndUserSessions(Database& db, int64_t user_id, int64_t keep_session_id,
                              const std::string& now, const std::string& reason) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE sessions SET ended_at = ?, end_reason = ? "
                      "WHERE user_id = ? AND ended_at IS NULL AND id != ?");
  BindAll(st, now, reason, user_id, keep_session_id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  return db.Changes();
}

StatusOr<UserRecord> DisableUser(Database& db, int64_t id, const std::string& now,
                                 const Actor& actor) {
  StatusOr<UserRecord> u = GetUser(db, id);
  if (!u.ok()) return u.status();
  if (u->disabled()) return FailedPrecondition("user " + std::to_string(id) + " is disabled");
  AIDLINK_ASSIGN_STMT(st, db, "UPDATE users SET disabled_at = ? WHERE id = ?");
  st->Bind(1, now).Bind(2, id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  u->disabled_at = now;
  StatusOr<int> ended = EndUserSessions(db, id, 0, now, "user_disabled");
  if (!ended.ok()) return ended.status();
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "user_disabled", "user", id, UserDetail(*u, *ended)));
  return u;
}

StatusOr<UserRecord> SetUserPassword(Database& db, int64_t id, const std::string& password_hash,
                                     int64_t keep_session_id, const std::string& now,
                                     const Actor& actor) {
  StatusOr<UserRecord> u = GetUser(db, id);
  if (!u.ok()) return u.status();
  AIDLINK_ASSIGN_STMT(st, db, "UPDATE users SET password_hash = ? WHERE id = ?");
  st->Bind(1, password_hash).Bind(2, id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  u->password_hash = password_hash;
  StatusOr<int> ended = EndUserSessions(db, id, keep_session_id, now, "password_changed");
  if (!ended.ok()) return ended.status();
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "user_password_set", "user", id, UserDetail(*u, *ended)));
  return u;
}

StatusOr<SessionRecord> InsertSession(Database& db, SessionRecord s, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT INTO sessions (hash, user_id, created_at, last_seen, expires_at) "
                      "VALUES (?, ?, ?, ?, ?)");
  BindAll(st, s.hash, s.user_id, s.created_at, s.last_seen);
  st->Bind(5, s.expires_at);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  s.id = db.LastInsertId();
  s.ended_at.clear();
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "session_started", "session", s.id,
                                      "{\"user_id\":" + std::to_string(s.user_id) + "}"));
  return s;
}

StatusOr<std::optional<SessionWithUser>> FindSessionByHash(Database& db, const std::string& hash) {
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT ") + kSessionCols + ", " + kUserColsOfU +
                          " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?");
  st->Bind(1, hash);
  return MaybeOne<SessionWithUser>(st, [](const Statement& row) {
    return SessionWithUser{ReadSession(row), ReadUser(row, kSessionColCount)};
  });
}

Status TouchSession(Database& db, int64_t session_id, const std::string& now) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "UPDATE sessions SET last_seen = ? "
                      "WHERE id = ? AND ended_at IS NULL AND last_seen < ?");
  BindAll(st, now, session_id, now);
  return st->Run();
}

StatusOr<SessionRecord> EndSession(Database& db, int64_t session_id, const std::string& now,
                                   const std::string& reason, const Actor& actor) {
  AIDLINK_ASSIGN_STMT(find, db,
                      std::string("SELECT ") + kSessionCols + " FROM sessions s WHERE s.id = ?");
  find->Bind(1, session_id);
  StatusOr<SessionRecord> found = internal::One<SessionRecord>(find, ReadSession, "session", "id");
  if (!found.ok()) return found.status();
  SessionRecord& s = *found;
  if (!s.ended_at.empty()) return FailedPrecondition("the session has already ended");
  AIDLINK_ASSIGN_STMT(st, db, "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?");
  BindAll(st, now, reason, session_id);
  AIDLINK_RETURN_IF_ERROR(st->Run());
  s.ended_at = now;
  AIDLINK_RETURN_IF_ERROR(
      AppendEvent(db, actor, "session_ended", "session", session_id,
                  "{\"user_id\":" + std::to_string(s.user_id) + ",\"reason\":\"" + reason + "\"}"));
  return s;
}

StatusOr<bool> CallerStillLive(Database& db, int64_t token_id, int64_t session_id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      session_id != 0
                          ? "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id "
                            "WHERE s.id = ? AND s.ended_at IS NULL AND u.disabled_at IS NULL"
                          : "SELECT 1 FROM tokens WHERE id = ? AND revoked_at IS NULL");
  st->Bind(1, session_id != 0 ? session_id : token_id);
  return internal::Exists(st);
}

}  // namespace aidlink::store
