// fuzz_print: the manifest renderers (txt, csv, html) and the receipt
// renderers (txt, html) of server/print on structures built from the input:
// names, addresses, phones, notes, tags, units, quantities and ids.
//
// Strings are valid UTF-8 by construction, as the renderers require (the API
// validates text before it is stored): a byte below 0x80 is that ASCII
// character, control characters included; a byte from 0x80 picks a character
// from kPalette (CJK, fullwidth punctuation, combining marks, emoji, zero-width
// characters, ...). Integers cover the whole int64 range ("every input
// renders").
//
// Properties, besides "no crash, leak or undefined behaviour":
//  - every rendering is valid UTF-8;
//  - manifest txt: ends in "\n", no line wider than 100 columns, no control
//    character but "\n" (user text cannot break the alignment);
//  - manifest csv: a byte order mark, then records that an RFC 4180 reader
//    (the CLI's) reads back without errors: a header and one row per stop
//    line (one for a stop without lines), each as wide as the header, with
//    seq, delivery id, recipient, contact, phone, item and unit exactly as
//    given (line breaks read back as "\n"; a text cell starting with
//    = + - @ tab or CR after a ', so no spreadsheet runs it as a formula);
//  - html (manifest and receipt): user text cannot add markup: rendering the
//    same input with < > " ' & replaced by 'x' in every string gives the
//    same number of < > " ' characters.
#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv.h"
#include "fuzz/fuzz.h"
#include "print/manifest.h"
#include "print/receipt.h"
#include "util/text.h"

namespace aidlink::fuzz {
namespace {

using print::Format;
using print::Lang;

constexpr std::string_view kPalette[] = {
    "金",
    "老",
    "伯",
    "幸",
    "福",
    "里",
    "幢",
    "号",
    "（",
    "）",
    "，",
    "：",
    "；",
    "　",
    "Ａ",
    "１",
    "é",
    "e\u0301",
    "\u0300",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00a0",
    "\u0085",
    "\u2028",
    "\u2029",
    "\u00ad",
    "😀",
    "👨\u200d👩\u200d👧",
    "🇨🇳",
    "\U0010FFFF",
    "\ufffd",
    "ｶ",
    "한",
    "\u3099",
    "\u4e00",
    "\u9fff",
    "\u3400",
    "\U00020000",
    "¥",
    "…",
    "—",
};
constexpr size_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

constexpr std::string_view kTags[] = {"elderly_alone",       "chronic_illness", "disability",
                                      "child_in_difficulty", "quarantined",     "pregnant",
                                      "low_income",          "frontline_worker"};
constexpr std::string_view kUnits[] = {"piece", "box", "kg", "jin", "portion", "bottle"};
constexpr std::string_view kKinds[] = {"household", "community", "institution", "frontline_post"};

// Builds the renderers' input from the bytes.
class Builder {
 public:
  Builder(const uint8_t* data, size_t size) : in_(data, size) {}

  // Up to `max` characters (see the file comment).
  std::string Text(size_t max) {
    std::string out;
    for (const char c : in_.Bytes(max)) {
      const auto b = static_cast<unsigned char>(c);
      if (b < 0x80) {
        out += c;
      } else {
        out += kPalette[(b - 0x80) % kPaletteSize];
      }
    }
    return out;
  }

  // A small number most of the time, any int64 sometimes.
  int64_t Number() {
    const uint8_t mode = in_.Byte();
    if (mode < 0xC0) return mode;
    if (mode < 0xF0) return in_.Int(2);
    return in_.Int(8);
  }

  // One of `known` most of the time, free text otherwise.
  template <size_t N>
  std::string Choice(const std::string_view (&known)[N]) {
    const uint8_t b = in_.Byte();
    if (b < 0xE0) return std::string(known[b % N]);
    return Text(24);
  }

  size_t Count(size_t max) { return in_.Byte() % (max + 1); }
  uint8_t Byte() { return in_.Byte(); }

