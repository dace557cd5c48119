#include "commands.h"

#include <boost/program_options.hpp>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "api/accounts.h"
#include "api/password.h"
#include "store/accounts.h"
#include "store/backup.h"
#include "store/database.h"
#include "store/repo.h"
#include "store/schema.h"
#include "util/date.h"
#include "util/secret.h"

namespace po = boost::program_options;

namespace aidlink {
namespace {

// Parses `args` (after the subcommand words) into `desc`/`positional`;
// prints usage and returns false on --help or an error (*code set).
bool Parse(const std::vector<std::string>& args, const po::options_description& desc,
           const po::positional_options_description& positional, po::variables_map* vm, int* code) {
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), *vm);
    if (vm->count("help")) {
      std::cout << desc << "\n";
      *code = 0;
      return false;
    }
    po::notify(*vm);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-server: " << e.what() << "\n" << desc << "\n";
    *code = 2;
    return false;
  }
  return true;
}

// Opens an existing database for the token commands; never creates one.
StatusOr<std::unique_ptr<store::Database>> OpenExisting(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no database at " + path, "db");
  return store::Database::Open(path, false);
}

int Fail(const Status& s) {
  std::cerr << "aidlink-server: " << s.message() << "\n";
  return 1;
}

std::string OptId(const std::optional<int64_t>& id) { return id ? std::to_string(*id) : "-"; }

// Tab-separated, one token a line, so that scripts can cut(1) it. The token
// and its hash are never printed.
int TokenList(const std::string& db_path) {
  auto db = OpenExisting(db_path);
  if (!db.ok()) return Fail(db.status());
  auto tokens = store::ListTokens(**db);
  if (!tokens.ok()) return Fail(tokens.status());
  std::cout << "id\trole\tstation_id\tdonor_id\tlabel\tcreated_at\trevoked_at\n";
  for (const store::TokenRecord& t : *tokens) {
    std::cout << t.id << "\t" << t.role << "\t" << OptId(t.station_id) << "\t" << OptId(t.donor_id)
              << "\t" << t.label << "\t" << t.created_at << "\t" << (t.revoked ? t.revoked_at : "-")
              << "\n";
  }
  return 0;
}

int TokenRevoke(const std::string& db_path, int64_t id) {
  auto db = OpenExisting(db_path);
  if (!db.ok()) return Fail(db.status());
  store::Transaction tx(**db);
  Status s = tx.Begin();
  StatusOr<store::TokenRecord> revoked =
      s.ok() ? store::RevokeToken(**db, id, store::Actor{0, "operator"})
             : StatusOr<store::TokenRecord>(s);
  if (!revoked.ok()) return Fail(revoked.status());
  if (Status c = tx.Commit(); !c.ok()) return Fail(c);
  std::cout << "revoked token " << revoked->id << " (" << revoked->role << ", " << revoked->label
            << ") at " << revoked->revoked_at << "\n";
  return 0;
}

int Token(const std::vector<std::string>& args) {
  const std::string action = args.empty() ? "" : args[0];
  std::string db = "var/aidlink.db";
  int64_t id = 0;
  po::options_description desc(action == "revoke"
                                   ? "aidlink-server token revoke --db PATH ID: revoke a token "
                                     "(a running server refuses it at the next request)\n\nOptions"
                                   : "aidlink-server token list --db PATH: every token's id, role, "
                                     "station or donor, label, creation and revocation\n\nOptions");
  desc.add_options()("help,h", "show this help and exit")("db", po::value(&db)->default_value(db),
                                                          "SQLite database file");
  po::positional_options_description positional;
  if (action == "revoke") {
    desc.add_options()("id", po::value(&id)->required(),
                       "id of the token to revoke (see token list)");
    positional.add("id", 1);
  }
  if (action != "list" && action != "revoke") {
    std::cerr << "usage: aidlink-server token list --db PATH\n"
                 "       aidlink-server token revoke --db PATH ID\n";
    return 2;
  }
  po::variables_map vm;
  int code = 0;
  if (!Parse({args.begin() + 1, args.end()}, desc, positional, &vm, &code)) return code;
  if (action == "list") return TokenList(db);
  if (id < 1) {
    std::cerr << "aidlink-server: token id must be positive\n";
    return 2;
  }
  return TokenRevoke(db, id);
}

