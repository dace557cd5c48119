#include "print/manifest.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fixture.h"
#include "util/text.h"

namespace print = aidlink::print;
namespace text = aidlink::text;
using print::Format;
using print::Lang;

namespace {

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    lines.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

int WidestLine(std::string_view s) {
  int widest = 0;
  for (const std::string& line : Lines(s)) {
    widest = std::max(widest, text::DisplayWidth(line));
  }
  return widest;
}

// A strict RFC 4180 reader: the test's independent check of the quoting.
// Returns rows of fields; CRLF ends a record, bare LF only inside quotes.
std::vector<std::vector<std::string>> ParseCsv(std::string_view s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string WithCrlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// 200 Chinese characters (400 columns) of address.
std::string LongChineseAddress() {
  std::string s = "湖北省武汉市";
  while (text::CodePointCount(s) < 200) s += "东湖高新技术开发区光谷大道幸福里小区";
  return text::TruncateToWidth(s, 400, false);
}

}  // namespace

// The expected printouts below are meant to be read: in a terminal with a
// monospace font (CJK characters two columns wide) every column lines up.
TEST_CASE("the Chinese text list of a three-stop route is exactly as designed", "[print][golden]") {
  const std::string expected = R"txt(配送清单  路线 #17
====================================================================================================
仓库：    城东物资仓
仓库地址：东湖区东湖路88号
日期：    2026-11-23
配送员：  王师傅
站点数：  3

装车清单（按物品合计）
----------------------------------------------------------------------------------------------------
装车  物品                                      单位          每包        合计  整包 + 零散
[ ]   医用外科口罩                              个              10         125  12 包 + 5
[ ]   降压药（硝苯地平缓释片）                  盒               1           2  -
[ ]   新鲜蔬菜                                  份               1           3  -
[ ]   鸡蛋                                      个              10          30  3 包

配送站点
----------------------------------------------------------------------------------------------------
第 1 站  金老伯                                                                        配送单号 1042
  联系人：金小华                                  电话：13800138000
  地址：幸福里3幢201（东湖街道）
  提示：独居老人，请先电话联系；慢性病，药品请交到本人手中；降压药仅剩四天

  物品                                      单位            申领        分配  实收
  降压药（硝苯地平缓释片）                  盒                 2           2  ________
  医用外科口罩                              个                50          50  ________

  差异/备注：_______________________________________________________________________________________
  __________________________________________________________________________________________________
  签收：______________________________  时间：____________________
----------------------------------------------------------------------------------------------------
第 2 站  李阿姨                                                                        配送单号 1043
  联系人：李阿姨                                  电话：13900139000
  地址：幸福里12幢503（东湖街道）
  提示：隔离中，无接触配送

  物品                                      单位            申领        分配  实收
  新鲜蔬菜                                  份                 2           2  ________
  鸡蛋                                      个                30          20  ________
  医用外科口罩                              个                50          45  ________

  差异/备注：_______________________________________________________________________________________
  __________________________________________________________________________________________________
  签收：______________________________  时间：____________________
----------------------------------------------------------------------------------------------------
第 3 站  阳光社区居委会                                                                配送单号 1050
  联系人：赵主任                                  电话：027-88886666
  地址：阳光路7号（阳光街道）
  提示：封控小区，放门岗

  物品                                      单位            申领        分配  实收
  医用外科口罩                              个                30          30  ________
  新鲜蔬菜                                  份                 1           1  ________
  鸡蛋                                      个                10          10  ________

  差异/备注：_______________________________________________________________________________________
  __________________________________________________________________________________________________
  签收：______________________________  时间：____________________

====================================================================================================
装车人：________________________  配送人：________________________  核对人：________________________
)txt";
  CHECK(print::RenderManifest(print::testing::ThreeStopRoute(), Format::kTxt, Lang::kZh) ==
        expected);
}

