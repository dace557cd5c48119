#include "api/errors.h"

#include "aidlink/v1/errors.pb.h"
#include "api/codec.h"
#include "util/logging.h"
#include "util/text.h"

namespace aidlink::api {

int HttpStatus(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kMethodNotAllowed:
      return 405;
    case Code::kConflict:
      return 409;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kFailedPrecondition:
      return 422;
    case Code::kResourceExhausted:
      return 429;
    case Code::kHeadersTooLarge:
      return 431;
    case Code::kInternal:
      return 500;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
    case Code::kTooManyConnections:
      return 503;
    case Code::kInsufficientStorage:
      return 507;
  }
  return 500;
}

Response ErrorResponse(const Status& status, bool binary) {
  v1::ErrorResponse body;
  body.mutable_error()->set_code(CodeName(status.code()));
  if (status.code() == Code::kInternal) {
    // Never show internals to the caller; the log has them.
    log::Error("internal_error", {{"status", status.ToString()}});
    body.mutable_error()->set_message("internal error");
  } else {
    // Messages may quote the request (an unknown path, a bad value): the
    // answer must stay valid UTF-8 whatever bytes the caller sent.
    body.mutable_error()->set_message(text::ToValidUtf8(status.message()));
    body.mutable_error()->set_field(text::ToValidUtf8(status.field()));
  }
  Response r;
  r.status = HttpStatus(status.code());
  if (binary) {
    r.content_type = "application/x-protobuf";
    r.body = body.SerializeAsString();
  } else {
    r.body = EncodeJson(body);
  }
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace aidlink::api
