#include "util/text.h"

#include <catch2/catch.hpp>

namespace text = aidlink::text;

TEST_CASE("valid UTF-8 is accepted and malformed sequences are rejected", "[util]") {
  CHECK(text::IsValidUtf8("金老伯 hello"));
  CHECK(text::IsValidUtf8(""));
  CHECK_FALSE(text::IsValidUtf8("\xff"));
  CHECK_FALSE(text::IsValidUtf8("\xe9\x87"));          // truncated 金
  CHECK_FALSE(text::IsValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(text::IsValidUtf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(text::IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("malformed bytes become U+FFFD and valid text passes unchanged", "[util]") {
  CHECK(text::ToValidUtf8("金老伯 hello") == "金老伯 hello");
  CHECK(text::ToValidUtf8("") == "");
  CHECK(text::ToValidUtf8("/v1/routes/1/ma\xa1nifest") == "/v1/routes/1/ma\uFFFDnifest");
  CHECK(text::ToValidUtf8("\xe9\x87") == "\uFFFD\uFFFD");              // truncated 金: each byte
  CHECK(text::ToValidUtf8("\xed\xa0\x80x") == "\uFFFD\uFFFD\uFFFDx");  // surrogate
  CHECK(text::IsValidUtf8(text::ToValidUtf8("\xff\xfe\xc0\xaf\xf4\x90\x80\x80")));
}

TEST_CASE("Chinese characters take two columns and count as one code point", "[util]") {
  CHECK(text::DisplayWidth("金老伯") == 6);
  CHECK(text::CodePointCount("金老伯") == 3);
  CHECK(text::DisplayWidth("3幢") == 3);
  CHECK(text::DisplayWidth("ａ") == 2);  // fullwidth latin
  CHECK(text::PadRight("金", 4) == "金  ");
  CHECK(text::PadLeft("7", 3) == "  7");
  CHECK(text::TruncateToWidth("独居老人请先电话联系", 7) == "独居老\u2026");
  CHECK(text::DisplayWidth(text::TruncateToWidth("独居老人请先电话联系", 7)) <= 7);
}

TEST_CASE("control characters are found in short text", "[util]") {
  CHECK(text::HasControlChars("a\nb"));
  CHECK(text::HasControlChars("a\tb"));
  CHECK_FALSE(text::HasControlChars("幸福里3幢"));
}

TEST_CASE("natural order puts 3幢 before 12幢", "[util]") {
  CHECK(text::NaturalLess("幸福里3幢", "幸福里12幢"));
  CHECK_FALSE(text::NaturalLess("幸福里12幢", "幸福里3幢"));
  CHECK(text::NaturalLess("a2", "a10"));
  CHECK(text::NaturalLess("a", "b"));
  CHECK_FALSE(text::NaturalLess("a", "a"));
}

TEST_CASE("a byte order mark and surrounding spaces are stripped", "[util]") {
  CHECK(text::StripBom("\xEF\xBB\xBFname") == "name");
  CHECK(text::StripBom("name") == "name");
  CHECK(text::Trim("  x \r\n") == "x");
}

TEST_CASE("bidirectional controls and line separators are spoofing characters", "[util][trust]") {
  for (const char* bad :
       {"金\u202E伯", "a\u202Ab", "\u2066x\u2069", "x\u2028y", "x\u2029y", "\u202D幸福里"}) {
    CHECK(text::HasSpoofingChars(bad));
  }
  CHECK_FALSE(text::HasSpoofingChars("幸福里3幢201（东湖街道）"));
  CHECK_FALSE(text::HasSpoofingChars("O'Brien, 12 Main St."));
}

TEST_CASE("text of spaces and zero-width characters only is blank", "[util][trust]") {
  for (const char* blank :
       {"", " ", "\u3000", "\u200B", "\u200B\u200C\u200D", "\uFEFF ", "\u00A0\u2060"}) {
    CHECK(text::IsBlank(blank));
  }
  CHECK_FALSE(text::IsBlank("\u200B金"));
  CHECK_FALSE(text::IsBlank(" a "));
}

TEST_CASE("printable text keeps line breaks and drops controls and overrides", "[util][trust]") {
  CHECK(text::PrintableText("放门岗\r\n二楼\r三楼\n四楼") == "放门岗\r\n二楼\r三楼\n四楼");
  CHECK(text::PrintableText("a\u2028b\u2029c") == "a\nb\nc");
  CHECK(text::PrintableText("x\ty") == "x\ty");
  CHECK(text::PrintableText("\x1B[31m红\x07\x7F") == "[31m红");
  CHECK(text::PrintableText("\u202E伯老金\u202C") == "伯老金");
  CHECK(text::PrintableText("a\u0085b\u009Fc") == "abc");  // C1 controls
  CHECK(text::PrintableText("普通文字 plain") == "普通文字 plain");
}
