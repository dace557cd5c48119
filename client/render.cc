#include "render.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "json_util.h"
#include "table.h"
#include "util/vocab.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;

constexpr Align kRight = Align::kRight;

const json::array& ArrayField(const json::value& obj, const char* key) {
  static const json::array kEmpty;
  if (!obj.is_object()) return kEmpty;
  const json::value* v = obj.get_object().if_contains(key);
  return v && v->is_array() ? v->get_array() : kEmpty;
}

const json::value& ObjectField(const json::value& obj, const char* key) {
  static const json::value kNull;
  if (!obj.is_object()) return kNull;
  const json::value* v = obj.get_object().if_contains(key);
  return v ? *v : kNull;
}

bool BoolField(const json::value& obj, const char* key) {
  const json::value& v = ObjectField(obj, key);
  return v.is_bool() && v.get_bool();
}

std::string Num(int64_t n) { return std::to_string(n); }

// "12" or "" for 0, for ids that are absent when 0 (a dry run's deliveries).
std::string IdOrBlank(int64_t n) { return n == 0 ? "" : std::to_string(n); }

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// One line for each unmet reason the run gave, in a fixed order: its label
// (util/vocab.h), its code, and what it means.
std::string UnmetLegend(const std::set<std::string>& reasons, bool english) {
  struct Meaning {
    const char* code;
    const char* en;
    const char* zh;
  };
  static const Meaning kMeaning[] = {
      {"no_stock", "no stock of the item is available", "该物品没有可用库存"},
      {"out_of_area", "there is stock, but no depot holding it serves the requester's area",
       "有库存，但存放它的仓库都不服务该申领人所在区域"},
      {"excluded_by_earmark", "there is stock, but its earmarks exclude this requester",
       "有库存，但定向捐赠的限定不包括该申领人"},
      {"only_expiring_stock", "the only eligible stock expires before as_of + min_shelf_days",
       "可用库存在配送日加最短保质天数之前到期"},
      {"tier_exhausted",
       "the eligible stock ran out on needs at least as urgent (shared fairly in a tier)",
       "库存已分给同等或更紧急的需求（同级内公平分配）"},
      {"quota_reached", "the household is at its quota for the window (rule 9)",
       "该户本期已达配额上限"},
      {"held_as_possible_duplicate",
       "likely a re-registration of a household that asked first: held until the desk "
       "resolves the duplicate case, or the hold period ends",
       "很可能是先登记住户的重复登记：调度台处理重复案件前（或暂缓期结束前）暂不分配"},
  };
  std::vector<std::pair<std::string, std::string>> rows;
  const auto label = [&](const std::string& code) {
    const std::string_view l = vocab::Label(vocab::kUnmetReasons, code, english);
    return (l == code ? code : std::string(l) + " (" + code + ")") + ":";
  };
  for (const Meaning& m : kMeaning) {
    if (reasons.count(m.code)) rows.emplace_back(label(m.code), english ? m.en : m.zh);
  }
  for (const auto& r : reasons) {
    bool known = false;
    for (const Meaning& m : kMeaning) known = known || r == m.code;
    if (!known) rows.emplace_back(label(r), "");
  }
  return RenderKeyValues(rows);
}

}  // namespace

int64_t IntField(const json::value& obj, const char* key) {
  return AsInt64(ObjectField(obj, key)).value_or(0);
}

std::string LinesText(const json::value& lines, Names& names) {
  if (!lines.is_array()) return "";
  std::string out;
  for (const auto& line : lines.get_array()) {
    const int64_t item = IntField(line, "item_id");
    std::string name = names.Item(item);
    if (name.empty()) name = "#" + Num(item);
    if (!out.empty()) out += ", ";
    out += name + "×" + Num(IntField(line, "quantity"));
  }
  return out;
}

