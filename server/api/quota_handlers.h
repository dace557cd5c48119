#pragma once

#include "api/context.h"
#include "api/http.h"

// The quota endpoints (quota_handlers.cc); the route table is router.cc's.
namespace aidlink::api {

Response CreateQuota(Context& ctx);
Response ListQuotas(Context& ctx);
Response GetQuota(Context& ctx);
Response PatchQuota(Context& ctx);
Response DisableQuota(Context& ctx);
Response GetEntitlements(Context& ctx);

}  // namespace aidlink::api
