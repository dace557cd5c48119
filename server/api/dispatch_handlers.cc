// Routes, deliveries and their outcomes, lot expiry, the donor trace and
// the ledger report.
#include <chrono>
#include <map>
#include <set>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/validate.h"
#include "print/manifest.h"
#include "print/receipt.h"
#include "route/route.h"
#include "store/dispatch.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::api {
namespace {

v1::Delivery ToProto(const store::Delivery& d) {
  v1::Delivery out;
  out.set_id(d.id);
  out.set_run_id(d.run_id);
  out.set_requester_id(d.requester_id);
  out.set_depot_id(d.depot_id);
  out.set_station_id(d.station_id);
  out.set_status(d.status);
  out.set_route_id(d.route_id.value_or(0));
  out.set_seq(d.seq);
  for (const auto& l : d.lines) {
    v1::DeliveryLine* o = out.add_lines();
    o->set_item_id(l.item_id);
    o->set_quantity(l.quantity);
    o->set_need_id(l.need_id);
    o->set_lot_id(l.lot_id);
    o->set_delivered(l.delivered);
    o->set_returned(l.returned);
    o->set_damaged(l.damaged);
  }
  out.set_received_by(d.received_by);
  out.set_note(d.note);
  out.set_fail_reason(d.fail_reason);
  out.set_created_at(d.created_at);
  out.set_updated_at(d.updated_at);
  out.set_route_date(d.route_date);
  out.set_route_status(d.route_status);
  return out;
}

// Per item totals of a delivery, in item id order.
std::map<int64_t, int64_t> ItemTotals(const store::Delivery& d) {
  std::map<int64_t, int64_t> totals;
  for (const auto& l : d.lines) totals[l.item_id] += l.quantity;
  return totals;
}

v1::Route ToProto(const store::Route& r) {
  v1::Route out;
  out.set_id(r.id);
  out.set_depot_id(r.depot_id);
  out.set_date(r.date);
  out.set_driver(r.driver);
  out.set_district(r.district);
  out.set_status(r.status);
  out.set_created_at(r.created_at);
  out.set_stop_count(r.stop_count);
  for (const auto& d : r.stops) {
    v1::RouteStop* s = out.add_stops();
    s->set_seq(d.seq);
    s->set_delivery_id(d.id);
    s->set_requester_id(d.requester_id);
    s->set_status(d.status);
    for (const auto& [item, q] : ItemTotals(d)) {
      v1::RouteLine* l = s->add_lines();
      l->set_item_id(item);
      l->set_quantity(q);
    }
  }
  for (const auto& v : r.volunteers) {
    v1::RouteVolunteer* o = out.add_volunteers();
    o->set_user_id(v.user_id);
    o->set_token_id(v.token_id);
    o->set_name(v.name);
    o->set_assigned_at(v.assigned_at);
  }
  return out;
}

// The route with its stops as the paper list shows them at the door:
// recipient, contact, phone, address, handling tags, the needs' notes, and
// per item its name, unit, what was asked for and what is on the van.
StatusOr<v1::Route> RouteAnswer(store::Database& db, const store::Route& r) {
  v1::Route out = ToProto(r);
  std::map<int64_t, store::Item> items;
  for (int i = 0; i < out.stops_size(); ++i) {
    const store::Delivery& d = r.stops[static_cast<size_t>(i)];
    v1::RouteStop* s = out.mutable_stops(i);
    auto requester = store::GetRequester(db, d.requester_id);
    if (!requester.ok()) return requester.status();
    s->set_recipient(requester->name);
    s->set_contact_name(requester->contact_name);
    s->set_phone(requester->phone);
    s->set_address(requester->address);
    s->set_district(requester->district);
    for (const auto& t : requester->tags) s->add_tags(t);
    std::map<int64_t, int64_t> requested;
    std::set<int64_t> needs;
    std::string note;
    for (const auto& line : d.lines) {
      if (!needs.insert(line.need_id).second) continue;
      auto need = store::GetNeed(db, line.need_id);
      if (!need.ok()) return need.status();
      requested[line.item_id] += need->quantity;
      if (!need->note.empty()) note += (note.empty() ? "" : "；") + need->note;
    }
    s->set_note(note);
    for (int k = 0; k < s->lines_size(); ++k) {
      v1::RouteLine* l = s->mutable_lines(k);
      if (!items.count(l->item_id())) {
        auto item = store::GetItem(db, l->item_id());
        if (!item.ok()) return item.status();
        items[l->item_id()] = *item;
      }
      l->set_item_name(items[l->item_id()].name);
      l->set_unit(items[l->item_id()].unit);
      l->set_requested(requested[l->item_id()]);
    }
  }
  return out;
}

// The route with `id` if the caller may see it (a volunteer: only its
// assigned routes), else kNotFound.
StatusOr<store::Route> ScopedRoute(store::Database& db, const Principal& p, int64_t id) {
  if (!p.MaySeeRoute(id)) return NotFound("route not found", "id");
  return store::GetRoute(db, id);
}

// The delivery with `id` if the caller may see it (a station: only its own
// requesters'; a volunteer: those on its routes), else kNotFound.
StatusOr<store::Delivery> ScopedDelivery(store::Database& db, const Principal& p, int64_t id) {
  auto d = store::GetDelivery(db, id);
  if (!d.ok()) return d.status();
  if (!p.MaySeeDelivery(d->station_id, d->route_id)) {
    return NotFound("delivery not found", "id");
  }
  return d;
}

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

// Builds the printable list of a route from the store: one line per item
// per stop (the item's lots summed, each need's quantity requested once),
// with the needs' urgency and deadline, the expiry of perishable stock and
// the station's callback phone. Stops failed or cancelled before the van
// left are left out (their stock went back to the lots); a dispatched or
// completed route prints every stop the van took, numbered and loaded as
// dispatched, with its outcome beside it.
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

}  // namespace

