#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Stop ordering for delivery routes: which planned deliveries go on a route
// and in what order the driver visits them. Pure functions (no I/O, no
// clock); thread-safe; the same input always gives the same output.
namespace aidlink::route {

// One planned delivery as the route planner sees it: where it goes and how
// urgent its most urgent need is. Plain value; lat/lon in degrees (WGS 84).
struct Stop {
  int64_t delivery_id = 0;
  std::string district;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lon;
  int urgency_rank = 2;  // 0 critical, 1 high, 2 normal, 3 low.
};

// Where the route starts (the depot). Coordinates are optional.
struct Origin {
  std::optional<double> lat;
  std::optional<double> lon;
};

// Returns the delivery ids of `stops` in visiting order, each exactly once.
// If the depot has coordinates, the stops that have them come first, as a
// nearest-neighbour path from the depot improved by 2-opt (an open path: the
// driver does not have to return; equal distances go to the smaller
// delivery_id). All other stops follow, grouped by district (natural order,
// "3幢" < "12幢"; empty district last), then by address in natural order
// (empty last), then by delivery_id. Coordinates outside [-90, 90] x
// [-180, 180] or not finite count as missing.
// REQUIRES: delivery ids are unique.
std::vector<int64_t> OrderStops(const Origin& depot, const std::vector<Stop>& stops);

// Returns the stops a route should take: those in `district` if one is given
// (exact match), most urgent first (urgency_rank, then delivery_id), at most
// `max_stops` of them if given (a negative limit keeps none). The result is
// in that urgency order; pass it to OrderStops for the visiting order.
std::vector<Stop> SelectStops(std::vector<Stop> stops, std::optional<std::string> district,
                              std::optional<int> max_stops);

// Great-circle distance in kilometres between two points given in degrees
// (haversine on a sphere of radius 6371 km). Exposed for tests and reports.
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

// Length in kilometres of the open path depot -> stops in `order` (ids that
// are unknown or lack coordinates are skipped). Exposed for tests.
double PathLengthKm(const Origin& depot, const std::vector<Stop>& stops,
                    const std::vector<int64_t>& order);

}  // namespace aidlink::route
