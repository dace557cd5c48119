#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "print/manifest.h"

// Shared by the three renderers; not part of aidlink::print's public API.
namespace aidlink::print::internal {

// The fixed words of a manifest in one language. Labels carry no colon;
// `colon` is "：" (zh) or ": " (en).
struct Labels {
  std::string_view html_lang;
  std::string_view colon;
  std::string_view list_separator;  // between note phrases
  std::string_view title;
  std::string_view route;  // "路线" before "#17"
  std::string_view depot;
  std::string_view depot_address;
  std::string_view date;
  std::string_view driver;
  std::string_view stop_count;
  std::string_view picks_title;
  std::string_view load;
  std::string_view item;
  std::string_view unit;
  std::string_view pack_size;
  std::string_view total;
  std::string_view packs;
  std::string_view stops_title;
  std::string_view stop_prefix;  // "第 " / "Stop "
  std::string_view stop_suffix;  // " 站" / ""
  std::string_view delivery;
  std::string_view recipient;
  std::string_view contact;
  std::string_view phone;
  std::string_view address;
  std::string_view note;
  std::string_view requested;
  std::string_view allotted;
  std::string_view received;
  std::string_view differences;
  std::string_view signature;
  std::string_view time;
  std::string_view loaded_by;
  std::string_view delivered_by;
  std::string_view checked_by;
  std::string_view page_prefix;  // page numbers: prefix N middle M suffix
  std::string_view page_middle;
  std::string_view page_suffix;
  std::string_view no_items;
  std::vector<std::string_view> csv_header;
  std::string_view needed_by;         // "需送达" before a date
  std::string_view expires;           // "保质期至" before a date
  std::string_view callback;          // the station's phone
  std::string_view outcome;           // the stop's recorded outcome
  std::string_view signed_by;         // who signed for a delivered stop
  std::string_view damaged;           // "损坏" after a number
  std::string_view detail_separator;  // between a line's urgency, deadline and expiry
};

const Labels& LabelsFor(Lang lang);

// "12 包 + 5" / "12 packs + 5" for a pick line with packs; "-" when the item
// does not come in packs (pack_size <= 1), since the total says it all.
std::string PacksText(const PickLine& pick, Lang lang);

// "紧急，需送达 2026-11-26，保质期至 2026-11-25": what a stop line says
// besides its quantities; "" if nothing.
std::string LineDetail(const StopLine& line, Lang lang);

// What was received of a line once the stop has an outcome: "2" or
// "1（损坏 1）"; "" before.
std::string ReceivedText(const StopLine& line, Lang lang);

// "已送达，签收：王明" / "未送达：不在家"; "" if the stop has no outcome.
std::string OutcomeText(const StopSheet& stop, Lang lang);

// "022-12345678（幸福里社工站）"; "" without a phone.
std::string CallbackText(const StopSheet& stop, Lang lang);

// A stop's items on one line: "降压药 2 盒（紧急）；口罩 50 个".
std::string CompactItems(const StopSheet& stop, Lang lang);

// "第 3 站" / "Stop 3".
std::string StopHeading(int seq, Lang lang);

// The address with the district after it: "幸福里3幢201（东湖街道）".
std::string AddressWithDistrict(const StopSheet& stop, Lang lang);

// One line of user text for the plain-text printouts: every ASCII control
// character (tab, stray newline, escape) and DEL becomes a space, then
// text::PrintableText drops C1 and bidirectional controls, so that it can
// neither break the alignment nor drive a terminal or printer.
std::string SingleLine(std::string_view s);

// `s` made printable (text::PrintableText: controls and bidirectional
// overrides dropped, line breaks kept) with & < > " ' replaced by HTML
// entities.
std::string HtmlEscape(std::string_view s);

std::string RenderTxt(const Manifest& manifest, Lang lang, Layout layout);
std::string RenderCsv(const Manifest& manifest, Lang lang);
std::string RenderHtml(const Manifest& manifest, Lang lang, Layout layout);

}  // namespace aidlink::print::internal
