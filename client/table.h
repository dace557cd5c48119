#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Plain-text tables for the terminal. Columns are aligned by display width
// (a Chinese character takes two columns), so 金老伯 lines up with Li Wei.
// Pure; a Table is thread-compatible.
namespace aidlink::client {

enum class Align { kLeft, kRight };

class Table {
 public:
  // A table with one column per header, all left-aligned.
  explicit Table(std::vector<std::string> headers);

  // REQUIRES: column < number of headers.
  void SetAlign(size_t column, Align align);

  // Adds a row; missing cells are blank and extra cells are dropped.
  void AddRow(std::vector<std::string> cells);

  size_t row_count() const { return rows_.size(); }

  // The header, a rule of dashes and the rows, each line ending in "\n".
  // Columns are separated by two spaces and every line has the same display
  // width (short cells are padded, the last column included). Cells wider
  // than `max_cell_width` columns are cut with "…"; line breaks, tabs and
  // other control characters in cells become spaces, and invalid UTF-8
  // bytes become '?', so that nothing can break the alignment.
  std::string Render(int max_cell_width = 40) const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

// "name   金老伯\n" lines for one object: keys padded to the widest key, values
// cleaned like table cells but never cut.
std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& rows);

// `s` made safe for one terminal line: control characters become spaces and
// invalid UTF-8 bytes become '?'.
std::string CleanCell(std::string_view s);

}  // namespace aidlink::client
