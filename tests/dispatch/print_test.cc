// The real print test: headless Chromium prints the html manifest of a
// 60-stop route to PDF; poppler-utils read it back.
#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include "dispatch/desk.h"

namespace aidlink::test::dispatch {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string WhichTool(const std::string& name) {
  std::string out;
  if (RunCommand("command -v " + name, &out) != 0) return "";
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

// `s` without ASCII whitespace (pdftotext may space out CJK glyphs).
std::string Squeeze(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// 60 distinct three-character names, none inside another.
std::vector<std::string> Names() {
  const std::vector<std::string> surnames = {"赵", "钱", "孙", "李", "周", "吴", "郑",
                                             "王", "冯", "陈", "褚", "卫", "蒋", "沈",
                                             "韩", "杨", "朱", "秦", "尤", "许"};
  const std::vector<std::string> given = {"桂兰", "德福", "秀英"};
  std::vector<std::string> out;
  for (const auto& g : given) {
    for (const auto& s : surnames) out.push_back(s + g);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "Headless Chromium prints a 60-stop route on A4 with every recipient, right pick totals and no "
    "stop split",
    "[dispatch][print]") {
  const std::string pdftotext = WhichTool("pdftotext");
  const std::string pdfinfo = WhichTool("pdfinfo");
  const std::string timeout = WhichTool("timeout");
  if (!FileExists(kChromium) || pdftotext.empty() || pdfinfo.empty() || timeout.empty()) {
    WARN(
        "SKIPPED the real print test: needs /usr/bin/chromium, pdftotext, pdfinfo (poppler-utils) "
        "and "
        "timeout; found chromium="
        << (FileExists(kChromium) ? "yes" : "no")
        << " pdftotext=" << (pdftotext.empty() ? "no" : pdftotext) << " pdfinfo="
        << (pdfinfo.empty() ? "no" : pdfinfo) << ". Install them with scripts/setup.");
    return;
  }

  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  const int64_t rice = d.Item("东北大米", "kg", 5);
  const int64_t meds = d.Item("降压药", "box", 1, false, "medicine");
  d.Lot(eggs, 5000, "2026-12-31");
  d.Lot(rice, 5000, "2027-12-31");
  d.Lot(meds, 500, "2027-06-30");
  const std::vector<std::string> names = Names();
  REQUIRE(names.size() == 60);
  std::map<int64_t, std::string> name_of;
  const std::vector<std::string> tag_sets[] = {
      {}, {"elderly_alone"}, {"disability", "low_income"}, {"chronic_illness"}};
  for (int i = 0; i < 60; ++i) {
    Household h{.contact_name = "联系人" + std::to_string(i + 1),
                .phone = "138" + std::to_string(10000000 + i),
                .address = "江汉区幸福里" + std::to_string(i % 20 + 1) + "幢" +
                           std::to_string(i / 20 + 1) + "单元" + std::to_string(100 + i) + "室",
                .household_size = 1 + i % 5,
                .tags = tag_sets[i % 4]};
    h.name = names[static_cast<size_t>(i)];
    const int64_t r = d.Requester(h);
    name_of[r] = h.name;
    d.Need(r, eggs, 10 + 10 * (i % 3), "normal", std::nullopt,
           i % 7 == 0 ? "家中有小孩，请轻敲门" : "");
    if (i % 2 == 0) d.Need(r, rice, 5 * (1 + i % 4), "high");
    if (i % 5 == 0) d.Need(r, meds, 2, "critical");
  }
  d.Match("2026-11-01");
  json::object route = d.Route(d.depot_id, "配送员老周");
  const auto stops = Arr(route, "stops");
  REQUIRE(stops.size() == 60);
  std::map<int64_t, int64_t> totals;
  std::vector<std::string> stop_names;
  for (const json::value& v : stops) {
    stop_names.push_back(name_of.at(IntOr(v.as_object(), "requester_id")));
    for (const json::value& l : Arr(v.as_object(), "lines")) {
      totals[IntOr(l.as_object(), "item_id")] += IntOr(l.as_object(), "quantity");
    }
  }
  CHECK(totals[eggs] == 20 * (10 + 20 + 30));
  CHECK(totals[rice] == 15 * 5 + 15 * 15);
  CHECK(totals[meds] == 24);

  Response html = d.http().Get(
      "/v1/routes/" + std::to_string(Id(route.at("id"))) + "/manifest?format=html", d.token());
  REQUIRE_STATUS(html, 200);
  TempDir tmp;
  WriteFile(tmp.path() + "/m.html", html.body);
  const std::string pdf = tmp.path() + "/out.pdf";
  std::string out;
  const std::string cmd =
      timeout + " 120 " + kChromium +
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      tmp.path() +
      "/profile --no-pdf-header-footer"
      " --print-to-pdf=" +
      pdf + " file://" + tmp.path() + "/m.html";
  const int rc = RunCommand(cmd, &out);
  INFO("chromium: " << cmd << "\nexit " << rc << "\n" << out.substr(0, 3000));
  REQUIRE(rc == 0);
  REQUIRE(FileExists(pdf));

  REQUIRE(RunCommand(pdfinfo + " " + pdf, &out) == 0);
  const std::string info = out;
  INFO("pdfinfo:\n" << info);
  std::smatch m;
  REQUIRE(std::regex_search(info, m, std::regex(R"(Pages:\s+(\d+))")));
  const int pages = std::stoi(m[1]);
  REQUIRE(std::regex_search(info, m, std::regex(R"(Page size:\s+([\d.]+) x ([\d.]+) pts)")));
  CHECK(std::lround(std::stod(m[1])) == 595);
  CHECK(std::lround(std::stod(m[2])) == 842);
  // Every page, not only the first, is A4.
  REQUIRE(RunCommand(pdfinfo + " -f 1 -l " + std::to_string(pages) + " " + pdf, &out) == 0);
  {
    const std::regex size(R"(Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts)");
    int seen = 0;
    for (auto it = std::sregex_iterator(out.begin(), out.end(), size); it != std::sregex_iterator();
         ++it) {
      ++seen;
      CHECK(std::lround(std::stod((*it)[1])) == 595);
      CHECK(std::lround(std::stod((*it)[2])) == 842);
    }
    CHECK(seen == pages);
  }
  WARN("printed 60-stop route: " << pages << " A4 pages (Chromium headless, " << html.body.size()
                                 << " bytes of html)");

  REQUIRE(RunCommand(pdftotext + " -layout " + pdf + " " + tmp.path() + "/out.txt", &out) == 0);
  const std::string text = ReadFile(tmp.path() + "/out.txt");
  std::vector<std::string> page_text;
  for (size_t start = 0;;) {
    size_t ff = text.find('\f', start);
    page_text.push_back(
        Squeeze(text.substr(start, ff == std::string::npos ? std::string::npos : ff - start)));
    if (ff == std::string::npos) break;
    start = ff + 1;
  }
  while (!page_text.empty() && page_text.back().empty()) page_text.pop_back();
  CHECK(static_cast<int>(page_text.size()) == pages);

  // Every recipient appears; its stop heading and the signature line that
  // ends its block are on the same page.
  const std::string sign = "签收：";
  for (size_t i = 0; i < stop_names.size(); ++i) {
    const std::string& name = stop_names[i];
    INFO("stop " << i + 1 << " " << name);
    int page_found = -1;
    size_t pos = 0;
    for (size_t p = 0; p < page_text.size(); ++p) {
      pos = page_text[p].find(name);
      if (pos != std::string::npos) {
        page_found = static_cast<int>(p);
        break;
      }
    }
    REQUIRE(page_found >= 0);
    const std::string& pt = page_text[static_cast<size_t>(page_found)];
    const size_t sig = pt.find(sign, pos);
    const size_t next =
        i + 1 < stop_names.size() ? pt.find(stop_names[i + 1], pos) : std::string::npos;
    INFO("page " << page_found + 1);
    CHECK(sig != std::string::npos);
    if (next != std::string::npos) CHECK(sig < next);
  }
  // The pick list on the first page carries each item's total.
  const std::vector<std::pair<std::string, int64_t>> picks = {
      {"鲜鸡蛋", totals[eggs]}, {"东北大米", totals[rice]}, {"降压药", totals[meds]}};
  for (const auto& [item, total] : picks) {
    INFO("pick line for " << item);
    bool found = false;
    for (const std::string& line : Lines(text.substr(0, text.find('\f')))) {
      if (line.find(item) == std::string::npos) continue;
      found = std::regex_search(line, std::regex("(^|\\s)" + std::to_string(total) + "(\\s|$)"));
      INFO("line: " << line);
      CHECK(found);
      break;
    }
    CHECK(found);
  }
}

}  // namespace aidlink::test::dispatch