TEST_CASE("the English text list uses English labels and tag notes", "[print][golden]") {
  const std::string expected = R"txt(Delivery list  Route #17
====================================================================================================
Depot:         城东物资仓
Depot address: 东湖区东湖路88号
Date:          2026-11-23
Driver:        王师傅
Stops:         3

Pick list (totals per item)
----------------------------------------------------------------------------------------------------
Load  Item                                      Unit      Per pack       Total  Packs + units
[ ]   医用外科口罩                              个              10         125  12 packs + 5
[ ]   降压药（硝苯地平缓释片）                  盒               1           2  -
[ ]   新鲜蔬菜                                  份               1           3  -
[ ]   鸡蛋                                      个              10          30  3 packs

Stops
----------------------------------------------------------------------------------------------------
Stop 1  金老伯                                                                         Delivery 1042
  Contact: 金小华                                 Phone: 13800138000
  Address: 幸福里3幢201 (东湖街道)
  Note:    elderly, lives alone: call first; chronic illness: hand medicine to the person; 降压药仅
           剩四天

  Item                                      Unit       Requested    Allotted  Received
  降压药（硝苯地平缓释片）                  盒                 2           2  ________
  医用外科口罩                              个                50          50  ________

  Differences / comments: __________________________________________________________________________
  __________________________________________________________________________________________________
  Signature: ______________________________  Time: ____________________
----------------------------------------------------------------------------------------------------
Stop 2  李阿姨                                                                         Delivery 1043
  Contact: 李阿姨                                 Phone: 13900139000
  Address: 幸福里12幢503 (东湖街道)
  Note:    quarantined: contactless drop-off

  Item                                      Unit       Requested    Allotted  Received
  新鲜蔬菜                                  份                 2           2  ________
  鸡蛋                                      个                30          20  ________
  医用外科口罩                              个                50          45  ________

  Differences / comments: __________________________________________________________________________
  __________________________________________________________________________________________________
  Signature: ______________________________  Time: ____________________
----------------------------------------------------------------------------------------------------
Stop 3  阳光社区居委会                                                                 Delivery 1050
  Contact: 赵主任                                 Phone: 027-88886666
  Address: 阳光路7号 (阳光街道)
  Note:    封控小区，放门岗

  Item                                      Unit       Requested    Allotted  Received
  医用外科口罩                              个                30          30  ________
  新鲜蔬菜                                  份                 1           1  ________
  鸡蛋                                      个                10          10  ________

  Differences / comments: __________________________________________________________________________
  __________________________________________________________________________________________________
  Signature: ______________________________  Time: ____________________

====================================================================================================
Loaded by: _____________________  Delivered by: __________________  Checked by: ____________________
)txt";
  CHECK(print::RenderManifest(print::testing::ThreeStopRoute(), Format::kTxt, Lang::kEn) ==
        expected);
}

TEST_CASE("the csv has a BOM, a header and one row per stop line", "[print][golden]") {
  // Written with "\n" for readability; the file itself uses CRLF (RFC 4180).
  const std::string expected =
      "\xEF\xBB\xBF" + WithCrlf(
                           R"csv(序号,配送单号,收件人,联系人,电话,地址,物品,单位,申领,分配,实收,备注
1,1042,金老伯,金小华,13800138000,幸福里3幢201（东湖街道）,降压药（硝苯地平缓释片）,盒,2,2,,独居老人，请先电话联系；慢性病，药品请交到本人手中；降压药仅剩四天
1,1042,金老伯,金小华,13800138000,幸福里3幢201（东湖街道）,医用外科口罩,个,50,50,,独居老人，请先电话联系；慢性病，药品请交到本人手中；降压药仅剩四天
2,1043,李阿姨,李阿姨,13900139000,幸福里12幢503（东湖街道）,新鲜蔬菜,份,2,2,,隔离中，无接触配送
2,1043,李阿姨,李阿姨,13900139000,幸福里12幢503（东湖街道）,鸡蛋,个,30,20,,隔离中，无接触配送
2,1043,李阿姨,李阿姨,13900139000,幸福里12幢503（东湖街道）,医用外科口罩,个,50,45,,隔离中，无接触配送
3,1050,阳光社区居委会,赵主任,027-88886666,阳光路7号（阳光街道）,医用外科口罩,个,30,30,,封控小区，放门岗
3,1050,阳光社区居委会,赵主任,027-88886666,阳光路7号（阳光街道）,新鲜蔬菜,份,1,1,,封控小区，放门岗
3,1050,阳光社区居委会,赵主任,027-88886666,阳光路7号（阳光街道）,鸡蛋,个,10,10,,封控小区，放门岗
)csv");
  CHECK(print::RenderManifest(print::testing::ThreeStopRoute(), Format::kCsv, Lang::kZh) ==
        expected);
}

