#include <string>
#include <string_view>

#include "print/internal.h"
#include "print/manifest.h"
#include "util/text.h"

namespace aidlink::print::internal {
namespace {

// Print CSS for A4. Every stop is one unbreakable block, table headers repeat
// on each page a table spans, and the page number sits in the bottom margin
// box (Chromium >= 131 and Firefox print @page margin boxes; older browsers
// simply omit the number). Backgrounds are kept light so that the page still
// reads when a browser drops them.
constexpr std::string_view kStyle = R"css(
@page {
  size: A4;
  margin: 14mm 12mm 16mm 12mm;
  @bottom-center { content: PAGE_NUMBER; font-size: 9pt; color: #333; }
}
* { box-sizing: border-box; }
html {
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei",
    "PingFang SC", sans-serif;
  font-size: 10pt;
  line-height: 1.3;
  color: #000;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
body { margin: 0; }
@media screen { body { max-width: 186mm; margin: 8mm auto; } }
h1 { font-size: 16pt; margin: 0 0 3mm; }
h2 {
  font-size: 12pt; margin: 5mm 0 2mm;
  break-after: avoid; page-break-after: avoid;
}
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
tfoot { display: table-footer-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td {
  border: 0.5pt solid #000; padding: 0.4mm 1.5mm;
  text-align: left; vertical-align: top; overflow-wrap: anywhere;
}
th { background: #eee; font-weight: bold; }
.num { text-align: right; white-space: nowrap; width: 16mm; }
.unit { white-space: nowrap; width: 14mm; }
.tick { text-align: center; width: 13mm; white-space: nowrap; }
.received { width: 20mm; }
table.meta th { width: 28mm; white-space: nowrap; }
.stop {
  break-inside: avoid; page-break-inside: avoid;
  border: 1pt solid #000; padding: 1.5mm 2mm; margin: 0 0 2.5mm;
}
.stop-head { display: flex; justify-content: space-between; gap: 4mm;
  font-size: 11pt; font-weight: bold; margin-bottom: 0.5mm; }
.stop-head .delivery { font-weight: normal; font-size: 9.5pt; white-space: nowrap; }
.stop-meta { display: grid; grid-template-columns: auto 1fr auto 1fr;
  gap: 0 2mm; margin-bottom: 0.5mm; }
.stop-meta .label, .note .label { color: #333; white-space: nowrap; }
.stop-meta .wide { grid-column: 2 / 5; }
.note { margin: 0 0 1mm; font-weight: bold; white-space: pre-line; }
.note .label { font-weight: normal; }
.comments { border: 0.5pt solid #000; height: 9mm; margin-top: 1mm;
  padding: 0.5mm 1.5mm; font-size: 8.5pt; color: #333; }
.sign { display: flex; gap: 4mm; margin-top: 1mm; align-items: flex-end; }
.sign span.line { flex: 1; border-bottom: 0.5pt solid #000; height: 5.5mm; }
.sign span.short { flex: 0 0 35mm; }
.signatures { display: flex; gap: 5mm; margin-top: 6mm;
  break-inside: avoid; page-break-inside: avoid; }
.signatures .box { flex: 1; border: 1pt solid #000; height: 24mm; padding: 1.5mm 2mm; }
.detail { font-size: 8.5pt; color: #333; }
.outcome { margin: 0 0 1mm; font-weight: bold; }
table.compact { font-size: 8.5pt; line-height: 1.2; }
table.compact td, table.compact th { padding: 0.3mm 1mm; }
table.compact .seq { width: 7mm; text-align: right; }
table.compact .who { width: 24mm; }
table.compact .tel { width: 25mm; white-space: nowrap; }
table.compact .sig { width: 18mm; }
)css";

void Escape(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

// User text made printable (text::PrintableText), then escaped.
std::string Esc(std::string_view s) {
  std::string out;
  Escape(text::PrintableText(s), out);
  return out;
}

// A CSS string literal: quotes and backslashes escaped.
std::string CssString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Style(const Labels& l) {
  std::string page_number =
      CssString(l.page_prefix) + " counter(page) " + CssString(l.page_middle) + " counter(pages)";
  if (!l.page_suffix.empty()) page_number += " " + CssString(l.page_suffix);
  std::string style(kStyle);
  const std::string_view placeholder = "PAGE_NUMBER";
  style.replace(style.find(placeholder), placeholder.size(), page_number);
  return style;
}

void MetaRow(std::string_view label1, std::string_view value1, std::string_view label2,
             std::string_view value2, std::string& out) {
  out += "<tr><th>" + Esc(label1) + "</th><td>" + Esc(value1) + "</td><th>" + Esc(label2) +
         "</th><td>" + Esc(value2) + "</td></tr>\n";
}

void Header(const Manifest& m, const Labels& l, std::string& out) {
  out += "<header>\n<h1>" + Esc(l.title) + " &#183; " + Esc(l.route) + " #" +
         std::to_string(m.route_id) + "</h1>\n<table class=\"meta\"><tbody>\n";
  MetaRow(l.depot, m.depot_name, l.date, m.date, out);
  MetaRow(l.depot_address, m.depot_address, l.driver, m.driver, out);
  out += "<tr><th>" + Esc(l.stop_count) + "</th><td colspan=\"3\">" +
         std::to_string(m.stops.size()) + "</td></tr>\n</tbody></table>\n</header>\n";
}

void PickList(const Manifest& m, Lang lang, const Labels& l, std::string& out) {
  out += "<section class=\"picks\">\n<h2>" + Esc(l.picks_title) + "</h2>\n";
  out += "<table>\n<thead><tr><th class=\"tick\">" + Esc(l.load) + "</th><th>" + Esc(l.item) +
         "</th><th class=\"unit\">" + Esc(l.unit) + "</th><th class=\"num\">" + Esc(l.pack_size) +
         "</th><th class=\"num\">" + Esc(l.total) + "</th><th>" + Esc(l.packs) +
         "</th></tr></thead>\n<tbody>\n";
  for (const PickLine& p : m.picks) {
    out += "<tr><td class=\"tick\">&#9744;</td><td>" + Esc(p.item_name) +
           (p.expires_on.empty()
                ? ""
                : "<div class=\"detail\">" + Esc(l.expires) + " " + Esc(p.expires_on) + "</div>") +
           "</td><td class=\"unit\">" + Esc(p.unit) + "</td><td class=\"num\">" +
           std::to_string(p.pack_size) + "</td><td class=\"num\">" + std::to_string(p.quantity) +
           "</td><td>" + Esc(PacksText(p, lang)) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n</section>\n";
}

void StopBlock(const StopSheet& s, Lang lang, const Labels& l, std::string& out) {
  const std::string colon(l.colon);
  out += "<div class=\"stop\">\n<div class=\"stop-head\"><span>" + Esc(StopHeading(s.seq, lang)) +
         " &#160; <span class=\"recipient\">" + Esc(s.recipient) +
         "</span></span><span class=\"delivery\">" + Esc(l.delivery) + " " +
         std::to_string(s.delivery_id) + "</span></div>\n";
  out += "<div class=\"stop-meta\"><span class=\"label\">" + Esc(l.contact) + "</span><span>" +
         Esc(s.contact_name) + "</span><span class=\"label\">" + Esc(l.phone) + "</span><span>" +
         Esc(s.phone) + "</span><span class=\"label\">" + Esc(l.address) +
         "</span><span class=\"wide\">" + Esc(AddressWithDistrict(s, lang)) + "</span></div>\n";
  const std::string callback = CallbackText(s, lang);
  if (!callback.empty()) {
    out += "<div class=\"stop-meta\"><span class=\"label\">" + Esc(l.callback) +
           "</span><span class=\"wide\">" + Esc(callback) + "</span></div>\n";
  }
  const std::string note = StopNote(s, lang);
  if (!note.empty()) {
    out += "<p class=\"note\"><span class=\"label\">" + Esc(l.note) + Esc(colon) + "</span>" +
           Esc(note) + "</p>\n";
  }
  const std::string outcome = OutcomeText(s, lang);
  if (!outcome.empty()) {
    out += "<p class=\"outcome\"><span class=\"label\">" + Esc(l.outcome) + Esc(colon) + "</span>" +
           Esc(outcome) + "</p>\n";
  }
  out += "<table class=\"lines\">\n<thead><tr><th>" + Esc(l.item) + "</th><th class=\"unit\">" +
         Esc(l.unit) + "</th><th class=\"num\">" + Esc(l.requested) + "</th><th class=\"num\">" +
         Esc(l.allotted) + "</th><th class=\"received\">" + Esc(l.received) +
         "</th></tr></thead>\n<tbody>\n";
  for (const StopLine& line : s.lines) {
    const std::string detail = LineDetail(line, lang);
    out += "<tr><td>" + Esc(line.item_name) +
           (detail.empty() ? "" : "<div class=\"detail\">" + Esc(detail) + "</div>") +
           "</td><td class=\"unit\">" + Esc(line.unit) + "</td><td class=\"num\">" +
           std::to_string(line.requested) + "</td><td class=\"num\">" +
           std::to_string(line.allotted) + "</td><td class=\"received\">" +
           Esc(ReceivedText(line, lang)) + "</td></tr>\n";
  }
  if (s.lines.empty()) {
    out += "<tr><td colspan=\"5\">" + Esc(l.no_items) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  out += "<div class=\"comments\">" + Esc(l.differences) + "</div>\n";
  out += "<div class=\"sign\"><span>" + Esc(l.signature) + Esc(colon) +
         "</span><span class=\"line\"></span><span>" + Esc(l.time) + Esc(colon) +
         "</span><span class=\"line short\"></span></div>\n</div>\n";
}

// Compact layout: the stops as one table, a row per household.
void CompactStops(const Manifest& m, Lang lang, const Labels& l, std::string& out) {
  out += "<table class=\"compact\">\n<thead><tr><th class=\"seq\">#</th><th class=\"who\">" +
         Esc(l.recipient) + "</th><th class=\"tel\">" + Esc(l.phone) + "</th><th>" +
         Esc(l.address) + "</th><th>" + Esc(l.item) + "</th><th class=\"sig\">" + Esc(l.signature) +
         "</th></tr></thead>\n<tbody>\n";
  for (const StopSheet& s : m.stops) {
    std::string where = AddressWithDistrict(s, lang);
    const std::string note = StopNote(s, lang);
    std::string items = CompactItems(s, lang);
    const std::string outcome = OutcomeText(s, lang);
    const bool contact = !s.contact_name.empty() && s.contact_name != s.recipient;
    out += "<tr><td class=\"seq\">" + std::to_string(s.seq) + "</td><td class=\"who\">" +
           Esc(s.recipient) +
           (contact ? "<div class=\"detail\">" + Esc(l.contact) + Esc(l.colon) +
                          Esc(s.contact_name) + "</div>"
                    : "") +
           "</td><td class=\"tel\">" + Esc(s.phone) + "</td><td>" + Esc(where) +
           (note.empty() ? "" : "<div class=\"detail\">" + Esc(note) + "</div>") +
           (s.station_phone.empty() ? ""
                                    : "<div class=\"detail\">" + Esc(l.callback) + Esc(l.colon) +
                                          Esc(CallbackText(s, lang)) + "</div>") +
           "</td><td>" + Esc(items) +
           (outcome.empty() ? "" : "<div class=\"detail\">" + Esc(outcome) + "</div>") +
           "</td><td class=\"sig\"></td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

}  // namespace

std::string RenderHtml(const Manifest& manifest, Lang lang, Layout layout) {
  const Labels& l = LabelsFor(lang);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"" + std::string(l.html_lang) + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\">\n";
  out +=
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n";
  out += "<title>" + Esc(l.title) + " " + Esc(l.route) + " #" + std::to_string(manifest.route_id) +
         "</title>\n";
  out += "<style>" + Style(l) + "</style>\n</head>\n<body>\n";
  Header(manifest, l, out);
  PickList(manifest, lang, l, out);
  out += "<section class=\"stops\">\n<h2>" + Esc(l.stops_title) + "</h2>\n";
  if (layout == Layout::kCompact) {
    CompactStops(manifest, lang, l, out);
  } else {
    for (const StopSheet& s : manifest.stops) StopBlock(s, lang, l, out);
  }
  out += "</section>\n<section class=\"signatures\">\n";
  for (std::string_view who : {l.loaded_by, l.delivered_by, l.checked_by}) {
    out += "<div class=\"box\">" + Esc(who) + Esc(l.colon) + "</div>\n";
  }
  out += "</section>\n</body>\n</html>\n";
  return out;
}

std::string HtmlEscape(std::string_view s) { return Esc(s); }

}  // namespace aidlink::print::internal
