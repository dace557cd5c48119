// Logging in and out, and creating users: the commands that handle
// passwords (never taken on the command line, where the process list would
// show them) and the saved session.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "json_util.h"
#include "util/secret.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

StatusOr<std::string> ReadPassword(const po::variables_map& vm) {
  if (vm.count("password-file")) {
    return secret::ReadFromFile(vm["password-file"].as<std::string>());
  }
  return secret::ReadFromStdin("Password: ");
}

// Writes the session file: the server's URL, then the cookie, mode 0600 in
// a directory of mode 0700.
Status SaveSession(const std::string& file, const std::string& server, const std::string& cookie) {
  const std::filesystem::path path(file);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  chmod(path.parent_path().c_str(), 0700);
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + file);
  fchmod(fd, 0600);  // an older file may have had another mode
  const std::string content = server + "\n" + cookie + "\n";
  const bool written =
      write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  close(fd);
  if (!written) return Internal("cannot write " + file);
  return Status::Ok();
}

int Login(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("username", po::value<std::string>()->required(), "your username")(
      "password-file", po::value<std::string>(),
      "read the password from this file's first line (default: ask, without echo)");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, {}, "login", &vm, &code)) return code;
  if (ctx.session_file.empty()) {
    ctx.err << "aidlink: neither XDG_CONFIG_HOME nor HOME is set: nowhere to keep the session\n";
    return kExitUsage;
  }
  auto password = ReadPassword(vm);
  if (!password.ok()) return UsageError(ctx, password.status().message(), "login");
  const json::object body{{"username", vm["username"].as<std::string>()}, {"password", *password}};
  auto reply = ctx.api.Post("/v1/sessions", body);
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  const std::string cookie = reply->set_cookie.substr(0, reply->set_cookie.find(';'));
  if (Status s = SaveSession(ctx.session_file, ctx.server, cookie); !s.ok()) {
    ctx.err << "aidlink: " << s.message() << "\n";
    return kExitFailed;
  }
  if (ctx.json) {
    ctx.out << reply->raw << "\n";
  } else {
    const json::value& user = reply->json.at("user");
    ctx.out << "Logged in as " << FieldText(user, "username") << " ("
            << FieldText(user, "display_name") << ", " << FieldText(user, "role") << ") until "
            << FieldText(reply->json, "expires_at") << " if idle.\n";
  }
  return kExitOk;
}

int Logout(Context& ctx, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(ctx, "logout takes no arguments", "logout");
  if (ctx.session_file.empty() || LoadSession(ctx.session_file, ctx.server).empty()) {
    ctx.out << "Not logged in.\n";
    return kExitOk;
  }
  auto reply = ctx.api.Delete("/v1/sessions/current");
  // The saved session goes whatever the server says: an ended or expired
  // one (401) is of no more use than a deleted one.
  std::error_code ec;
  std::filesystem::remove(ctx.session_file, ec);
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok() && reply->http_status != 401) return ServerError(ctx, *reply);
  ctx.out << "Logged out.\n";
  return kExitOk;
}

int WhoAmI(Context& ctx, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(ctx, "whoami takes no arguments", "whoami");
  auto reply = ctx.api.Get("/v1/me");
  return PrintAnswer(ctx, reply);
}

int UserAdd(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("username", po::value<std::string>()->required(), "3..64 characters")(
      "role", po::value<std::string>()->required(),
      "admin, dispatcher, station, donor or volunteer")("station-id", po::value<int64_t>(),
                                                        "the station of a station user")(
      "donor-id", po::value<int64_t>(), "the donor of a donor user")(
      "display-name", po::value<std::string>()->required(), "the person's name, e.g. 李社工")(
      "password-file", po::value<std::string>(),
      "read the new user's password from this file's first line (default: ask, without echo)");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, {}, "user add", &vm, &code)) return code;
  auto password = ReadPassword(vm);
  if (!password.ok()) return UsageError(ctx, password.status().message(), "user add");
  json::object body{{"username", vm["username"].as<std::string>()},
                    {"password", *password},
                    {"role", vm["role"].as<std::string>()},
                    {"display_name", vm["display-name"].as<std::string>()}};
  if (vm.count("station-id")) body["station_id"] = vm["station-id"].as<int64_t>();
  if (vm.count("donor-id")) body["donor_id"] = vm["donor-id"].as<int64_t>();
  auto reply = ctx.api.Post("/v1/users", body);
  return PrintAnswer(ctx, reply);
}

}  // namespace

std::string LoadSession(const std::string& file, const std::string& server) {
  if (file.empty()) return "";
  std::ifstream in(file);
  std::string saved_server, cookie;
  if (!std::getline(in, saved_server) || !std::getline(in, cookie)) return "";
  return saved_server == server ? cookie : "";
}

std::vector<Command> AccountCommands() {
  return {
      MakeCommand(
          "login", "", "log in with a username and password; later commands use the session", Login,
          "--username U [--password-file FILE]\n"
          "The password is asked for without echo, or read from --password-file. The session\n"
          "is kept (mode 0600) in $XDG_CONFIG_HOME/aidlink/session, or ~/.config/aidlink.\n"),
      MakeCommand("logout", "", "end the saved session", Logout, "\n"),
      MakeCommand("whoami", "", "show the caller's role, station or donor, and name", WhoAmI, "\n"),
      MakeCommand("user", "add", "create a user who logs in with a password (admin)", UserAdd,
                  "--username U --role ROLE [--station-id N | --donor-id N] --display-name NAME\n"
                  "    [--password-file FILE]\n"
                  "The password (10 characters or more) is asked for without echo, or read from\n"
                  "--password-file.\n"),
  };
}

}  // namespace aidlink::client