TEST_CASE("no text line is wider than 100 columns, whatever the data", "[print][txt]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  const std::string address = LongChineseAddress();
  REQUIRE(text::DisplayWidth(address) == 400);
  m.depot_name = address;
  m.depot_address = address;
  m.driver = std::string(150, 'x');
  m.picks.push_back({address, address, 1000000, 987654321987});
  print::StopSheet& s = m.stops[0];
  s.recipient = address;
  s.contact_name = address;
  s.phone = std::string(120, '9');
  s.address = address;
  s.district = address;
  s.note = address + "\n第二段：" + address + "\tTab";
  s.lines.push_back({address, address, 123456789012, 123456789012});
  m.stops[1].note =
      "Please ring twice, then wait for a long time because the "
      "door is at the far end of a very long corridor on the "
      "seventh floor of building twelve";

  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    const std::string out = print::RenderManifest(m, Format::kTxt, lang);
    INFO(out);
    CHECK(WidestLine(out) <= 100);
    CHECK(text::IsValidUtf8(out));
    CHECK(out.find('\t') == std::string::npos);
    // Long addresses and notes wrap rather than vanish: their end is printed.
    CHECK(out.find("幸福里小区") != std::string::npos);
    CHECK(out.find("Tab") != std::string::npos);
    CHECK(out.find("twelve") != std::string::npos);
    // Latin words are not cut in half when they wrap.
    for (std::string_view word : {"corridor", "seventh", "building", "because"}) {
      CHECK(out.find(word) != std::string::npos);
    }
  }
}

TEST_CASE("English notes wrap between words", "[print][txt]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops.resize(1);
  m.stops[0].tags = {};
  m.stops[0].note = std::string(60, 'a') + " " + std::string(30, 'b') + " tail";
  const std::string out = print::RenderManifest(m, Format::kTxt, Lang::kEn);
  CHECK(out.find("  Note:    " + std::string(60, 'a') + "\n           " + std::string(30, 'b') +
                 " tail\n") != std::string::npos);
}

TEST_CASE("csv fields with commas, quotes and line breaks round-trip", "[print][csv]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops.resize(1);
  print::StopSheet& s = m.stops[0];
  s.recipient = "金老伯, \"老金\"";
  s.address = "幸福里3幢201\n（后门进）";
  s.district = "";
  s.tags = {};
  s.note = "说\"谢谢\"，\r\n再见";
  s.lines = {{"口罩, KN95", "个", 10, 10}};
  const std::string out = print::RenderManifest(m, Format::kCsv, Lang::kZh);
  REQUIRE(out.starts_with("\xEF\xBB\xBF"));
  const auto rows = ParseCsv(std::string_view(out).substr(3));
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].size() == 12);
  REQUIRE(rows[1].size() == 12);
  CHECK(rows[1][2] == s.recipient);
  CHECK(rows[1][5] == s.address);
  CHECK(rows[1][6] == "口罩, KN95");
  CHECK(rows[1][10] == "");
  CHECK(rows[1][11] == s.note);
  CHECK(out.find("\"金老伯, \"\"老金\"\"\"") != std::string::npos);
}

