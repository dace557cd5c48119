#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "api/match_io.h"
#include "match/engine.h"
#include "store/database.h"
#include "util/status.h"

// Quotas in a match run: the caps of rule 9 that the store's quotas put on
// the engine's snapshot.
namespace aidlink::api {

// Adds to `snapshot` one match::Cap per (quota active on `as_of`, household)
// that binds one of its open needs: remaining = the household's cap minus
// what its registrations were allocated or delivered in the quota's window
// containing `as_of` (store::UseIn), soft for a soft quota; and appends the
// cap's index to each such need's `caps`. A need is bound when the quota
// covers its item (or the item's category) and admits its requester's tags.
// Without active quotas the snapshot is left as it is.
Status AddQuotaCaps(store::Database& db, int64_t as_of, match::Snapshot* snapshot);

// LoadMatchInput (holds lasting `duplicate_hold`), then AddQuotaCaps as of
// `as_of`: what a match run plans on.
StatusOr<MatchInput> LoadCappedMatchInput(
    store::Database& db, const std::vector<int64_t>& item_ids, int64_t as_of,
    std::chrono::seconds duplicate_hold = std::chrono::seconds(0));

}  // namespace aidlink::api
