// aidlink-server: flags, the store, the router and the listener.
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/router.h"
#include "commands.h"
#include "dedup/keys.h"
#include "net/server.h"
#include "store/duplicates.h"
#include "store/store.h"
#include "util/logging.h"
#include "util/text.h"
#include "util/time_zone.h"
#include "web/static_site.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace aidlink {
namespace {

struct Flags {
  std::string db = "var/aidlink.db";
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  int workers = 4;
  std::string admin_token_file = "var/admin.token";
  size_t max_body = 1 << 20;
  int read_timeout = 30;
  std::string port_file;
  std::string group_commit = "on";
  std::string synchronous = "full";
  std::string tls_cert, tls_key;
  int max_connections = 10000;
  int idempotency_retention_hours = 48;
  int busy_timeout_ms = 10'000;
  int session_idle_hours = 12;
  int session_max_days = 7;
  int outcome_correction_hours = 72;
  // Empty: dedup.key beside the admin token file.
  std::string dedup_key_file;
  int duplicate_hold_hours = 48;
  std::string time_zone = tz::kDefaultTimeZone;
  std::string web_root = AIDLINK_DEFAULT_WEB_ROOT;
};

// API.md promises that an Idempotency-Key replays for at least this long.
constexpr int kMinIdempotencyRetentionHours = 24;

// Descriptors kept free for the database, the log and accept() itself.
constexpr rlim_t kReservedFds = 64;

// Raises the soft limit on open files to the hard limit (many idle or slow
// clients each hold a socket) and returns the resulting soft limit.
rlim_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = before;
  }
  log::Info("file_limit", {{"soft_before", static_cast<uint64_t>(before)},
                           {"soft", static_cast<uint64_t>(limit.rlim_cur)},
                           {"hard", static_cast<uint64_t>(limit.rlim_max)}});
  return limit.rlim_cur;
}

// A preset admin token shorter than this (32 hex characters: 128 bits) is
// refused at start: it could be guessed.
constexpr size_t kMinAdminTokenChars = 32;

// Reads the admin token from `path`, or creates one there (mode 0600, by the
// umask main() sets) if the file is missing or empty. Sets *created when it
// made a new one.
StatusOr<std::string> LoadOrCreateAdminToken(const std::string& path, bool* created) {
  *created = false;
  {
    std::ifstream in(path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string token(text::Trim(ss.str()));
      if (!token.empty() && token.size() < kMinAdminTokenChars) {
        return InvalidArgument("the admin token in " + path + " is shorter than " +
                               std::to_string(kMinAdminTokenChars) +
                               " characters (128 bits as hex); put a longer one there, or "
                               "empty the file to have one made");
      }
      if (!token.empty()) return token;
    }
  }
  const std::string token = api::NewToken();
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return Internal("cannot write admin token file " + path);
    out << token << "\n";
    if (!out.flush()) return Internal("cannot write admin token file " + path);
  }
  *created = true;
  return token;
}

// Writes the bound port to `path` atomically (temp file, then rename), so a
// test polling for it never reads half a number.
Status WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return Internal("cannot write port file " + path);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot write port file " + path + ": " + ec.message());
  return Status::Ok();
}

StatusOr<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("--listen must be HOST:PORT", "listen");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return InvalidArgument("--listen port must be 0..65535", "listen");
  }
  return std::make_pair(host, static_cast<uint16_t>(std::stoi(port)));
}

// The web UI's files, or null (the UI off) with a log line saying why.
std::unique_ptr<web::StaticSite> LoadSite(const std::string& root) {
  auto site = web::StaticSite::Load(root);
  if (!site.ok()) {
    log::Warn("web_ui_off", {{"web_root", root}, {"reason", site.status().message()}});
    return nullptr;
  }
  log::Info("web_ui",
            {{"web_root", root}, {"files", static_cast<uint64_t>((*site)->file_count())}});
  return std::move(*site);
}

