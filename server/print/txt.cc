#include <algorithm>
#include <cassert>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "print/internal.h"
#include "print/manifest.h"
#include "util/text.h"

namespace aidlink::print::internal {
namespace {

// The printout must fit a 100-column terminal or an A4 page in a monospace
// font; every line is checked against this.
constexpr int kWidth = 100;
constexpr int kStopIndent = 2;

// Pick list columns (display widths).
constexpr int kTickCol = 4;
constexpr int kItemCol = 40;
constexpr int kUnitCol = 8;
constexpr int kPackSizeCol = 8;
constexpr int kNumberCol = 10;
constexpr int kGap = 2;
constexpr int kPacksCol =
    kWidth - (kTickCol + kItemCol + kUnitCol + kPackSizeCol + kNumberCol + 5 * kGap);
constexpr int kReceivedBlank = 8;
constexpr int kSignatureBlock = 32;

std::string Spaces(int n) { return std::string(static_cast<size_t>(std::max(n, 0)), ' '); }
std::string Blank(int n) { return std::string(static_cast<size_t>(std::max(n, 0)), '_'); }

// Cuts `s` into lines of at most `width` columns, keeping its own line
// breaks. Latin words are not cut when a space allows a break; CJK text
// breaks anywhere. Always returns at least one (maybe empty) line.
std::vector<std::string> Wrap(std::string_view s, int width) {
  assert(width >= 2);
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t end = s.find('\n', start);
    std::string rest =
        SingleLine(s.substr(start, end == std::string_view::npos ? end : end - start));
    while (!rest.empty() && rest.back() == ' ') rest.pop_back();
    do {
      std::string piece = text::TruncateToWidth(rest, width, /*ellipsis=*/false);
      if (piece.empty() && !rest.empty()) {
        // Only possible for a character wider than `width`: take it whole.
        size_t n = 1;
        while (n < rest.size() && (static_cast<unsigned char>(rest[n]) & 0xC0) == 0x80) ++n;
        piece = rest.substr(0, n);
      }
      if (piece.size() < rest.size() && rest[piece.size()] != ' ' &&
          static_cast<unsigned char>(rest[piece.size()]) < 0x80 && piece.back() != ' ' &&
          static_cast<unsigned char>(piece.back()) < 0x80) {
        // Mid-word in Latin text: break at the last space instead, if any.
        const size_t space = piece.rfind(' ');
        if (space != std::string::npos && space > 0) piece.resize(space);
      }
      rest.erase(0, piece.size());
      while (!piece.empty() && piece.back() == ' ') piece.pop_back();
      const size_t keep = rest.find_first_not_of(' ');
      rest.erase(0, keep == std::string::npos ? rest.size() : keep);
      lines.push_back(std::move(piece));
    } while (!rest.empty());
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

// A value cut to `width` columns for a table cell.
std::string Cell(std::string_view s, int width) {
  return text::PadRight(text::TruncateToWidth(SingleLine(s), width), width);
}

class Writer {
 public:
  // Adds one line; trailing spaces are dropped. The layout keeps lines
  // within kWidth; the cut here is only a backstop.
  void Line(std::string line) {
    if (text::DisplayWidth(line) > kWidth) line = text::TruncateToWidth(line, kWidth);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ += line;
    out_ += '\n';
  }

  // "label：value" with the value wrapped under itself; the label is padded
  // to `label_width` columns.
  void Field(int indent, int label_width, std::string_view label, std::string_view value) {
    const std::vector<std::string> lines = Wrap(value, kWidth - indent - label_width);
    for (size_t i = 0; i < lines.size(); ++i) {
      Line(Spaces(indent) + text::PadRight(i == 0 ? label : "", label_width) + lines[i]);
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string WithColon(const Labels& l, std::string_view label) {
  return std::string(label) + std::string(l.colon);
}

int LabelWidth(const Labels& l, std::initializer_list<std::string_view> labels) {
  int width = 0;
  for (std::string_view label : labels) {
    width = std::max(width, text::DisplayWidth(WithColon(l, label)));
  }
  return width;
}

void Header(const Manifest& m, const Labels& l, Writer& w) {
  w.Line(text::TruncateToWidth(
      std::string(l.title) + "  " + std::string(l.route) + " #" + std::to_string(m.route_id),
      kWidth));
  w.Line(std::string(kWidth, '='));
  const int lw = LabelWidth(l, {l.depot, l.depot_address, l.date, l.driver, l.stop_count});
  w.Field(0, lw, WithColon(l, l.depot), m.depot_name);
  w.Field(0, lw, WithColon(l, l.depot_address), m.depot_address);
  w.Field(0, lw, WithColon(l, l.date), m.date);
  w.Field(0, lw, WithColon(l, l.driver), m.driver);
  w.Field(0, lw, WithColon(l, l.stop_count), std::to_string(m.stops.size()));
}

void PickList(const Manifest& m, Lang lang, const Labels& l, Writer& w) {
  const std::string gap = Spaces(kGap);
  w.Line("");
  w.Line(std::string(l.picks_title));
  w.Line(std::string(kWidth, '-'));
  w.Line(Cell(l.load, kTickCol) + gap + Cell(l.item, kItemCol) + gap + Cell(l.unit, kUnitCol) +
         gap + text::PadLeft(l.pack_size, kPackSizeCol) + gap + text::PadLeft(l.total, kNumberCol) +
         gap + std::string(l.packs));
  for (const PickLine& p : m.picks) {
    w.Line(Cell("[ ]", kTickCol) + gap + Cell(p.item_name, kItemCol) + gap +
           Cell(p.unit, kUnitCol) + gap + text::PadLeft(std::to_string(p.pack_size), kPackSizeCol) +
           gap + text::PadLeft(std::to_string(p.quantity), kNumberCol) + gap +
           text::TruncateToWidth(PacksText(p, lang), kPacksCol));
    if (!p.expires_on.empty()) {
      w.Line(Spaces(kTickCol + kGap) + std::string(l.expires) + " " + p.expires_on);
    }
  }
}

void StopBlock(const StopSheet& s, Lang lang, const Labels& l, Writer& w) {
  const std::string indent = Spaces(kStopIndent);
  const std::string gap = Spaces(kGap);
  w.Line(std::string(kWidth, '-'));

  // "第 1 站  金老伯" on the left, "配送单号 1042" on the right.
  const std::string left = StopHeading(s.seq, lang) + "  ";
  const std::string right = std::string(l.delivery) + " " + std::to_string(s.delivery_id);
  const int name_width = kWidth - text::DisplayWidth(left) - text::DisplayWidth(right) - kGap;
  const std::string name = text::TruncateToWidth(SingleLine(s.recipient), name_width);
  w.Line(text::PadRight(left + name, kWidth - text::DisplayWidth(right)) + right);

  // Contact and phone share a line when both fit their halves; otherwise
  // each gets its own wrapped field: the person to ask for and the number to
  // call are never cut.
  constexpr int kContactHalf = 48;
  const std::string contact = WithColon(l, l.contact);
  const std::string phone = WithColon(l, l.phone);
  const std::string contact_name = SingleLine(s.contact_name);
  const std::string phone_number = SingleLine(s.phone);
  if (text::DisplayWidth(contact + contact_name) <= kContactHalf - kGap &&
      text::DisplayWidth(phone + phone_number) <= kWidth - kStopIndent - kContactHalf) {
    w.Line(indent + text::PadRight(contact + contact_name, kContactHalf) + phone + phone_number);
  } else {
    const int cw = LabelWidth(l, {l.contact, l.phone});
    w.Field(kStopIndent, cw, contact, contact_name);
    w.Field(kStopIndent, cw, phone, phone_number);
  }

  const std::string callback = CallbackText(s, lang);
  const std::string outcome = OutcomeText(s, lang);
  const int lw = callback.empty() && outcome.empty()
                     ? LabelWidth(l, {l.address, l.note})
                     : LabelWidth(l, {l.address, l.note, l.callback, l.outcome});
  w.Field(kStopIndent, lw, WithColon(l, l.address), AddressWithDistrict(s, lang));
  if (!callback.empty()) w.Field(kStopIndent, lw, WithColon(l, l.callback), callback);
  const std::string note = StopNote(s, lang);
  if (!note.empty()) w.Field(kStopIndent, lw, WithColon(l, l.note), note);
  if (!outcome.empty()) w.Field(kStopIndent, lw, WithColon(l, l.outcome), outcome);

  w.Line("");
  w.Line(indent + Cell(l.item, kItemCol) + gap + Cell(l.unit, kUnitCol) + gap +
         text::PadLeft(l.requested, kNumberCol) + gap + text::PadLeft(l.allotted, kNumberCol) +
         gap + std::string(l.received));
  for (const StopLine& line : s.lines) {
    const std::string received = ReceivedText(line, lang);
    w.Line(indent + Cell(line.item_name, kItemCol) + gap + Cell(line.unit, kUnitCol) + gap +
           text::PadLeft(std::to_string(line.requested), kNumberCol) + gap +
           text::PadLeft(std::to_string(line.allotted), kNumberCol) + gap +
           (received.empty() ? Blank(kReceivedBlank) : received));
    const std::string detail = LineDetail(line, lang);
    if (!detail.empty()) {
      for (const std::string& piece : Wrap(detail, kWidth - 2 * kStopIndent)) {
        w.Line(indent + Spaces(kStopIndent) + piece);
      }
    }
  }
  if (s.lines.empty()) w.Line(indent + std::string(l.no_items));

  w.Line("");
  const std::string differences = WithColon(l, l.differences);
  w.Line(indent + differences + Blank(kWidth - kStopIndent - text::DisplayWidth(differences)));
  w.Line(indent + Blank(kWidth - kStopIndent));
  const std::string signature = WithColon(l, l.signature);
  const std::string time = WithColon(l, l.time);
  w.Line(indent + signature + Blank(30) + gap + time + Blank(20));
}

// Compact layout: one line per household (more only when its items or
// hints do not fit): seq, recipient, phone, then items, then the address
// and the hints, and a blank to sign.
void CompactStop(const StopSheet& s, Lang lang, const Labels& l, Writer& w) {
  constexpr int kSeqCol = 4;
  constexpr int kNameCol = 14;
  constexpr int kPhoneCol = 16;
  const int rest = kWidth - kSeqCol - kNameCol - kPhoneCol - 3 * kGap;
  const std::string gap = Spaces(kGap);
  const std::string lead = text::PadLeft(std::to_string(s.seq), kSeqCol) + gap;
  std::string body = CompactItems(s, lang);
  const std::string outcome = OutcomeText(s, lang);
  if (!outcome.empty()) body += "  [" + outcome + "]";
  const std::vector<std::string> items = Wrap(body, rest);
  std::vector<std::string> names = Wrap(s.recipient, kNameCol);
  std::vector<std::string> phones = Wrap(s.phone, kPhoneCol);
  const size_t rows = std::max({items.size(), names.size(), phones.size()});
  for (size_t i = 0; i < rows; ++i) {
    w.Line((i == 0 ? lead : Spaces(kSeqCol + kGap)) +
           text::PadRight(i < names.size() ? names[i] : "", kNameCol) + gap +
           text::PadRight(i < phones.size() ? phones[i] : "", kPhoneCol) + gap +
           (i < items.size() ? items[i] : ""));
  }
  std::string where = AddressWithDistrict(s, lang);
  if (!s.contact_name.empty() && s.contact_name != s.recipient) {
    where += std::string(l.list_separator) + WithColon(l, l.contact) + s.contact_name;
  }
  const std::string note = StopNote(s, lang);
  if (!note.empty()) where += std::string(l.list_separator) + note;
  const std::string callback = CallbackText(s, lang);
  if (!callback.empty())
    where += std::string(l.list_separator) + WithColon(l, l.callback) + callback;
  for (const std::string& piece : Wrap(where, kWidth - kSeqCol - kGap)) {
    w.Line(Spaces(kSeqCol + kGap) + piece);
  }
}

void SignatureBlocks(const Labels& l, Writer& w) {
  w.Line(std::string(kWidth, '='));
  std::string line;
  for (std::string_view who : {l.loaded_by, l.delivered_by, l.checked_by}) {
    if (!line.empty()) line += Spaces(kGap);
    const std::string label = WithColon(l, who);
    line += label + Blank(kSignatureBlock - text::DisplayWidth(label));
  }
  w.Line(line);
}

}  // namespace

std::string SingleLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = ' ';
  }
  return text::PrintableText(out);
}

std::string RenderTxt(const Manifest& manifest, Lang lang, Layout layout) {
  const Labels& l = LabelsFor(lang);
  Writer w;
  Header(manifest, l, w);
  PickList(manifest, lang, l, w);
  w.Line("");
  w.Line(std::string(l.stops_title));
  if (layout == Layout::kCompact) {
    w.Line(std::string(kWidth, '-'));
    for (const StopSheet& s : manifest.stops) CompactStop(s, lang, l, w);
  } else {
    for (const StopSheet& s : manifest.stops) StopBlock(s, lang, l, w);
  }
  w.Line("");
  SignatureBlocks(l, w);
  return w.Take();
}

}  // namespace aidlink::print::internal
