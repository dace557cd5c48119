#include "api/router.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <future>

#include "aidlink/v1/responses.pb.h"
#include "api/context.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "store/accounts.h"
#include "store/repo.h"
#include "util/date.h"
#include "util/logging.h"

namespace aidlink::api {
namespace {

// The segments of `path` (views into it).
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    if (!key.empty()) out[std::move(key)] = std::move(value);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Matches one path segment against a template segment; "{id}" (optionally
// followed by ":action") captures a positive integer.
bool MatchSegment(std::string_view tmpl, std::string_view seg, int64_t* id) {
  constexpr std::string_view kId = "{id}";
  if (tmpl.substr(0, kId.size()) != kId) return tmpl == seg;
  const std::string_view suffix = tmpl.substr(kId.size());
  if (seg.size() <= suffix.size() || seg.substr(seg.size() - suffix.size()) != suffix) return false;
  const std::string_view digits = seg.substr(0, seg.size() - suffix.size());
  if (digits.size() > 18) return false;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < 1) return false;
  *id = v;
  return true;
}

// GET /healthz: {"status":"ok"} while the server runs; no authentication.
Response Healthz(Context& ctx) {
  v1::Health h;
  h.set_status("ok");
  return ctx.Reply(200, h);
}

}  // namespace

Response Router::MetricsAnswer() const {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = MetricsText();
  return r;
}

Router::Access Router::Access::Anyone() {
  Access a{};
  a.authenticate = false;
  return a;
}

Router::Access Router::Access::AnyRole() {
  return {Role::kAdmin, Role::kDispatcher, Role::kStation, Role::kDonor};
}

Router::Access Router::Access::LoopbackOrAdmin() {
  Access a{Role::kAdmin};
  a.loopback_public = true;
  return a;
}

bool Router::Access::Admits(Role role) const {
  if (role == Role::kAdmin) return true;
  for (Role r : roles) {
    if (r == role) return true;
  }
  return false;
}

// The route table is DESIGN.md's role table: each route names the roles it
// admits (admins are always admitted). Handlers check only object-level
// scope (a station's own requesters, a donor's own lots), through
// Principal::MaySeeStation / MaySeeDonor.
Router::Router(store::Store& store, AccountOptions accounts)
    : store_(store), accounts_(std::move(accounts)) {
  constexpr Role kDispatcher = Role::kDispatcher;
  constexpr Role kStation = Role::kStation;
  constexpr Role kDonor = Role::kDonor;
  const Access any = Access::AnyRole();
  const Access admin{Role::kAdmin};
  const Access dispatcher{kDispatcher};
  const Access desk_or_station{kDispatcher, kStation};
  const Access desk_or_donor{kDispatcher, kDonor};
  // A volunteer sees its assigned routes' stops and records their outcomes
  // (Principal::MaySeeRoute / MaySeeDelivery); it may also see who it is,
  // log out and change its password.
  constexpr Role kVolunteer = Role::kVolunteer;
  const Access anyone_signed_in{Role::kAdmin, kDispatcher, kStation, kDonor, kVolunteer};
  const Access desk_or_volunteer{kDispatcher, kVolunteer};
  const Access door{kDispatcher, kStation, kVolunteer};
  Add("GET", "/healthz", Healthz, Access::Anyone());
  Add(
      "GET", "/metrics", [this](Context&) { return MetricsAnswer(); }, Access::LoopbackOrAdmin(),
      Cost::kHeavy);  // the open-needs gauge counts open needs by a scan
  // A dispatcher issues volunteer tokens and users only (the handlers check).
  Add("POST", "/v1/tokens", CreateToken, dispatcher);
  // Password hashing takes tens of milliseconds: off the I/O threads.
  Add("POST", "/v1/users", CreateUser, dispatcher, Cost::kHeavy);
  Add("GET", "/v1/users", ListUsers, admin);
  Add("POST", "/v1/users/{id}:disable", DisableUser, admin);
  Add("POST", "/v1/users/{id}:set_password", SetUserPassword, anyone_signed_in, Cost::kHeavy);
  Add("POST", "/v1/sessions", Login, Access::Anyone(), Cost::kHeavy);
  Add("DELETE", "/v1/sessions/current", Logout, anyone_signed_in);
  Add("GET", "/v1/me", Me, anyone_signed_in);
  Add("POST", "/v1/items", CreateItem, dispatcher);
  Add("GET", "/v1/items", ListItems, any);
  Add("GET", "/v1/items/{id}", GetItem, any);
  Add("POST", "/v1/donors", CreateDonor, dispatcher);
  Add("GET", "/v1/donors", ListDonors, dispatcher);
  Add("GET", "/v1/donors/{id}", GetDonor, desk_or_donor);
  Add("POST", "/v1/depots", CreateDepot, dispatcher);
  Add("GET", "/v1/depots", ListDepots, any);
  Add("GET", "/v1/depots/{id}", GetDepot, any);
  Add("POST", "/v1/stations", CreateStation, admin);
  Add("GET", "/v1/stations", ListStations, any);
  Add("GET", "/v1/stations/{id}", GetStation, any);
  Add("POST", "/v1/requesters", CreateRequester, desk_or_station);
  Add("GET", "/v1/requesters", ListRequesters, desk_or_station);
  Add("GET", "/v1/requesters/{id}", GetRequester, desk_or_station);
  Add("POST", "/v1/lots", CreateLot, desk_or_donor);
  Add("GET", "/v1/lots", ListLots, desk_or_donor);
  Add("GET", "/v1/lots/{id}", GetLot, desk_or_donor);
  Add("POST", "/v1/lots/{id}:write_off", WriteOffLot, dispatcher);
  Add("POST", "/v1/lots/{id}:receive", ReceiveLot, dispatcher);
  Add("POST", "/v1/needs", CreateNeed, desk_or_station);
  Add("GET", "/v1/needs", ListNeeds, desk_or_station);
  Add("GET", "/v1/needs/{id}", GetNeed, desk_or_station);
  Add("POST", "/v1/needs/{id}:cancel", CancelNeed, desk_or_station);
  Add("POST", "/v1/match/runs", CreateMatchRun, dispatcher, Cost::kHeavy);
  Add("GET", "/v1/match/runs/{id}", GetMatchRun, dispatcher, Cost::kHeavy);
  Add("POST", "/v1/routes", CreateRoute, dispatcher);
  Add("GET", "/v1/routes/{id}", GetRoute, desk_or_volunteer);
  Add("POST", "/v1/routes/{id}:dispatch", DispatchRoute, dispatcher);
  Add("POST", "/v1/routes/{id}:assign", AssignRoute, dispatcher);
  Add("GET", "/v1/routes/{id}/manifest", GetManifest, desk_or_volunteer, Cost::kHeavy);
  Add("GET", "/v1/deliveries", ListDeliveries, door);
  Add("GET", "/v1/deliveries/{id}", GetDelivery, door);
  Add("POST", "/v1/deliveries/{id}:dispatch", DispatchDelivery, dispatcher);
  Add("POST", "/v1/deliveries/{id}:deliver", DeliverDelivery, door);
  Add("POST", "/v1/deliveries/{id}:fail", FailDelivery, desk_or_volunteer);
  Add("POST", "/v1/deliveries/{id}:correct", CorrectDelivery, dispatcher);
  Add("POST", "/v1/deliveries/{id}:cancel", CancelDelivery, dispatcher);
  Add("POST", "/v1/lots:expire", ExpireLots, dispatcher);
  Add("GET", "/v1/donors/{id}/trace", GetDonorTrace, desk_or_donor, Cost::kHeavy);
  Add("GET", "/v1/reports/ledger", GetLedgerReport, dispatcher, Cost::kHeavy);
  Add("GET", "/v1/lots/{id}/receipt", GetLotReceipt, desk_or_donor);
  // Edits: the roles that create an object change it.
  Add("PATCH", "/v1/items/{id}", PatchItem, dispatcher);
  Add("PATCH", "/v1/donors/{id}", PatchDonor, dispatcher);
  Add("PATCH", "/v1/depots/{id}", PatchDepot, dispatcher);
  Add("PATCH", "/v1/stations/{id}", PatchStation, admin);
  Add("PATCH", "/v1/requesters/{id}", PatchRequester, desk_or_station);
  Add("POST", "/v1/requesters/{id}:deactivate", DeactivateRequester, desk_or_station);
  Add("PATCH", "/v1/lots/{id}", PatchLot, desk_or_donor);
  Add("PATCH", "/v1/needs/{id}", PatchNeed, desk_or_station);
  Add("GET", "/v1/routes", ListRoutes, desk_or_volunteer);
  Add("GET", "/v1/match/runs", ListMatchRuns, dispatcher);
  // Duplicate cases: a station sees (and resolves) only cases of its own
  // registrations, and of them only its own sides (the handlers check).
  Add("GET", "/v1/duplicates", ListDuplicates, desk_or_station);
  Add("GET", "/v1/duplicates/{id}", GetDuplicate, desk_or_station);
  Add("POST", "/v1/duplicates/{id}:resolve", ResolveDuplicate, desk_or_station);
  Add("POST", "/v1/duplicates/{id}:reopen", ReopenDuplicate, desk_or_station);
  // Quotas (caps): the desk sets them; they hold no household data, so
  // every role may read them. Entitlements are the requester's: its
  // station's (the handler's scope) or the desk's.
  Add("POST", "/v1/quotas", CreateQuota, dispatcher);
  Add("GET", "/v1/quotas", ListQuotas, any);
  Add("GET", "/v1/quotas/{id}", GetQuota, any);
  Add("PATCH", "/v1/quotas/{id}", PatchQuota, dispatcher);
  Add("POST", "/v1/quotas/{id}:disable", DisableQuota, dispatcher);
  Add("GET", "/v1/requesters/{id}/entitlements", GetEntitlements, desk_or_station);
}

void Router::Add(std::string method, std::string path, Handler handler, Access access, Cost cost) {
  const std::vector<std::string_view> segments = SplitPath(path);
  Route r{std::move(method),
          path,
          {segments.begin(), segments.end()},
          std::move(access),
          cost == Cost::kHeavy,
          std::move(handler)};
  routes_.push_back(std::move(r));
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.path, r.access});
  return out;
}