// --- users ------------------------------------------------------------------

// Opens an existing database for the user commands, migrated to this
// build's schema (the users table may be new to it).
StatusOr<std::unique_ptr<store::Database>> OpenMigrated(const std::string& path) {
  auto db = OpenExisting(path);
  if (!db.ok()) return db.status();
  if (Status s = store::Migrate(**db); !s.ok()) return s;
  return db;
}

// Runs `fn` in one write transaction on the database at `path`.
template <typename Fn>
Status InTransaction(const std::string& path, Fn fn) {
  auto db = OpenMigrated(path);
  if (!db.ok()) return db.status();
  store::Transaction tx(**db);
  AIDLINK_RETURN_IF_ERROR(tx.Begin());
  AIDLINK_RETURN_IF_ERROR(fn(**db));
  return tx.Commit();
}

// The password from --password-file, else from standard input (prompted
// for, without echo, on a terminal).
StatusOr<std::string> ReadPassword(const std::string& file) {
  if (!file.empty()) return secret::ReadFromFile(file);
  return secret::ReadFromStdin("password (10 characters or more): ");
}

const store::Actor kOperator{0, "operator", 0};

int UserAdd(const std::string& db_path, api::NewUser user, const std::string& password_file) {
  auto password = ReadPassword(password_file);
  if (!password.ok()) return Fail(password.status());
  user.password = *password;
  auto record = api::NewUserRecord(user);
  if (!record.ok()) return Fail(record.status());
  store::UserRecord made;
  Status s = InTransaction(db_path, [&](store::Database& db) -> Status {
    auto u = store::InsertUser(db, *record, kOperator);
    if (!u.ok()) return u.status();
    made = *u;
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::cout << "created user " << made.id << " " << made.username << " (" << made.role
            << (made.station_id ? ", station " + std::to_string(*made.station_id) : "")
            << (made.donor_id ? ", donor " + std::to_string(*made.donor_id) : "") << ")\n";
  return 0;
}

// Tab-separated, one user a line; never the password hash.
int UserList(const std::string& db_path) {
  auto db = OpenMigrated(db_path);
  if (!db.ok()) return Fail(db.status());
  std::cout << "id\tusername\trole\tstation_id\tdonor_id\tdisplay_name\tcreated_at\tdisabled_at\n";
  store::Page page;
  page.limit = 1000;
  for (;;) {
    auto users = store::ListUsers(**db, page);
    if (!users.ok()) return Fail(users.status());
    for (const store::UserRecord& u : *users) {
      std::cout << u.id << "\t" << u.username << "\t" << u.role << "\t" << OptId(u.station_id)
                << "\t" << OptId(u.donor_id) << "\t" << u.display_name << "\t" << u.created_at
                << "\t" << (u.disabled() ? u.disabled_at : "-") << "\n";
    }
    if (static_cast<int>(users->size()) < page.limit) return 0;
    page.after_id = users->back().id;
  }
}

int UserDisable(const std::string& db_path, int64_t id) {
  store::UserRecord u;
  Status s = InTransaction(db_path, [&](store::Database& db) -> Status {
    auto done = store::DisableUser(db, id, date::NowRfc3339(), kOperator);
    if (!done.ok()) return done.status();
    u = *done;
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::cout << "disabled user " << u.id << " " << u.username << " at " << u.disabled_at
            << " (its sessions have ended)\n";
  return 0;
}

int UserSetPassword(const std::string& db_path, int64_t id, const std::string& password_file) {
  auto password = ReadPassword(password_file);
  if (!password.ok()) return Fail(password.status());
  if (Status s = api::CheckPassword(*password, "password"); !s.ok()) return Fail(s);
  auto hash = api::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.status());
  store::UserRecord u;
  Status s = InTransaction(db_path, [&](store::Database& db) -> Status {
    auto done = store::SetUserPassword(db, id, *hash, 0, date::NowRfc3339(), kOperator);
    if (!done.ok()) return done.status();
    u = *done;
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  std::cout << "set the password of user " << u.id << " " << u.username
            << " (its sessions have ended)\n";
  return 0;
}

constexpr const char* kUserUsage =
    "usage: aidlink-server user add --db PATH --username U --role R [--station-id N] "
    "[--donor-id N] --display-name NAME [--password-file F]\n"
    "       aidlink-server user list --db PATH\n"
    "       aidlink-server user disable --db PATH ID\n"
    "       aidlink-server user set-password --db PATH ID [--password-file F]\n"
    "The password is read from --password-file, else from standard input (without echo on a "
    "terminal).\n";

int User(const std::vector<std::string>& args) {
  const std::string action = args.empty() ? "" : args[0];
  if (action != "add" && action != "list" && action != "disable" && action != "set-password") {
    std::cerr << kUserUsage;
    return 2;
  }
  std::string db = "var/aidlink.db", password_file;
  int64_t id = 0, station_id = 0, donor_id = 0;
  api::NewUser user;
  po::options_description desc("aidlink-server user " + action + "\n\nOptions");
  desc.add_options()("help,h", "show this help and exit")("db", po::value(&db)->default_value(db),
                                                          "SQLite database file");
  po::positional_options_description positional;
  if (action == "add") {
    desc.add_options()("username", po::value(&user.username)->required(), "3..64 characters")(
        "role", po::value(&user.role)->required(), "admin, dispatcher, station or donor")(
        "station-id", po::value(&station_id), "the station of a station user")(
        "donor-id", po::value(&donor_id), "the donor of a donor user")(
        "display-name", po::value(&user.display_name)->required(), "the person's name");
  }
  if (action == "disable" || action == "set-password") {
    desc.add_options()("id", po::value(&id)->required(), "the user's id (see user list)");
    positional.add("id", 1);
  }
  if (action == "add" || action == "set-password") {
    desc.add_options()("password-file", po::value(&password_file),
                       "read the password from this file's first line");
  }
  po::variables_map vm;
  int code = 0;
  if (!Parse({args.begin() + 1, args.end()}, desc, positional, &vm, &code)) return code;
  if (vm.count("station-id")) user.station_id = station_id;
  if (vm.count("donor-id")) user.donor_id = donor_id;
  if (action == "add") return UserAdd(db, user, password_file);
  if (action == "list") return UserList(db);
  if (id < 1) {
    std::cerr << "aidlink-server: user id must be positive\n";
    return 2;
  }
  if (action == "disable") return UserDisable(db, id);
  return UserSetPassword(db, id, password_file);
}

int BackupCommand(const std::vector<std::string>& args) {
  store::BackupOptions options;
  options.from = "var/aidlink.db";
  po::options_description desc(
      "aidlink-server backup --db PATH --to FILE: a consistent copy of a live database "
      "(SQLite online backup; the server may keep writing)\n\nOptions");
  desc.add_options()("help,h", "show this help and exit")(
      "db", po::value(&options.from)->default_value(options.from), "SQLite database file to copy")(
      "to", po::value(&options.to)->required(), "file to write the copy to")(
      "force", po::bool_switch(&options.force), "replace FILE if it exists")(
      "step-pages", po::value(&options.pages_per_step)->default_value(options.pages_per_step),
      "pages copied per backup step");
  po::variables_map vm;
  int code = 0;
  if (!Parse(args, desc, {}, &vm, &code)) return code;
  if (options.pages_per_step < 1) {
    std::cerr << "aidlink-server: --step-pages must be positive\n";
    return 2;
  }
  auto result = store::Backup(options);
  if (!result.ok()) return Fail(result.status());
  std::cout << "backup of " << options.from << " written to " << options.to << ": " << result->pages
            << " pages, " << result->bytes << " bytes\n";
  return 0;
}

}  // namespace

bool IsCommand(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string word = argv[1];
  return word == "token" || word == "user" || word == "backup";
}

int RunCommand(int argc, char** argv) {
  const std::string word = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (word == "token") return Token(args);
    if (word == "user") return User(args);
    return BackupCommand(args);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-server: fatal: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace aidlink
