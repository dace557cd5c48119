#include "commands.h"

#include "json_util.h"
#include "table.h"

namespace aidlink::client {

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

}  // namespace aidlink::client
