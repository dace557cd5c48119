#include "api/validate.h"

#include <vector>

#include "util/date.h"
#include "util/text.h"

namespace aidlink::api {
namespace {

Status CheckUtf8Length(const std::string& value, const char* field, size_t min, size_t max) {
  if (!text::IsValidUtf8(value)) {
    return InvalidArgument(std::string(field) + " is not valid UTF-8", field);
  }
  const size_t n = text::CodePointCount(value);
  if (n < min) {
    return InvalidArgument(std::string(field) + (min == 1 ? " is required" : " is too short"),
                           field);
  }
  if (n > max) {
    return InvalidArgument(
        std::string(field) + " must be at most " + std::to_string(max) + " characters", field);
  }
  return Status::Ok();
}

}  // namespace

Status CheckText(const std::string& value, const char* field, size_t min) {
  AIDLINK_RETURN_IF_ERROR(CheckUtf8Length(value, field, min, kMaxShortText));
  if (text::HasControlChars(value)) {
    return InvalidArgument(std::string(field) + " must be a single line without control characters",
                           field);
  }
  if (text::HasSpoofingChars(value)) {
    return InvalidArgument(
        std::string(field) + " must not contain bidirectional controls or line separators", field);
  }
  // Only spaces or zero-width characters would print as nothing, or as a
  // name that looks empty: refused even where the field is optional.
  if (!value.empty() && text::IsBlank(value)) {
    return InvalidArgument(std::string(field) + " must not be blank", field);
  }
  return Status::Ok();
}

Status CheckNote(const std::string& value, const char* field) {
  AIDLINK_RETURN_IF_ERROR(CheckUtf8Length(value, field, 0, kMaxNote));
  if (value.find('\0') != std::string::npos) {
    return InvalidArgument(std::string(field) + " must not contain NUL characters", field);
  }
  return Status::Ok();
}

Status CheckQuantity(int64_t value, const char* field) {
  if (value < 1 || value > kMaxQuantity) {
    return InvalidArgument(std::string(field) + " must be between 1 and 1000000000", field);
  }
  return Status::Ok();
}

Status CheckId(int64_t value, const char* field) {
  if (value < 1) return InvalidArgument(std::string(field) + " is required", field);
  return Status::Ok();
}

Status CheckEnum(const std::string& value, const char* field,
                 std::span<const std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (value == a) return Status::Ok();
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  if (value.empty()) {
    return InvalidArgument(std::string(field) + " is required (one of " + list + ")", field);
  }
  return InvalidArgument(std::string(field) + " must be one of " + list, field);
}

Status CheckEnum(const std::string& value, const char* field,
                 std::span<const vocab::Term> allowed) {
  std::vector<std::string_view> names;
  names.reserve(allowed.size());
  for (const vocab::Term& t : allowed) names.push_back(t.name);
  return CheckEnum(value, field, names);
}

Status CheckOptionalEnum(const std::string& value, const char* field,
                         std::span<const std::string_view> allowed) {
  return value.empty() ? Status::Ok() : CheckEnum(value, field, allowed);
}

Status CheckOptionalEnum(const std::string& value, const char* field,
                         std::span<const vocab::Term> allowed) {
  return value.empty() ? Status::Ok() : CheckEnum(value, field, allowed);
}

Status CheckDate(const std::string& value, const char* field, bool optional) {
  if (value.empty()) {
    if (optional) return Status::Ok();
    return InvalidArgument(std::string(field) + " is required (YYYY-MM-DD)", field);
  }
  if (!date::ParseDate(value)) {
    return InvalidArgument(std::string(field) + " must be a real date as YYYY-MM-DD", field);
  }
  return Status::Ok();
}

Status CheckListSize(int size, const char* field) {
  if (size > kMaxListEntries) {
    return InvalidArgument(std::string(field) + " must have at most 100 entries", field);
  }
  return Status::Ok();
}

Status CheckLatLon(bool has_lat, double lat, bool has_lon, double lon) {
  if (has_lat != has_lon) {
    return InvalidArgument("lat and lon must be given together", has_lat ? "lon" : "lat");
  }
  if (has_lat && (lat < -90 || lat > 90))
    return InvalidArgument("lat must be between -90 and 90", "lat");
  if (has_lon && (lon < -180 || lon > 180))
    return InvalidArgument("lon must be between -180 and 180", "lon");
  return Status::Ok();
}

Status Validate(const v1::Item& i) {
  AIDLINK_RETURN_IF_ERROR(CheckText(i.code(), "code"));
  AIDLINK_RETURN_IF_ERROR(CheckText(i.name(), "name"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(i.category(), "category", vocab::kCategories));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(i.unit(), "unit", vocab::kUnits));
  return CheckQuantity(i.pack_size(), "pack_size");
}

Status Validate(const v1::Donor& d) {
  AIDLINK_RETURN_IF_ERROR(CheckText(d.name(), "name"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(d.kind(), "kind", vocab::kDonorKinds));
  AIDLINK_RETURN_IF_ERROR(CheckText(d.phone(), "phone", 0));
  return CheckNote(d.note(), "note");
}

namespace {

// A depot's city and service area: text of API.md's limits, a served
// district either "区" or "市/区".
Status ValidateArea(const v1::Depot& d) {
  AIDLINK_RETURN_IF_ERROR(CheckText(d.city(), "city", 0));
  const v1::ServiceArea& a = d.serves();
  AIDLINK_RETURN_IF_ERROR(CheckListSize(a.cities_size(), "serves.cities"));
  AIDLINK_RETURN_IF_ERROR(CheckListSize(a.districts_size(), "serves.districts"));
  for (const auto& c : a.cities()) AIDLINK_RETURN_IF_ERROR(CheckText(c, "serves.cities"));
  for (const auto& entry : a.districts()) {
    AIDLINK_RETURN_IF_ERROR(CheckText(entry, "serves.districts"));
    const vocab::ServedDistrict place = vocab::SplitServedDistrict(entry, d.city());
    if (entry.front() == vocab::kCitySeparator || place.district.empty() ||
        place.district.find(vocab::kCitySeparator) != std::string_view::npos) {
      return InvalidArgument("a served district is 区 or 市/区, e.g. 姑苏区 or 苏州市/姑苏区",
                             "serves.districts");
    }
  }
  return Status::Ok();
}

}  // namespace

Status Validate(const v1::Depot& d) {
  AIDLINK_RETURN_IF_ERROR(CheckText(d.name(), "name"));
  AIDLINK_RETURN_IF_ERROR(CheckText(d.address(), "address"));
  AIDLINK_RETURN_IF_ERROR(CheckText(d.district(), "district"));
  AIDLINK_RETURN_IF_ERROR(CheckLatLon(d.has_lat(), d.lat(), d.has_lon(), d.lon()));
  return ValidateArea(d);
}

Status Validate(const v1::Station& s) {
  AIDLINK_RETURN_IF_ERROR(CheckText(s.name(), "name"));
  AIDLINK_RETURN_IF_ERROR(CheckText(s.district(), "district"));
  AIDLINK_RETURN_IF_ERROR(CheckText(s.phone(), "phone", 0));
  return CheckText(s.city(), "city", 0);
}

Status Validate(const v1::Requester& r) {
  AIDLINK_RETURN_IF_ERROR(CheckId(r.station_id(), "station_id"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(r.kind(), "kind", vocab::kRequesterKinds));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.name(), "name"));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.contact_name(), "contact_name", 0));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.phone(), "phone", 0));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.address(), "address"));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.district(), "district"));
  AIDLINK_RETURN_IF_ERROR(CheckLatLon(r.has_lat(), r.lat(), r.has_lon(), r.lon()));
  if (r.household_size() < 1 || r.household_size() > kMaxHouseholdSize) {
    return InvalidArgument("household_size must be between 1 and 100000", "household_size");
  }
  AIDLINK_RETURN_IF_ERROR(CheckListSize(r.tags_size(), "tags"));
  for (const std::string& tag : r.tags())
    AIDLINK_RETURN_IF_ERROR(CheckEnum(tag, "tags", vocab::kTags));
  return Status::Ok();
}

