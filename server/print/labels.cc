#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <utility>

#include "print/internal.h"
#include "print/manifest.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::print {
namespace internal {

namespace {

const Labels& ChineseLabels() {
  static const Labels kZh = {
      .html_lang = "zh-CN",
      .colon = "：",
      .list_separator = "；",
      .title = "配送清单",
      .route = "路线",
      .depot = "仓库",
      .depot_address = "仓库地址",
      .date = "日期",
      .driver = "配送员",
      .stop_count = "站点数",
      .picks_title = "装车清单（按物品合计）",
      .load = "装车",
      .item = "物品",
      .unit = "单位",
      .pack_size = "每包",
      .total = "合计",
      .packs = "整包 + 零散",
      .stops_title = "配送站点",
      .stop_prefix = "第 ",
      .stop_suffix = " 站",
      .delivery = "配送单号",
      .recipient = "收件人",
      .contact = "联系人",
      .phone = "电话",
      .address = "地址",
      .note = "提示",
      .requested = "申领",
      .allotted = "分配",
      .received = "实收",
      .differences = "差异/备注",
      .signature = "签收",
      .time = "时间",
      .loaded_by = "装车人",
      .delivered_by = "配送人",
      .checked_by = "核对人",
      .page_prefix = "第 ",
      .page_middle = " 页，共 ",
      .page_suffix = " 页",
      .no_items = "（无物品）",
      .csv_header = {"序号", "配送单号", "收件人", "联系人", "电话", "地址", "物品", "单位", "申领",
                     "分配", "实收", "备注"},
      .needed_by = "需送达",
      .expires = "保质期至",
      .callback = "社工站电话",
      .outcome = "结果",
      .signed_by = "签收人",
      .damaged = "损坏",
      .detail_separator = "，",
  };
  return kZh;
}

const Labels& EnglishLabels() {
  static const Labels kEn = {
      .html_lang = "en",
      .colon = ": ",
      .list_separator = "; ",
      .title = "Delivery list",
      .route = "Route",
      .depot = "Depot",
      .depot_address = "Depot address",
      .date = "Date",
      .driver = "Driver",
      .stop_count = "Stops",
      .picks_title = "Pick list (totals per item)",
      .load = "Load",
      .item = "Item",
      .unit = "Unit",
      .pack_size = "Per pack",
      .total = "Total",
      .packs = "Packs + units",
      .stops_title = "Stops",
      .stop_prefix = "Stop ",
      .stop_suffix = "",
      .delivery = "Delivery",
      .recipient = "Recipient",
      .contact = "Contact",
      .phone = "Phone",
      .address = "Address",
      .note = "Note",
      .requested = "Requested",
      .allotted = "Allotted",
      .received = "Received",
      .differences = "Differences / comments",
      .signature = "Signature",
      .time = "Time",
      .loaded_by = "Loaded by",
      .delivered_by = "Delivered by",
      .checked_by = "Checked by",
      .page_prefix = "Page ",
      .page_middle = " of ",
      .page_suffix = "",
      .no_items = "(no items)",
      .csv_header = {"seq", "delivery_id", "recipient", "contact", "phone", "address", "item",
                     "unit", "requested", "allotted", "received", "note"},
      .needed_by = "needed by",
      .expires = "use by",
      .callback = "Station phone",
      .outcome = "Outcome",
      .signed_by = "signed by",
      .damaged = "damaged",
      .detail_separator = ", ",
  };
  return kEn;
}

}  // namespace

const Labels& LabelsFor(Lang lang) { return lang == Lang::kEn ? EnglishLabels() : ChineseLabels(); }

std::string PacksText(const PickLine& pick, Lang lang) {
  if (pick.pack_size <= 1) return "-";
  const int64_t packs = pick.quantity / pick.pack_size;
  const int64_t loose = pick.quantity % pick.pack_size;
  std::string out = std::to_string(packs);
  if (lang == Lang::kEn) {
    out += packs == 1 ? " pack" : " packs";
  } else {
    out += " 包";
  }
  if (loose != 0) out += " + " + std::to_string(loose);
  return out;
}

std::string LineDetail(const StopLine& line, Lang lang) {
  const Labels& l = LabelsFor(lang);
  std::vector<std::string> parts;
  if (!line.urgency.empty()) parts.push_back(TermLabel(vocab::kUrgencies, line.urgency, lang));
  if (!line.needed_by.empty()) parts.push_back(std::string(l.needed_by) + " " + line.needed_by);
  if (!line.expires_on.empty()) parts.push_back(std::string(l.expires) + " " + line.expires_on);
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += l.detail_separator;
    out += p;
  }
  return out;
}

std::string ReceivedText(const StopLine& line, Lang lang) {
  if (!line.delivered) return "";
  std::string out = std::to_string(*line.delivered);
  if (line.damaged > 0) {
    const Labels& l = LabelsFor(lang);
    out += lang == Lang::kEn
               ? " (" + std::to_string(line.damaged) + " " + std::string(l.damaged) + ")"
               : "（" + std::string(l.damaged) + " " + std::to_string(line.damaged) + "）";
  }
  return out;
}

std::string OutcomeText(const StopSheet& stop, Lang lang) {
  if (stop.outcome.empty()) return "";
  const Labels& l = LabelsFor(lang);
  std::string out = TermLabel(vocab::kDeliveryStatuses, stop.outcome, lang);
  if (stop.outcome == "delivered" && !stop.received_by.empty()) {
    out += std::string(l.detail_separator) + std::string(l.signed_by) + std::string(l.colon) +
           stop.received_by;
  } else if (stop.outcome != "delivered" && !stop.fail_reason.empty()) {
    out += std::string(l.colon) + stop.fail_reason;
  }
  return out;
}

