#pragma once

#include <cstdint>
#include <string>
#include <vector>

// The printed delivery list (manifest) of one route: what to load at the
// depot and what to hand over at each door. Rendering is pure (no I/O, no
// clock): the caller fills the structs below from the store and gets bytes
// to send. Thread-safe; the same input always gives the same bytes.
// All strings are UTF-8 (the API validates them before they are stored).
namespace aidlink::print {

// One line of the pick list: the total of one item to load for the route.
// `quantity` is in the item's `unit`; `pack_size` (>= 1) is how many units
// one pack holds, so 125 with packs of 10 prints as "12 包 + 5".
struct PickLine {
  std::string item_name;
  std::string unit;
  int64_t pack_size = 1;
  int64_t quantity = 0;
};

// One item of one stop: what the requester asked for and what is on the van.
struct StopLine {
  std::string item_name;
  std::string unit;
  int64_t requested = 0;
  int64_t allotted = 0;
};

// One stop (one delivery) in visiting order. `tags` are the requester's
// vulnerability tags as DESIGN.md spells them ("elderly_alone", ...); they
// become short handling notes, followed by `note` (the needs' own notes, as
// the caller chose to join them).
struct StopSheet {
  int seq = 0;
  int64_t delivery_id = 0;
  std::string recipient;
  std::string contact_name;
  std::string phone;
  std::string address;
  std::string district;
  std::vector<std::string> tags;
  std::vector<StopLine> lines;
  std::string note;
};

// Everything printed for one route. `picks` and `stops` are printed in the
// order given (the caller sorts them).
struct Manifest {
  int64_t route_id = 0;
  std::string depot_name;
  std::string depot_address;
  std::string date;    // "YYYY-MM-DD"
  std::string driver;  // driver or volunteer
  std::vector<PickLine> picks;
  std::vector<StopSheet> stops;
};

enum class Format { kTxt, kCsv, kHtml };
enum class Lang { kZh, kEn };

// Renders `manifest`; `lang` chooses the fixed labels and the tag notes.
//  - kTxt: plain text aligned by display width (CJK characters take two
//    columns), no line wider than 100 columns (long values wrap), "\n" ends.
//  - kCsv: UTF-8 with a byte order mark, RFC 4180 quoting and CRLF line
//    ends; a header row, then one row per stop line (a stop without lines
//    still gets one row, with the item columns empty).
//  - kHtml: one self-contained A4 page (inline CSS, no external resources)
//    with repeated table headers, unsplit stops and page numbers.
// Never fails: every input renders.
std::string RenderManifest(const Manifest& manifest, Format format, Lang lang);

// The handling note of a stop as printed: a phrase per known tag (in
// DESIGN.md's tag order, each once; unknown tags as they are), then `note`,
// joined by "；" (zh) or "; " (en). Empty if there is nothing to say.
std::string StopNote(const StopSheet& stop, Lang lang);

// The printed name of a catalog unit: "box" -> "箱" (zh) or "box" (en);
// unknown units are returned as they are.
std::string UnitLabel(const std::string& unit, Lang lang);

// The phrase for one vulnerability tag, e.g. "elderly_alone" ->
// "独居老人，请先电话联系" / "elderly, lives alone: call first"; an unknown
// tag is returned unchanged.
std::string TagPhrase(const std::string& tag, Lang lang);

}  // namespace aidlink::print
