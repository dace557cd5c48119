#pragma once

#include "store/database.h"
#include "util/status.h"

namespace aidlink::store {

// Brings the database to the newest schema version, recorded in
// PRAGMA user_version, applying each missing migration in its own
// transaction. Returns kFailedPrecondition if the file is from a newer
// aidlink than this one.
Status Migrate(Database& db);

// As Migrate, but stops at `version` (for tests of a migration on a file of
// an older version). REQUIRES: 0 <= version <= SchemaVersion().
Status MigrateTo(Database& db, int version);

// The schema version this build writes.
int SchemaVersion();

}  // namespace aidlink::store
