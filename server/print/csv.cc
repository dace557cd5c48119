#include <string>
#include <string_view>
#include <vector>

#include "print/internal.h"
#include "print/manifest.h"

namespace aidlink::print::internal {
namespace {

// RFC 4180: a field holding a comma, quote or line break is quoted, and its
// quotes doubled. Everything else goes out as it is, so that a reader that
// follows the RFC gets the exact strings back.
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
  AppendRow(std::vector<std::string>(l.csv_header.begin(), l.csv_header.end()),
            out);
  for (const StopSheet& s : manifest.stops) {
    const std::string note = StopNote(s, lang);
    const auto row = [&](const StopLine* line) {
      AppendRow(
          {std::to_string(s.seq), std::to_string(s.delivery_id), s.recipient,
           s.contact_name, s.phone, AddressWithDistrict(s, lang),
           line ? line->item_name : "", line ? line->unit : "",
           line ? std::to_string(line->requested) : "",
           line ? std::to_string(line->allotted) : "", "", note},
          out);
    };
    for (const StopLine& line : s.lines) row(&line);
    if (s.lines.empty()) row(nullptr);
  }
  return out;
}

}  // namespace aidlink::print::internal