// The start-up failures below print one line to stderr and exit non-zero.
int Fail(int code, std::string_view message) {
  std::cerr << "aidlink-server: " << message << "\n";
  return code;
}

StatusOr<std::unique_ptr<store::Store>> OpenStore(const Flags& flags) {
  std::error_code ec;
  const fs::path db_path(flags.db);
  if (db_path.has_parent_path()) fs::create_directories(db_path.parent_path(), ec);
  store::StoreOptions options;
  options.path = flags.db;
  options.group_commit = flags.group_commit == "on";
  options.synchronous = flags.synchronous == "full" ? "FULL" : "NORMAL";
  options.idempotency_retention = std::chrono::hours(flags.idempotency_retention_hours);
  options.busy_timeout = std::chrono::milliseconds(flags.busy_timeout_ms);
  options.outcome_correction = std::chrono::hours(flags.outcome_correction_hours);
  // The secret of the dedup keys: its path may be logged, its bytes never.
  const std::string key_file =
      !flags.dedup_key_file.empty()
          ? flags.dedup_key_file
          : (fs::path(flags.admin_token_file).parent_path() / "dedup.key").string();
  auto secret = dedup::LoadOrCreateSecret(key_file);
  if (!secret.ok())
    return Status(secret.status().code(), key_file + ": " + secret.status().message());
  options.dedup_secret = *secret;
  options.duplicate_hold = std::chrono::hours(flags.duplicate_hold_hours);
  options.time_zone = flags.time_zone;
  return store::Store::Open(options);
}

// Loads or creates the admin token and makes sure the store knows it.
Status SetUpAdminToken(store::Store& store, const std::string& path) {
  bool created = false;
  auto token = LoadOrCreateAdminToken(path, &created);
  if (!token.ok()) return token.status();
  AIDLINK_RETURN_IF_ERROR(api::EnsureAdminToken(store, *token));
  if (created) {
    log::Info("admin_token_created",
              {{"file", path},
               {"note", "keep it secret; use it as: Authorization: Bearer $(cat " + path + ")"}});
  }
  return Status::Ok();
}

// Keys for the requesters registered before duplicate detection existed.
Status BackfillDedupKeys(store::Store& store) {
  int written = 0;
  AIDLINK_RETURN_IF_ERROR(store.Write([&](store::Database& db) -> Status {
    auto n = store::BackfillRequesterKeys(db, store.dedup_secret());
    if (!n.ok()) return n.status();
    written = *n;
    return Status::Ok();
  }));
  if (written > 0) log::Info("dedup_keys_backfilled", {{"requesters", written}});
  return Status::Ok();
}

// --max-connections, capped below the open-file limit: past it accept()
// would fail instead of refusing cleanly.
int MaxConnections(int wanted) {
  const rlim_t fds = RaiseFileLimit();
  if (fds == RLIM_INFINITY || static_cast<rlim_t>(wanted) + kReservedFds <= fds) return wanted;
  const int capped =
      fds > 2 * kReservedFds ? static_cast<int>(fds - kReservedFds) : static_cast<int>(fds / 2);
  log::Warn("max_connections_lowered",
            {{"max_connections", capped}, {"file_limit", static_cast<uint64_t>(fds)}});
  return capped;
}

net::ServerOptions ServerOptionsFor(const Flags& flags, const std::pair<std::string, uint16_t>& at,
                                    const web::StaticSite* site) {
  net::ServerOptions options;
  options.site = site;
  options.host = at.first;
  options.port = at.second;
  options.io_threads = flags.threads;
  options.worker_threads = flags.workers;
  options.max_body_bytes = flags.max_body;
  options.read_timeout = std::chrono::seconds(flags.read_timeout);
  options.tls_cert_file = flags.tls_cert;
  options.tls_key_file = flags.tls_key;
  options.max_connections = MaxConnections(flags.max_connections);
  return options;
}

