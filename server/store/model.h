#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The registry's records as the store reads and writes them. Plain structs;
// enumerated values are the lower-case strings of DESIGN.md, already
// validated by the API layer.
namespace aidlink::store {

// Who makes a change, recorded on every ledger event.
struct Actor {
  int64_t token_id = 0;  // 0 for the server itself (start-up, migrations)
  std::string role;
  int64_t user_id = 0;  // the user of a session; 0 for tokens and the server
};

struct TokenRecord {
  int64_t id = 0;
  std::string hash;  // hex SHA-256 of the bearer token; the token itself is never stored
  std::string role;
  std::optional<int64_t> station_id;
  std::optional<int64_t> donor_id;
  std::string label;
  std::string created_at;
  bool revoked = false;
  std::string revoked_at;  // RFC 3339, empty while live
};

struct Item {
  int64_t id = 0;
  std::string code, name, category, unit;
  int64_t pack_size = 1;
  bool perishable = false;
  std::string created_at;
  int64_t version = 1;  // bumped by every change (If-Match)
};

struct Donor {
  int64_t id = 0;
  std::string name, kind, phone, note;
  std::string created_at;
  int64_t version = 1;
};

// A depot serves its own city, or exactly `serves_cities` and
// `serves_districts` when either is given (entries as the API writes them).
struct Depot {
  int64_t id = 0;
  std::string name, address, district;
  std::optional<double> lat, lon;
  std::string created_at;
  std::string city;  // "" is the one city of a database that names none
  std::vector<std::string> serves_cities, serves_districts;
  int64_t version = 1;
};

struct Station {
  int64_t id = 0;
  std::string name, district;
  std::string created_at;
  std::string city;  // its requesters' city
  int64_t version = 1;
  std::string phone{};  // the callback phone printed on delivery lists; may be empty
};

struct Requester {
  int64_t id = 0;
  int64_t station_id = 0;
  std::string kind, name, contact_name, phone, address, district;
  std::optional<double> lat, lon;
  int64_t household_size = 1;
  std::vector<std::string> tags;
  std::string created_at;
  int64_t version = 1;
  // A deactivated requester (moved away, deceased, a duplicate) takes no
  // new needs; deactivated_reason is one of vocab::kDeactivationReasons.
  bool active = true;
  std::string deactivated_reason, deactivated_note;
  std::string deactivated_at;  // RFC 3339, empty while active
};

// A lot's earmark: every non-empty list must admit the requester.
struct Earmark {
  std::vector<std::string> districts;
  std::vector<std::string> requester_kinds;
  std::vector<std::string> tags;
  std::vector<int64_t> station_ids;

  bool empty() const {
    return districts.empty() && requester_kinds.empty() && tags.empty() && station_ids.empty();
  }
};

struct Lot {
  int64_t id = 0;
  int64_t donor_id = 0, item_id = 0, depot_id = 0;
  int64_t quantity = 0;
  std::string expires_on;  // YYYY-MM-DD or empty
  Earmark earmark;
  std::string note;
  int64_t available = 0, allocated = 0, delivered = 0, written_off = 0;
  std::string created_at;
  int64_t version = 1;
  // "pledged" (a donor's lot before a dispatcher confirms what arrived:
  // quantity is the pledge and nothing is in stock) or "received".
  std::string status = "received";
  int64_t quantity_pledged = 0;  // what the donor pledged (= quantity if logged as received)
  std::string received_at;       // RFC 3339, empty while pledged
  std::string receive_note;
  // What arrived: quantity once received, 0 while pledged.
  int64_t quantity_received() const { return status == "pledged" ? 0 : quantity; }
};

struct Need {
  int64_t id = 0;
  int64_t requester_id = 0, item_id = 0;
  int64_t station_id = 0;  // the requester's station, read by join
  int64_t quantity = 0;
  std::string urgency;
  std::string needed_by;  // YYYY-MM-DD or empty
  std::string note;
  std::string status;
  int64_t outstanding = 0, allocated = 0, delivered = 0, cancelled = 0;
  std::string cancel_reason;
  std::string created_at;
  int64_t version = 1;
  // The newest committed match run that considered the need, and why it
  // left part of it unmet there ("" if it did not); 0 before any run.
  int64_t last_run_id = 0;
  std::string last_unmet_reason;
};

// The status a need's quantities imply: open, partial, allocated,
// fulfilled or cancelled.
std::string NeedStatus(const Need& need);

// One page of a list: rows with id > after_id, at most limit of them. A
// list ordered by a key before the id (lots expiring before a date, by
// expires_on) starts after (after_key, after_id) instead; an empty after_key
// there starts at its first row.
struct Page {
  int64_t after_id = 0;
  int limit = 50;
  std::string after_key{};  // {}: Page{after_id, limit} may leave it out
};

// A saved answer to an idempotent POST.
struct SavedResponse {
  std::string request_hash;
  int status = 0;
  std::string content_type;
  std::string body;
};

}  // namespace aidlink::store
