#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/vocab.h"

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
  std::string expires_on{};  // "YYYY-MM-DD": the soonest expiry of a perishable item; "" if none
};

// One item of one stop: what the requester asked for and what is on the van
// (the caller sums the item's lots into one line and counts each need's
// quantity once in `requested`).
struct StopLine {
  std::string item_name;
  std::string unit;
  int64_t requested = 0;
  int64_t allotted = 0;
  std::string urgency{};     // the need's, as DESIGN.md spells it ("critical"); "" to leave out
  std::string needed_by{};   // "YYYY-MM-DD" or ""
  std::string expires_on{};  // soonest expiry of a perishable item's stock on the van, or ""
  // The recorded outcome, once the stop has one: units taken and damaged.
  std::optional<int64_t> delivered{};
  int64_t damaged = 0;
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
  // The requester's station, to call back from the door; printed when the
  // phone is not empty.
  std::string station_name{};
  std::string station_phone{};
  // The delivery's status once it has an outcome ("delivered", "failed",
  // "cancelled"), else "" (a list printed before or during the run).
  std::string outcome{};
  std::string received_by{};  // who signed, for "delivered"
  std::string fail_reason{};  // why, for "failed" or "cancelled"
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
// kFull: a block per stop with room to write; kCompact: one line (table
// row) per household, so that 30 stops fit two A4 pages. CSV is one row
// per stop line either way.
enum class Layout { kFull, kCompact };

// Renders `manifest`; `lang` chooses the fixed labels and the tag notes.
//  - kTxt: plain text aligned by display width (CJK characters take two
//    columns), no line wider than 100 columns (long values wrap), "\n" ends.
//  - kCsv: UTF-8 with a byte order mark, RFC 4180 quoting and CRLF line
//    ends; a header row, then one row per stop line (a stop without lines
//    still gets one row, with the item columns empty).
//  - kHtml: one self-contained A4 page (inline CSS, no external resources)
//    with repeated table headers, unsplit stops and page numbers.
// Never fails: every input renders.
//  A stop's line shows the need's urgency and deadline and the expiry of
//  perishable stock when given; a stop with an outcome shows it beside the
//  stop and the units taken in the received column.
std::string RenderManifest(const Manifest& manifest, Format format, Lang lang,
                           Layout layout = Layout::kFull);

// The printed label of a term of util/vocab.h (an urgency, a status): its zh
// or en label, or `name` itself if `terms` has no such name.
std::string TermLabel(std::span<const vocab::Term> terms, std::string_view name, Lang lang);

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
