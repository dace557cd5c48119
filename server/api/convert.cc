#include "api/convert.h"

namespace aidlink::api {

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
  out.set_quantity(in.quantity);
  out.set_expires_on(in.expires_on);
  v1::Earmark* e = out.mutable_earmark();
  for (const auto& v : in.earmark.districts) e->add_districts(v);
  for (const auto& v : in.earmark.requester_kinds) e->add_requester_kinds(v);
  for (const auto& v : in.earmark.tags) e->add_tags(v);
  for (int64_t v : in.earmark.station_ids) e->add_station_ids(v);
  out.set_note(in.note);
  out.set_available(in.available);
  out.set_allocated(in.allocated);
  out.set_delivered(in.delivered);
  out.set_written_off(in.written_off);
  out.set_created_at(in.created_at);
  out.set_version(in.version);
  out.set_status(in.status);
  out.set_quantity_pledged(in.quantity_pledged);
  out.set_quantity_received(in.quantity_received());
  out.set_received_at(in.received_at);
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

}  // namespace aidlink::api