std::string CallbackText(const StopSheet& stop, Lang lang) {
  if (stop.station_phone.empty()) return "";
  if (stop.station_name.empty()) return stop.station_phone;
  if (lang == Lang::kEn) return stop.station_phone + " (" + stop.station_name + ")";
  return stop.station_phone + "（" + stop.station_name + "）";
}

std::string CompactItems(const StopSheet& stop, Lang lang) {
  const Labels& l = LabelsFor(lang);
  std::string out;
  for (const StopLine& line : stop.lines) {
    if (!out.empty()) out += l.list_separator;
    out += line.item_name + " " + std::to_string(line.allotted) + " " + line.unit;
    const std::string detail = LineDetail(line, lang);
    if (!detail.empty()) out += lang == Lang::kEn ? " (" + detail + ")" : "（" + detail + "）";
    const std::string received = ReceivedText(line, lang);
    if (!received.empty()) {
      out += " → " + received;
    }
  }
  return out;
}

std::string StopHeading(int seq, Lang lang) {
  const Labels& l = LabelsFor(lang);
  return std::string(l.stop_prefix) + std::to_string(seq) + std::string(l.stop_suffix);
}

std::string AddressWithDistrict(const StopSheet& stop, Lang lang) {
  if (stop.district.empty()) return stop.address;
  if (stop.address.empty()) return stop.district;
  if (lang == Lang::kEn) return stop.address + " (" + stop.district + ")";
  return stop.address + "（" + stop.district + "）";
}

}  // namespace internal

namespace {

struct TagInfo {
  std::string_view tag, zh, en;
};

// The vulnerability tags of util/vocab.h, in its order, with what the person
// at the door should know or do.
constexpr std::array<TagInfo, std::size(vocab::kTags)> kTags = {{
    {"elderly_alone", "独居老人，请先电话联系", "elderly, lives alone: call first"},
    {"chronic_illness", "慢性病，药品请交到本人手中",
     "chronic illness: hand medicine to the person"},
    {"disability", "残障，请送货上门", "disability: deliver to the door"},
    {"child_in_difficulty", "困境儿童，请交给监护人", "child in difficulty: hand to the guardian"},
    {"quarantined", "隔离中，无接触配送", "quarantined: contactless drop-off"},
    {"pregnant", "孕妇，请帮忙搬进门", "pregnant: carry items inside"},
    {"low_income", "低收入家庭，请注意保护隐私", "low income: be discreet"},
    {"frontline_worker", "一线工作人员，可能在岗，请先电话联系",
     "frontline worker: may be on shift, call first"},
    {"left_behind_child", "留守儿童，请交给监护人或先电话联系",
     "left-behind child: hand to the guardian or call first"},
}};

constexpr bool SameTagsAsVocab() {
  for (size_t i = 0; i < kTags.size(); ++i) {
    if (kTags[i].tag != vocab::kTags[i].name) return false;
  }
  return true;
}
static_assert(SameTagsAsVocab(), "a tag phrase for every tag of util/vocab.h, in its order");

}  // namespace

std::string TagPhrase(const std::string& tag, Lang lang) {
  for (const TagInfo& info : kTags) {
    if (info.tag == tag) return std::string(lang == Lang::kEn ? info.en : info.zh);
  }
  return tag;
}

std::string StopNote(const StopSheet& stop, Lang lang) {
  std::vector<std::string> parts;
  const auto has = [&](std::string_view tag) {
    for (const std::string& t : stop.tags) {
      if (t == tag) return true;
    }
    return false;
  };
  for (const TagInfo& info : kTags) {
    if (has(info.tag)) parts.push_back(TagPhrase(std::string(info.tag), lang));
  }
  for (size_t i = 0; i < stop.tags.size(); ++i) {
    const std::string& t = stop.tags[i];
    bool known = t.empty();
    for (const TagInfo& info : kTags) known = known || info.tag == t;
    for (size_t j = 0; j < i; ++j) known = known || stop.tags[j] == t;
    if (!known) parts.push_back(t);
  }
  // The note joins the needs' own notes with "；"; a hint two needs (or a
  // need and a tag) repeat is printed once.
  const std::string note = text::PrintableText(stop.note);
  std::string_view rest = note;
  while (!rest.empty()) {
    const size_t sep = rest.find("；");
    const std::string_view piece = rest.substr(0, sep);
    if (!text::Trim(piece).empty()) parts.emplace_back(piece);
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + std::string_view("；").size());
  }

  const std::string_view sep = internal::LabelsFor(lang).list_separator;
  std::string out;
  std::vector<std::string> shown;
  for (const std::string& p : parts) {
    if (std::find(shown.begin(), shown.end(), p) != shown.end()) continue;
    shown.push_back(p);
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string TermLabel(std::span<const vocab::Term> terms, std::string_view name, Lang lang) {
  return std::string(vocab::Label(terms, name, lang == Lang::kEn));
}

std::string UnitLabel(const std::string& unit, Lang lang) {
  if (lang == Lang::kEn) return unit;
  return std::string(vocab::Label(vocab::kUnits, unit, false));
}

}  // namespace aidlink::print
