// fuzz_csv: the CLI's spreadsheet import on any file: client::ParseCsv,
// then client::PlanImport for requesters and for needs (by item id, and by
// item code when the header has an item_code column). The whole input is
// the file.
//
// Properties, besides "no crash, leak or undefined behaviour":
//  - records and errors come in file order with line numbers from 1, and
//    every record has at least one field;
//  - the records written back as CSV (every field quoted, CRLF) parse to the
//    same fields with no errors;
//  - a plan accounts for every data record once: as a row, a duplicate or a
//    problem; rows have distinct "import-<kind>-<sha256 hex>" keys, and a
//    duplicate points at an earlier row with the same key;
//  - every row body serializes to valid UTF-8 JSON (the server refuses
//    anything else), and planning twice gives the same plan.
#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "csv.h"
#include "fuzz/fuzz.h"
#include "import.h"
#include "util/text.h"

namespace aidlink::fuzz {
namespace {

namespace json = boost::json;
using client::CsvDocument;
using client::ImportKind;
using client::ImportPlan;

std::string QuoteAll(const CsvDocument& doc) {
  std::string out;
  for (const auto& record : doc.records) {
    for (size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : record.fields[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

void CheckDocument(const CsvDocument& doc) {
  int last = 0;
  for (const auto& record : doc.records) {
    AIDLINK_FUZZ_CHECK(record.line > last, "records out of line order",
                       std::to_string(record.line) + " after " + std::to_string(last));
    AIDLINK_FUZZ_CHECK(!record.fields.empty(), "a record without fields",
                       std::to_string(record.line));
    last = record.line;
  }
  last = 0;
  for (const auto& error : doc.errors) {
    AIDLINK_FUZZ_CHECK(error.line > last, "errors out of line order", error.message);
    AIDLINK_FUZZ_CHECK(!error.message.empty(), "an error without a message",
                       std::to_string(error.line));
    last = error.line;
  }

  const std::string rewritten = QuoteAll(doc);
  const CsvDocument again = client::ParseCsv(rewritten);
  AIDLINK_FUZZ_CHECK(again.errors.empty(), "rewritten records do not parse",
                     again.errors.front().message + " in " + rewritten);
  AIDLINK_FUZZ_CHECK(again.records.size() == doc.records.size(),
                     "rewritten records parse to another number of records", rewritten);
  for (size_t i = 0; i < doc.records.size(); ++i) {
    AIDLINK_FUZZ_CHECK(again.records[i].fields == doc.records[i].fields,
                       "a rewritten record parses to other fields", rewritten);
  }
}

void CheckPlan(ImportKind kind, const CsvDocument& doc, const client::ItemCodes& codes) {
  const StatusOr<ImportPlan> plan = client::PlanImport(kind, doc, codes);
  if (!plan.ok()) {
    AIDLINK_FUZZ_CHECK(plan.status().code() == Code::kInvalidArgument,
                       "a refused file that is not kInvalidArgument", plan.status().ToString());
    return;
  }
  const std::string prefix = std::string("import-") + client::ImportKindName(kind) + "-";

  // Every data record is a row, a duplicate or (at least one) problem.
  std::set<int> row_problem_lines;
  std::set<int> error_lines;
  for (const auto& e : doc.errors) error_lines.insert(e.line);
  int last = 0;
  for (const auto& p : plan->problems) {
    AIDLINK_FUZZ_CHECK(p.line >= last, "problems out of line order", p.message);
    AIDLINK_FUZZ_CHECK(!p.message.empty(), "a problem without a message", std::to_string(p.line));
    last = p.line;
    if (!error_lines.count(p.line)) row_problem_lines.insert(p.line);
  }
  std::map<std::string, int> line_of_key;
  for (const auto& row : plan->rows) {
    const std::string body = json::serialize(row.body);
    AIDLINK_FUZZ_CHECK(text::IsValidUtf8(body), "a row body that is not valid UTF-8", body);
    AIDLINK_FUZZ_CHECK(row.idempotency_key.size() == prefix.size() + 64 &&
                           row.idempotency_key.compare(0, prefix.size(), prefix) == 0 &&
                           row.idempotency_key.find_first_not_of(
                               "0123456789abcdef", prefix.size()) == std::string::npos,
                       "a malformed idempotency key", row.idempotency_key);
    AIDLINK_FUZZ_CHECK(line_of_key.emplace(row.idempotency_key, row.line).second,
                       "two rows with one idempotency key", body);
    AIDLINK_FUZZ_CHECK(!row_problem_lines.count(row.line), "a row that also has a problem", body);
  }
  std::set<int> duplicate_lines;
  for (const auto& d : plan->duplicates) {
    AIDLINK_FUZZ_CHECK(d.first_line < d.line, "a duplicate of a later row",
                       std::to_string(d.line) + " of " + std::to_string(d.first_line));
    bool found = false;
    for (const auto& [key, line] : line_of_key) found = found || line == d.first_line;
    AIDLINK_FUZZ_CHECK(found, "a duplicate of a line that is no row", std::to_string(d.line));
    duplicate_lines.insert(d.line);
  }
  const size_t data_records = doc.records.size() - 1;
  AIDLINK_FUZZ_CHECK(
      plan->rows.size() + duplicate_lines.size() + row_problem_lines.size() == data_records,
      "rows, duplicates and problems do not account for every record",
      std::to_string(plan->rows.size()) + " + " + std::to_string(duplicate_lines.size()) + " + " +
          std::to_string(row_problem_lines.size()) + " != " + std::to_string(data_records));

  const StatusOr<ImportPlan> again = client::PlanImport(kind, doc, codes);
  AIDLINK_FUZZ_CHECK(again.ok() && again->rows.size() == plan->rows.size(),
                     "planning twice gives another plan", "");
  for (size_t i = 0; i < plan->rows.size(); ++i) {
    AIDLINK_FUZZ_CHECK(again->rows[i].idempotency_key == plan->rows[i].idempotency_key &&
                           again->rows[i].body == plan->rows[i].body,
                       "planning twice gives another row", json::serialize(plan->rows[i].body));
  }
}

}  // namespace

void FuzzOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const CsvDocument doc = client::ParseCsv(text);
  CheckDocument(doc);
  static const client::ItemCodes kCodes = {{"MED-BP", 1}, {"FOOD-EGG", 2}, {"PPE-MASK", 3}};
  CheckPlan(ImportKind::kRequesters, doc, kCodes);
  CheckPlan(ImportKind::kNeeds, doc, {});
  if (client::UsesItemCodes(doc)) CheckPlan(ImportKind::kNeeds, doc, kCodes);
}

}  // namespace aidlink::fuzz