// POST /v1/routes {depot_id, date, driver, district?, max_stops?}: puts the
// depot's planned deliveries that are on no route yet (one district if
// given; at most max_stops, most urgent first) on a new route in visiting
// order; dispatcher. 422 if there is nothing to route.
Response CreateRoute(Context& ctx) {
  v1::RouteRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Route>(201, [=, &ctx](store::Database& db, v1::Route& out) -> Status {
    auto depot = store::GetDepot(db, req.depot_id());
    if (!depot.ok())
      return NotFound("depot " + std::to_string(req.depot_id()) + " not found", "depot_id");
    auto candidates = store::UnroutedDeliveries(db, req.depot_id());
    if (!candidates.ok()) return candidates.status();
    std::vector<route::Stop> stops;
    for (const auto& c : *candidates) {
      stops.push_back({c.delivery_id, c.district, c.address, c.lat, c.lon, c.urgency_rank});
    }
    std::optional<std::string> district;
    if (!req.district().empty()) district = req.district();
    std::optional<int> max_stops;
    if (req.has_max_stops()) max_stops = static_cast<int>(req.max_stops());
    stops = route::SelectStops(std::move(stops), district, max_stops);
    if (stops.empty()) {
      return FailedPrecondition("no planned deliveries at this depot" +
                                    (district ? " in " + *district : std::string()) +
                                    " are waiting for a route",
                                "depot_id");
    }
    const std::vector<int64_t> order = route::OrderStops({depot->lat, depot->lon}, stops);
    store::Route r;
    r.depot_id = req.depot_id();
    r.date = req.date();
    r.driver = req.driver();
    r.district = req.district();
    auto created = store::InsertRoute(db, r, order, ctx.principal().actor());
    if (!created.ok()) return created.status();
    auto answer = RouteAnswer(db, *created);
    if (!answer.ok()) return answer.status();
    out = std::move(*answer);
    return Status::Ok();
  });
}

