#include "print/receipt.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "util/text.h"

using namespace aidlink;
using namespace aidlink::print;

namespace {

Receipt Sample() {
  Receipt r;
  r.lot_id = 7;
  r.donor_name = "某口罩厂 <捐赠部>";
  r.item_name = "KN95口罩";
  r.unit = UnitLabel("piece", Lang::kZh);
  r.quantity = 200;
  r.received_on = "2026-11-20";
  r.depot_name = "江汉区仓库";
  r.depot_district = "江汉区";
  r.available = 20;
  r.allocated = 30;
  r.delivered = 140;
  r.written_off = 10;
  r.buckets = {{"江汉区", "frontline_post", 30, 10, 120, 0}, {"江岸区", "community", 0, 0, 20, 5}};
  return r;
}

}  // namespace

TEST_CASE("a txt receipt lines up its trace columns by display width", "[print]") {
  const std::string txt = RenderReceipt(Sample(), Format::kTxt, Lang::kZh);
  CHECK(txt.find("捐赠回执  批次 #7") == 0);
  CHECK(txt.find("200 个") != std::string::npos);
  CHECK(txt.find("一线岗位") != std::string::npos);
  std::istringstream in(txt);
  std::string line;
  int table_width = -1;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("地区", 0) == 0) in_table = true;
    if (in_table && line.empty()) break;
    if (!in_table) continue;
    const int w = text::DisplayWidth(line);
    if (table_width < 0) table_width = w;
    CHECK(w == table_width);
  }
  CHECK(table_width > 0);
}

TEST_CASE("an html receipt escapes text and names no household", "[print]") {
  const std::string html = RenderReceipt(Sample(), Format::kHtml, Lang::kEn);
  CHECK(html.find("&lt;捐赠部&gt;") != std::string::npos);
  CHECK(html.find("<捐赠部>") == std::string::npos);
  CHECK(html.find("frontline_post") != std::string::npos);
  CHECK(html.find("holds no recipient names") != std::string::npos);
  CHECK(html.find("@page") != std::string::npos);
}

TEST_CASE("catalog units print in the reader's language", "[print]") {
  CHECK(UnitLabel("box", Lang::kZh) == "箱");
  CHECK(UnitLabel("jin", Lang::kZh) == "斤");
  CHECK(UnitLabel("box", Lang::kEn) == "box");
  CHECK(UnitLabel("crate", Lang::kZh) == "crate");
}

TEST_CASE("a txt receipt prints control characters in user text as spaces", "[print]") {
  Receipt r = Sample();
  r.donor_name = "爱心\x1b[2J企业";
  r.item_name = "口罩\tKN95";
  r.depot_name = "仓库\r一号";
  r.depot_district = "江汉\x7f区";
  r.note = "第一行\n第二行\x07";
  r.buckets = {{"江\n汉区", "household", 1, 0, 0, 0}};
  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    const std::string txt = RenderReceipt(r, Format::kTxt, lang);
    for (unsigned char c : txt) {
      INFO("byte " << static_cast<int>(c));
      CHECK((c == '\n' || (c >= 0x20 && c != 0x7F)));
    }
    CHECK(txt.find("爱心 [2J企业") != std::string::npos);
    CHECK(txt.find("口罩 KN95") != std::string::npos);
    CHECK(txt.find("仓库 一号") != std::string::npos);
    CHECK(txt.find("第一行 第二行 \n") != std::string::npos);
    // The note stays on its label's line, and the trace table keeps its width.
    CHECK(txt.find("\n第二行") == std::string::npos);
    CHECK(txt.find("江 汉区") != std::string::npos);
  }
}
