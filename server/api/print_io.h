#pragma once

#include <cstdint>

#include "print/manifest.h"
#include "print/receipt.h"
#include "store/database.h"
#include "store/dispatch.h"
#include "util/status.h"

// The bridge between the store and the print renderers: what a printed
// delivery list and a donation receipt read. Beside match_io, which does the
// same for the matching engine.
namespace aidlink::api {

// Builds the printable list of a route from the store: one line per item
// per stop (the item's lots summed, each need's quantity requested once),
// with the needs' urgency and deadline, the expiry of perishable stock and
// the station's callback phone. Stops failed or cancelled before the van
// left are left out (their stock went back to the lots); a dispatched or
// completed route prints every stop the van took, numbered and loaded as
// dispatched, with its outcome beside it. kNotFound if the route, or a row
// it refers to, is missing. Call it inside one read transaction.
StatusOr<print::Manifest> LoadManifest(store::Database& db, int64_t route_id, print::Lang lang);

// The donation receipt of the lot `trace` describes, with its donor's name
// and the trace's buckets; kNotFound if the donor is missing.
StatusOr<print::Receipt> LoadReceipt(store::Database& db, const store::LotTrace& trace,
                                     print::Lang lang);

}  // namespace aidlink::api