TEST_CASE("csv text cells that a spreadsheet would run as formulas start with '", "[print][csv]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops.resize(1);
  print::StopSheet& s = m.stops[0];
  s.recipient = "=HYPERLINK(\"http://x\",\"点我\")";
  s.contact_name = "@SUM(1+1)*cmd|' /C calc'!A0";
  s.phone = "+86 138 0013 8000";
  s.address = "-2+3";
  s.district = "";
  s.tags = {};
  s.note = "\t=1+1";
  s.lines = {{"\r=1", "个", 10, 10}, {"金老伯的降压药", "-盒", 2, 2}};
  const std::string out = print::RenderManifest(m, Format::kCsv, Lang::kZh);
  REQUIRE(out.starts_with("\xEF\xBB\xBF"));
  // The quotes of the formula are still doubled inside a quoted field.
  CHECK(out.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")\"") != std::string::npos);
  const auto rows = ParseCsv(std::string_view(out).substr(3));
  REQUIRE(rows.size() == 3);
  for (size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == 12);
    CHECK(rows[r][2] == "'" + s.recipient);
    CHECK(rows[r][3] == "'" + s.contact_name);
    CHECK(rows[r][4] == "'" + s.phone);
    CHECK(rows[r][5] == "'-2+3");
    CHECK(rows[r][11] == "'\t=1+1");
  }
  CHECK(rows[1][6] == "'\r=1");
  CHECK(rows[1][7] == "个");
  CHECK(rows[2][6] == "金老伯的降压药");
  CHECK(rows[2][7] == "'-盒");
  // Numbers are numbers: ids and quantities are never prefixed.
  CHECK(rows[1][0] == "1");
  CHECK(rows[1][1] == "1042");
  CHECK(rows[1][8] == "10");
  CHECK(rows[1][9] == "10");
}

TEST_CASE("csv numbers keep their sign and ordinary Chinese text is untouched", "[print][csv]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops.resize(1);
  m.stops[0].seq = -1;
  m.stops[0].lines = {{"鸡蛋", "个", -30, -20}};
  const auto rows =
      ParseCsv(std::string_view(print::RenderManifest(m, Format::kCsv, Lang::kZh)).substr(3));
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][0] == "-1");
  CHECK(rows[1][2] == "金老伯");
  CHECK(rows[1][5] == "幸福里3幢201（东湖街道）");
  CHECK(rows[1][6] == "鸡蛋");
  CHECK(rows[1][8] == "-30");
  CHECK(rows[1][9] == "-20");
}

TEST_CASE("a stop without lines still gets a csv row", "[print][csv]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops[1].lines.clear();
  const auto rows =
      ParseCsv(std::string_view(print::RenderManifest(m, Format::kCsv, Lang::kEn)).substr(3));
  REQUIRE(rows.size() == 1 + 2 + 1 + 3);
  CHECK(rows[0][0] == "seq");
  CHECK(rows[0][11] == "note");
  CHECK(rows[3] == std::vector<std::string>{"2", "1043", "李阿姨", "李阿姨", "13900139000",
                                            "幸福里12幢503 (东湖街道)", "", "", "", "", "",
                                            "quarantined: contactless drop-off"});
}

TEST_CASE("the html page escapes names and holds everything a print needs", "[print][html]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops[1].recipient = "<script>alert(\"x\")</script> & 'co'";
  m.depot_name = "仓<b>";
  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    const std::string html = print::RenderManifest(m, Format::kHtml, lang);
    CHECK(html.starts_with("<!DOCTYPE html>"));
    CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(html.find(lang == Lang::kZh ? "<html lang=\"zh-CN\">" : "<html lang=\"en\">") !=
          std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
                    "&#39;co&#39;") != std::string::npos);
    CHECK(html.find("仓&lt;b&gt;") != std::string::npos);
    CHECK(html.find("金老伯") != std::string::npos);
    CHECK(html.find("阳光社区居委会") != std::string::npos);
    CHECK(html.find("@page") != std::string::npos);
    CHECK(html.find("size: A4") != std::string::npos);
    CHECK(html.find("@bottom-center") != std::string::npos);
    CHECK(html.find("counter(pages)") != std::string::npos);
    CHECK(html.find("thead { display: table-header-group; }") != std::string::npos);
    CHECK(html.find("<thead>") != std::string::npos);
    CHECK(html.find("break-inside: avoid; page-break-inside: avoid;") != std::string::npos);
    CHECK(html.find("Noto Sans CJK SC") != std::string::npos);
    CHECK(html.find("WenQuanYi") != std::string::npos);
    CHECK(html.find("sans-serif") != std::string::npos);
    // Self-contained: nothing to fetch.
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
    CHECK(html.ends_with("</html>\n"));
  }
}