std::string RenderMatchRun(const json::value& run, Names& names, bool verbose, bool english) {
  std::string out;
  const std::string as_of = FieldText(run, "as_of");
  if (BoolField(run, "dry_run") || IntField(run, "id") == 0) {
    out += "dry run as of " + as_of + ": nothing was written (run without --dry-run to commit)\n";
  } else {
    out += "match run " + Num(IntField(run, "id")) + " as of " + as_of + ", committed " +
           FieldText(run, "created_at") + "\n";
  }
  const json::value& stats = ObjectField(run, "stats");
  std::vector<std::pair<std::string, std::string>> counts = {
      {"needs considered", Num(IntField(stats, "needs_considered"))},
      {"lots considered", Num(IntField(stats, "lots_considered"))},
      {"units allocated", Num(IntField(stats, "units_allocated"))},
      {"needs filled", Num(IntField(stats, "needs_filled"))},
      {"needs partial", Num(IntField(stats, "needs_partial"))},
      {"needs unmet", Num(IntField(stats, "needs_unmet"))},
  };
  // Only runs that quotas held back say so (rule 9).
  if (const int64_t held = IntField(stats, "units_held_by_quota"); held > 0) {
    counts.emplace_back("units held by quota", Num(held));
  }
  out += RenderKeyValues(counts);

  const json::array& allocations = ArrayField(run, "allocations");
  if (verbose) {
    out += "\nallocations (" + Num(static_cast<int64_t>(allocations.size())) + "):\n";
    Table table({"lot_id", "need_id", "requester", "item", "quantity", "delivery_id", "reasons"});
    for (size_t c : {0, 1, 4, 5}) table.SetAlign(c, kRight);
    for (const auto& a : allocations) {
      const int64_t need = IntField(a, "need_id");
      const auto ref = names.Need(need);
      table.AddRow({Num(IntField(a, "lot_id")), Num(need),
                    ref ? names.Requester(ref->requester_id) : "",
                    ref ? names.Item(ref->item_id) : "", Num(IntField(a, "quantity")),
                    IdOrBlank(IntField(a, "delivery_id")), FieldText(a, "reasons")});
    }
    out += table.Render(80);
  }

  // The run's list of needs left short holds the partly filled ones (some
  // stock this run) and the unmet ones (none): the stats count the same
  // two groups, so the heading names both and each row says which it is.
  const json::array& unmet = ArrayField(run, "unmet");
  if (unmet.empty()) {
    out += "\nno unmet needs: every need considered was filled\n";
    return out;
  }
  std::map<int64_t, int64_t> allotted;
  for (const auto& a : allocations) allotted[IntField(a, "need_id")] += IntField(a, "quantity");
  int64_t partial = 0;
  for (const auto& u : unmet) partial += allotted.count(IntField(u, "need_id")) ? 1 : 0;
  const int64_t none = static_cast<int64_t>(unmet.size()) - partial;
  out += "\nneeds left short (" + Num(static_cast<int64_t>(unmet.size())) + ": " + Num(partial) +
         " partial, " + Num(none) + " unmet):\n";
  Table table({"need_id", "requester", "item", "allocated", "outstanding", "reason"});
  table.SetAlign(0, kRight);
  table.SetAlign(3, kRight);
  table.SetAlign(4, kRight);
  std::set<std::string> reasons;
  for (const auto& u : unmet) {
    const int64_t need = IntField(u, "need_id");
    const auto ref = names.Need(need);
    const std::string reason = FieldText(u, "reason");
    reasons.insert(reason);
    const auto got = allotted.find(need);
    table.AddRow({Num(need), ref ? names.Requester(ref->requester_id) : "",
                  ref ? names.Item(ref->item_id) : "",
                  got == allotted.end() ? "0" : Num(got->second), Num(IntField(u, "outstanding")),
                  std::string(vocab::Label(vocab::kUnmetReasons, reason, english))});
  }
  out += table.Render();
  out += "\n" + UnmetLegend(reasons, english);
  return out;
}

std::string RenderRoute(const json::value& route, Names& names, bool english) {
  const json::array& stops = ArrayField(route, "stops");
  const int64_t depot = IntField(route, "depot_id");
  const std::string depot_name = names.Depot(depot);
  std::string out = RenderKeyValues({
      {"route", Num(IntField(route, "id"))},
      {"depot", Num(depot) + (depot_name.empty() ? "" : " " + depot_name)},
      {"date", FieldText(route, "date")},
      {"driver", FieldText(route, "driver")},
      {"district", FieldText(route, "district")},
      {"status",
       std::string(vocab::Label(vocab::kRouteStatuses, FieldText(route, "status"), english))},
      {"stops", Num(static_cast<int64_t>(stops.size()))},
  });
  out += "\n";
  Table table({"seq", "delivery_id", "requester_id", "requester", "status", "items"});
  for (size_t c : {0, 1, 2}) table.SetAlign(c, kRight);
  for (const auto& s : stops) {
    const int64_t requester = IntField(s, "requester_id");
    table.AddRow(
        {Num(IntField(s, "seq")), Num(IntField(s, "delivery_id")), Num(requester),
         names.Requester(requester),
         std::string(vocab::Label(vocab::kDeliveryStatuses, FieldText(s, "status"), english)),
         LinesText(ObjectField(s, "lines"), names)});
  }
  out += table.Render(60);
  return out;
}

std::string RenderDelivery(const json::value& delivery, Names& names, bool english) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (auto& [key, value] : Flatten(delivery)) {
    if (key == "lines") continue;
    if (key == "status") value = vocab::Label(vocab::kDeliveryStatuses, value, english);
    fields.emplace_back(key, value);
    if (key == "requester_id") {
      fields.emplace_back("requester", names.Requester(IntField(delivery, "requester_id")));
    }
  }
  std::string out = RenderKeyValues(fields);
  out += "\n";
  Table table(
      {"item_id", "item", "need_id", "lot_id", "allotted", "delivered", "returned", "damaged"});
  for (size_t c : {0, 2, 3, 4, 5, 6, 7}) table.SetAlign(c, kRight);
  for (const auto& l : ArrayField(delivery, "lines")) {
    const int64_t item = IntField(l, "item_id");
    table.AddRow({Num(item), names.Item(item), Num(IntField(l, "need_id")),
                  Num(IntField(l, "lot_id")), Num(IntField(l, "quantity")),
                  Num(IntField(l, "delivered")), Num(IntField(l, "returned")),
                  Num(IntField(l, "damaged"))});
  }
  out += table.Render();
  return out;
}

