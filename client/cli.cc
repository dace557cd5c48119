#include "cli.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <map>
#include <sstream>

#include "commands.h"
#include "http.h"
#include "util/text.h"

namespace aidlink::client {
namespace {

namespace po = boost::program_options;

constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

std::vector<Command> AllCommands() {
  std::vector<Command> all = ResourceCommands();
  for (auto& c : ImportCommands()) all.push_back(std::move(c));
  for (auto& c : AccountCommands()) all.push_back(std::move(c));
  for (auto& c : DuplicateCommands()) all.push_back(std::move(c));
  for (auto& c : QuotaCommands()) all.push_back(std::move(c));
  return all;
}

po::options_description GlobalOptions() {
  po::options_description desc("Global options (anywhere on the line)");
  desc.add_options()("server", po::value<std::string>()->value_name("URL"),
                     "server address (env AIDLINK_SERVER; default http://127.0.0.1:8080)")(
      "token", po::value<std::string>()->value_name("T"), "bearer token (env AIDLINK_TOKEN)")(
      "cacert", po::value<std::string>()->value_name("FILE"),
      "PEM certificate(s) to trust for an https:// server (default: the system's)")(
      "json", po::bool_switch(), "print the server's JSON as is, for scripts")(
      "lang", po::value<std::string>()->value_name("zh|en")->default_value("zh"),
      "labels of reasons and statuses, and printed lists: zh (default) or en")(
      "help,h", po::bool_switch(), "show help (also after a command)");
  return desc;
}

std::string MainHelp(const std::vector<Command>& commands) {
  std::ostringstream out;
  out << "aidlink — command-line client for the aidlink donation-logistics server\n\n"
         "Usage: aidlink [--server URL] [--token T] [--cacert FILE] [--json] [--lang zh|en] "
         "RESOURCE VERB "
         "[flags]\n\n"
         "Commands:\n";
  int width = 0;
  for (const auto& c : commands) {
    width = std::max(width, text::DisplayWidth(c.resource + " " + c.verb));
  }
  for (const auto& c : commands) {
    out << "  " << text::PadRight(c.resource + " " + c.verb, width) << "  " << c.summary << "\n";
  }
  out << "\n"
      << GlobalOptions() << "\n"
      << "Run `aidlink RESOURCE VERB --help` for a command's flags.\n"
         "Exit status: 0 ok, 1 the server refused (message on stderr) or import rows failed,\n"
         "2 bad command line, 3 the server could not be reached.\n";
  return out.str();
}

// The command the words after the global flags name, or why there is none.
struct Resolved {
  const Command* command = nullptr;  // nullptr: help or usage was printed
  size_t first_arg = 2;              // where the command's own arguments start
  int exit = kExitOk;                // when command is nullptr
};

// Finds the command `rest` names; prints the main, resource or command
// help (on --help) or a usage error instead of running it.
Resolved ResolveCommand(const std::vector<Command>& commands, const std::vector<std::string>& rest,
                        bool help, std::ostream& out, std::ostream& err) {
  Resolved r;
  if (rest.empty()) {
    if (help) {
      out << MainHelp(commands);
      return r;
    }
    err << MainHelp(commands);
    r.exit = kExitUsage;
    return r;
  }
  if (rest[0] == "help") {
    out << MainHelp(commands);
    return r;
  }

  const std::string& resource = rest[0];
  std::vector<const Command*> verbs;
  for (const auto& c : commands) {
    if (c.resource == resource) verbs.push_back(&c);
  }
  if (verbs.empty()) {
    err << "aidlink: unknown command \"" << resource << "\"\nRun `aidlink --help` for usage.\n";
    r.exit = kExitUsage;
    return r;
  }
  const Command* command = nullptr;
  if (verbs.size() == 1 && verbs[0]->verb.empty()) {
    command = verbs[0];  // a command of one word: `aidlink login ...`
    r.first_arg = 1;
  } else if (rest.size() > 1) {
    for (const Command* c : verbs) {
      if (c->verb == rest[1]) command = c;
    }
  }
  if (!command) {
    std::ostream& o = help && rest.size() == 1 ? out : err;
    if (rest.size() > 1)
      o << "aidlink: unknown verb \"" << rest[1] << "\" for " << resource << "\n";
    o << "Usage: aidlink " << resource << " VERB [flags], where VERB is one of:\n";
    for (const Command* c : verbs) o << "  " << c->verb << "  " << c->summary << "\n";
    r.exit = help && rest.size() == 1 ? kExitOk : kExitUsage;
    return r;
  }
  if (help) {
    out << "Usage: aidlink " << command->resource << (command->verb.empty() ? "" : " ")
        << command->verb << " " << command->help();
    return r;
  }
  r.command = command;
  return r;
}

// Connects to the server the flags and environment name and runs `command`
// with `args`.
int RunCommand(const Command& command, const std::vector<std::string>& args,
               const po::variables_map& vm, const std::string& lang, const Environment& env,
               std::ostream& out, std::ostream& err) {
  std::string server = env.server.empty() ? kDefaultServer : env.server;
  if (vm.count("server")) server = vm["server"].as<std::string>();
  std::string token = env.token;
  if (vm.count("token")) token = vm["token"].as<std::string>();
  auto url = ParseServerUrl(server);
  if (!url.ok()) {
    err << "aidlink: " << url.status().message() << "\n";
    return kExitUsage;
  }
  const std::string session_file = env.config_dir.empty() ? "" : env.config_dir + "/session";
  const std::string cacert = vm.count("cacert") ? vm["cacert"].as<std::string>() : "";
  HttpClient http(std::move(*url), std::chrono::seconds(60), cacert);
  ApiClient api(&http, token);
  if (token.empty()) api.set_cookie(LoadSession(session_file, server));
  Context ctx{api, vm["json"].as<bool>(), out, err, server, session_file, lang == "en"};
  return command.run(ctx, args);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
           std::ostream& err) {
  const std::vector<Command> commands = AllCommands();
  const po::options_description global = GlobalOptions();
  po::variables_map vm;
  std::vector<std::string> rest;
  try {
    po::parsed_options parsed =
        po::command_line_parser(args)
            .options(global)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .allow_unregistered()
            .run();
    po::store(parsed, vm);
    po::notify(vm);
    rest = po::collect_unrecognized(parsed.options, po::include_positional);
  } catch (const po::error& e) {
    err << "aidlink: " << e.what() << "\nRun `aidlink --help` for usage.\n";
    return kExitUsage;
  }
  const bool help = vm["help"].as<bool>();
  const std::string lang = vm["lang"].as<std::string>();
  if (lang != "zh" && lang != "en") {
    err << "aidlink: --lang must be zh or en (got \"" << lang << "\")\n";
    return kExitUsage;
  }
  const Resolved resolved = ResolveCommand(commands, rest, help, out, err);
  if (!resolved.command) return resolved.exit;
  const std::vector<std::string> command_args(rest.begin() + static_cast<long>(resolved.first_arg),
                                              rest.end());
  return RunCommand(*resolved.command, command_args, vm, lang, env, out, err);
}

}  // namespace aidlink::client