// One request on its way through the router. Shared by the steps that may
// run on different threads (the caller's, a worker's, the store writer's);
// only one of them touches it at a time.
struct Router::Call {
  Request request;
  Done done;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::unique_ptr<Context> ctx;  // refers to `request`
  const Route* route = nullptr;
};

void Router::HandleAsync(Request request, const Offload& offload, Done done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->done = std::move(done);
  try {
    if (!Prepare(call)) return;
  } catch (const std::exception& e) {
    return Finish(call, ErrorResponse(Internal(std::string("handler exception: ") + e.what())));
  }
  if (call->route->heavy && offload) {
    // Not across the wait for a worker: a new transaction starts there.
    call->ctx->EndRead();
    offload([this, call] { Run(call); });
  } else {
    Run(call);
  }
}

Response Router::Handle(const Request& request) {
  std::promise<Response> promise;
  std::future<Response> answer = promise.get_future();
  HandleAsync(request, nullptr, [&promise](Response r) { promise.set_value(std::move(r)); });
  return answer.get();
}

bool Router::Prepare(const std::shared_ptr<Call>& call) {
  const Request& request = call->request;
  const std::string_view target = request.target;
  const size_t qpos = target.find('?');
  const std::string path = PercentDecode(target.substr(0, qpos), false);
  std::map<std::string, std::string> query;
  if (qpos != std::string_view::npos) query = ParseQuery(target.substr(qpos + 1));
  call->ctx = std::make_unique<Context>(store_, request, path, std::move(query));
  Context& ctx = *call->ctx;
  ctx.set_accounts(&accounts_);

  if (path.empty() || path[0] != '/') {
    Finish(call, ctx.Error(InvalidArgument("request target must be an absolute path")));
    return false;
  }
  const std::vector<std::string_view> segments = SplitPath(path);
  std::string allowed;  // the methods of the routes whose template matches the path
  int64_t id = 0;
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    int64_t candidate = 0;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i)
      ok = MatchSegment(r.segments[i], segments[i], &candidate);
    if (!ok) continue;
    if (r.method == request.method) {
      call->route = &r;
      id = candidate;
      break;
    }
    allowed += (allowed.empty() ? "" : ", ") + r.method;
    if (r.method == "GET") allowed += ", HEAD";  // net/ answers HEAD as GET without the body
  }
  if (call->route == nullptr && allowed.empty()) {
    Finish(call, ctx.Error(NotFound("no such endpoint: " + path)));
    return false;
  }
  if (call->route == nullptr) {
    // RFC 9110: a known resource that does not support the method.
    Response r =
        ctx.Error(Status(Code::kMethodNotAllowed, request.method + " is not supported on " + path));
    r.headers.emplace_back("Allow", allowed);
    Finish(call, std::move(r));
    return false;
  }
  ctx.set_id(id);
  return Admit(call);
}