  print::Manifest BuildManifest() {
    print::Manifest m;
    m.route_id = Number();
    m.depot_name = Text(40);
    m.depot_address = Text(60);
    m.date = Text(12);
    m.driver = Text(30);
    for (size_t i = Count(4); i > 0; --i) {
      print::PickLine p;
      p.item_name = Text(50);
      p.unit = Choice(kUnits);
      p.pack_size = Number();
      p.quantity = Number();
      m.picks.push_back(std::move(p));
    }
    for (size_t i = Count(4); i > 0; --i) {
      print::StopSheet s;
      s.seq = static_cast<int>(Number());
      s.delivery_id = Number();
      s.recipient = Text(60);
      s.contact_name = Text(30);
      s.phone = Text(20);
      s.address = Text(120);
      s.district = Text(20);
      for (size_t t = Count(4); t > 0; --t) s.tags.push_back(Choice(kTags));
      for (size_t k = Count(3); k > 0; --k) {
        print::StopLine line;
        line.item_name = Text(50);
        line.unit = Choice(kUnits);
        line.requested = Number();
        line.allotted = Number();
        s.lines.push_back(std::move(line));
      }
      s.note = Text(250);
      m.stops.push_back(std::move(s));
    }
    return m;
  }

  print::Receipt BuildReceipt() {
    print::Receipt r;
    r.lot_id = Number();
    r.donor_name = Text(40);
    r.item_name = Text(40);
    r.unit = Choice(kUnits);
    r.quantity = Number();
    r.received_on = Text(12);
    r.expires_on = Text(12);
    r.depot_name = Text(40);
    r.depot_district = Text(20);
    r.note = Text(200);
    r.available = Number();
    r.allocated = Number();
    r.delivered = Number();
    r.written_off = Number();
    for (size_t i = Count(4); i > 0; --i) {
      print::ReceiptBucket b;
      b.district = Text(20);
      b.requester_kind = Choice(kKinds);
      b.allocated = Number();
      b.dispatched = Number();
      b.delivered = Number();
      b.returned = Number();
      r.buckets.push_back(std::move(b));
    }
    return r;
  }

 private:
  ByteReader in_;
};

// `s` with the characters that could make markup replaced by 'x'.
std::string Defang(std::string s) {
  for (char& c : s) {
    if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '&') c = 'x';
  }
  return s;
}

print::Manifest Defanged(print::Manifest m) {
  for (std::string* s : {&m.depot_name, &m.depot_address, &m.date, &m.driver}) *s = Defang(*s);
  for (auto& p : m.picks) {
    p.item_name = Defang(p.item_name);
    p.unit = Defang(p.unit);
  }
  for (auto& s : m.stops) {
    for (std::string* f :
         {&s.recipient, &s.contact_name, &s.phone, &s.address, &s.district, &s.note}) {
      *f = Defang(*f);
    }
    for (auto& t : s.tags) t = Defang(t);
    for (auto& l : s.lines) {
      l.item_name = Defang(l.item_name);
      l.unit = Defang(l.unit);
    }
  }
  return m;
}

print::Receipt Defanged(print::Receipt r) {
  for (std::string* s : {&r.donor_name, &r.item_name, &r.unit, &r.received_on, &r.expires_on,
                         &r.depot_name, &r.depot_district, &r.note}) {
    *s = Defang(*s);
  }
  for (auto& b : r.buckets) {
    b.district = Defang(b.district);
    b.requester_kind = Defang(b.requester_kind);
  }
  return r;
}

void CheckMarkup(const std::string& html, const std::string& defanged, const char* what) {
  for (const char c : {'<', '>', '"', '\''}) {
    AIDLINK_FUZZ_CHECK(
        std::count(html.begin(), html.end(), c) == std::count(defanged.begin(), defanged.end(), c),
        what, std::string(1, c) + " count differs in " + html);
  }
}

void CheckTxt(const std::string& txt) {
  AIDLINK_FUZZ_CHECK(!txt.empty() && txt.back() == '\n', "txt does not end in a newline", txt);
  size_t start = 0;
  while (start < txt.size()) {
    const size_t end = txt.find('\n', start);
    const std::string_view line(txt.data() + start, end - start);
    AIDLINK_FUZZ_CHECK(text::DisplayWidth(line) <= 100, "a txt line wider than 100 columns",
                       std::string(line));
    for (const char c : line) {
      const auto b = static_cast<unsigned char>(c);
      AIDLINK_FUZZ_CHECK(b >= 0x20 && b != 0x7F, "a control character in txt", std::string(line));
    }
    start = end + 1;
  }
}

// Line breaks as an RFC 4180 reader gives them back.
std::string AsRead(std::string_view raw) {
  // Printed text loses control and bidirectional characters
  // (text::PrintableText); a text cell that a spreadsheet would run as a
  // formula then starts with '.
  const std::string s = text::PrintableText(raw);
  std::string out =
      !s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos ? "'"
                                                                                           : "";
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      out += '\n';
    } else {
      out += s[i];
    }
  }
  return out;
}