TEST_CASE("every stop is one block and the signature boxes close the page", "[print][html]") {
  const std::string html =
      print::RenderManifest(print::testing::ThreeStopRoute(), Format::kHtml, Lang::kZh);
  size_t blocks = 0;
  for (size_t at = html.find("<div class=\"stop\">"); at != std::string::npos;
       at = html.find("<div class=\"stop\">", at + 1)) {
    ++blocks;
  }
  CHECK(blocks == 3);
  CHECK(html.find("&#9744;") != std::string::npos);  // tick boxes ☐
  CHECK(html.find("12 包 + 5") != std::string::npos);
  CHECK(html.find("装车人") != std::string::npos);
  CHECK(html.find("配送人") != std::string::npos);
  CHECK(html.find("核对人") != std::string::npos);
  CHECK(html.find("签收") != std::string::npos);
  CHECK(html.find("差异/备注") != std::string::npos);
  CHECK(html.find("独居老人，请先电话联系") != std::string::npos);
  CHECK(html.find("\"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\"") !=
        std::string::npos);
}

TEST_CASE("packs and loose units are counted in whole packs", "[print]") {
  const auto packs = [](int64_t pack_size, int64_t quantity, Lang lang) {
    print::Manifest m;
    m.picks = {{"口罩", "个", pack_size, quantity}};
    const std::string out = print::RenderManifest(m, Format::kTxt, lang);
    const std::vector<std::string> lines = Lines(out);
    for (const std::string& line : lines) {
      if (line.starts_with("[ ]")) return line.substr(line.rfind("  ") + 2);
    }
    return std::string("?");
  };
  CHECK(packs(10, 125, Lang::kZh) == "12 包 + 5");
  CHECK(packs(10, 120, Lang::kZh) == "12 包");
  CHECK(packs(10, 5, Lang::kZh) == "0 包 + 5");
  CHECK(packs(1, 7, Lang::kZh) == "-");
  CHECK(packs(10, 125, Lang::kEn) == "12 packs + 5");
  CHECK(packs(10, 13, Lang::kEn) == "1 pack + 3");
}

TEST_CASE("each vulnerability tag has a phrase and notes keep DESIGN order", "[print]") {
  const std::vector<std::string> tags = {"elderly_alone",       "chronic_illness", "disability",
                                         "child_in_difficulty", "quarantined",     "pregnant",
                                         "low_income",          "frontline_worker"};
  for (const std::string& tag : tags) {
    CHECK(print::TagPhrase(tag, Lang::kZh) != tag);
    CHECK(print::TagPhrase(tag, Lang::kEn) != tag);
    CHECK(text::DisplayWidth(print::TagPhrase(tag, Lang::kZh)) <= 40);
  }
  CHECK(print::TagPhrase("elderly_alone", Lang::kZh) == "独居老人，请先电话联系");
  CHECK(print::TagPhrase("elderly_alone", Lang::kEn) == "elderly, lives alone: call first");
  CHECK(print::TagPhrase("quarantined", Lang::kZh) == "隔离中，无接触配送");
  CHECK(print::TagPhrase("quarantined", Lang::kEn) == "quarantined: contactless drop-off");
  CHECK(print::TagPhrase("disability", Lang::kZh) == "残障，请送货上门");

  print::StopSheet s;
  s.tags = {"quarantined", "new_tag", "elderly_alone", "quarantined", ""};
  s.note = "放门口";
  CHECK(print::StopNote(s, Lang::kZh) ==
        "独居老人，请先电话联系；隔离中，无接触配送；new_tag；放门口");
  s.tags.clear();
  s.note.clear();
  CHECK(print::StopNote(s, Lang::kEn).empty());
}

TEST_CASE("rendering is deterministic and handles an empty route", "[print]") {
  const print::Manifest m = print::testing::ThreeStopRoute();
  for (Format f : {Format::kTxt, Format::kCsv, Format::kHtml}) {
    CHECK(print::RenderManifest(m, f, Lang::kZh) == print::RenderManifest(m, f, Lang::kZh));
    const std::string empty = print::RenderManifest(print::Manifest{}, f, Lang::kZh);
    CHECK_FALSE(empty.empty());
    CHECK(text::IsValidUtf8(empty));
  }
  CHECK(print::RenderManifest(print::Manifest{}, Format::kCsv, Lang::kZh) ==
        "\xEF\xBB\xBF序号,配送单号,收件人,联系人,电话,地址,物品,单位,申领,分配,"
        "实收,备注\r\n");
}

