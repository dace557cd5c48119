#include "import.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <set>
#include <span>

#include "json_util.h"
#include "util/date.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;

// Enum values and limits are the server's own (util/vocab.h); the server
// has the final word.
using vocab::kMaxHouseholdSize;
using vocab::kMaxListEntries;
using vocab::kMaxNote;
using vocab::kMaxQuantity;
using vocab::kMaxShortText;
using vocab::kRequesterKinds;
using vocab::kTags;
using vocab::kUrgencies;

struct ColumnSet {
  std::vector<std::string> required;
  std::vector<std::string> optional;
};

ColumnSet Columns(ImportKind kind) {
  if (kind == ImportKind::kRequesters) {
    return {{"station_id", "kind", "name", "contact_name", "phone", "address", "district",
             "household_size"},
            {"lat", "lon", "tags"}};
  }
  // item_id or item_code, and requester_id or requester_name, are checked
  // separately: one of each is required.
  return {{"quantity", "urgency"},
          {"requester_id", "requester_name", "requester_phone", "item_id", "item_code", "needed_by",
           "note"}};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string OneOf(std::span<const vocab::Term> values) {
  std::string out;
  for (const vocab::Term& v : values) {
    if (!out.empty()) out += ", ";
    out += v.name;
  }
  return out;
}

bool Contains(std::span<const vocab::Term> values, std::string_view v) {
  return vocab::Find(values, v) != nullptr;
}

std::string Quote(std::string_view s) {
  return "\"" + std::string(text::TruncateToWidth(s, 30)) + "\"";
}

// Collects the problems of one row while reading its fields by column name.
class RowReader {
 public:
  RowReader(const std::map<std::string, size_t>& columns, const CsvRecord& record)
      : columns_(columns), record_(record) {}

  bool Has(const std::string& column) const { return columns_.count(column) > 0; }

  // The trimmed cell, "" when the column is absent.
  std::string_view Cell(const std::string& column) const {
    const auto it = columns_.find(column);
    if (it == columns_.end()) return {};
    return text::Trim(record_.fields[it->second]);
  }

  void Problem(std::string message) { problems_.push_back(std::move(message)); }
  const std::vector<std::string>& problems() const { return problems_; }

  // A required single-line text of 1..200 characters. Line breaks inside a
  // spreadsheet cell (Alt+Enter) become spaces: "幸福里小区\n北门" was meant
  // as one address.
  std::string Text(const std::string& column) {
    std::string joined(Cell(column));
    for (char& c : joined) {
      if (c == '\n' || c == '\t') c = ' ';
    }
    const std::string_view v = text::Trim(joined);
    if (v.empty()) {
      Problem(column + " is required");
    } else if (!text::IsValidUtf8(v)) {
      Problem(column + " is not valid UTF-8 (save the file as \"CSV UTF-8\")");
    } else if (text::CodePointCount(v) > kMaxShortText) {
      Problem(column + " is longer than " + std::to_string(kMaxShortText) + " characters");
    } else if (text::HasControlChars(v)) {
      Problem(column + " holds a control character");
    }
    return std::string(v);
  }

  // A required integer in [min, max].
  int64_t Int(const std::string& column, int64_t min, int64_t max) {
    const std::string_view v = Cell(column);
    if (v.empty()) {
      Problem(column + " is required");
      return 0;
    }
    const auto n = ParseInt64(v);
    if (!n || *n < min || *n > max) {
      Problem(column + " must be a whole number from " + std::to_string(min) + " to " +
              std::to_string(max) + " (got " + Quote(v) + ")");
      return 0;
    }
    return *n;
  }

  // An optional number in [min, max]; nullopt when blank or bad.
  std::optional<double> Coordinate(const std::string& column, double min, double max) {
    const std::string_view v = Cell(column);
    if (v.empty()) return std::nullopt;
    const auto d = ParseDouble(v);
    if (!d || *d < min || *d > max) {
      Problem(column + " must be a number from " + FormatNumber(min) + " to " + FormatNumber(max) +
              " (got " + Quote(v) + ")");
      return std::nullopt;
    }
    return d;
  }

  std::string Enum(const std::string& column, std::span<const vocab::Term> values) {
    const std::string v = Lower(Cell(column));
    if (v.empty()) {
      Problem(column + " is required (one of " + OneOf(values) + ")");
    } else if (!Contains(values, v)) {
      Problem(column + " must be one of " + OneOf(values) + " (got " + Quote(Cell(column)) + ")");
    }
    return v;
  }

 private:
  const std::map<std::string, size_t>& columns_;
  const CsvRecord& record_;
  std::vector<std::string> problems_;
};

// Tags split on ';' or '|', trimmed, lowercased, deduplicated and sorted, so
// that "chronic_illness; elderly_alone" and "elderly_alone|chronic_illness"
// are the same row.
std::vector<std::string> Tags(RowReader& row) {
  std::set<std::string> tags;
  std::string_view rest = row.Cell("tags");
  while (!rest.empty()) {
    const size_t sep = rest.find_first_of(";|");
    const std::string tag = Lower(text::Trim(rest.substr(0, sep)));
    if (!tag.empty()) {
      if (Contains(kTags, tag)) {
        tags.insert(tag);
      } else {
        row.Problem("unknown tag " + Quote(tag) + " (tags are " + OneOf(kTags) + ")");
      }
    }
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  if (tags.size() > kMaxListEntries) row.Problem("more than 100 tags");
  return {tags.begin(), tags.end()};
}

json::object RequesterBody(RowReader& row, std::string* label) {
  json::object body;
  body["station_id"] = row.Int("station_id", 1, INT64_MAX);
  body["kind"] = row.Enum("kind", kRequesterKinds);
  body["name"] = row.Text("name");
  body["contact_name"] = row.Text("contact_name");
  body["phone"] = row.Text("phone");
  body["address"] = row.Text("address");
  body["district"] = row.Text("district");
  const auto lat = row.Coordinate("lat", -90, 90);
  const auto lon = row.Coordinate("lon", -180, 180);
  if (lat.has_value() != lon.has_value() && row.problems().empty()) {
    row.Problem("lat and lon go together: give both or neither");
  }
  if (lat && lon) {
    body["lat"] = *lat;
    body["lon"] = *lon;
  }
  body["household_size"] = row.Int("household_size", 1, kMaxHouseholdSize);
  json::array tags;
  for (auto& tag : Tags(row)) tags.emplace_back(tag);
  body["tags"] = std::move(tags);
  *label = std::string(row.Cell("name"));
  return body;
}

// The requester a needs row names: by requester_id, or by requester_name
// and requester_phone looked up in `requesters`; 0 with a problem if none
// or several match.
int64_t RequesterOf(RowReader& row, const RequesterDirectory& requesters) {
  if (!row.Cell("requester_id").empty() || !row.Has("requester_name")) {
    return row.Int("requester_id", 1, INT64_MAX);
  }
  const std::string_view name = row.Cell("requester_name");
  const std::string_view phone = row.Cell("requester_phone");
  if (name.empty()) {
    row.Problem("requester_name (or requester_id) is required");
    return 0;
  }
  const std::string digits = text::DropMobileCountryCode(text::PhoneDigits(phone));
  std::vector<int64_t> ids;
  for (const KnownRequester& r : requesters) {
    if (text::Trim(r.name) != name) continue;
    if (!phone.empty() && text::DropMobileCountryCode(text::PhoneDigits(r.phone)) != digits) {
      continue;
    }
    ids.push_back(r.id);
  }
  const std::string who =
      Quote(name) + (phone.empty() ? std::string() : " with phone " + Quote(phone));
  if (ids.empty()) {
    row.Problem("no requester " + who +
                " is registered (see `aidlink requester find`; or give requester_id)");
    return 0;
  }
  if (ids.size() > 1) {
    std::string list;
    for (const int64_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
    row.Problem("ambiguous: " + std::to_string(ids.size()) + " requesters " + who + " (ids " +
                list + "); give requester_id" +
                (phone.empty() ? std::string(" or requester_phone") : std::string()));
    return 0;
  }
  return ids.front();
}

json::object NeedBody(RowReader& row, const ItemCodes& item_codes,
                      const RequesterDirectory& requesters, std::string* label) {
  json::object body;
  body["requester_id"] = RequesterOf(row, requesters);
  int64_t item_id = 0;
  if (!row.Cell("item_id").empty() || !row.Has("item_code")) {
    item_id = row.Int("item_id", 1, INT64_MAX);
  } else {
    const std::string_view code = row.Cell("item_code");
    const std::string key = ItemCodeKey(code);
    const auto it = std::find_if(item_codes.begin(), item_codes.end(), [&](const auto& entry) {
      return ItemCodeKey(entry.first) == key;
    });
    if (code.empty()) {
      row.Problem("item_code is required");
    } else if (it == item_codes.end()) {
      row.Problem("unknown item_code " + Quote(code) + " (see `aidlink item list`)");
    } else {
      item_id = it->second;
    }
  }
  body["item_id"] = item_id;
  body["quantity"] = row.Int("quantity", 1, kMaxQuantity);
  body["urgency"] = row.Enum("urgency", kUrgencies);
  const std::string_view needed_by = row.Cell("needed_by");
  if (!needed_by.empty()) {
    if (date::ParseDate(needed_by)) {
      body["needed_by"] = needed_by;
    } else {
      row.Problem("needed_by must be a real date written YYYY-MM-DD (got " + Quote(needed_by) +
                  ")");
    }
  }
  const std::string_view note = row.Cell("note");
  if (!text::IsValidUtf8(note)) {
    row.Problem("note is not valid UTF-8 (save the file as \"CSV UTF-8\")");
  } else if (text::CodePointCount(note) > kMaxNote) {
    row.Problem("note is longer than " + std::to_string(kMaxNote) + " characters");
  }
  body["note"] = note;
  *label = "requester " +
           std::string(row.Cell("requester_id").empty() ? row.Cell("requester_name")
                                                        : row.Cell("requester_id")) +
           ", item " +
           std::string(row.Has("item_code") && row.Cell("item_id").empty() ? row.Cell("item_code")
                                                                           : row.Cell("item_id"));
  return body;
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

}  // namespace

std::string ItemCodeKey(std::string_view code) { return text::AsciiLower(text::Trim(code)); }

const char* ImportKindName(ImportKind kind) {
  return kind == ImportKind::kRequesters ? "requesters" : "needs";
}

std::vector<std::string> ImportColumns(ImportKind kind) {
  ColumnSet set = Columns(kind);
  std::vector<std::string> out = set.required;
  out.insert(out.end(), set.optional.begin(), set.optional.end());
  return out;
}

bool UsesItemCodes(const CsvDocument& doc) {
  if (doc.records.empty()) return false;
  for (const auto& name : doc.records.front().fields) {
    if (Lower(text::Trim(name)) == "item_code") return true;
  }
  return false;
}

bool UsesRequesterNames(const CsvDocument& doc) {
  if (doc.records.empty()) return false;
  for (const auto& name : doc.records.front().fields) {
    if (Lower(text::Trim(name)) == "requester_name") return true;
  }
  return false;
}

bool SameRequester(const json::object& body, const json::value& existing) {
  if (!existing.is_object()) return false;
  const json::object& e = existing.get_object();
  for (const char* key : {"station_id", "household_size"}) {
    const json::value* a = body.if_contains(key);
    const json::value* b = e.if_contains(key);
    if (!a || !b || AsInt64(*a) != AsInt64(*b)) return false;
  }
  for (const char* key : {"kind", "name", "contact_name", "phone", "address", "district"}) {
    if (FieldText(body, key) != FieldText(existing, key)) return false;
  }
  for (const char* key : {"lat", "lon"}) {
    const json::value* a = body.if_contains(key);
    const json::value* b = e.if_contains(key);
    const bool a_set = a && a->is_number();
    const bool b_set = b && b->is_number();
    if (a_set != b_set) return false;
    if (a_set && std::fabs(a->to_number<double>() - b->to_number<double>()) > 1e-9) return false;
  }
  auto tag_set = [](const json::value* v) {
    std::set<std::string> tags;
    if (v && v->is_array()) {
      for (const auto& t : v->get_array()) tags.insert(CellText(t));
    }
    return tags;
  };
  return tag_set(body.if_contains("tags")) == tag_set(e.if_contains("tags"));
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

StatusOr<ImportPlan> PlanImport(ImportKind kind, const CsvDocument& doc,
                                const ItemCodes& item_codes, const RequesterDirectory& requesters) {
  ImportPlan plan;
  // A broken header record means we cannot tell what any column is.
  if (!doc.errors.empty() &&
      (doc.records.empty() || doc.errors.front().line < doc.records.front().line)) {
    return InvalidArgument("line " + std::to_string(doc.errors.front().line) +
                           ": cannot read the header: " + doc.errors.front().message);
  }
  if (doc.records.empty()) return InvalidArgument("the file is empty: expected a header row");

  const CsvRecord& header = doc.records.front();
  const ColumnSet set = Columns(kind);
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = Lower(text::Trim(header.fields[i]));
    const bool known = std::count(set.required.begin(), set.required.end(), name) +
                           std::count(set.optional.begin(), set.optional.end(), name) >
                       0;
    if (!known) {
      return InvalidArgument("line " + std::to_string(header.line) + ": unknown column " +
                             Quote(header.fields[i]) + "; the columns are " +
                             JoinProblems(ImportColumns(kind)));
    }
    if (!columns.emplace(name, i).second) {
      return InvalidArgument("line " + std::to_string(header.line) + ": column " + name +
                             " appears twice");
    }
  }
  std::vector<std::string> missing;
  for (const auto& name : set.required) {
    if (!columns.count(name)) missing.push_back(name);
  }
  if (kind == ImportKind::kNeeds && !columns.count("item_id") && !columns.count("item_code")) {
    missing.push_back("item_id (or item_code)");
  }
  if (kind == ImportKind::kNeeds && !columns.count("requester_id") &&
      !columns.count("requester_name")) {
    missing.push_back("requester_id (or requester_name and requester_phone)");
  }
  if (!missing.empty()) {
    return InvalidArgument("line " + std::to_string(header.line) + ": missing column" +
                           (missing.size() > 1 ? "s " : " ") + JoinProblems(missing));
  }

  for (const auto& e : doc.errors) plan.problems.push_back({e.line, e.message});
  std::map<std::string, int> first_line_of_key;
  for (size_t r = 1; r < doc.records.size(); ++r) {
    const CsvRecord& record = doc.records[r];
    if (record.fields.size() != header.fields.size()) {
      plan.problems.push_back({record.line, "has " + std::to_string(record.fields.size()) +
                                                " fields but the header has " +
                                                std::to_string(header.fields.size())});
      continue;
    }
    RowReader row(columns, record);
    ImportRow out;
    out.line = record.line;
    out.body = kind == ImportKind::kRequesters ? RequesterBody(row, &out.label)
                                               : NeedBody(row, item_codes, requesters, &out.label);
    if (!row.problems().empty()) {
      plan.problems.push_back({record.line, JoinProblems(row.problems())});
      continue;
    }
    // The body is built in a fixed field order from normalized values, so
    // hashing it hashes the row's normalized content.
    out.idempotency_key =
        std::string("import-") + ImportKindName(kind) + "-" + Sha256Hex(json::serialize(out.body));
    const auto [it, fresh] = first_line_of_key.emplace(out.idempotency_key, record.line);
    if (!fresh) {
      plan.duplicates.push_back({record.line, it->second});
      continue;
    }
    plan.rows.push_back(std::move(out));
  }
  std::stable_sort(plan.problems.begin(), plan.problems.end(),
                   [](const RowProblem& a, const RowProblem& b) { return a.line < b.line; });
  return plan;
}

}  // namespace aidlink::client
