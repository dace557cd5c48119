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

namespace aidlink::test::dispatch {
namespace {

std::string Manifest(Desk& d, int64_t route_id, std::string_view query) {
  Response r = d.http().Get(
      "/v1/routes/" + std::to_string(route_id) + "/manifest?" + std::string(query), d.token());
  REQUIRE_STATUS(r, 200);
  return r.body;
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// The txt lines of the stop that starts with "第 N 站" up to the next stop.
std::vector<std::string> StopLines(const std::string& txt, int seq) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : Lines(txt)) {
    if (line.rfind("第 ", 0) == 0 && line.find(" 站") != std::string::npos) {
      in = line.rfind("第 " + std::to_string(seq) + " 站", 0) == 0;
    }
    if (in) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "the printed list shows one line per item per stop, the need's urgency and deadline, the "
    "station's callback phone and the expiry of perishables",
    "[dispatch][print][issue12]") {
  TestServer server;
  Desk d(server);
  Response patched = d.http().Request("PATCH", "/v1/stations/" + std::to_string(d.station_id),
                                      R"({"phone":"027-85551234"})",
                                      {{"Authorization", "Bearer " + d.f().admin()}});
  REQUIRE_STATUS(patched, 200);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  const int64_t meds = d.Item("降压药", "box", 1, false, "medicine");
  // Two lots of eggs: the household's 30 come from both.
  d.Lot(eggs, 20, "2026-11-28");
  d.Lot(eggs, 20, "2026-12-05");
  d.Lot(meds, 10);
  Household h{.name = "金老伯",
              .contact_name = "金小华",
              .phone = "13800138000",
              .address = "江汉区幸福里3幢201",
              .tags = {"elderly_alone"}};
  const int64_t jin = d.Requester(h);
  d.Need(jin, eggs, 30, "high", "2026-11-25");
  d.Need(jin, meds, 2, "critical", "2026-11-24", "降压药只剩四天");
  d.Match("2026-11-22");
  const json::object route = d.Route(d.depot_id, "配送员老周");
  const int64_t route_id = Id(route.at("id"));

  const std::string txt = Manifest(d, route_id, "format=txt");
  INFO(txt);
  const std::vector<std::string> stop = StopLines(txt, 1);
  REQUIRE_FALSE(stop.empty());
  int egg_lines = 0;
  for (const std::string& line : stop) {
    if (line.find("鲜鸡蛋") == std::string::npos) continue;
    ++egg_lines;
    // Requested once (30), allotted the two lots together (30).
    CHECK(std::regex_search(line, std::regex(R"(鲜鸡蛋\s+个\s+30\s+30)")));
  }
  CHECK(egg_lines == 1);
  CHECK_THAT(txt, Catch::Contains("高，需送达 2026-11-25，保质期至 2026-11-28"));
  CHECK_THAT(txt, Catch::Contains("紧急，需送达 2026-11-24"));
  CHECK_THAT(txt, Catch::Contains("027-85551234"));
  // The pick list says when the eggs go off.
  CHECK_THAT(txt.substr(0, txt.find("配送站点")), Catch::Contains("保质期至 2026-11-28"));

  const std::string en = Manifest(d, route_id, "format=txt&lang=en");
  CHECK_THAT(en, Catch::Contains("high, needed by 2026-11-25, use by 2026-11-28"));
  CHECK_THAT(en, Catch::Contains("027-85551234"));
  const std::string html = Manifest(d, route_id, "format=html");
  CHECK_THAT(html, Catch::Contains("027-85551234"));
  CHECK_THAT(html, Catch::Contains("保质期至 2026-11-28"));
  CHECK(Count(html, "<td>鲜鸡蛋") == 2);  // the pick list's line and the stop's one
}

TEST_CASE(
    "reprinting a dispatched or completed route keeps its stops, numbering and load list and "
    "shows each stop's outcome",
    "[dispatch][print][issue12]") {
  TestServer server;
  Desk d(server);
  const int64_t rice = d.Item("东北大米", "kg", 5);
  d.Lot(rice, 100);
  std::vector<int64_t> people;
  for (const char* name : {"赵桂兰", "钱德福", "孙秀英", "李大爷"}) {
    Household h{.name = name, .contact_name = name, .phone = "13800000000", .address = "幸福里"};
    people.push_back(d.Requester(h));
    d.Need(people.back(), rice, 10, "normal");
  }
  d.Match("2026-11-22");
  const json::object route = d.Route(d.depot_id, "配送员老周");
  const int64_t route_id = Id(route.at("id"));
  std::map<int, int64_t> delivery_at;
  for (const json::value& s : Arr(route, "stops")) {
    delivery_at[static_cast<int>(IntOr(s.as_object(), "seq"))] =
        IntOr(s.as_object(), "delivery_id");
  }
  REQUIRE(delivery_at.size() == 4);
  // The last stop is called off before the van leaves: it was never loaded.
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + std::to_string(delivery_at[4]) + ":cancel",
                               json::object{{"reason", "家属已送"}}, d.token()),
                 200);
  const std::string before = Manifest(d, route_id, "format=txt");
  REQUIRE_STATUS(d.http().Post("/v1/routes/" + std::to_string(route_id) + ":dispatch",
                               json::object{}, d.token()),
                 200);
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + std::to_string(delivery_at[1]) + ":deliver",
                               json::object{{"received_by", "王明"}}, d.token()),
                 200);
  REQUIRE_STATUS(d.http().Post("/v1/deliveries/" + std::to_string(delivery_at[2]) + ":fail",
                               json::object{{"reason", "家中无人"}}, d.token()),
                 200);

  const std::string during = Manifest(d, route_id, "format=txt");
  INFO(during);
  CHECK(std::regex_search(during, std::regex("站点数：\\s*3\n")));
  for (int seq : {1, 2, 3}) CHECK_FALSE(StopLines(during, seq).empty());
  CHECK(StopLines(during, 4).empty());
  CHECK_THAT(during, !Catch::Contains("家属已送"));
  // The load list as dispatched: 30 kg, as before.
  const auto picks = [](const std::string& txt) {
    for (const std::string& line : Lines(txt)) {
      if (line.rfind("[ ]", 0) == 0) return line;
    }
    return std::string();
  };
  CHECK(picks(during) == picks(before));
  CHECK_THAT(during, Catch::Contains("已送达，签收人：王明"));
  CHECK_THAT(during, Catch::Contains("未送达：家中无人"));

  REQUIRE_STATUS(
      d.http().Post(
          "/v1/deliveries/" + std::to_string(delivery_at[3]) + ":deliver",
          json::object{{"received_by", "孙秀英"},
                       {"lines", json::array{json::object{{"item_id", rice}, {"quantity", 5}}}}},
          d.token()),
      200);
  REQUIRE(StrOr(d.f().Fetch("/v1/routes/" + std::to_string(route_id), d.token()), "status") ==
          "completed");
  const std::string done = Manifest(d, route_id, "format=txt&lang=en");
  INFO(done);
  CHECK(std::regex_search(done, std::regex("Stops:\\s*3\n")));
  CHECK_THAT(done, Catch::Contains("delivered, signed by: 孙秀英"));
  CHECK_THAT(done, Catch::Contains("failed: 家中无人"));
  const std::string html = Manifest(d, route_id, "format=html");
  CHECK(Count(html, "class=\"stop\"") == 3);
}

