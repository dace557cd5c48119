#pragma once

#include <functional>

#include "aidlink/v1/resources.pb.h"
#include "api/auth.h"
#include "api/context.h"
#include "store/database.h"
#include "store/duplicates.h"
#include "store/model.h"
#include "util/status.h"

// Duplicate detection on the requester write paths (issue 13): the pieces
// the requester handlers call inside their write transaction.
namespace aidlink::api {

// Stores `requester`'s dedup keys and opens or joins a duplicate case
// (store::RecordRequesterKeys) with the store's secret, and puts what was
// found into `out.duplicate` (status, case id, basis: never the other
// registration's fields, station or id).
Status CheckDuplicates(store::Database& db, const store::Store& store,
                       const store::Requester& requester, const store::Actor& actor,
                       v1::Requester& out);

// Puts what duplicate detection says of `requester` now into
// `out.duplicate`, without writing (store::CurrentDuplicate).
Status ReadDuplicate(store::Database& db, const store::Store& store,
                     const store::Requester& requester, v1::Requester& out);

// The `after` hook of PATCH /v1/requesters/{id}: CheckDuplicates on the
// edited requester.
std::function<Status(store::Database&, const Principal&, const store::Requester&, v1::Requester&)>
CheckDuplicatesAfter(const Context& ctx);

}  // namespace aidlink::api