int Serve(const Flags& flags) {
  auto listen = ParseListen(flags.listen);
  if (!listen.ok()) return Fail(2, listen.status().message());
  auto store = OpenStore(flags);
  if (!store.ok()) return Fail(1, store.status().ToString());
  if (Status s = SetUpAdminToken(**store, flags.admin_token_file); !s.ok()) {
    return Fail(1, s.code() == Code::kInvalidArgument ? s.message() : s.ToString());
  }
  if (Status s = BackfillDedupKeys(**store); !s.ok()) return Fail(1, s.ToString());
  api::AccountOptions accounts;
  accounts.session_idle = std::chrono::hours(flags.session_idle_hours);
  accounts.session_lifetime = std::chrono::hours(24 * flags.session_max_days);
  api::Router router(**store, accounts);
  const std::unique_ptr<web::StaticSite> site = LoadSite(flags.web_root);
  const net::ServerOptions options = ServerOptionsFor(flags, *listen, site.get());
  auto server = net::Server::Create(router, options);
  if (!server.ok()) return Fail(1, server.status().message());
  if (!flags.port_file.empty()) {
    if (Status s = WritePortFile(flags.port_file, (*server)->port()); !s.ok()) {
      return Fail(1, s.message());
    }
  }
  log::Info("listening", {{"host", options.host},
                          {"port", static_cast<int>((*server)->port())},
                          {"db", flags.db},
                          {"group_commit", flags.group_commit},
                          {"tls", flags.tls_cert.empty() ? "off" : "on"}});
  (*server)->Run();
  // The store first: it finishes queued writes, whose answers still go to
  // the (stopped) server's connections; then it checkpoints and closes.
  store->reset();
  server->reset();
  log::Info("stopped");
  return 0;
}

po::options_description FlagOptions(Flags& flags) {
  po::options_description desc(
      "aidlink-server: donation logistics server\n"
      "Also: aidlink-server token list|revoke --db PATH [ID], aidlink-server user "
      "add|list|disable|set-password --db PATH ..., aidlink-server backup --db PATH --to "
      "FILE\n\nOptions");
  desc.add_options()("help,h", "show this help and exit")(
      "db", po::value(&flags.db)->default_value(flags.db),
      "SQLite database file (created if missing)")(
      "listen", po::value(&flags.listen)->default_value(flags.listen),
      "HOST:PORT to listen on (port 0: any free port)")(
      "threads", po::value(&flags.threads)->default_value(flags.threads), "I/O threads")(
      "workers", po::value(&flags.workers)->default_value(flags.workers),
      "threads for heavy requests (match runs, manifests, reports)")(
      "admin-token-file", po::value(&flags.admin_token_file)->default_value(flags.admin_token_file),
      "file holding the admin token; if missing or empty a random token is created there")(
      "max-body", po::value(&flags.max_body)->default_value(flags.max_body),
      "largest request body in bytes (413 beyond)")(
      "read-timeout", po::value(&flags.read_timeout)->default_value(flags.read_timeout),
      "seconds to wait for a request before closing the connection")(
      "port-file", po::value(&flags.port_file), "write the bound port to this file once listening")(
      "group-commit", po::value(&flags.group_commit)->default_value(flags.group_commit),
      "on: concurrent writes share one transaction and fsync; off: one each")(
      "synchronous", po::value(&flags.synchronous)->default_value(flags.synchronous),
      "full: survive power loss; normal: survive a crash")(
      "tls-cert", po::value(&flags.tls_cert),
      "PEM certificate chain: serve HTTPS (with --tls-key)")("tls-key", po::value(&flags.tls_key),
                                                             "PEM private key for --tls-cert")(
      "max-connections", po::value(&flags.max_connections)->default_value(flags.max_connections),
      "connections served at once; beyond it a new connection gets 503 and is closed "
      "(lowered to fit the open-file limit)")(
      "idempotency-retention-hours",
      po::value(&flags.idempotency_retention_hours)
          ->default_value(flags.idempotency_retention_hours),
      "hours an Idempotency-Key replays its first answer (at least 24); older keys act as new "
      "and their saved answers are deleted")(
      "busy-timeout-ms", po::value(&flags.busy_timeout_ms)->default_value(flags.busy_timeout_ms),
      "how long a write waits for a lock another process holds on the database (a backup "
      "tool, say) before answering 503 with Retry-After")(
      "session-idle-hours",
      po::value(&flags.session_idle_hours)->default_value(flags.session_idle_hours),
      "hours a login session may go unused before it ends")(
      "session-max-days", po::value(&flags.session_max_days)->default_value(flags.session_max_days),
      "days after login that a session ends, however much it is used")(
      "outcome-correction-hours",
      po::value(&flags.outcome_correction_hours)->default_value(flags.outcome_correction_hours),
      "hours after a delivery's outcome during which a dispatcher may correct it (:correct)")(
      "dedup-key-file", po::value(&flags.dedup_key_file),
      "file holding the secret of duplicate detection's keys (created with mode 0600 if "
      "missing; default: dedup.key beside --admin-token-file, var/dedup.key)")(
      "duplicate-hold-hours",
      po::value(&flags.duplicate_hold_hours)->default_value(flags.duplicate_hold_hours),
      "hours a likely duplicate case holds the newer registration's needs (0: never)")(
      "time-zone", po::value(&flags.time_zone)->default_value(flags.time_zone),
      "IANA time zone whose calendar days quota windows (calendar_week is Monday to Sunday) "
      "and a match run's default as_of are counted in")(
      "web-root", po::value(&flags.web_root)->default_value(flags.web_root),
      "folder of the web UI's build (served at / for every non-API path); missing: the UI is "
      "off");
  return desc;
}

