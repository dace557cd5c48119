#include "print/receipt.h"

#include <string_view>

#include "print/internal.h"
#include "util/text.h"

namespace aidlink::print {
namespace {

struct Words {
  std::string_view title, lot, donor, item, quantity, received_on, expires_on, depot, note, status,
      available, allocated, delivered, written_off, whereabouts, district, kind, dispatched,
      returned, none, privacy, thanks;
};

const Words& WordsFor(Lang lang) {
  static const Words kZh{"捐赠回执",      "批次",       "捐赠方",
                         "物资",          "数量",       "接收日期",
                         "有效期至",      "存放仓库",   "备注",
                         "当前状态",      "库存待分配", "已分配待送达",
                         "已送达",        "已核销",     "去向（按地区与对象类型）",
                         "地区",          "对象类型",   "配送中",
                         "退回库存",      "尚无分配",   "本回执不含受助人姓名、电话或地址。",
                         "感谢您的捐赠！"};
  static const Words kEn{"Donation receipt",
                         "Lot",
                         "Donor",
                         "Item",
                         "Quantity",
                         "Received on",
                         "Expires on",
                         "Depot",
                         "Note",
                         "Current status",
                         "In stock, not yet allocated",
                         "Allocated, not yet delivered",
                         "Delivered",
                         "Written off",
                         "Where it went (by district and recipient type)",
                         "District",
                         "Recipient type",
                         "On the road",
                         "Returned to stock",
                         "Nothing allocated yet",
                         "This receipt holds no recipient names, phones or addresses.",
                         "Thank you for your donation!"};
  return lang == Lang::kZh ? kZh : kEn;
}

std::string_view KindName(const std::string& kind, Lang lang) {
  if (lang == Lang::kEn) return kind;
  if (kind == "household") return "家庭";
  if (kind == "community") return "社区";
  if (kind == "institution") return "机构";
  if (kind == "frontline_post") return "一线岗位";
  return kind;
}

std::string Num(int64_t v) { return std::to_string(v); }

std::string Txt(const Receipt& r, Lang lang) {
  const Words& w = WordsFor(lang);
  const std::string colon = lang == Lang::kZh ? "：" : ": ";
  const int label_width = 20;
  std::string out;
  // Every value holds user text (names, the note) or is built from it: one
  // line each, with control characters made spaces as the manifests do.
  auto line = [&](std::string_view label, const std::string& value) {
    out += text::PadRight(std::string(label) + colon, label_width) + internal::SingleLine(value) +
           "\n";
  };
  out += std::string(w.title) + "  " + std::string(w.lot) + " #" + Num(r.lot_id) + "\n";
  out += std::string(72, '=') + "\n";
  line(w.donor, r.donor_name);
  line(w.item, r.item_name);
  line(w.quantity, Num(r.quantity) + " " + r.unit);
  line(w.received_on, r.received_on);
  if (!r.expires_on.empty()) line(w.expires_on, r.expires_on);
  line(w.depot, r.depot_name + "（" + r.depot_district + "）");
  if (!r.note.empty()) line(w.note, r.note);
  out += "\n" + std::string(w.status) + "\n" + std::string(72, '-') + "\n";
  line(w.available, Num(r.available));
  line(w.allocated, Num(r.allocated));
  line(w.delivered, Num(r.delivered));
  line(w.written_off, Num(r.written_off));
  out += "\n" + std::string(w.whereabouts) + "\n" + std::string(72, '-') + "\n";
  if (r.buckets.empty()) {
    out += std::string(w.none) + "\n";
  } else {
    // Short column heads: the long status words above would not fit.
    static constexpr std::string_view kZhHeads[] = {"待送达", "配送中", "已送达", "退回"};
    static constexpr std::string_view kEnHeads[] = {"allocated", "on road", "delivered",
                                                    "returned"};
    const auto& heads = lang == Lang::kZh ? kZhHeads : kEnHeads;
    const int kDistrict = 24, kKind = 16, kNum = 11;
    out += text::PadRight(w.district, kDistrict) + text::PadRight(w.kind, kKind);
    for (std::string_view h : heads) out += text::PadLeft(h, kNum);
    out += "\n";
    for (const ReceiptBucket& b : r.buckets) {
      out += text::PadRight(text::TruncateToWidth(internal::SingleLine(b.district), kDistrict - 1),
                            kDistrict) +
             text::PadRight(KindName(b.requester_kind, lang), kKind);
      for (int64_t v : {b.allocated, b.dispatched, b.delivered, b.returned}) {
        out += text::PadLeft(Num(v), kNum);
      }
      out += "\n";
    }
  }
  out += "\n" + std::string(w.privacy) + "\n" + std::string(w.thanks) + "\n";
  return out;
}

std::string Html(const Receipt& r, Lang lang) {
  const Words& w = WordsFor(lang);
  using internal::HtmlEscape;
  auto row = [&](std::string_view label, const std::string& value) {
    return "<tr><th>" + HtmlEscape(label) + "</th><td>" + HtmlEscape(value) + "</td></tr>\n";
  };
  std::string out = std::string("<!DOCTYPE html>\n<html lang=\"") +
                    (lang == Lang::kZh ? "zh-CN" : "en") +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + HtmlEscape(w.title) + " #" +
                    Num(r.lot_id) +
                    "</title>\n<style>\n@page { size: A4; margin: 18mm; }\n"
                    "body { font-family: \"Noto Sans CJK SC\", \"WenQuanYi Micro Hei\", sans-serif;"
                    " font-size: 11pt; }\n"
                    "table { border-collapse: collapse; width: 100%; margin-bottom: 6mm; }\n"
                    "th, td { border: 1px solid #444; padding: 1.5mm 2mm; text-align: left; }\n"
                    "td.n { text-align: right; }\n"
                    "</style>\n</head>\n<body>\n";
  out +=
      "<h1>" + HtmlEscape(w.title) + " · " + HtmlEscape(w.lot) + " #" + Num(r.lot_id) + "</h1>\n";
  out += "<table>\n" + row(w.donor, r.donor_name) + row(w.item, r.item_name) +
         row(w.quantity, Num(r.quantity) + " " + r.unit) + row(w.received_on, r.received_on);
  if (!r.expires_on.empty()) out += row(w.expires_on, r.expires_on);
  out += row(w.depot, r.depot_name + " (" + r.depot_district + ")");
  if (!r.note.empty()) out += row(w.note, r.note);
  out += "</table>\n<h2>" + HtmlEscape(w.status) + "</h2>\n<table>\n" +
         row(w.available, Num(r.available)) + row(w.allocated, Num(r.allocated)) +
         row(w.delivered, Num(r.delivered)) + row(w.written_off, Num(r.written_off)) +
         "</table>\n<h2>" + HtmlEscape(w.whereabouts) + "</h2>\n";
  if (r.buckets.empty()) {
    out += "<p>" + HtmlEscape(w.none) + "</p>\n";
  } else {
    out += "<table>\n<thead><tr><th>" + HtmlEscape(w.district) + "</th><th>" + HtmlEscape(w.kind) +
           "</th><th>" + HtmlEscape(w.allocated) + "</th><th>" + HtmlEscape(w.dispatched) +
           "</th><th>" + HtmlEscape(w.delivered) + "</th><th>" + HtmlEscape(w.returned) +
           "</th></tr></thead>\n<tbody>\n";
    for (const ReceiptBucket& b : r.buckets) {
      out += "<tr><td>" + HtmlEscape(b.district) + "</td><td>" +
             HtmlEscape(KindName(b.requester_kind, lang)) + "</td><td class=\"n\">" +
             Num(b.allocated) + "</td><td class=\"n\">" + Num(b.dispatched) +
             "</td><td class=\"n\">" + Num(b.delivered) + "</td><td class=\"n\">" +
             Num(b.returned) + "</td></tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  out += "<p>" + HtmlEscape(w.privacy) + "</p>\n<p>" + HtmlEscape(w.thanks) +
         "</p>\n</body>\n</html>\n";
  return out;
}

}  // namespace

std::string RenderReceipt(const Receipt& receipt, Format format, Lang lang) {
  return format == Format::kHtml ? Html(receipt, lang) : Txt(receipt, lang);
}

}  // namespace aidlink::print
