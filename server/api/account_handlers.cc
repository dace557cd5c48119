#include "aidlink/v1/accounts.pb.h"
#include "api/accounts.h"
#include "api/handlers.h"
#include "api/password.h"
#include "store/accounts.h"
#include "util/date.h"
#include "util/logging.h"
#include "util/vocab.h"

namespace aidlink::api {
namespace {

// The 429 of a throttled login: the same whether the username exists or not.
Response Throttled(Context& ctx, std::chrono::seconds wait, const std::string& user_key) {
  log::Warn("login_throttled", {{"user_hash", user_key.substr(0, 16)},
                                {"peer", ctx.request().peer},
                                {"retry_after", static_cast<int64_t>(wait.count())}});
  Response r = ctx.Error(
      Status(Code::kResourceExhausted, "too many failed logins; try again after Retry-After"));
  r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return r;
}

// Logs a failed password check without the password or the username (a
// prefix of the username's hash tells repeated attempts apart).
void LogFailure(Context& ctx, const char* what, const std::string& user_key) {
  log::Warn(what, {{"user_hash", user_key.substr(0, 16)}, {"peer", ctx.request().peer}});
}

}  // namespace

// POST /v1/users: creates a user with a role and scope, as for a token;
// admin, or a dispatcher for a volunteer (403 naming role otherwise). 400 naming the field for a
// bad username, password (< 10 characters), role or scope; 404 for an unknown station or donor; 409
// if the username is taken. The answer never holds the password.
Response CreateUser(Context& ctx) {
  v1::CreateUserRequest req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  // Before the password is hashed: a refusal costs nothing.
  if (vocab::Find(vocab::kRoles, req.role()) != nullptr) {
    if (Status s = MayIssueRole(ctx.principal(), req.role()); !s.ok()) return ctx.Error(s);
  }
  NewUser user{req.username(), req.password(), req.role(),
               std::nullopt,   std::nullopt,   req.display_name()};
  if (req.has_station_id()) user.station_id = req.station_id();
  if (req.has_donor_id()) user.donor_id = req.donor_id();
  StatusOr<store::UserRecord> record = NewUserRecord(user);
  if (!record.ok()) return ctx.Error(record.status());
  return CommitRow<v1::User>(ctx, 201, [rec = *record, &ctx](store::Database& db) {
    return store::InsertUser(db, rec, ctx.principal().actor());
  });
}

// GET /v1/users: every user, by id, paged; admin.
Response ListUsers(Context& ctx) { return ReplyPage<v1::UserList>(ctx, store::ListUsers); }

// POST /v1/users/{id}:disable: the user can no longer log in and its
// sessions end (refused from the next request on); admin. 404 if there is
// no such user, 422 if it is already disabled.
Response DisableUser(Context& ctx) {
  const std::string now = date::Rfc3339(ctx.accounts().Now());
  return CommitRow<v1::User>(ctx, 200, [now, &ctx](store::Database& db) {
    return store::DisableUser(db, ctx.id(), now, ctx.principal().actor());
  });
}

// POST /v1/users/{id}:set_password {password, current_password}: an admin
// sets anyone's; a user its own, giving its current password (403 naming
// current_password if wrong; counted as a failed login). Ends the user's
// other sessions. Any other caller: 404, as for an out-of-scope object.
Response SetUserPassword(Context& ctx) {
  v1::SetPasswordRequest req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  const Principal& p = ctx.principal();
  const bool admin = p.role == Role::kAdmin;
  if (!admin && p.user_id != ctx.id()) return ctx.Error(NotFound("user not found", "id"));
  if (Status s = CheckPassword(req.password(), "password"); !s.ok()) return ctx.Error(s);
  if (!admin) {
    if (req.current_password().empty()) {
      return ctx.Error(InvalidArgument("current_password is required", "current_password"));
    }
    auto user = ctx.Read([&](store::Database& db) { return store::GetUser(db, ctx.id()); });
    if (!user.ok()) return ctx.Error(user.status());
    ctx.EndRead();  // not across the hash
    const std::string key = UsernameKey(user->username);
    const TimePoint now = ctx.accounts().Now();
    const auto wait = ctx.accounts().throttle().Attempt(key, ctx.request().peer, now);
    if (wait.count() > 0) return Throttled(ctx, wait, key);
    if (!VerifyPassword(user->password_hash, req.current_password())) {
      LogFailure(ctx, "password_check_failed", key);
      return ctx.Error(
          Status(Code::kPermissionDenied, "current_password is wrong", "current_password"));
    }
    ctx.accounts().throttle().Forgive(key, ctx.request().peer, now);
  }
  StatusOr<std::string> hash = HashPassword(req.password());
  if (!hash.ok()) return ctx.Error(hash.status());
  const std::string now = date::Rfc3339(ctx.accounts().Now());
  return CommitRow<v1::User>(ctx, 200, [new_hash = *hash, now, &ctx](store::Database& db) {
    const Principal& caller = ctx.principal();
    return store::SetUserPassword(db, ctx.id(), new_hash, caller.session_id, now, caller.actor());
  });
}

namespace {

// The session for `user` after a successful login: its row, and the answer
// with the cookie.
Response StartSession(Context& ctx, const store::UserRecord& user, TimePoint now) {
  const AccountOptions& options = ctx.accounts().options();
  const std::string id = NewToken();
  store::SessionRecord record;
  record.hash = Sha256Hex(id);
  record.user_id = user.id;
  record.created_at = record.last_seen = date::Rfc3339(now);
  record.expires_at = date::Rfc3339(now + options.session_lifetime);
  ctx.AddHeaderOnSuccess("Set-Cookie",
                         SessionCookie(id, options.session_lifetime, ctx.request().tls));
  ctx.AddHeaderOnSuccess("Cache-Control", "no-store");
  const store::Actor actor{0, user.role, user.id};
  return ctx.Commit<v1::Session>(
      201, [record, user, actor, &ctx](store::Database& db, v1::Session& out) -> Status {
        auto s = store::InsertSession(db, record, actor);
        if (!s.ok()) return s.status();
        *out.mutable_user() = ToProto(user);
        out.set_expires_at(ctx.accounts().IdleExpiry(s->last_seen, s->expires_at));
        out.set_absolute_expires_at(s->expires_at);
        return Status::Ok();
      });
}

}  // namespace

// POST /v1/sessions {username, password}: logs in; anyone. 201 with the
// user and expiry and a session cookie. A wrong password, an unknown or a
// disabled username are all the same 401 (an unknown one is checked against
// a dummy hash, so it takes as long); past the failed-login limits 429 with
// Retry-After. A foreign Origin is 403 (login CSRF).
Response Login(Context& ctx) {
  v1::LoginRequest req;
  if (Status s = ctx.Decode(&req); !s.ok()) return ctx.Error(s);
  if (req.username().empty()) return ctx.Error(InvalidArgument("username is required", "username"));
  if (req.password().empty()) return ctx.Error(InvalidArgument("password is required", "password"));
  if (Status s = CheckOrigin(ctx.request()); !s.ok()) return ctx.Error(s);
  Accounts& accounts = ctx.accounts();
  const TimePoint now = accounts.Now();
  const std::string key = UsernameKey(req.username());
  const std::string& peer = ctx.request().peer;
  if (const auto wait = accounts.throttle().Attempt(key, peer, now); wait.count() > 0) {
    return Throttled(ctx, wait, key);
  }
  auto user =
      ctx.Read([&](store::Database& db) { return store::FindUserByUsername(db, req.username()); });
  if (!user.ok()) return ctx.Error(user.status());
  ctx.EndRead();  // not across the hash
  const bool known = user->has_value();
  const bool match =
      VerifyPassword(known ? (*user)->password_hash : DummyPasswordHash(), req.password());
  if (!known || !match || (*user)->disabled()) {
    LogFailure(ctx, "login_failed", key);
    return ctx.Error(Unauthenticated("invalid username or password"));
  }
  accounts.throttle().Forgive(key, peer, now);
  return StartSession(ctx, **user, now);
}

// DELETE /v1/sessions/current: logs out; the session's caller. Ends the
// session and clears the cookie. 404 for a token caller (it has no session).
Response Logout(Context& ctx) {
  const Principal& p = ctx.principal();
  if (!p.via_session()) {
    return ctx.Error(NotFound("no session: this request is authenticated by a token"));
  }
  const std::string now = date::Rfc3339(ctx.accounts().Now());
  ctx.AddHeaderOnSuccess("Set-Cookie", ClearedSessionCookie(ctx.request().tls));
  return ctx.Commit<v1::Session>(200, [now, &ctx](store::Database& db, v1::Session& out) -> Status {
    const Principal& caller = ctx.principal();
    auto s = store::EndSession(db, caller.session_id, now, "logout", caller.actor());
    if (!s.ok()) return s.status();
    auto u = store::GetUser(db, caller.user_id);
    if (!u.ok()) return u.status();
    *out.mutable_user() = ToProto(*u);
    out.set_expires_at(s->ended_at);
    out.set_absolute_expires_at(s->expires_at);
    out.set_ended_at(s->ended_at);
    return Status::Ok();
  });
}

// GET /v1/me: the caller's role, scope and name, by token or session; any
// caller.
Response Me(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::Me out;
  out.set_role(RoleName(p.role));
  if (p.station_id) out.set_station_id(*p.station_id);
  if (p.donor_id) out.set_donor_id(*p.donor_id);
  out.set_display_name(p.display_name);
  out.set_username(p.username);
  if (p.via_session()) {
    out.set_user_id(p.user_id);
    out.set_auth("session");
    out.set_expires_at(ctx.accounts().IdleExpiry(p.session_last_seen, p.session_expires_at));
  } else {
    out.set_token_id(p.token_id);
    out.set_auth("token");
  }
  return ctx.Reply(200, out);
}

}  // namespace aidlink::api
