#include <string>
#include <string_view>
#include <vector>

#include "print/internal.h"
#include "print/manifest.h"
#include "util/text.h"

namespace aidlink::print::internal {
namespace {

// RFC 4180: a field holding a comma, quote or line break is quoted, and its
// quotes doubled. Everything else goes out as it is, so that a reader that
// follows the RFC gets the exact strings back (text cells after TextCell).
void AppendField(std::string_view field, std::string& out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// A cell of user text (a name, an address, a note). Excel and WPS run a
// cell that starts with = + - @ (or a tab or carriage return before one) as
// a formula, so such a cell gets a leading ' (OWASP's advice for CSV
// injection) and reads as text. Numbers (ids, quantities) never pass through
// here: a negative quantity must stay a number.
std::string TextCell(std::string_view raw) {
  const std::string s = text::PrintableText(raw);
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos) {
    return "'" + s;
  }
  return s;
}

void AppendRow(const std::vector<std::string>& fields, std::string& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    AppendField(fields[i], out);
  }
  out += "\r\n";
}

}  // namespace

std::string RenderCsv(const Manifest& manifest, Lang lang) {
  // The byte order mark makes spreadsheet programs read the file as UTF-8
  // instead of the local code page (GBK on Chinese Windows).
  std::string out = "\xEF\xBB\xBF";
  const Labels& l = LabelsFor(lang);
  AppendRow(std::vector<std::string>(l.csv_header.begin(), l.csv_header.end()), out);
  for (const StopSheet& s : manifest.stops) {
    const std::string note = StopNote(s, lang);
    const auto row = [&](const StopLine* line) {
      AppendRow({std::to_string(s.seq), std::to_string(s.delivery_id), TextCell(s.recipient),
                 TextCell(s.contact_name), TextCell(s.phone),
                 TextCell(AddressWithDistrict(s, lang)), TextCell(line ? line->item_name : ""),
                 TextCell(line ? line->unit : ""), line ? std::to_string(line->requested) : "",
                 line ? std::to_string(line->allotted) : "", "", TextCell(note)},
                out);
    };
    for (const StopLine& line : s.lines) row(&line);
    if (s.lines.empty()) row(nullptr);
  }
  return out;
}

}  // namespace aidlink::print::internal
