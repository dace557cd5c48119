#include "table.h"

#include <algorithm>

#include "util/text.h"

namespace aidlink::client {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0.
size_t SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) len = 2;
  if ((b0 & 0xF0) == 0xE0) len = 3;
  if ((b0 & 0xF8) == 0xF0) len = 4;
  if (len == 0 || i + len > s.size()) return 0;
  return text::IsValidUtf8(s.substr(i, len)) ? len : 0;
}

}  // namespace

std::string CleanCell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t len = SequenceLength(s, i);
    if (len == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    const std::string_view ch = s.substr(i, len);
    // C0 controls, DEL and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
    const auto b0 = static_cast<unsigned char>(ch[0]);
    const bool c1 = len == 2 && b0 == 0xC2 && static_cast<unsigned char>(ch[1]) < 0xA0;
    if ((len == 1 && (b0 < 0x20 || b0 == 0x7F)) || c1) {
      out.push_back(' ');
    } else {
      out.append(ch);
    }
    i += len;
  }
  return out;
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), aligns_(headers_.size(), Align::kLeft) {}

void Table::SetAlign(size_t column, Align align) { aligns_.at(column) = align; }

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render(int max_cell_width) const {
  const size_t n = headers_.size();
  const int max_width = std::max(max_cell_width, 1);
  auto prepare = [max_width](std::string_view cell) {
    std::string clean = CleanCell(cell);
    if (text::DisplayWidth(clean) > max_width) clean = text::TruncateToWidth(clean, max_width);
    return clean;
  };

  std::vector<std::string> header(n);
  std::vector<std::vector<std::string>> body(rows_.size(), std::vector<std::string>(n));
  std::vector<int> widths(n, 0);
  for (size_t c = 0; c < n; ++c) {
    header[c] = prepare(headers_[c]);
    widths[c] = text::DisplayWidth(header[c]);
  }
  for (size_t r = 0; r < rows_.size(); ++r) {
    for (size_t c = 0; c < n; ++c) {
      body[r][c] = prepare(rows_[r][c]);
      widths[c] = std::max(widths[c], text::DisplayWidth(body[r][c]));
    }
  }

  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < n; ++c) {
      if (c > 0) out += "  ";
      out += aligns_[c] == Align::kRight ? text::PadLeft(cells[c], widths[c])
                                         : text::PadRight(cells[c], widths[c]);
    }
    out += '\n';
  };
  emit(header);
  std::vector<std::string> rule(n);
  for (size_t c = 0; c < n; ++c) rule[c] = std::string(widths[c], '-');
  emit(rule);
  for (const auto& row : body) emit(row);
  return out;
}

std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& rows) {
  int key_width = 0;
  for (const auto& [key, value] : rows) key_width = std::max(key_width, text::DisplayWidth(key));
  std::string out;
  for (const auto& [key, value] : rows) {
    std::string line = text::PadRight(CleanCell(key), key_width) + "  " + CleanCell(value);
    // No trailing blanks when the value is empty.
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

}  // namespace aidlink::client