Status Validate(const v1::Lot& l) {
  AIDLINK_RETURN_IF_ERROR(CheckId(l.donor_id(), "donor_id"));
  AIDLINK_RETURN_IF_ERROR(CheckId(l.item_id(), "item_id"));
  AIDLINK_RETURN_IF_ERROR(CheckId(l.depot_id(), "depot_id"));
  AIDLINK_RETURN_IF_ERROR(CheckQuantity(l.quantity(), "quantity"));
  AIDLINK_RETURN_IF_ERROR(CheckDate(l.expires_on(), "expires_on", true));
  AIDLINK_RETURN_IF_ERROR(CheckNote(l.note(), "note"));
  const v1::Earmark& e = l.earmark();
  AIDLINK_RETURN_IF_ERROR(CheckListSize(e.districts_size(), "earmark.districts"));
  AIDLINK_RETURN_IF_ERROR(CheckListSize(e.requester_kinds_size(), "earmark.requester_kinds"));
  AIDLINK_RETURN_IF_ERROR(CheckListSize(e.tags_size(), "earmark.tags"));
  AIDLINK_RETURN_IF_ERROR(CheckListSize(e.station_ids_size(), "earmark.station_ids"));
  for (const auto& d : e.districts()) AIDLINK_RETURN_IF_ERROR(CheckText(d, "earmark.districts"));
  for (const auto& k : e.requester_kinds()) {
    AIDLINK_RETURN_IF_ERROR(CheckEnum(k, "earmark.requester_kinds", vocab::kRequesterKinds));
  }
  for (const auto& t : e.tags())
    AIDLINK_RETURN_IF_ERROR(CheckEnum(t, "earmark.tags", vocab::kTags));
  for (int64_t s : e.station_ids()) AIDLINK_RETURN_IF_ERROR(CheckId(s, "earmark.station_ids"));
  return Status::Ok();
}

