#include "table.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "util/text.h"

using aidlink::client::Align;
using aidlink::client::RenderKeyValues;
using aidlink::client::Table;
namespace text = aidlink::text;

namespace {

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The display column at which the first occurrence of `needle` starts.
int ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  REQUIRE(at != std::string::npos);
  return text::DisplayWidth(line.substr(0, at));
}

}  // namespace

TEST_CASE("columns of Chinese and Latin text line up by display width", "[client][table]") {
  Table table({"id", "name", "district", "household_size", "tags"});
  table.SetAlign(0, Align::kRight);
  table.SetAlign(3, Align::kRight);
  table.AddRow({"1", "金老伯", "和平区", "1", "elderly_alone,chronic_illness"});
  table.AddRow({"12", "Li Wei", "河西区", "3", ""});
  table.AddRow({"123", "幸福里小区（封控）", "南开区", "2400", "quarantined"});
  const std::string rendered = table.Render();
  const auto lines = Lines(rendered);
  REQUIRE(lines.size() == 5);

  const int width = text::DisplayWidth(lines[0]);
  for (const auto& line : lines) {
    INFO(rendered);
    CHECK(text::DisplayWidth(line) == width);
  }
  // Every district starts in the same column, after names of any script.
  CHECK(ColumnOf(lines[2], "和平区") == ColumnOf(lines[0], "district"));
  CHECK(ColumnOf(lines[3], "河西区") == ColumnOf(lines[0], "district"));
  CHECK(ColumnOf(lines[4], "南开区") == ColumnOf(lines[0], "district"));
  // Numbers are right-aligned: they end where the header ends.
  CHECK(ColumnOf(lines[4], "2400") + 4 ==
        ColumnOf(lines[0], "household_size") + text::DisplayWidth("household_size"));
  CHECK(lines[1].find_first_not_of("- ") == std::string::npos);
}

TEST_CASE("very long cells are cut to the maximum width with an ellipsis", "[client][table]") {
  Table table({"id", "note"});
  table.AddRow({"1", "独居老人，高血压，降压药只剩四天，不会用智能手机，请先电话联系再上门"});
  table.AddRow({"2", "ok"});
  const auto lines = Lines(table.Render(20));
  REQUIRE(lines.size() == 4);
  CHECK(lines[2].find("\u2026") != std::string::npos);
  for (const auto& line : lines) CHECK(text::DisplayWidth(line) <= 2 + 2 + 20);
  CHECK(text::DisplayWidth(lines[2]) == text::DisplayWidth(lines[3]));
}

TEST_CASE("line breaks, tabs and broken bytes in cells cannot break the layout",
          "[client][table]") {
  Table table({"name", "note"});
  table.AddRow({"金老伯", "第一行\n第二行\tend"});
  table.AddRow({"bad\xff", "x"});
  const std::string rendered = table.Render();
  const auto lines = Lines(rendered);
  REQUIRE(lines.size() == 4);
  CHECK(lines[2].find("第一行 第二行 end") != std::string::npos);
  CHECK(lines[3].find("bad?") != std::string::npos);
  CHECK(text::IsValidUtf8(rendered));
  CHECK(text::DisplayWidth(lines[2]) == text::DisplayWidth(lines[3]));
}

TEST_CASE("a table with no rows still shows its header", "[client][table]") {
  Table table({"id", "name"});
  const auto lines = Lines(table.Render());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "id  name");
  CHECK(lines[1] == "--  ----");
}

TEST_CASE("missing cells are blank and extra cells are dropped", "[client][table]") {
  Table table({"a", "b"});
  table.AddRow({"1"});
  table.AddRow({"2", "3", "4"});
  const auto lines = Lines(table.Render());
  REQUIRE(lines.size() == 4);
  CHECK(lines[2] == "1   ");
  CHECK(lines[3] == "2  3");
}

TEST_CASE("key-value output aligns values after keys", "[client][table]") {
  const std::string out =
      RenderKeyValues({{"id", "7"}, {"name", "金老伯"}, {"household_size", "1"}, {"note", ""}});
  const auto lines = Lines(out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "id              7");
  CHECK(lines[1] == "name            金老伯");
  CHECK(lines[3] == "note");
}
