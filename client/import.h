#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "csv.h"
#include "util/status.h"

// Turning a station's spreadsheet into API requests: header checks, per-row
// validation with line numbers, and an idempotency key per row so that
// importing the same file twice creates nothing twice. Pure (no I/O);
// thread-safe.
namespace aidlink::client {

enum class ImportKind { kRequesters, kNeeds };

// "requesters" or "needs".
const char* ImportKindName(ImportKind kind);

// One row ready to POST.
struct ImportRow {
  int line = 0;
  boost::json::object body;
  // "import-requesters-<sha256 hex>" of the row's normalized fields: the same
  // content always gives the same key and the same body.
  std::string idempotency_key;
  std::string label;  // a short description for messages, e.g. the name
};

struct RowProblem {
  int line = 0;
  std::string message;
};

// A row whose normalized content repeats an earlier row of the same file.
struct DuplicateRow {
  int line = 0;
  int first_line = 0;
};

struct ImportPlan {
  std::vector<ImportRow> rows;
  std::vector<RowProblem> problems;  // CSV and validation problems, by line
  std::vector<DuplicateRow> duplicates;
};

// The columns a file may have, required ones first, for help and messages.
std::vector<std::string> ImportColumns(ImportKind kind);

// True if a needs file names its items by code (an item_code column), so the
// caller must look the codes up before planning.
bool UsesItemCodes(const CsvDocument& doc);

// An item code as it is compared: ASCII letters in lower case, so that
// med-bp finds MED-BP (the server keeps codes unique the same way).
std::string ItemCodeKey(std::string_view code);

// Item codes to ids, from GET /v1/items; looked up by ItemCodeKey.
using ItemCodes = std::map<std::string, int64_t, std::less<>>;

// A requester the caller may file needs for, from GET /v1/requesters: a
// needs file may name it by name and phone instead of requester_id.
struct KnownRequester {
  int64_t id = 0;
  std::string name;
  std::string phone;
};
using RequesterDirectory = std::vector<KnownRequester>;

// True if a needs file names requesters by name (a requester_name column),
// so the caller must list its requesters before planning.
bool UsesRequesterNames(const CsvDocument& doc);

// Validates `doc` and builds one request per good row. Returns
// InvalidArgument if the file is empty or its header names an unknown,
// repeated or missing column (nothing should be imported then); otherwise
// every bad row is a problem with its line number and the rest are rows.
// A needs row gives requester_id, or requester_name and (optionally)
// requester_phone: exactly one requester of `requesters` must have that name
// (trimmed) and phone (compared by its digits, +86 or not); none or several
// is a problem of that line.
StatusOr<ImportPlan> PlanImport(ImportKind kind, const CsvDocument& doc,
                                const ItemCodes& item_codes = {},
                                const RequesterDirectory& requesters = {});

// True if `existing` (a requester as the server returns it) holds exactly
// what the request `body` would create: same station, kind, name, contact,
// phone, address, district, household size, coordinates and set of tags.
// Lets an import recognise a household already registered by hand or with
// another token, where the Idempotency-Key (scoped to the token) cannot.
bool SameRequester(const boost::json::object& body, const boost::json::value& existing);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace aidlink::client
