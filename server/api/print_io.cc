#include "api/print_io.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "store/repo.h"
#include "util/vocab.h"

namespace aidlink::api {
namespace {

// The sooner of two expiry dates, "" counting as none.
std::string SoonerDate(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return std::min(a, b);
}

// What a manifest gathers stop by stop: the items and stations read so far
// and the pick list's totals and soonest expiry per item.
struct ManifestLoad {
  store::Database& db;
  print::Lang lang;
  std::map<int64_t, store::Item> items;
  std::map<int64_t, store::Station> stations;
  std::map<int64_t, int64_t> pick_totals;
  std::map<int64_t, std::string> pick_expiry;
};

// The item with `id`, read once per manifest.
StatusOr<const store::Item*> ItemOf(ManifestLoad& load, int64_t id) {
  if (!load.items.count(id)) {
    auto item = store::GetItem(load.db, id);
    if (!item.ok()) return item.status();
    load.items[id] = *item;
  }
  return &load.items[id];
}

// The stop's heading: who receives it, where, the station to call back and,
// when `show_outcome`, what became of it.
StatusOr<print::StopSheet> StopHeading(ManifestLoad& load, const store::Delivery& d,
                                       bool show_outcome) {
  auto requester = store::GetRequester(load.db, d.requester_id);
  if (!requester.ok()) return requester.status();
  if (!load.stations.count(requester->station_id)) {
    auto station = store::GetStation(load.db, requester->station_id);
    if (!station.ok()) return station.status();
    load.stations[requester->station_id] = *station;
  }
  const store::Station& station = load.stations[requester->station_id];
  print::StopSheet sheet;
  sheet.seq = static_cast<int>(d.seq);
  sheet.delivery_id = d.id;
  sheet.recipient = requester->name;
  sheet.contact_name = requester->contact_name;
  sheet.phone = requester->phone;
  sheet.address = requester->address;
  sheet.district = requester->district;
  sheet.tags = requester->tags;
  sheet.station_name = station.name;
  sheet.station_phone = station.phone;
  if (show_outcome) {
    sheet.outcome = d.status;
    sheet.received_by = d.received_by;
    sheet.fail_reason = d.fail_reason;
  }
  return sheet;
}

// One line per item of `d` on `sheet` (the item's lots summed, each need's
// quantity requested once, the most urgent need's urgency, the soonest
// deadline and expiry), the needs' notes, and the pick list's totals.
Status AddStopLines(ManifestLoad& load, const store::Delivery& d, print::StopSheet* sheet) {
  std::set<int64_t> noted;
  std::map<int64_t, size_t> line_of_item;  // index into sheet->lines
  std::map<int64_t, std::set<int64_t>> needs_of_item;
  for (const auto& line : d.lines) {
    auto item_or = ItemOf(load, line.item_id);
    if (!item_or.ok()) return item_or.status();
    const store::Item& item = **item_or;
    auto [at, fresh] = line_of_item.emplace(line.item_id, sheet->lines.size());
    if (fresh) {
      print::StopLine out;
      out.item_name = item.name;
      out.unit = print::UnitLabel(item.unit, load.lang);
      if (!sheet->outcome.empty()) out.delivered = 0;
      sheet->lines.push_back(std::move(out));
    }
    print::StopLine& out = sheet->lines[at->second];
    out.allotted += line.quantity;
    if (out.delivered) {
      *out.delivered += line.delivered;
      out.damaged += line.damaged;
    }
    load.pick_totals[line.item_id] += line.quantity;
    if (item.perishable) {
      auto lot = store::GetLot(load.db, line.lot_id);
      if (!lot.ok()) return lot.status();
      out.expires_on = SoonerDate(out.expires_on, lot->expires_on);
      load.pick_expiry[line.item_id] = SoonerDate(load.pick_expiry[line.item_id], lot->expires_on);
    }
    if (!needs_of_item[line.item_id].insert(line.need_id).second) continue;
    auto need = store::GetNeed(load.db, line.need_id);
    if (!need.ok()) return need.status();
    out.requested += need->quantity;
    if (out.urgency.empty() || vocab::IndexOf(vocab::kUrgencies, need->urgency) <
                                   vocab::IndexOf(vocab::kUrgencies, out.urgency)) {
      out.urgency = need->urgency;
    }
    out.needed_by = SoonerDate(out.needed_by, need->needed_by);
    if (!need->note.empty() && noted.insert(need->id).second) {
      sheet->note += (sheet->note.empty() ? "" : "；") + need->note;
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<print::Manifest> LoadManifest(store::Database& db, int64_t route_id, print::Lang lang) {
  auto route = store::GetRoute(db, route_id);
  if (!route.ok()) return route.status();
  auto depot = store::GetDepot(db, route->depot_id);
  if (!depot.ok()) return depot.status();
  const bool as_dispatched = route->status != "planned";
  std::set<int64_t> dispatched;
  if (as_dispatched) {
    auto ids = store::DispatchedStops(db, route_id);
    if (!ids.ok()) return ids.status();
    dispatched = std::move(*ids);
  }
  print::Manifest m;
  m.route_id = route->id;
  m.depot_name = depot->name;
  m.depot_address = depot->address;
  m.date = route->date;
  m.driver = route->driver;
  ManifestLoad load{db, lang, {}, {}, {}, {}};
  for (const store::Delivery& d : route->stops) {
    const bool settled = d.status == "delivered" || d.status == "failed" || d.status == "cancelled";
    const bool returned = d.status == "failed" || d.status == "cancelled";
    // Failed or cancelled before the van left: never loaded, never a stop.
    if (returned && (!as_dispatched || !dispatched.count(d.id))) continue;
    auto sheet = StopHeading(load, d, as_dispatched && settled);
    if (!sheet.ok()) return sheet.status();
    AIDLINK_RETURN_IF_ERROR(AddStopLines(load, d, &*sheet));
    m.stops.push_back(std::move(*sheet));
  }
  for (const auto& [item_id, q] : load.pick_totals) {
    const store::Item& item = load.items[item_id];
    m.picks.push_back({item.name, print::UnitLabel(item.unit, lang), item.pack_size, q,
                       load.pick_expiry[item_id]});
  }
  return m;
}

StatusOr<print::Receipt> LoadReceipt(store::Database& db, const store::LotTrace& trace,
                                     print::Lang lang) {
  auto donor = store::GetDonor(db, trace.lot.donor_id);
  if (!donor.ok()) return donor.status();
  const store::Lot& lot = trace.lot;
  print::Receipt receipt{lot.id,
                         donor->name,
                         trace.item_name,
                         print::UnitLabel(trace.item_unit, lang),
                         lot.quantity,
                         lot.created_at.substr(0, 10),
                         lot.expires_on,
                         trace.depot_name,
                         trace.depot_district,
                         lot.note,
                         lot.available,
                         lot.allocated,
                         lot.delivered,
                         lot.written_off,
                         {}};
  for (const auto& b : trace.buckets) {
    receipt.buckets.push_back(
        {b.district, b.requester_kind, b.allocated, b.dispatched, b.delivered, b.returned});
  }
  return receipt;
}

}  // namespace aidlink::api
