#include "api/match_io.h"

#include <optional>
#include <string>
#include <unordered_map>

#include "store/duplicates.h"
#include "store/quotas.h"
#include "util/date.h"
#include "util/vocab.h"

namespace aidlink::api {
namespace {

match::Earmark ToEngine(const store::Earmark& e) {
  match::Earmark out;
  out.districts = e.districts;
  for (const auto& k : e.requester_kinds) {
    if (auto kind = match::ParseRequesterKind(k)) out.requester_kinds.push_back(*kind);
  }
  for (const auto& t : e.tags) {
    if (auto bit = match::ParseTag(t)) out.tags |= *bit;
  }
  out.station_ids = e.station_ids;
  return out;
}

// A depot as the engine sees it: its served districts as places (a district
// without a city is one of the depot's own city).
match::Depot ToEngine(const store::Depot& d) {
  match::Depot out{d.id, d.district, d.lat, d.lon, d.city, {}};
  out.serves.cities = d.serves_cities;
  for (const std::string& entry : d.serves_districts) {
    const vocab::ServedDistrict place = vocab::SplitServedDistrict(entry, d.city);
    out.serves.places.push_back({std::string(place.city), std::string(place.district)});
  }
  return out;
}

// Station id -> city.
StatusOr<std::unordered_map<int64_t, std::string>> StationCities(store::Database& db) {
  auto stations = store::AllStations(db);
  if (!stations.ok()) return stations.status();
  std::unordered_map<int64_t, std::string> out;
  for (auto& s : *stations) out.emplace(s.id, std::move(s.city));
  return out;
}

std::optional<int64_t> Day(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return date::ParseDate(s);
}

std::string JoinReasons(uint32_t reasons) {
  std::string out;
  for (std::string_view r : match::ReasonCodes(reasons)) {
    if (!out.empty()) out += ',';
    out += r;
  }
  return out;
}

}  // namespace

StatusOr<MatchInput> LoadMatchInput(store::Database& db, const std::vector<int64_t>& item_ids,
                                    std::chrono::seconds duplicate_hold) {
  MatchInput out;
  auto households = store::LoadHouseholdView(db, std::chrono::system_clock::now(), duplicate_hold);
  if (!households.ok()) return households.status();
  auto mark = store::LedgerMark(db);
  if (!mark.ok()) return mark.status();
  out.mark = *mark;
  auto cities = StationCities(db);
  if (!cities.ok()) return cities.status();
  Status s = store::ScanOpenNeeds(db, item_ids, [&](const store::OpenNeedRow& r) {
    match::Need n;
    n.id = r.id;
    n.requester_id = r.requester_id;
    n.item_id = r.item_id;
    n.quantity = r.quantity;
    n.cancelled = r.cancelled;
    n.filled = r.allocated + r.delivered;
    n.outstanding = r.outstanding;
    n.urgency = match::ParseUrgency(r.urgency).value_or(match::Urgency::kNormal);
    n.needed_by = Day(r.needed_by);
    n.household_size = static_cast<int>(r.household_size);
    for (const auto& t : r.tags) {
      if (auto bit = match::ParseTag(t)) n.tags |= *bit;
    }
    n.kind = match::ParseRequesterKind(r.kind).value_or(match::RequesterKind::kHousehold);
    n.station_id = r.station_id;
    if (auto it = cities->find(r.station_id); it != cities->end()) n.city = it->second;
    n.district = r.district;
    n.lat = r.lat;
    n.lon = r.lon;
    n.created_seq = r.id;
    n.pack_size = r.pack_size;
    // The household of quotas (store::HouseholdOf); 0 for one alone.
    if (households->cluster_of.contains(r.requester_id))
      n.cluster_id = store::HouseholdOf(households->cluster_of, r.requester_id);
    n.held = households->IsHeld(r.requester_id, r.item_id);
    out.snapshot.needs.push_back(std::move(n));
  });
  if (!s.ok()) return s;
  // What a household's registrations received of an item on needs that are
  // not open counts once, on its first open need of the item (engine.h).
  for (match::Need& n : out.snapshot.needs) {
    if (n.cluster_id == 0) continue;
    auto cluster = households->received_outside.find(n.cluster_id);
    if (cluster == households->received_outside.end()) continue;
    auto item = cluster->second.find(n.item_id);
    if (item == cluster->second.end()) continue;
    n.filled += item->second;
    n.quantity += item->second;
    cluster->second.erase(item);
  }
  s = store::ScanAvailableLots(db, item_ids, [&](const store::AvailableLotRow& r) {
    match::Lot l;
    l.id = r.id;
    l.item_id = r.item_id;
    l.depot_id = r.depot_id;
    l.available = r.available;
    l.expires_on = Day(r.expires_on);
    l.earmark = ToEngine(r.earmark);
    l.created_seq = r.id;
    out.snapshot.lots.push_back(std::move(l));
  });
  if (!s.ok()) return s;
  auto depots = store::AllDepots(db);
  if (!depots.ok()) return depots.status();
  for (const auto& d : *depots) out.snapshot.depots.push_back(ToEngine(d));
  return out;
}

store::RunStats RunStatsOf(const match::Stats& s) {
  return {s.needs_considered, s.lots_considered, s.units_allocated,    s.needs_filled,
          s.needs_partial,    s.needs_unmet,     s.units_held_by_quota};
}

std::vector<store::PlannedAllocation> PlannedAllocations(const match::Plan& plan,
                                                         const match::Snapshot& snap) {
  std::unordered_map<int64_t, int64_t> requester_of, depot_of;
  for (const auto& n : snap.needs) requester_of[n.id] = n.requester_id;
  for (const auto& l : snap.lots) depot_of[l.id] = l.depot_id;
  std::vector<store::PlannedAllocation> out;
  out.reserve(plan.allocations.size());
  for (const match::Allocation& a : plan.allocations) {
    out.push_back({a.lot_id, a.need_id, requester_of[a.need_id], depot_of[a.lot_id], a.quantity,
                   JoinReasons(a.reasons)});
  }
  return out;
}

store::RunRecord RunRecordOf(const match::Plan& plan, const std::string& as_of, int min_shelf_days,
                             const std::vector<int64_t>& item_ids) {
  store::RunRecord run;
  run.as_of = as_of;
  run.min_shelf_days = min_shelf_days;
  run.item_ids = item_ids;
  run.stats = RunStatsOf(plan.stats);
  for (const auto& u : plan.unmet)
    run.unmet.push_back({u.need_id, u.outstanding, std::string(u.reason)});
  return run;
}

}  // namespace aidlink::api