TEST_CASE("the compact layout prints one line per household and fits 30 stops on two A4 pages",
          "[dispatch][print][issue12]") {
  TestServer server;
  Desk d(server);
  const int64_t eggs = d.Item("鲜鸡蛋", "piece", 10, true);
  const int64_t rice = d.Item("东北大米", "kg", 5);
  d.Lot(eggs, 5000, "2026-12-31");
  d.Lot(rice, 5000);
  const std::vector<std::string> names = Names();
  for (int i = 0; i < 30; ++i) {
    Household h{.contact_name = "联系人" + std::to_string(i + 1),
                .phone = "138" + std::to_string(10000000 + i),
                .address = "江汉区幸福里" + std::to_string(i % 20 + 1) + "幢" +
                           std::to_string(100 + i) + "室",
                .tags = i % 3 == 0 ? std::vector<std::string>{"elderly_alone"}
                                   : std::vector<std::string>{}};
    h.name = names[static_cast<size_t>(i)];
    const int64_t r = d.Requester(h);
    d.Need(r, eggs, 10 + 10 * (i % 3), "normal", std::nullopt, i % 7 == 0 ? "请轻敲门" : "");
    if (i % 2 == 0) d.Need(r, rice, 5, "high");
  }
  d.Match("2026-11-01");
  const json::object route = d.Route(d.depot_id, "配送员老周");
  const int64_t route_id = Id(route.at("id"));
  REQUIRE(Arr(route, "stops").size() == 30);

  const std::string txt = Manifest(d, route_id, "format=txt&layout=compact");
  INFO(txt);
  for (size_t i = 0; i < 30; ++i) CHECK(Count(txt, names[i]) == 1);
  // One line per household (its items on it), plus one for address and hints.
  for (const std::string& line : Lines(txt)) {
    if (line.find("赵桂兰") == std::string::npos) continue;
    CHECK_THAT(line, Catch::Contains("鲜鸡蛋"));
  }
  Response bad =
      d.http().Get("/v1/routes/" + std::to_string(route_id) + "/manifest?layout=tiny", d.token());
  REQUIRE_ERROR(bad, 400, "layout");

  const std::string html = Manifest(d, route_id, "format=html&layout=compact");
  CHECK(Count(html, "<tr><td class=\"seq\">") == 30);
  const std::string pdfinfo = WhichTool("pdfinfo");
  const std::string timeout = WhichTool("timeout");
  if (!FileExists(kChromium) || pdfinfo.empty() || timeout.empty()) {
    WARN("SKIPPED the page count: needs /usr/bin/chromium, pdfinfo and timeout");
    return;
  }
  TempDir tmp;
  WriteFile(tmp.path() + "/m.html", html);
  const std::string pdf = tmp.path() + "/out.pdf";
  std::string out;
  const std::string cmd =
      timeout + " 120 " + kChromium +
      " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      tmp.path() + "/profile --no-pdf-header-footer --print-to-pdf=" + pdf + " file://" +
      tmp.path() + "/m.html";
  REQUIRE(RunCommand(cmd, &out) == 0);
  REQUIRE(RunCommand(pdfinfo + " " + pdf, &out) == 0);
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex(R"(Pages:\s+(\d+))")));
  const int pages = std::stoi(m[1]);
  WARN("compact 30-stop route: " << pages << " A4 pages");
  CHECK(pages <= 2);
}

}  // namespace aidlink::test::dispatch
