#include "api/errors.h"

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
    case Code::kConflict:
      return 409;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kFailedPrecondition:
      return 422;
    case Code::kResourceExhausted:
      return 429;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace aidlink::api