// GET /v1/routes/{id}: the route with its stops as the paper list shows
// them; dispatcher, or a volunteer it is assigned to (404 otherwise).
Response GetRoute(Context& ctx) {
  const Principal& p = ctx.principal();
  auto r = ctx.Read([&](store::Database& db) -> StatusOr<v1::Route> {
    auto route = ScopedRoute(db, p, ctx.id());
    if (!route.ok()) return route.status();
    return RouteAnswer(db, *route);
  });
  if (!r.ok()) return ctx.Error(r.status());
  return ctx.Reply(200, *r);
}

// POST /v1/routes/{id}:assign {user_id | token_id}: lets a volunteer (a
// user or a token of role volunteer) see the route's stops and record their
// outcomes; dispatcher. Assigning the same volunteer again changes nothing.
Response AssignRoute(Context& ctx) {
  v1::AssignRequest req;
  Status s = ctx.Decode(&req);
  if (s.ok() && (req.user_id() < 0 || req.token_id() < 0)) {
    s = InvalidArgument("ids must be positive", req.user_id() < 0 ? "user_id" : "token_id");
  }
  if (s.ok() && (req.user_id() == 0) == (req.token_id() == 0)) {
    s = InvalidArgument(
        "give exactly one of user_id (a volunteer user) and token_id (a volunteer "
        "token)",
        "user_id");
  }
  if (!s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Route>(200, [=, &ctx](store::Database& db, v1::Route& out) -> Status {
    auto r =
        store::AssignRoute(db, ctx.id(), req.user_id(), req.token_id(), ctx.principal().actor());
    if (!r.ok()) return r.status();
    auto answer = RouteAnswer(db, *r);
    if (!answer.ok()) return answer.status();
    out = std::move(*answer);
    return Status::Ok();
  });
}

// GET /v1/routes?date=&depot_id=&status=: routes by id, without their
// stops (stop_count says how many); dispatcher.
Response ListRoutes(Context& ctx) {
  store::RouteFilter filter;
  filter.date = ctx.Query("date");
  filter.status = ctx.Query("status");
  if (Status s = CheckDate(filter.date, "date", true); !s.ok()) return ctx.Error(s);
  if (!filter.status.empty()) {
    if (Status s = CheckEnum(filter.status, "status", vocab::kRouteStatuses); !s.ok()) {
      return ctx.Error(s);
    }
  }
  auto depot = ctx.QueryId("depot_id");
  if (!depot.ok()) return ctx.Error(depot.status());
  filter.depot_id = *depot;
  // A volunteer lists the routes assigned to it.
  if (ctx.principal().role == Role::kVolunteer) filter.ids = ctx.principal().route_ids;
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows = ctx.Read([&](store::Database& db) { return store::ListRoutes(db, filter, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::RouteList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& r : *rows) *out.add_items() = ToProto(r);
  return ctx.Reply(200, out);
}

// POST /v1/routes/{id}:dispatch {}: the route's planned deliveries become
// dispatched; dispatcher. 422 if the route was dispatched already.
Response DispatchRoute(Context& ctx) {
  return ctx.Commit<v1::Route>(200, [=, &ctx](store::Database& db, v1::Route& out) -> Status {
    auto r = store::DispatchRoute(db, ctx.id(), ctx.principal().actor());
    if (!r.ok()) return r.status();
    auto answer = RouteAnswer(db, *r);
    if (!answer.ok()) return answer.status();
    out = std::move(*answer);
    return Status::Ok();
  });
}

// GET /v1/routes/{id}/manifest?format=txt|csv|html&lang=zh|en&layout=full|compact:
// the printed delivery list; dispatcher. Default html, zh, full.
Response GetManifest(Context& ctx) {
  Status s;
  const std::string format = ctx.Query("format").empty() ? "html" : ctx.Query("format");
  const std::string lang = ctx.Query("lang").empty() ? "zh" : ctx.Query("lang");
  const std::string layout = ctx.Query("layout").empty() ? "full" : ctx.Query("layout");
  static constexpr std::string_view kFormats[] = {"txt", "csv", "html"};
  static constexpr std::string_view kLangs[] = {"zh", "en"};
  static constexpr std::string_view kLayouts[] = {"full", "compact"};
  s = CheckEnum(format, "format", kFormats);
  if (s.ok()) s = CheckEnum(lang, "lang", kLangs);
  if (s.ok()) s = CheckEnum(layout, "layout", kLayouts);
  if (!s.ok()) return ctx.Error(s);
  const print::Lang l = lang == "en" ? print::Lang::kEn : print::Lang::kZh;
  if (!ctx.principal().MaySeeRoute(ctx.id())) return ctx.Error(NotFound("route not found", "id"));
  auto m = ctx.Read([&](store::Database& db) { return LoadManifest(db, ctx.id(), l); });
  if (!m.ok()) return ctx.Error(m.status());
  const print::Format f = format == "txt"   ? print::Format::kTxt
                          : format == "csv" ? print::Format::kCsv
                                            : print::Format::kHtml;
  Response r;
  r.body = print::RenderManifest(
      *m, f, l, layout == "compact" ? print::Layout::kCompact : print::Layout::kFull);
  r.content_type = format == "txt"   ? "text/plain; charset=utf-8"
                   : format == "csv" ? "text/csv; charset=utf-8"
                                     : "text/html; charset=utf-8";
  if (format == "csv") {
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"route-" + std::to_string(ctx.id()) + ".csv\"");
  }
  return r;
}

// GET /v1/deliveries?route_id=&status=&requester_id=: deliveries with their
// lines; dispatcher, or a station for its own requesters.
Response ListDeliveries(Context& ctx) {
  const Principal& p = ctx.principal();
  Status s;
  store::DeliveryFilter filter;
  auto route_id = ctx.QueryId("route_id");
  auto requester = ctx.QueryId("requester_id");
  auto station = ctx.QueryId("station_id");
  for (const auto* q : {&route_id, &requester, &station}) {
    if (!q->ok()) return ctx.Error(q->status());
  }
  filter.route_id = *route_id;
  filter.requester_id = *requester;
  filter.station_id = *station;
  filter.status = ctx.Query("status");
  static constexpr std::string_view kStatuses[] = {"planned", "dispatched", "delivered", "failed",
                                                   "cancelled"};
  if (!filter.status.empty()) {
    s = CheckEnum(filter.status, "status", kStatuses);
    if (!s.ok()) return ctx.Error(s);
  }
  s = NarrowToOwnStation(p, filter.station_id);
  if (!s.ok()) return ctx.Error(s);
  if (p.role == Role::kVolunteer) {
    // Only the stops of its own routes; another route is 404 as for any
    // object out of scope.
    if (filter.route_id && !p.MaySeeRoute(*filter.route_id))
      return ctx.Error(NotFound("route not found", "route_id"));
    filter.route_ids = p.route_ids;
  }
  auto page = ctx.PageParams();
  if (!page.ok()) return ctx.Error(page.status());
  auto rows =
      ctx.Read([&](store::Database& db) { return store::ListDeliveries(db, filter, *page); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::DeliveryList out;
  out.set_next_page_token(NextPageToken(*rows, *page));
  for (const auto& d : *rows) *out.add_items() = ToProto(d);
  return ctx.Reply(200, out);
}

// GET /v1/deliveries/{id}: one delivery; 404 if another station's.
Response GetDelivery(Context& ctx) {
  const Principal& p = ctx.principal();
  auto d = ctx.Read([&](store::Database& db) { return ScopedDelivery(db, p, ctx.id()); });
  if (!d.ok()) return ctx.Error(d.status());
  return ctx.Reply(200, ToProto(*d));
}

// POST /v1/deliveries/{id}:dispatch {}: planned -> dispatched; dispatcher.
Response DispatchDelivery(Context& ctx) {
  return ctx.Commit<v1::Delivery>(200, [=, &ctx](store::Database& db, v1::Delivery& out) -> Status {
    auto d = store::DispatchDelivery(db, ctx.id(), ctx.principal().actor());
    if (!d.ok()) return d.status();
    out = ToProto(*d);
    return Status::Ok();
  });
}

namespace {

// 0..kMaxQuantity.
Status CheckCount(int64_t value, const char* field) {
  if (value >= 0 && value <= kMaxQuantity) return Status::Ok();
  return InvalidArgument(std::string(field) + " must be between 0 and 1000000000", field);
}

// The lines of a :deliver or :correct request, checked field by field.
StatusOr<std::vector<store::DeliveredQuantity>> TakenOf(
    const google::protobuf::RepeatedPtrField<v1::DeliveredLine>& lines) {
  AIDLINK_RETURN_IF_ERROR(CheckListSize(lines.size(), "lines"));
  std::vector<store::DeliveredQuantity> taken;
  for (const auto& l : lines) {
    AIDLINK_RETURN_IF_ERROR(CheckId(l.item_id(), "lines.item_id"));
    if (l.has_quantity()) AIDLINK_RETURN_IF_ERROR(CheckCount(l.quantity(), "lines.quantity"));
    AIDLINK_RETURN_IF_ERROR(CheckCount(l.damaged(), "lines.damaged"));
    store::DeliveredQuantity t{l.item_id(), std::nullopt, l.damaged()};
    if (l.has_quantity()) t.quantity = l.quantity();
    taken.push_back(t);
  }
  return taken;
}

}  // namespace

// POST /v1/deliveries/{id}:deliver {received_by, note, lines?}: records
// what reached the door. Per listed item: the quantity taken and the units
// damaged on the way (written off); items not listed are delivered in full.
// What was not delivered reopens the needs. Dispatcher, or the station of
// the requester (confirmation of receipt).
Response DeliverDelivery(Context& ctx) {
  const Principal& p = ctx.principal();
  v1::DeliverRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  auto lines = TakenOf(req.lines());
  if (!lines.ok()) return ctx.Error(lines.status());
  std::optional<std::vector<store::DeliveredQuantity>> taken;
  if (!lines->empty()) taken = std::move(*lines);
  return ctx.Commit<v1::Delivery>(200, [=, &ctx](store::Database& db, v1::Delivery& out) -> Status {
    auto scoped = ScopedDelivery(db, p, ctx.id());
    if (!scoped.ok()) return scoped.status();
    auto d = store::CompleteDelivery(db, ctx.id(), req.received_by(), req.note(), taken, p.actor());
    if (!d.ok()) return d.status();
    out = ToProto(*d);
    return Status::Ok();
  });
}

// POST /v1/deliveries/{id}:correct {lines, received_by?, reason}: re-records
// a delivered or failed delivery's outcome within --outcome-correction-hours
// of it, moving stock and needs to the corrected figures; dispatcher. 422 if
// the delivery has no outcome, the window has passed, or stock it would take
// back has been used since.
Response CorrectDelivery(Context& ctx) {
  v1::CorrectRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  auto lines = TakenOf(req.lines());
  if (!lines.ok()) return ctx.Error(lines.status());
  store::Correction c;
  c.lines = std::move(*lines);
  if (req.has_received_by()) c.received_by = req.received_by();
  c.reason = req.reason();
  const std::string not_before =
      date::Rfc3339(std::chrono::system_clock::now() - ctx.store().outcome_correction());
  return ctx.Commit<v1::Delivery>(200, [=, &ctx](store::Database& db, v1::Delivery& out) -> Status {
    auto d = store::CorrectDelivery(db, ctx.id(), c, not_before, ctx.principal().actor());
    if (!d.ok()) return d.status();
    out = ToProto(*d);
    return Status::Ok();
  });
}

namespace {

Response FailOrCancel(Context& ctx, bool cancel) {
  const Principal& p = ctx.principal();
  v1::FailRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Delivery>(200, [=, &ctx](store::Database& db, v1::Delivery& out) -> Status {
    auto scoped = ScopedDelivery(db, p, ctx.id());
    if (!scoped.ok()) return scoped.status();
    auto d = store::FailDelivery(db, ctx.id(), req.reason(), cancel, ctx.principal().actor());
    if (!d.ok()) return d.status();
    out = ToProto(*d);
    return Status::Ok();
  });
}

}  // namespace

// POST /v1/deliveries/{id}:fail {reason}: not home, refused, wrong address,
// vehicle problem; everything returns to its lots and the needs reopen.
Response FailDelivery(Context& ctx) { return FailOrCancel(ctx, false); }

// POST /v1/deliveries/{id}:cancel {reason}: as :fail, recorded as cancelled.
Response CancelDelivery(Context& ctx) { return FailOrCancel(ctx, true); }

// POST /v1/lots:expire {as_of}: writes off (reason "expired") the available
// part of every lot that expired before as_of; dispatcher.
Response ExpireLots(Context& ctx) {
  v1::ExpireRequest req;
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::ExpireResponse>(
      200, [=, &ctx](store::Database& db, v1::ExpireResponse& out) -> Status {
        auto lots = store::ExpireLots(db, req.as_of(), ctx.principal().actor());
        if (!lots.ok()) return lots.status();
        out.set_as_of(req.as_of());
        out.set_lots_expired(static_cast<int64_t>(lots->size()));
        int64_t units = 0;
        for (const auto& e : *lots) {
          *out.add_lots() = api::ToProto(e.lot);
          units += e.expired;
        }
        out.set_units_written_off(units);
        return Status::Ok();
      });
}

namespace {

v1::LotTrace ToProto(const store::LotTrace& t) {
  v1::LotTrace out;
  out.set_lot_id(t.lot.id);
  out.set_item_id(t.lot.item_id);
  out.set_item_name(t.item_name);
  out.set_unit(t.item_unit);
  out.set_depot_id(t.lot.depot_id);
  out.set_depot_name(t.depot_name);
  out.set_depot_district(t.depot_district);
  out.set_received_on(t.lot.received_at.substr(0, 10));
  out.set_expires_on(t.lot.expires_on);
  out.set_quantity(t.lot.quantity);
  out.set_status(t.lot.status);
  out.set_quantity_pledged(t.lot.quantity_pledged);
  out.set_quantity_received(t.lot.quantity_received());
  out.set_received_at(t.lot.received_at);
  out.set_available(t.lot.available);
  out.set_allocated(t.lot.allocated);
  out.set_delivered(t.lot.delivered);
  out.set_written_off(t.lot.written_off);
  int64_t dispatched = 0, returned = 0;
  for (const auto& b : t.buckets) {
    v1::TraceBucket* o = out.add_breakdown();
    o->set_district(b.district);
    o->set_requester_kind(b.requester_kind);
    o->set_allocated(b.allocated);
    o->set_dispatched(b.dispatched);
    o->set_delivered(b.delivered);
    o->set_returned(b.returned);
    dispatched += b.dispatched;
    returned += b.returned;
  }
  out.set_dispatched(dispatched);
  out.set_returned(returned);
  return out;
}

}  // namespace

// GET /v1/donors/{id}/trace: where each of the donor's lots went, by
// district and requester kind, with no names, phones or addresses;
// dispatcher or that donor.
Response GetDonorTrace(Context& ctx) {
  const Principal& p = ctx.principal();
  Status s;
  if (!p.MaySeeDonor(ctx.id())) return ctx.Error(NotFound("donor not found", "id"));
  v1::DonorTrace out;
  s = ctx.Read([&](store::Database& db) -> Status {
    auto donor = store::GetDonor(db, ctx.id());
    if (!donor.ok()) return donor.status();
    auto traces = store::TraceDonor(db, ctx.id());
    if (!traces.ok()) return traces.status();
    out.set_donor_id(donor->id);
    out.set_donor_name(donor->name);
    for (const auto& t : *traces) *out.add_lots() = ToProto(t);
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  return ctx.Reply(200, out);
}

// GET /v1/reports/ledger: per lot and per need the conservation sums,
// whether they hold, and whether the newest "after" in the event ledger
// matches today's quantities; dispatcher.
Response GetLedgerReport(Context& ctx) {
  auto rows = ctx.Read([&](store::Database& db) { return store::LedgerRows(db); });
  if (!rows.ok()) return ctx.Error(rows.status());
  v1::LedgerReport out;
  int64_t sum_failures = 0, replay_failures = 0;
  for (const store::LedgerRow& r : *rows) {
    const bool lot = r.entity == "lot";
    v1::LedgerEntry* e = lot ? out.add_lots() : out.add_needs();
    e->set_id(r.id);
    e->set_total(r.total);
    e->set_allocated(r.now.allocated);
    e->set_delivered(r.now.delivered);
    if (lot) {
      e->set_available(r.now.open);
      e->set_written_off(r.now.closed);
    } else {
      e->set_outstanding(r.now.open);
      e->set_cancelled(r.now.closed);
    }
    const bool sum = r.now.Sum() == r.total;
    // The newest event must state today's quantities.
    const bool replay = r.last_after == r.now;
    e->set_sum_holds(sum);
    e->set_replay_holds(replay);
    sum_failures += !sum;
    replay_failures += !replay;
  }
  out.set_lots_checked(out.lots_size());
  out.set_needs_checked(out.needs_size());
  out.set_sum_failures(sum_failures);
  out.set_replay_failures(replay_failures);
  out.set_ok(sum_failures == 0 && replay_failures == 0);
  return ctx.Reply(200, out);
}

// GET /v1/lots/{id}/receipt?format=html|txt&lang=zh|en: the printable
// donation receipt with the lot's trace, no household data; dispatcher or
// the lot's donor (another donor's lot is 404). Default html, zh.
Response GetLotReceipt(Context& ctx) {
  const Principal& p = ctx.principal();
  Status s;
  const std::string format = ctx.Query("format").empty() ? "html" : ctx.Query("format");
  const std::string lang = ctx.Query("lang").empty() ? "zh" : ctx.Query("lang");
  static constexpr std::string_view kFormats[] = {"txt", "html"};
  static constexpr std::string_view kLangs[] = {"zh", "en"};
  s = CheckEnum(format, "format", kFormats);
  if (s.ok()) s = CheckEnum(lang, "lang", kLangs);
  if (!s.ok()) return ctx.Error(s);
  const print::Lang l = lang == "en" ? print::Lang::kEn : print::Lang::kZh;
  print::Receipt receipt;
  s = ctx.Read([&](store::Database& db) -> Status {
    auto trace = store::TraceLot(db, ctx.id());
    if (!trace.ok()) return trace.status();
    if (!p.MaySeeDonor(trace->lot.donor_id)) {
      return NotFound("lot not found", "id");
    }
    auto donor = store::GetDonor(db, trace->lot.donor_id);
    if (!donor.ok()) return donor.status();
    const store::Lot& lot = trace->lot;
    receipt = {lot.id,
               donor->name,
               trace->item_name,
               print::UnitLabel(trace->item_unit, l),
               lot.quantity,
               lot.created_at.substr(0, 10),
               lot.expires_on,
               trace->depot_name,
               trace->depot_district,
               lot.note,
               lot.available,
               lot.allocated,
               lot.delivered,
               lot.written_off,
               {}};
    for (const auto& b : trace->buckets) {
      receipt.buckets.push_back(
          {b.district, b.requester_kind, b.allocated, b.dispatched, b.delivered, b.returned});
    }
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Error(s);
  Response r;
  const bool html = format == "html";
  r.body = print::RenderReceipt(receipt, html ? print::Format::kHtml : print::Format::kTxt, l);
  r.content_type = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
  return r;
}

}  // namespace aidlink::api
