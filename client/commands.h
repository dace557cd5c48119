#pragma once

#include <boost/json/value.hpp>
#include <boost/program_options.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "api.h"

// The CLI's commands. Each one parses its own flags, calls the API and
// prints; it returns the process exit code.
namespace aidlink::client {

// Exit codes, also documented in `aidlink --help`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the server refused, or rows failed
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no answer from the server

struct Context {
  ApiClient& api;
  bool json = false;  // print the server's JSON as is
  std::ostream& out;
  std::ostream& err;
  std::string server;        // the server's URL as given
  std::string session_file;  // where login keeps the session; "" if nowhere
  // --lang en: reasons and statuses in English; Chinese (zh) by default, as
  // on the printed lists. Also the default language of printed documents.
  bool english = false;
};

struct Command {
  std::string resource;  // "need"
  std::string verb;      // "add"
  std::string summary;   // one line for `aidlink --help`
  // `args` are the words after the verb. `help` asks for the flag list.
  std::function<int(Context& ctx, const std::vector<std::string>& args)> run;
  std::function<std::string()> help;
};

// Resource commands (token, item, donor, depot, station, requester, lot, need,
// match, route, delivery, report).
std::vector<Command> ResourceCommands();
// `import requesters FILE` and `import needs FILE`.
std::vector<Command> ImportCommands();
// `login`, `logout`, `whoami` (no verb) and `user add`.
std::vector<Command> AccountCommands();
// `quota add|list|show|edit|disable` and `requester entitlements`.
std::vector<Command> QuotaCommands();
// `duplicates list|show|resolve|reopen` (commands_duplicates.cc).
std::vector<Command> DuplicateCommands();

// The note for a requester write's answer that the server flagged as a
// possible duplicate ("很可能重复（依据：电话、地址、姓名）..."), or "".
std::string DuplicateNotice(const boost::json::value& answer, bool english);

// The session `aidlink login` saved in `file` for `server`: the Cookie
// header value, or "" if there is none for that server.
std::string LoadSession(const std::string& file, const std::string& server);

// Shared by the commands -----------------------------------------------------

// A command whose flag list is the fixed text `help`.
Command MakeCommand(std::string resource, std::string verb, std::string summary,
                    int (*run)(Context&, const std::vector<std::string>&), std::string help);

// Parses `args` by `desc` and `positional` into `vm`; false, with the usage
// error printed and its exit code in *code, if they do not fit.
bool ParseFlags(Context& ctx, const std::vector<std::string>& args,
                const boost::program_options::options_description& desc,
                const boost::program_options::positional_options_description& positional,
                const std::string& command, boost::program_options::variables_map* vm, int* code);

// Prints "aidlink: MESSAGE" and a pointer to help; returns kExitUsage.
int UsageError(Context& ctx, const std::string& message, const std::string& command);

// Prints why the server could not be reached; returns kExitUnreachable.
int Unreachable(Context& ctx, const Status& status);

// Prints the server's error (and in --json mode its body); returns kExitFailed.
int ServerError(Context& ctx, const ApiReply& reply);

// Prints one object: its JSON as received with --json, else its fields as
// aligned "key  value" lines.
void PrintObject(Context& ctx, const ApiReply& reply);

// The exit code of a command that prints the object the server answered:
// Unreachable, ServerError, or PrintObject and kExitOk.
int PrintAnswer(Context& ctx, const StatusOr<ApiReply>& reply);

}  // namespace aidlink::client
