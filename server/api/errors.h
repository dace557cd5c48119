#pragma once

#include "api/http.h"
#include "util/status.h"

namespace aidlink::api {

// The HTTP status for a canonical code (400, 401, 403, 404, 405, 409, 413,
// 422, 429, 431, 500, 501, 503, 507). The only place this mapping lives.
int HttpStatus(Code code);

// The error answer of API.md for a non-ok `status`:
// {"error":{"code","message","field"}} as JSON, or as v1::ErrorResponse in
// protobuf binary when `binary`. Every error any layer sends (net/ too) is
// built here. An internal error's message is logged and replaced by
// "internal error"; a 503 carries Retry-After: 1. Text that quotes the
// request is repaired to valid UTF-8.
Response ErrorResponse(const Status& status, bool binary = false);

}  // namespace aidlink::api