Status Validate(const v1::Need& n) {
  AIDLINK_RETURN_IF_ERROR(CheckId(n.requester_id(), "requester_id"));
  AIDLINK_RETURN_IF_ERROR(CheckId(n.item_id(), "item_id"));
  AIDLINK_RETURN_IF_ERROR(CheckQuantity(n.quantity(), "quantity"));
  AIDLINK_RETURN_IF_ERROR(CheckEnum(n.urgency(), "urgency", vocab::kUrgencies));
  AIDLINK_RETURN_IF_ERROR(CheckDate(n.needed_by(), "needed_by", true));
  AIDLINK_RETURN_IF_ERROR(CheckNote(n.note(), "note"));
  return Status::Ok();
}

Status Validate(const v1::Token& t) {
  AIDLINK_RETURN_IF_ERROR(CheckEnum(t.role(), "role", vocab::kRoles));
  AIDLINK_RETURN_IF_ERROR(CheckText(t.label(), "label"));
  if (t.role() == "station" && (!t.has_station_id() || t.station_id() < 1)) {
    return InvalidArgument("station_id is required for a station token", "station_id");
  }
  if (t.role() == "donor" && (!t.has_donor_id() || t.donor_id() < 1)) {
    return InvalidArgument("donor_id is required for a donor token", "donor_id");
  }
  if (t.role() != "station" && t.has_station_id()) {
    return InvalidArgument("station_id is only for station tokens", "station_id");
  }
  if (t.role() != "donor" && t.has_donor_id()) {
    return InvalidArgument("donor_id is only for donor tokens", "donor_id");
  }
  return Status::Ok();
}

Status Validate(const v1::WriteOffRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckQuantity(r.quantity(), "quantity"));
  return CheckText(r.reason(), "reason");
}

Status Validate(const v1::CancelRequest& r) { return CheckText(r.reason(), "reason"); }

Status Validate(const v1::ReceiveRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckQuantity(r.quantity_received(), "quantity_received"));
  return CheckNote(r.note(), "note");
}

Status Validate(const v1::AssignRequest& r) {
  if (r.user_id() < 0 || r.token_id() < 0) {
    return InvalidArgument("ids must be positive", r.user_id() < 0 ? "user_id" : "token_id");
  }
  if ((r.user_id() == 0) == (r.token_id() == 0)) {
    return InvalidArgument(
        "give exactly one of user_id (a volunteer user) and token_id (a volunteer "
        "token)",
        "user_id");
  }
  return Status::Ok();
}

Status Validate(const v1::MatchRunRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckDate(r.as_of(), "as_of", true));
  AIDLINK_RETURN_IF_ERROR(CheckListSize(r.item_ids_size(), "item_ids"));
  for (int64_t id : r.item_ids()) AIDLINK_RETURN_IF_ERROR(CheckId(id, "item_ids"));
  if (r.has_min_shelf_days() && (r.min_shelf_days() < 0 || r.min_shelf_days() > 3650)) {
    return InvalidArgument("min_shelf_days must be between 0 and 3650", "min_shelf_days");
  }
  return Status::Ok();
}

Status Validate(const v1::RouteRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckId(r.depot_id(), "depot_id"));
  AIDLINK_RETURN_IF_ERROR(CheckDate(r.date(), "date", false));
  AIDLINK_RETURN_IF_ERROR(CheckText(r.driver(), "driver"));
  if (!r.district().empty()) AIDLINK_RETURN_IF_ERROR(CheckText(r.district(), "district"));
  if (r.has_max_stops() && (r.max_stops() < 1 || r.max_stops() > 1000)) {
    return InvalidArgument("max_stops must be between 1 and 1000", "max_stops");
  }
  return Status::Ok();
}

Status Validate(const v1::DeliverRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckText(r.received_by(), "received_by"));
  return CheckNote(r.note(), "note");
}

Status Validate(const v1::CorrectRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckText(r.reason(), "reason"));
  if (r.has_received_by()) AIDLINK_RETURN_IF_ERROR(CheckText(r.received_by(), "received_by"));
  return Status::Ok();
}

Status Validate(const v1::FailRequest& r) { return CheckText(r.reason(), "reason"); }

Status Validate(const v1::ExpireRequest& r) { return CheckDate(r.as_of(), "as_of", false); }

Status Validate(const v1::DeactivateRequest& r) {
  AIDLINK_RETURN_IF_ERROR(CheckEnum(r.reason(), "reason", vocab::kDeactivationReasons));
  return CheckNote(r.note(), "note");
}

}  // namespace aidlink::api
