#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Shared by the store's repositories; not part of aidlink::store's API.
namespace aidlink::store::internal {

// Lists (tags, earmarks) are stored as text joined with U+001F, which
// validation keeps out of every short text field.
inline constexpr char kListSep = '\x1f';

std::string JoinList(const std::vector<std::string>& values, char sep = kListSep);
std::vector<std::string> SplitList(const std::string& joined, char sep = kListSep);

// Moves a need's outstanding quantity to cancelled with `reason`, bumps its
// version and appends a need_cancelled event. REQUIRES: `need` was read in
// this transaction.
StatusOr<Need> CancelOutstanding(Database& db, Need need, const std::string& reason,
                                 const Actor& actor);
// Fails with kNotFound naming `field` ("station 7 not found") unless a row
// with this id exists in `table`.
Status MustExist(Database& db, const char* table, int64_t id, const char* field, const char* what);
// InvalidArgument naming expires_on if `lot` has none and its item is
// perishable (vegetables without a date cannot be given out first-expiry-
// first-out, nor kept from going off).
Status CheckPerishableExpiry(Database& db, const Lot& lot);

}  // namespace aidlink::store::internal

// Declares `Statement* var` prepared from `sql` on `db`, returning the
// error from the enclosing function if preparing fails.
#define AIDLINK_ASSIGN_STMT(var, db, sql)            \
  StatusOr<Statement*> var##_or = (db).Prepare(sql); \
  if (!var##_or.ok()) return var##_or.status();      \
  Statement* var = *var##_or