void CheckCsv(const print::Manifest& m, const std::string& csv) {
  AIDLINK_FUZZ_CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0, "csv without a byte order mark", csv);
  const client::CsvDocument doc = client::ParseCsv(csv);
  AIDLINK_FUZZ_CHECK(doc.errors.empty(), "csv that an RFC 4180 reader refuses",
                     doc.errors.front().message + " in " + csv);
  size_t rows = 1;
  for (const auto& s : m.stops) rows += std::max<size_t>(1, s.lines.size());
  AIDLINK_FUZZ_CHECK(doc.records.size() == rows, "csv with another number of rows", csv);
  const size_t width = doc.records.front().fields.size();
  size_t r = 1;
  for (const auto& s : m.stops) {
    for (size_t k = 0; k < std::max<size_t>(1, s.lines.size()); ++k, ++r) {
      const auto& f = doc.records[r].fields;
      AIDLINK_FUZZ_CHECK(f.size() == width, "a csv row not as wide as the header", csv);
      AIDLINK_FUZZ_CHECK(f[0] == std::to_string(s.seq) && f[1] == std::to_string(s.delivery_id) &&
                             f[2] == AsRead(s.recipient) && f[3] == AsRead(s.contact_name) &&
                             f[4] == AsRead(s.phone),
                         "a csv row that does not give the stop back", csv);
      if (!s.lines.empty()) {
        AIDLINK_FUZZ_CHECK(f[6] == AsRead(s.lines[k].item_name) && f[7] == AsRead(s.lines[k].unit),
                           "a csv row that does not give the item back", csv);
      }
    }
  }
}

}  // namespace

void FuzzOneInput(const uint8_t* data, size_t size) {
  Builder b(data, size);
  const Lang lang = (b.Byte() & 1) ? Lang::kEn : Lang::kZh;
  const print::Manifest manifest = b.BuildManifest();
  const print::Receipt receipt = b.BuildReceipt();

  const std::string txt = print::RenderManifest(manifest, Format::kTxt, lang);
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(txt), "manifest txt is not valid UTF-8", txt);
  CheckTxt(txt);

  const std::string csv = print::RenderManifest(manifest, Format::kCsv, lang);
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(csv), "manifest csv is not valid UTF-8", csv);
  CheckCsv(manifest, csv);

  const std::string html = print::RenderManifest(manifest, Format::kHtml, lang);
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(html), "manifest html is not valid UTF-8", html);
  CheckMarkup(html, print::RenderManifest(Defanged(manifest), Format::kHtml, lang),
              "user text adds markup to the manifest html");

  const std::string receipt_txt = print::RenderReceipt(receipt, Format::kTxt, lang);
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(receipt_txt), "receipt txt is not valid UTF-8", receipt_txt);
  const std::string receipt_html = print::RenderReceipt(receipt, Format::kHtml, lang);
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(receipt_html), "receipt html is not valid UTF-8",
                     receipt_html);
  CheckMarkup(receipt_html, print::RenderReceipt(Defanged(receipt), Format::kHtml, lang),
              "user text adds markup to the receipt html");
}

}  // namespace aidlink::fuzz