TEST_CASE("notes keep their line breaks and lose controls and overrides in every format",
          "[print][trust]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  m.stops[0].note = "放门岗\n二楼\x1B[2J\u202E左转\u202C\x07";
  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    for (Format format : {Format::kTxt, Format::kCsv, Format::kHtml}) {
      const std::string out = print::RenderManifest(m, format, lang);
      INFO(out);
      CHECK(out.find('\x1B') == std::string::npos);
      CHECK(out.find('\x07') == std::string::npos);
      CHECK(out.find("\u202E") == std::string::npos);
      CHECK(out.find("\u202C") == std::string::npos);
      CHECK(out.find("[2J") != std::string::npos);  // the text stays, the escape goes
      if (format == Format::kTxt) {
        // Its own line breaks start new (indented) lines.
        CHECK(out.find("放门岗\n") != std::string::npos);
        CHECK(out.find("放门岗 二楼") == std::string::npos);
      } else {
        CHECK(out.find("放门岗\n二楼") != std::string::npos);
      }
    }
  }
}

TEST_CASE("repeated hints on a manifest stop are shown once", "[print][issue12]") {
  print::StopSheet s;
  s.seq = 1;
  s.delivery_id = 7;
  s.recipient = "金老伯";
  s.tags = {"elderly_alone"};
  // Two needs of one household with the same note, and a third that says
  // what the tag already says.
  s.note = "请先电话联系；请先电话联系；独居老人，请先电话联系；药品放门口";
  CHECK(print::StopNote(s, Lang::kZh) == "独居老人，请先电话联系；请先电话联系；药品放门口");
  print::Manifest m;
  m.stops = {s};
  const std::string txt = print::RenderManifest(m, Format::kTxt, Lang::kZh);
  size_t count = 0;
  for (size_t at = txt.find("药品放门口"); at != std::string::npos;
       at = txt.find("药品放门口", at + 1)) {
    ++count;
  }
  CHECK(count == 1);
}

TEST_CASE("the txt list never cuts a contact name", "[print][txt][issue12]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  const std::string long_contact =
      "幸福里小区封控临时党支部书记兼志愿者服务队队长王建国同志（白班）";
  m.stops[0].contact_name = long_contact;
  m.stops[1].phone = "+86 139 0013 9000 转 8001 / 027-88886666 转 2（夜间值班室，请先发短信）";
  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    const std::string txt = print::RenderManifest(m, Format::kTxt, lang);
    INFO(txt);
    // The whole name is on one line (it fits a line on its own).
    CHECK_THAT(txt, Catch::Contains(long_contact));
    CHECK_THAT(txt, Catch::Contains("转 8001"));
    CHECK_THAT(txt, Catch::Contains("请先发短信"));
    CHECK(WidestLine(txt) <= 100);
  }
  // A short contact and phone still share a line.
  const std::string txt =
      print::RenderManifest(print::testing::ThreeStopRoute(), Format::kTxt, Lang::kZh);
  bool shared = false;
  for (const std::string& line : Lines(txt)) {
    if (line.find("联系人：金小华") == std::string::npos) continue;
    shared = line.find("电话：13800138000") != std::string::npos;
  }
  CHECK(shared);
}

TEST_CASE("units 套 and 副 and the tag left_behind_child print in both languages",
          "[print][issue12]") {
  CHECK(print::UnitLabel("set", Lang::kZh) == "套");
  CHECK(print::UnitLabel("pair", Lang::kZh) == "副");
  CHECK(print::UnitLabel("pair", Lang::kEn) == "pair");
  CHECK(print::TagPhrase("left_behind_child", Lang::kZh) != "left_behind_child");
  CHECK_THAT(print::TagPhrase("left_behind_child", Lang::kZh), Catch::Contains("留守儿童"));
  CHECK_THAT(print::TagPhrase("left_behind_child", Lang::kEn), Catch::Contains("left-behind"));
}

