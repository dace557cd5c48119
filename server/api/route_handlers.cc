// Routes: planning one from the depot's waiting deliveries, assigning,
// dispatching, listing, and the printed delivery list.
#include <map>
#include <set>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "api/convert.h"
#include "api/handlers.h"
#include "api/print_io.h"
#include "api/validate.h"
#include "print/manifest.h"
#include "route/route.h"
#include "store/dispatch.h"
#include "store/repo.h"

namespace aidlink::api {
namespace {

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

// Fills `out` with the RouteAnswer of `route`, or returns the error of
// either: the end of each write that answers a route.
Status FillRoute(store::Database& db, const StatusOr<store::Route>& route, v1::Route& out) {
  if (!route.ok()) return route.status();
  auto answer = RouteAnswer(db, *route);
  if (!answer.ok()) return answer.status();
  out = std::move(*answer);
  return Status::Ok();
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
    return FillRoute(db, store::InsertRoute(db, r, order, ctx.principal().actor()), out);
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
  if (Status s = DecodeValid(ctx, &req); !s.ok()) return ctx.Error(s);
  return ctx.Commit<v1::Route>(200, [=, &ctx](store::Database& db, v1::Route& out) {
    return FillRoute(
        db,
        store::AssignRoute(db, ctx.id(), req.user_id(), req.token_id(), ctx.principal().actor()),
        out);
  });
}

// GET /v1/routes?date=&depot_id=&status=: routes by id, without their
// stops (stop_count says how many); dispatcher.
Response ListRoutes(Context& ctx) {
  store::RouteFilter filter;
  filter.date = ctx.Query("date");
  filter.status = ctx.Query("status");
  if (Status s = CheckDate(filter.date, "date", true); !s.ok()) return ctx.Error(s);
  if (Status s = CheckOptionalEnum(filter.status, "status", vocab::kRouteStatuses); !s.ok()) {
    return ctx.Error(s);
  }
  if (Status s = QueryIds(ctx, {{"depot_id", &filter.depot_id}}); !s.ok()) return ctx.Error(s);
  // A volunteer lists the routes assigned to it.
  if (ctx.principal().role == Role::kVolunteer) filter.ids = ctx.principal().route_ids;
  return ReplyPage<v1::RouteList>(ctx, [&](store::Database& db, const store::Page& page) {
    return store::ListRoutes(db, filter, page);
  });
}

// POST /v1/routes/{id}:dispatch {}: the route's planned deliveries become
// dispatched; dispatcher. 422 if the route was dispatched already.
Response DispatchRoute(Context& ctx) {
  return ctx.Commit<v1::Route>(200, [&ctx](store::Database& db, v1::Route& out) {
    return FillRoute(db, store::DispatchRoute(db, ctx.id(), ctx.principal().actor()), out);
  });
}

// GET /v1/routes/{id}/manifest?format=txt|csv|html&lang=zh|en&layout=full|compact:
// the printed delivery list; dispatcher. Default html, zh, full.
Response GetManifest(Context& ctx) {
  static constexpr std::string_view kFormats[] = {"txt", "csv", "html"};
  static constexpr std::string_view kLayouts[] = {"full", "compact"};
  auto format_or = QueryChoice(ctx, "format", "html", kFormats);
  if (!format_or.ok()) return ctx.Error(format_or.status());
  auto l = LangQuery(ctx);
  if (!l.ok()) return ctx.Error(l.status());
  auto layout = QueryChoice(ctx, "layout", "full", kLayouts);
  if (!layout.ok()) return ctx.Error(layout.status());
  const std::string& format = *format_or;
  if (!ctx.principal().MaySeeRoute(ctx.id())) return ctx.Error(NotFound("route not found", "id"));
  auto m = ctx.Read([&](store::Database& db) { return LoadManifest(db, ctx.id(), *l); });
  if (!m.ok()) return ctx.Error(m.status());
  const print::Format f = format == "txt"   ? print::Format::kTxt
                          : format == "csv" ? print::Format::kCsv
                                            : print::Format::kHtml;
  Response r;
  r.body = print::RenderManifest(
      *m, f, *l, *layout == "compact" ? print::Layout::kCompact : print::Layout::kFull);
  r.content_type = format == "txt"   ? "text/plain; charset=utf-8"
                   : format == "csv" ? "text/csv; charset=utf-8"
                                     : "text/html; charset=utf-8";
  if (format == "csv") {
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"route-" + std::to_string(ctx.id()) + ".csv\"");
  }
  return r;
}

}  // namespace aidlink::api
