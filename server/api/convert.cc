#include "api/convert.h"

#include <map>
#include <string>

#include "api/match_io.h"

namespace aidlink::api {
namespace {

// A lot's stock figures and dates, as a lot and as its trace show them (the
// two messages name these fields alike).
template <typename Msg>
void FillStock(Msg& out, const store::Lot& lot) {
  out.set_expires_on(lot.expires_on);
  out.set_quantity(lot.quantity);
  out.set_status(lot.status);
  out.set_quantity_pledged(lot.quantity_pledged);
  out.set_quantity_received(lot.quantity_received());
  out.set_received_at(lot.received_at);
  out.set_available(lot.available);
  out.set_allocated(lot.allocated);
  out.set_delivered(lot.delivered);
  out.set_written_off(lot.written_off);
}

}  // namespace

v1::Item ToProto(const store::Item& in) {
  v1::Item out;
  out.set_id(in.id);
  out.set_code(in.code);
  out.set_name(in.name);
  out.set_category(in.category);
  out.set_unit(in.unit);
  out.set_pack_size(in.pack_size);
  out.set_perishable(in.perishable);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  return out;
}

v1::Donor ToProto(const store::Donor& in) {
  v1::Donor out;
  out.set_id(in.id);
  out.set_name(in.name);
  out.set_kind(in.kind);
  out.set_phone(in.phone);
  out.set_note(in.note);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  return out;
}

v1::Depot ToProto(const store::Depot& in) {
  v1::Depot out;
  out.set_id(in.id);
  out.set_name(in.name);
  out.set_address(in.address);
  out.set_district(in.district);
  if (in.lat) out.set_lat(*in.lat);
  if (in.lon) out.set_lon(*in.lon);
  out.set_created_at(in.created_at);
  out.set_city(in.city);
  for (const auto& c : in.serves_cities) out.mutable_serves()->add_cities(c);
  for (const auto& d : in.serves_districts) out.mutable_serves()->add_districts(d);
  out.set_version(in.version);
  return out;
}

v1::Station ToProto(const store::Station& in) {
  v1::Station out;
  out.set_id(in.id);
  out.set_name(in.name);
  out.set_district(in.district);
  out.set_created_at(in.created_at);
  out.set_city(in.city);
  out.set_version(in.version);
  out.set_phone(in.phone);
  return out;
}

v1::Requester ToProto(const store::Requester& in) {
  v1::Requester out;
  out.set_id(in.id);
  out.set_station_id(in.station_id);
  out.set_kind(in.kind);
  out.set_name(in.name);
  out.set_contact_name(in.contact_name);
  out.set_phone(in.phone);
  out.set_address(in.address);
  out.set_district(in.district);
  if (in.lat) out.set_lat(*in.lat);
  if (in.lon) out.set_lon(*in.lon);
  out.set_household_size(in.household_size);
  for (const auto& t : in.tags) out.add_tags(t);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  out.set_active(in.active);
  if (!in.active) {
    out.set_deactivated_reason(in.deactivated_reason);
    out.set_deactivated_at(in.deactivated_at);
    out.set_deactivated_note(in.deactivated_note);
  }
  return out;
}

v1::Lot ToProto(const store::Lot& in) {
  v1::Lot out;
  out.set_id(in.id);
  out.set_donor_id(in.donor_id);
  out.set_item_id(in.item_id);
  out.set_depot_id(in.depot_id);
  FillStock(out, in);
  v1::Earmark* e = out.mutable_earmark();
  for (const auto& v : in.earmark.districts) e->add_districts(v);
  for (const auto& v : in.earmark.requester_kinds) e->add_requester_kinds(v);
  for (const auto& v : in.earmark.tags) e->add_tags(v);
  for (int64_t v : in.earmark.station_ids) e->add_station_ids(v);
  out.set_note(in.note);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  out.set_receive_note(in.receive_note);
  return out;
}

v1::Need ToProto(const store::Need& in) {
  v1::Need out;
  out.set_id(in.id);
  out.set_requester_id(in.requester_id);
  out.set_item_id(in.item_id);
  out.set_quantity(in.quantity);
  out.set_urgency(in.urgency);
  out.set_needed_by(in.needed_by);
  out.set_note(in.note);
  out.set_status(in.status);
  out.set_outstanding(in.outstanding);
  out.set_allocated(in.allocated);
  out.set_delivered(in.delivered);
  out.set_cancelled(in.cancelled);
  out.set_station_id(in.station_id);
  out.set_cancel_reason(in.cancel_reason);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  out.set_last_run_id(in.last_run_id);
  out.set_last_unmet_reason(in.last_unmet_reason);
  return out;
}

v1::User ToProto(const store::UserRecord& in) {
  v1::User out;
  out.set_id(in.id);
  out.set_username(in.username);
  out.set_role(in.role);
  if (in.station_id) out.set_station_id(*in.station_id);
  if (in.donor_id) out.set_donor_id(*in.donor_id);
  out.set_display_name(in.display_name);
  out.set_disabled(in.disabled());
  out.set_created_at(in.created_at);
  out.set_disabled_at(in.disabled_at);
  return out;
}

store::Item FromProto(const v1::Item& in) {
  store::Item out;
  out.code = in.code();
  out.name = in.name();
  out.category = in.category();
  out.unit = in.unit();
  out.pack_size = in.pack_size();
  out.perishable = in.perishable();
  return out;
}

store::Donor FromProto(const v1::Donor& in) {
  store::Donor out;
  out.name = in.name();
  out.kind = in.kind();
  out.phone = in.phone();
  out.note = in.note();
  return out;
}

store::Depot FromProto(const v1::Depot& in) {
  store::Depot out;
  out.name = in.name();
  out.address = in.address();
  out.district = in.district();
  if (in.has_lat()) out.lat = in.lat();
  if (in.has_lon()) out.lon = in.lon();
  out.city = in.city();
  out.serves_cities.assign(in.serves().cities().begin(), in.serves().cities().end());
  out.serves_districts.assign(in.serves().districts().begin(), in.serves().districts().end());
  return out;
}

store::Station FromProto(const v1::Station& in) {
  store::Station out;
  out.name = in.name();
  out.district = in.district();
  out.city = in.city();
  out.phone = in.phone();
  return out;
}

store::Requester FromProto(const v1::Requester& in) {
  store::Requester out;
  out.station_id = in.station_id();
  out.kind = in.kind();
  out.name = in.name();
  out.contact_name = in.contact_name();
  out.phone = in.phone();
  out.address = in.address();
  out.district = in.district();
  if (in.has_lat()) out.lat = in.lat();
  if (in.has_lon()) out.lon = in.lon();
  out.household_size = in.household_size();
  out.tags.assign(in.tags().begin(), in.tags().end());
  return out;
}

store::Lot FromProto(const v1::Lot& in) {
  store::Lot out;
  out.donor_id = in.donor_id();
  out.item_id = in.item_id();
  out.depot_id = in.depot_id();
  out.quantity = in.quantity();
  out.expires_on = in.expires_on();
  const v1::Earmark& e = in.earmark();
  out.earmark.districts.assign(e.districts().begin(), e.districts().end());
  out.earmark.requester_kinds.assign(e.requester_kinds().begin(), e.requester_kinds().end());
  out.earmark.tags.assign(e.tags().begin(), e.tags().end());
  out.earmark.station_ids.assign(e.station_ids().begin(), e.station_ids().end());
  out.note = in.note();
  return out;
}

store::Need FromProto(const v1::Need& in) {
  store::Need out;
  out.requester_id = in.requester_id();
  out.item_id = in.item_id();
  out.quantity = in.quantity();
  out.urgency = in.urgency();
  out.needed_by = in.needed_by();
  out.note = in.note();
  return out;
}

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

namespace {

// Per item totals of a delivery, in item id order.
std::map<int64_t, int64_t> ItemTotals(const store::Delivery& d) {
  std::map<int64_t, int64_t> totals;
  for (const auto& l : d.lines) totals[l.item_id] += l.quantity;
  return totals;
}

}  // namespace

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
  FillStock(out, t.lot);
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

void FillStats(v1::MatchStats* out, const store::RunStats& s) {
  out->set_needs_considered(s.needs_considered);
  out->set_lots_considered(s.lots_considered);
  out->set_units_allocated(s.units_allocated);
  out->set_needs_filled(s.needs_filled);
  out->set_needs_partial(s.needs_partial);
  out->set_needs_unmet(s.needs_unmet);
  out->set_units_held_by_quota(s.units_held_by_quota);
}

v1::MatchRun ToProto(const store::RunRecord& run) {
  v1::MatchRun out;
  out.set_id(run.id);
  out.set_as_of(run.as_of);
  out.set_min_shelf_days(run.min_shelf_days);
  for (int64_t id : run.item_ids) out.add_item_ids(id);
  out.set_created_at(run.created_at);
  FillStats(out.mutable_stats(), run.stats);
  return out;
}

// The run as the API shows it, from the engine's plan.
void FillPlan(v1::MatchRun* out, const match::Plan& plan) {
  FillStats(out->mutable_stats(), RunStatsOf(plan.stats));
  for (const match::Allocation& a : plan.allocations) {
    v1::MatchAllocation* o = out->add_allocations();
    o->set_lot_id(a.lot_id);
    o->set_need_id(a.need_id);
    o->set_quantity(a.quantity);
    for (std::string_view r : match::ReasonCodes(a.reasons)) o->add_reasons(std::string(r));
  }
  for (const match::Unmet& u : plan.unmet) {
    v1::MatchUnmet* o = out->add_unmet();
    o->set_need_id(u.need_id);
    o->set_outstanding(u.outstanding);
    o->set_reason(std::string(u.reason));
  }
}

v1::Quota ToProto(const store::Quota& q) {
  v1::Quota out;
  out.set_id(q.id);
  if (q.item_id) out.set_item_id(*q.item_id);
  out.set_category(q.category);
  out.set_per(q.per);
  out.set_amount(q.amount);
  out.set_window(q.window);
  if (q.days) out.set_days(*q.days);
  if (q.max_persons) out.set_max_persons(*q.max_persons);
  for (const std::string& t : q.tags) out.add_tags(t);
  out.set_enforcement(q.enforcement);
  out.set_active_from(q.active_from);
  out.set_active_to(q.active_to);
  out.set_note(q.note);
  out.set_created_at(q.created_at);
  out.set_disabled(!q.disabled_at.empty());
  out.set_disabled_at(q.disabled_at);
  out.set_version(q.version);
  return out;
}

store::Quota FromProto(const v1::Quota& in) {
  store::Quota q;
  if (in.has_item_id()) q.item_id = in.item_id();
  q.category = in.category();
  q.per = in.per();
  q.amount = in.amount();
  q.window = in.window();
  if (in.has_days()) q.days = in.days();
  if (in.has_max_persons()) q.max_persons = in.max_persons();
  q.tags.assign(in.tags().begin(), in.tags().end());
  q.enforcement = in.enforcement();
  q.active_from = in.active_from();
  q.active_to = in.active_to();
  q.note = in.note();
  return q;
}

}  // namespace aidlink::api