TEST_CASE("a stop line shows urgency, deadline and expiry; a stop its callback phone and outcome",
          "[print][issue12]") {
  print::Manifest m = print::testing::ThreeStopRoute();
  print::StopLine& meds = m.stops[0].lines[0];
  meds.urgency = "critical";
  meds.needed_by = "2026-11-24";
  print::StopLine& veg = m.stops[1].lines[0];
  veg.urgency = "normal";
  veg.expires_on = "2026-11-25";
  m.stops[0].station_name = "幸福里社工站";
  m.stops[0].station_phone = "027-85551234";
  m.stops[1].outcome = "delivered";
  m.stops[1].received_by = "李阿姨";
  for (print::StopLine& line : m.stops[1].lines) line.delivered = line.allotted;
  m.stops[1].lines[1].delivered = 18;
  m.stops[1].lines[1].damaged = 2;
  m.stops[2].outcome = "failed";
  m.stops[2].fail_reason = "门岗不收";

  const std::string zh = print::RenderManifest(m, Format::kTxt, Lang::kZh);
  INFO(zh);
  CHECK_THAT(zh, Catch::Contains("紧急，需送达 2026-11-24"));
  CHECK_THAT(zh, Catch::Contains("普通，保质期至 2026-11-25"));
  CHECK_THAT(zh, Catch::Contains("027-85551234（幸福里社工站）"));
  CHECK_THAT(zh, Catch::Contains("已送达，签收人：李阿姨"));
  CHECK_THAT(zh, Catch::Contains("未送达：门岗不收"));
  bool labelled = false;
  for (const std::string& line : Lines(zh)) {
    if (line.find("社工站电话：") != std::string::npos) {
      labelled = line.find("027-85551234") != std::string::npos;
    }
  }
  CHECK(labelled);
  CHECK_THAT(zh, Catch::Contains("18（损坏 2）"));
  CHECK(WidestLine(zh) <= 100);
  const std::string en = print::RenderManifest(m, Format::kTxt, Lang::kEn);
  CHECK_THAT(en, Catch::Contains("critical, needed by 2026-11-24"));
  CHECK_THAT(en, Catch::Contains("failed: 门岗不收"));
  CHECK_THAT(en, Catch::Contains("18 (2 damaged)"));
  const std::string html = print::RenderManifest(m, Format::kHtml, Lang::kZh);
  CHECK_THAT(html, Catch::Contains("紧急，需送达 2026-11-24"));
  CHECK_THAT(html, Catch::Contains("027-85551234"));
  CHECK_THAT(html, Catch::Contains("已送达，签收人：李阿姨"));
  // Without the new fields the list reads as before (the golden tests).
  CHECK(print::RenderManifest(print::testing::ThreeStopRoute(), Format::kTxt, Lang::kZh) ==
        print::RenderManifest(print::testing::ThreeStopRoute(), Format::kTxt, Lang::kZh,
                              print::Layout::kFull));
}

TEST_CASE("the compact layout is one line per household", "[print][issue12]") {
  const print::Manifest m = print::testing::ThreeStopRoute();
  const std::string txt =
      print::RenderManifest(m, Format::kTxt, Lang::kZh, print::Layout::kCompact);
  INFO(txt);
  CHECK(WidestLine(txt) <= 100);
  for (const std::string& line : Lines(txt)) {
    if (line.find("金老伯") != std::string::npos) {
      CHECK_THAT(line, Catch::Contains("13800138000"));
      CHECK_THAT(line, Catch::Contains("降压药"));
    }
  }
  CHECK_THAT(txt, !Catch::Contains("签收："));         // no per-stop signature block
  CHECK_THAT(txt, Catch::Contains("联系人：金小华"));  // the contact is not left out
  CHECK_THAT(txt, Catch::Contains("联系人：赵主任"));
  const std::string html =
      print::RenderManifest(m, Format::kHtml, Lang::kZh, print::Layout::kCompact);
  CHECK_THAT(html, Catch::Contains("<table class=\"compact\">"));
  CHECK_THAT(html, !Catch::Contains("class=\"stop\""));
}
