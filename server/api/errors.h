#pragma once

#include "util/status.h"

namespace aidlink::api {

// The HTTP status for a canonical code (400, 401, 403, 404, 409, 413, 422,
// 429, 500). The only place this mapping lives.
int HttpStatus(Code code);

}  // namespace aidlink::api