// What is wrong with the flags, or empty.
std::string FlagsError(const Flags& flags) {
  if (flags.threads < 1 || flags.workers < 1 || flags.max_body < 1 || flags.read_timeout < 1 ||
      flags.max_connections < 1 || flags.busy_timeout_ms < 1) {
    return "--threads, --workers, --max-body, --read-timeout, --max-connections and "
           "--busy-timeout-ms must be positive";
  }
  if (flags.session_idle_hours < 1 || flags.session_max_days < 1) {
    return "--session-idle-hours and --session-max-days must be positive";
  }
  if (flags.outcome_correction_hours < 0) return "--outcome-correction-hours must not be negative";
  if (flags.duplicate_hold_hours < 0) return "--duplicate-hold-hours must not be negative";
  if (!tz::CheckTimeZone(flags.time_zone).ok()) {
    return "--time-zone: " + tz::CheckTimeZone(flags.time_zone).message();
  }
  if (flags.idempotency_retention_hours < kMinIdempotencyRetentionHours) {
    return "--idempotency-retention-hours must be at least " +
           std::to_string(kMinIdempotencyRetentionHours);
  }
  if (flags.group_commit != "on" && flags.group_commit != "off") {
    return "--group-commit must be on or off";
  }
  if (flags.synchronous != "full" && flags.synchronous != "normal") {
    return "--synchronous must be full or normal";
  }
  return "";
}

// Parses the command line into `flags`; returns an exit code if the server
// should not start (--help, or a bad flag).
std::optional<int> ParseFlags(int argc, char** argv, Flags& flags) {
  const po::options_description desc = FlagOptions(flags);
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-server: " << e.what() << "\n" << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (const std::string error = FlagsError(flags); !error.empty()) return Fail(2, error);
  return std::nullopt;
}

}  // namespace
}  // namespace aidlink

int main(int argc, char** argv) {
  // Before any file exists: the database (and its -wal/-shm), backups and
  // the admin token file hold household data or secrets, so they are born
  // owner-only rather than chmod-ed after a window of being world-readable.
  umask(077);
  if (aidlink::IsCommand(argc, argv)) return aidlink::RunCommand(argc, argv);
  aidlink::Flags flags;
  if (const std::optional<int> code = aidlink::ParseFlags(argc, argv, flags)) return *code;
  try {
    return aidlink::Serve(flags);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-server: fatal: " << e.what() << "\n";
    return 1;
  }
}