bool Router::Admit(const std::shared_ptr<Call>& call) {
  const Access& access = call->route->access;
  Context& ctx = *call->ctx;
  if (!access.authenticate || (access.loopback_public && call->request.from_loopback)) return true;
  auto p = ctx.Read(
      [&](store::Database& db) { return AuthenticateRequest(db, call->request, accounts_); });
  if (!p.ok()) {
    Finish(call, ctx.Error(p.status()));
    return false;
  }
  if (!access.Admits(p->role)) {
    Finish(call, ctx.Error(PermissionDenied(std::string("this action is not permitted for role ") +
                                            RoleName(p->role))));
    return false;
  }
  const std::string& method = call->request.method;
  if (p->via_session() && method != "GET" && method != "HEAD") {
    // A browser sends the cookie with any request to this server, a forged
    // cross-site one too: writes must show they come from our own pages.
    if (Status s = CheckCsrf(call->request); !s.ok()) {
      Finish(call, ctx.Error(s));
      return false;
    }
  }
  if (p->via_session()) TouchSession(*p);
  ctx.set_principal(*p);
  return true;
}

void Router::TouchSession(Principal& p) {
  const TimePoint now = accounts_.Now();
  if (p.session_last_seen >= date::Rfc3339(now - accounts_.options().touch_interval)) return;
  p.session_last_seen = date::Rfc3339(now);
  // Not waited for: the request goes on while the store records the use.
  store_.WriteAsync([id = p.session_id, seen = p.session_last_seen](
                        store::Database& db) { return store::TouchSession(db, id, seen); },
                    false,
                    [](const Status& s) {
                      if (!s.ok()) log::Warn("session_touch_failed", {{"error", s.message()}});
                    });
}

