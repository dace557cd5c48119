#include "commands.h"

#include <boost/program_options.hpp>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "store/backup.h"
#include "store/database.h"
#include "store/repo.h"

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
  return word == "token" || word == "backup";
}

int RunCommand(int argc, char** argv) {
  const std::string word = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (word == "token") return Token(args);
    return BackupCommand(args);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-server: fatal: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace aidlink
