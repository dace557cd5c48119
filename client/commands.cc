#include "commands.h"

#include <utility>

#include "json_util.h"
#include "table.h"

namespace aidlink::client {

Command MakeCommand(std::string resource, std::string verb, std::string summary,
                    int (*run)(Context&, const std::vector<std::string>&), std::string help) {
  return {std::move(resource), std::move(verb), std::move(summary), run,
          [help = std::move(help)] { return help; }};
}

bool ParseFlags(Context& ctx, const std::vector<std::string>& args,
                const boost::program_options::options_description& desc,
                const boost::program_options::positional_options_description& positional,
                const std::string& command, boost::program_options::variables_map* vm, int* code) {
  namespace po = boost::program_options;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    *code = UsageError(ctx, e.what(), command);
    return false;
  }
  return true;
}

int UsageError(Context& ctx, const std::string& message, const std::string& command) {
  ctx.err << "aidlink: " << message << "\nRun `aidlink " << command << " --help` for usage.\n";
  return kExitUsage;
}

int Unreachable(Context& ctx, const Status& status) {
  ctx.err << "aidlink: " << status.message() << "\n"
          << "Is aidlink-server running there? Point the CLI at it with --server URL or "
             "AIDLINK_SERVER.\n";
  return kExitUnreachable;
}

int ServerError(Context& ctx, const ApiReply& reply) {
  if (ctx.json && !reply.raw.empty()) ctx.out << reply.raw << "\n";
  ctx.err << "aidlink: error: " << reply.ErrorText() << "\n";
  const std::string code = reply.ErrorCode();
  if (code == "unauthenticated") {
    ctx.err << "Log in with `aidlink login --username U`, or give a token with --token T or "
               "AIDLINK_TOKEN.\n";
  }
  return kExitFailed;
}

void PrintObject(Context& ctx, const ApiReply& reply) {
  if (ctx.json) {
    ctx.out << reply.raw << "\n";
    return;
  }
  ctx.out << RenderKeyValues(Flatten(reply.json));
}

int PrintAnswer(Context& ctx, const StatusOr<ApiReply>& reply) {
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  PrintObject(ctx, *reply);
  return kExitOk;
}

}  // namespace aidlink::client