void Router::Run(const std::shared_ptr<Call>& call) {
  Response response;
  try {
    response = call->route->handler(*call->ctx);
    call->ctx->EndRead();
  } catch (const std::exception& e) {
    return Finish(call, ErrorResponse(Internal(std::string("handler exception: ") + e.what())));
  }
  if (!call->ctx->has_deferred_write()) return Finish(call, std::move(response));
  Context::DeferredWrite deferred = call->ctx->TakeDeferredWrite();
  auto answer = std::move(deferred.answer);
  store_.WriteAsync(
      std::move(deferred.write), deferred.alone,
      [this, call, answer = std::move(answer)](Status s) { Finish(call, answer(s)); });
}

void Router::Finish(const std::shared_ptr<Call>& call, Response response) {
  if (call->ctx != nullptr) call->ctx->EndRead();  // an error before the handler ran
  if (call->route != nullptr) response.route = call->route->path;
  if (call->ctx != nullptr && call->ctx->authenticated()) {
    response.role = RoleName(call->ctx->principal().role);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - call->start).count();
  Record(response.route.empty() ? "unmatched" : response.route, response.status, seconds);
  Done done = std::move(call->done);
  done(std::move(response));
}

void Router::Record(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find({route, status});
  if (it == requests_.end()) {
    it = requests_.emplace(std::make_pair(route, status), Histogram(Histogram::LatencyBounds()))
             .first;
  }
  it->second.Observe(seconds);
}

}  // namespace aidlink::api