std::string RenderExpiry(const json::value& answer, Names& names) {
  const json::array& lots = ArrayField(answer, "lots");
  std::string out = "as of " + FieldText(answer, "as_of") + ": " +
                    Plural(IntField(answer, "lots_expired"), "lot", "lots") + " expired, " +
                    Plural(IntField(answer, "units_written_off"), "unit", "units") +
                    " written off\n";
  if (lots.empty()) return out;
  out += "\n";
  Table table(
      {"id", "item_id", "item", "depot_id", "donor_id", "expires_on", "quantity", "written_off"});
  for (size_t c : {0, 1, 3, 4, 6, 7}) table.SetAlign(c, kRight);
  for (const auto& l : lots) {
    const int64_t item = IntField(l, "item_id");
    table.AddRow({Num(IntField(l, "id")), Num(item), names.Item(item), Num(IntField(l, "depot_id")),
                  Num(IntField(l, "donor_id")), FieldText(l, "expires_on"),
                  Num(IntField(l, "quantity")), Num(IntField(l, "written_off"))});
  }
  out += table.Render();
  return out;
}

std::string RenderDonorTrace(const json::value& trace) {
  const json::array& lots = ArrayField(trace, "lots");
  std::string out = "donor " + Num(IntField(trace, "donor_id")) + " " +
                    FieldText(trace, "donor_name") + ": " +
                    Plural(static_cast<int64_t>(lots.size()), "lot", "lots") + "\n";
  for (const auto& lot : lots) {
    std::string heading =
        "lot " + Num(IntField(lot, "lot_id")) + "  " + FieldText(lot, "item_name");
    const std::string unit = FieldText(lot, "unit");
    if (!unit.empty()) heading += " (" + unit + ")";
    heading += "  quantity " + Num(IntField(lot, "quantity"));
    const std::string depot = FieldText(lot, "depot_name");
    const std::string district = FieldText(lot, "depot_district");
    if (!depot.empty()) heading += "  depot " + depot + (district.empty() ? "" : ", " + district);
    const std::string received = FieldText(lot, "received_on");
    if (!received.empty()) heading += "  received " + received;
    const std::string expires = FieldText(lot, "expires_on");
    if (!expires.empty()) heading += "  expires " + expires;
    out += "\n" + CleanCell(heading) + "\n";

    Table table({"district", "requester_kind", "allocated", "dispatched", "delivered", "returned",
                 "available", "written_off"});
    for (size_t c = 2; c < 8; ++c) table.SetAlign(c, kRight);
    for (const auto& b : ArrayField(lot, "breakdown")) {
      table.AddRow({FieldText(b, "district"), FieldText(b, "requester_kind"),
                    Num(IntField(b, "allocated")), Num(IntField(b, "dispatched")),
                    Num(IntField(b, "delivered")), Num(IntField(b, "returned")), "", ""});
    }
    table.AddRow({"total", "", Num(IntField(lot, "allocated")), Num(IntField(lot, "dispatched")),
                  Num(IntField(lot, "delivered")), Num(IntField(lot, "returned")),
                  Num(IntField(lot, "available")), Num(IntField(lot, "written_off"))});
    out += table.Render();
  }
  return out;
}

bool LedgerOk(const json::value& report) { return BoolField(report, "ok"); }

std::string RenderLedger(const json::value& report) {
  const int64_t lots = IntField(report, "lots_checked");
  const int64_t needs = IntField(report, "needs_checked");
  const int64_t sums = IntField(report, "sum_failures");
  const int64_t replays = IntField(report, "replay_failures");
  const std::string checked =
      Plural(lots, "lot", "lots") + " and " + Plural(needs, "need", "needs") + " checked";
  if (LedgerOk(report)) {
    return "ledger ok: " + checked +
           "; every conservation sum holds and the event ledger "
           "replays to today's quantities\n";
  }
  std::string out = "ledger NOT ok: " + checked + "; " +
                    Plural(sums, "sum failure", "sum failures") + ", " +
                    Plural(replays, "replay failure", "replay failures") + "\n\n";
  Table table({"entity", "id", "total", "available/outstanding", "allocated", "delivered",
               "written_off/cancelled", "sum_holds", "replay_holds"});
  for (size_t c = 1; c < 7; ++c) table.SetAlign(c, kRight);
  for (const char* entity : {"lot", "need"}) {
    const bool lot = std::string_view(entity) == "lot";
    for (const auto& e : ArrayField(report, lot ? "lots" : "needs")) {
      const bool sum = BoolField(e, "sum_holds");
      const bool replay = BoolField(e, "replay_holds");
      if (sum && replay) continue;
      table.AddRow({entity, Num(IntField(e, "id")), Num(IntField(e, "total")),
                    Num(IntField(e, lot ? "available" : "outstanding")),
                    Num(IntField(e, "allocated")), Num(IntField(e, "delivered")),
                    Num(IntField(e, lot ? "written_off" : "cancelled")), sum ? "yes" : "NO",
                    replay ? "yes" : "NO"});
    }
  }
  out += table.Render();
  return out;
}

}  // namespace aidlink::client
