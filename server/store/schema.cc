#include "store/schema.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/internal.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::store {
namespace {

// Version 5 rewrites CHECK (column IN (...)) constraints as chains of OR;
// see RewriteInListChecks.
Status RewriteInListChecks(Database& db);
// Version 7: versions, deactivation and search; see AddEditing.
Status AddEditing(Database& db);
// Routes may be completed (every stop has an outcome).
Status AllowCompletedRoutes(Database& db);
// Lots are pledged until received; see AddReceiving.
Status AddReceiving(Database& db);
// The volunteer role and the routes assigned to volunteers.
Status AddVolunteers(Database& db);
// The items CHECK on unit lists every unit of util/vocab.h (套, 副 added).
Status AllowVocabUnits(Database& db);
// Quotas (caps, issue 13); see AddQuotas.
Status AddQuotas(Database& db);
// Rewrites table definitions in place (see the definition).
Status RewriteTables(
    Database& db, const char* like,
    const std::function<std::string(const std::string&, const std::string&)>& edit);
// Adds `addition` right after the first `anchor` in the definitions of
// `tables`, in place (RewriteTables).
Status InsertAfter(Database& db, std::initializer_list<std::string_view> tables,
                   const std::string& anchor, const std::string& addition);

// A migration is SQL, or code for what SQL cannot say.
struct Migration {
  const char* sql = nullptr;
  Status (*run)(Database&) = nullptr;
};

// Every quantity rule of DESIGN.md is a CHECK, so even a bug in the code
// above cannot store a negative amount or break a conservation sum.
// Lists (requester tags, earmarks) are stored as text joined with U+001F,
// which validation keeps out of every short text field.
constexpr Migration kMigrations[] = {
    // Version 1: the registry up to needs, the event ledger, idempotency.
    {R"sql(
CREATE TABLE stations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  district TEXT NOT NULL CHECK (length(district) BETWEEN 1 AND 200),
  created_at TEXT NOT NULL
);
CREATE TABLE donors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind TEXT NOT NULL CHECK (kind IN ('enterprise','charity','individual','government')),
  phone TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin','dispatcher','station','donor')),
  station_id INTEGER REFERENCES stations(id),
  donor_id INTEGER REFERENCES donors(id),
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((role = 'station') = (station_id IS NOT NULL)),
  CHECK ((role = 'donor') = (donor_id IS NOT NULL))
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 200),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  category TEXT NOT NULL CHECK (category IN ('ppe','food','medicine','hygiene','equipment','other')),
  unit TEXT NOT NULL CHECK (unit IN ('piece','box','kg','jin','portion','bottle')),
  pack_size INTEGER NOT NULL CHECK (pack_size BETWEEN 1 AND 1000000000),
  perishable INTEGER NOT NULL CHECK (perishable IN (0, 1)),
  created_at TEXT NOT NULL
);
CREATE TABLE depots (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  district TEXT NOT NULL CHECK (length(district) BETWEEN 1 AND 200),
  lat REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
  lon REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
  created_at TEXT NOT NULL
);
CREATE TABLE requesters (
  id INTEGER PRIMARY KEY,
  station_id INTEGER NOT NULL REFERENCES stations(id),
  kind TEXT NOT NULL CHECK (kind IN ('household','community','institution','frontline_post')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  contact_name TEXT NOT NULL,
  phone TEXT NOT NULL,
  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  district TEXT NOT NULL CHECK (length(district) BETWEEN 1 AND 200),
  lat REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
  lon REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
  household_size INTEGER NOT NULL CHECK (household_size BETWEEN 1 AND 100000),
  tags TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX requesters_by_station ON requesters(station_id, id);
CREATE TABLE lots (
  id INTEGER PRIMARY KEY,
  donor_id INTEGER NOT NULL REFERENCES donors(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  depot_id INTEGER NOT NULL REFERENCES depots(id),
  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
  expires_on TEXT,
  earmark_districts TEXT NOT NULL,
  earmark_kinds TEXT NOT NULL,
  earmark_tags TEXT NOT NULL,
  earmark_stations TEXT NOT NULL,
  note TEXT NOT NULL,
  available INTEGER NOT NULL CHECK (available >= 0),
  allocated INTEGER NOT NULL CHECK (allocated >= 0),
  delivered INTEGER NOT NULL CHECK (delivered >= 0),
  written_off INTEGER NOT NULL CHECK (written_off >= 0),
  created_at TEXT NOT NULL,
  CHECK (quantity = available + allocated + delivered + written_off)
);
CREATE INDEX lots_by_donor ON lots(donor_id, id);
CREATE INDEX lots_by_item ON lots(item_id, id);
CREATE TABLE needs (
  id INTEGER PRIMARY KEY,
  requester_id INTEGER NOT NULL REFERENCES requesters(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
  urgency TEXT NOT NULL CHECK (urgency IN ('critical','high','normal','low')),
  needed_by TEXT,
  note TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open','partial','allocated','fulfilled','cancelled')),
  outstanding INTEGER NOT NULL CHECK (outstanding >= 0),
  allocated INTEGER NOT NULL CHECK (allocated >= 0),
  delivered INTEGER NOT NULL CHECK (delivered >= 0),
  cancelled INTEGER NOT NULL CHECK (cancelled >= 0),
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  CHECK (quantity = outstanding + allocated + delivered + cancelled)
);
CREATE INDEX needs_by_requester ON needs(requester_id, id);
CREATE INDEX needs_by_status ON needs(status, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_token_id INTEGER,
  actor_role TEXT NOT NULL,
  kind TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX events_by_entity ON events(entity, entity_id, id);
CREATE TABLE idempotency (
  token_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
);
)sql"},
    // Version 2: match runs, their allocations and the planned deliveries
    // that group them per (requester, depot); routes that order deliveries.
    {R"sql(
CREATE TABLE match_runs (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  actor_token_id INTEGER,
  as_of TEXT NOT NULL,
  min_shelf_days INTEGER NOT NULL,
  item_ids TEXT NOT NULL,
  needs_considered INTEGER NOT NULL,
  lots_considered INTEGER NOT NULL,
  units_allocated INTEGER NOT NULL,
  needs_filled INTEGER NOT NULL,
  needs_partial INTEGER NOT NULL,
  needs_unmet INTEGER NOT NULL,
  unmet TEXT NOT NULL
);
CREATE TABLE routes (
  id INTEGER PRIMARY KEY,
  depot_id INTEGER NOT NULL REFERENCES depots(id),
  date TEXT NOT NULL,
  driver TEXT NOT NULL,
  district TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('planned','dispatched')),
  created_at TEXT NOT NULL
);
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES match_runs(id),
  requester_id INTEGER NOT NULL REFERENCES requesters(id),
  depot_id INTEGER NOT NULL REFERENCES depots(id),
  status TEXT NOT NULL CHECK (status IN ('planned','dispatched','delivered','failed','cancelled')),
  route_id INTEGER REFERENCES routes(id),
  seq INTEGER,
  received_by TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  fail_reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX deliveries_by_status ON deliveries(depot_id, status, id);
CREATE INDEX deliveries_by_requester ON deliveries(requester_id, id);
CREATE INDEX deliveries_by_route ON deliveries(route_id, seq);
CREATE TABLE allocations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES match_runs(id),
  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
  lot_id INTEGER NOT NULL REFERENCES lots(id),
  need_id INTEGER NOT NULL REFERENCES needs(id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered >= 0),
  returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
  reasons TEXT NOT NULL,
  CHECK (delivered + returned <= quantity)
);
CREATE INDEX allocations_by_run ON allocations(run_id, need_id, lot_id);
CREATE INDEX allocations_by_delivery ON allocations(delivery_id);
CREATE INDEX allocations_by_lot ON allocations(lot_id);
CREATE INDEX needs_open ON needs(item_id, id) WHERE outstanding > 0;
)sql"},
    // Version 3: a committed match run writes a million rows in one
    // transaction, and every index entry per row costs there (about 3 s of
    // CPU per index for a million rows). So:
    // - no index no query uses: needs by status and deliveries by requester
    //   (lists page by id);
    // - needs by item for item-scoped runs is a full index: the partial
    //   needs_open changed with every need a run touched;
    // - deliveries by route only for deliveries on a route (planned ones
    //   have none);
    // - a run's allocations are one id range (a run inserts them in one
    //   transaction, by need and lot), kept in match_runs instead of an index;
    // - what a run does to each lot and need is one compact ledger entry of
    //   the run's event (who and when), not an event with a JSON detail each.
    // tests/store/matching_test.cc checks the query plans that rely on these.
    {R"sql(
DROP INDEX needs_by_status;
DROP INDEX deliveries_by_requester;
DROP INDEX needs_open;
CREATE INDEX needs_by_item ON needs(item_id, id);
DROP INDEX deliveries_by_route;
CREATE INDEX deliveries_by_route ON deliveries(route_id, seq) WHERE route_id IS NOT NULL;
ALTER TABLE match_runs ADD COLUMN first_allocation_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE match_runs ADD COLUMN last_allocation_id INTEGER NOT NULL DEFAULT 0;
UPDATE match_runs SET
  first_allocation_id = ifnull((SELECT min(a.id) FROM allocations a WHERE a.run_id = match_runs.id), 1),
  last_allocation_id = ifnull((SELECT max(a.id) FROM allocations a WHERE a.run_id = match_runs.id), 0);
DROP INDEX allocations_by_run;
-- A committed run's change to one lot or need: `quantity` moved from
-- available (lot) or outstanding (need) to allocated by the run whose
-- match_run_committed event is `event_id` (no REFERENCES: the run writes the
-- event itself, and a foreign key would cost a lookup per row). after_0..3
-- are the quantities after the change, in the order of the ledger's "after"
-- objects: lot available, allocated, delivered, written_off; need
-- outstanding, allocated, delivered, cancelled.
CREATE TABLE run_ledger (
  entity TEXT NOT NULL CHECK (entity IN ('lot','need')),
  entity_id INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  after_0 INTEGER NOT NULL,
  after_1 INTEGER NOT NULL,
  after_2 INTEGER NOT NULL,
  after_3 INTEGER NOT NULL,
  PRIMARY KEY (entity, entity_id, event_id)
) WITHOUT ROWID;
)sql"},

    // Version 4: lots with stock by item, covering, for the /metrics stock
    // gauge. (Open needs by urgency are counted by a scan instead: an index
    // on outstanding would change with every need a match run touches, which
    // is what version 3 took out of the run's cost.)
    {R"sql(
CREATE INDEX lots_in_stock ON lots(item_id, available) WHERE available > 0;
)sql"},

    // Version 5: the same CHECKs, faster (see RewriteInListChecks).
    {nullptr, RewriteInListChecks},

    // Version 6: saved idempotent answers by age, so that the writer can
    // delete the expired ones a few at a time without scanning the table
    // (created_at is RFC 3339 UTC of one fixed width: text order is time
    // order).
    {R"sql(
CREATE INDEX idempotency_by_age ON idempotency(created_at);
)sql"},

    // Areas (rule 1: a lot's depot serves the requester's area): stations
    // and depots get a city, depots an optional list of the cities and
    // districts they serve (U+001F-joined). Existing rows get the empty
    // city: one city for the whole database, which is how it matched before.
    {R"sql(
ALTER TABLE stations ADD COLUMN city TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 200);
ALTER TABLE depots ADD COLUMN city TEXT NOT NULL DEFAULT '' CHECK (length(city) <= 200);
ALTER TABLE depots ADD COLUMN serves_cities TEXT NOT NULL DEFAULT '';
ALTER TABLE depots ADD COLUMN serves_districts TEXT NOT NULL DEFAULT '';
)sql"},

    // Delivery outcomes with damage: the part of an allocation damaged on
    // the way is written off at its lot (not returned to stock) and reopens
    // its need.
    {R"sql(
ALTER TABLE allocations ADD COLUMN damaged INTEGER NOT NULL DEFAULT 0
  CHECK (damaged >= 0 AND delivered + returned + damaged <= quantity);
)sql"},
    // Version 7: every editable object carries a version (If-Match); a
    // requester can be deactivated and found by name, contact name or phone
    // digits (see AddEditing).
    {nullptr, AddEditing},
    // Accounts: people who log in with a password (stored only as an
    // Argon2id hash) and the sessions their browsers hold (only the SHA-256
    // of the 256-bit session id is stored). A user has a role and scope as a
    // token has. Times are RFC 3339 UTC of one width, so text order is time
    // order. The ledger's events also name the user who acted.
    {R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 3 AND 64),
  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  role TEXT NOT NULL CHECK (role = 'admin' OR role = 'dispatcher' OR role = 'station' OR role = 'donor'),
  station_id INTEGER REFERENCES stations(id),
  donor_id INTEGER REFERENCES donors(id),
  display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  CHECK ((role = 'station') = (station_id IS NOT NULL)),
  CHECK ((role = 'donor') = (donor_id IS NOT NULL))
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ended_at TEXT,
  end_reason TEXT
);
CREATE INDEX sessions_live_by_user ON sessions(user_id) WHERE ended_at IS NULL;
ALTER TABLE events ADD COLUMN actor_user_id INTEGER;
)sql"},

    // When a delivery's outcome was first recorded: corrections are allowed
    // for --outcome-correction-hours after it. Older outcomes count from
    // their last update.
    {R"sql(
ALTER TABLE deliveries ADD COLUMN outcome_at TEXT;
UPDATE deliveries SET outcome_at = updated_at
  WHERE status IN ('delivered', 'failed', 'cancelled');
)sql"},

    // A route whose every stop has an outcome is completed.
    {nullptr, AllowCompletedRoutes},

    // A lot a donor logs is pledged until a dispatcher confirms what
    // arrived (see AddReceiving).
    {nullptr, AddReceiving},
    // Volunteers: a role scoped to the routes assigned to it (see
    // AddVolunteers).
    {nullptr, AddVolunteers},
    // What the newest committed run that considered a need left unmet of
    // it, for the station to tell its caller (NULL: no run yet).
    {R"sql(
ALTER TABLE needs ADD COLUMN last_run_id INTEGER;
ALTER TABLE needs ADD COLUMN last_unmet_reason TEXT NOT NULL DEFAULT '';
)sql"},
    // Units 套 (set) and 副 (pair): the items CHECK on unit becomes
    // util/vocab.h's list. Tags have no CHECK (a list in one column), so
    // left_behind_child needs no migration.
    {nullptr, AllowVocabUnits},

    // A station's callback phone, printed on its households' delivery
    // lists so that a volunteer at the door can reach the station.
    {R"sql(
ALTER TABLE stations ADD COLUMN phone TEXT NOT NULL DEFAULT '';
)sql"},

    // Issue 13's caps: the quotas table (see AddQuotas).
    {nullptr, AddQuotas},

    // Duplicate detection (issue 13, docs/DEDUP.md): each requester's dedup
    // keys (HMACs, never the fields), the duplicate cases and their
    // members, the household clusters that same_household resolutions
    // link, the needs a resolution cancelled (restored by :reopen), and the
    // pairs judged different_households with the keys they were judged on.
    {R"sql(
CREATE TABLE requester_keys (
  requester_id INTEGER NOT NULL REFERENCES requesters(id),
  kind TEXT NOT NULL CHECK (kind = 'phone' OR kind = 'address' OR kind = 'name'),
  key BLOB NOT NULL CHECK (length(key) = 32),
  PRIMARY KEY (requester_id, kind)
) WITHOUT ROWID;
CREATE INDEX requester_keys_by_key ON requester_keys(kind, key);
CREATE TABLE duplicate_cases (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL CHECK (status = 'open' OR status = 'resolved'),
  likelihood TEXT NOT NULL CHECK (likelihood = 'likely' OR likelihood = 'possible'),
  basis TEXT NOT NULL DEFAULT '',
  decision TEXT NOT NULL DEFAULT '' CHECK (
    decision = '' OR decision = 'same_household' OR decision = 'different_households'),
  primary_id INTEGER REFERENCES requesters(id),
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX duplicate_cases_by_status ON duplicate_cases(status, id);
CREATE TABLE duplicate_case_members (
  case_id INTEGER NOT NULL REFERENCES duplicate_cases(id),
  requester_id INTEGER NOT NULL REFERENCES requesters(id),
  joined_at TEXT NOT NULL,
  PRIMARY KEY (case_id, requester_id)
) WITHOUT ROWID;
CREATE INDEX duplicate_members_by_requester ON duplicate_case_members(requester_id, case_id);
CREATE TABLE household_links (
  requester_id INTEGER PRIMARY KEY REFERENCES requesters(id),
  cluster_id INTEGER NOT NULL,
  case_id INTEGER NOT NULL REFERENCES duplicate_cases(id)
);
CREATE INDEX household_links_by_cluster ON household_links(cluster_id);
CREATE INDEX household_links_by_case ON household_links(case_id);
CREATE TABLE duplicate_cancellations (
  case_id INTEGER NOT NULL REFERENCES duplicate_cases(id),
  need_id INTEGER NOT NULL REFERENCES needs(id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (case_id, need_id)
) WITHOUT ROWID;
CREATE TABLE duplicate_pair_decisions (
  low_id INTEGER NOT NULL REFERENCES requesters(id),
  high_id INTEGER NOT NULL REFERENCES requesters(id),
  low_keys TEXT NOT NULL,
  high_keys TEXT NOT NULL,
  case_id INTEGER NOT NULL REFERENCES duplicate_cases(id),
  PRIMARY KEY (low_id, high_id)
) WITHOUT ROWID;
CREATE INDEX duplicate_pair_decisions_by_case ON duplicate_pair_decisions(case_id);
)sql"},
};

constexpr int kVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

// The value of a PRAGMA that answers one integer (0 if it answers nothing).
StatusOr<int64_t> PragmaInt(Database& db, const char* pragma) {
  AIDLINK_ASSIGN_STMT(st, db, std::string("PRAGMA ") + pragma);
  auto value = internal::MaybeOne<int64_t>(st, internal::ReadId);
  if (!value.ok()) return value.status();
  return value->value_or(0);
}

StatusOr<int> UserVersion(Database& db) {
  StatusOr<int64_t> version = PragmaInt(db, "user_version");
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

// `sql` with every "CHECK (col IN (a, b, ...))" written as
// "CHECK (col = a OR col = b ...)". The lists here are short literals
// without commas or parentheses.
std::string InListsAsOr(const std::string& sql) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t check = sql.find("CHECK (", pos);
    if (check == std::string::npos) break;
    const size_t col_begin = check + 7;
    const size_t in = sql.find(" IN (", col_begin);
    const size_t close = in == std::string::npos ? in : sql.find("))", in);
    const std::string col = in == std::string::npos ? "" : sql.substr(col_begin, in - col_begin);
    const bool simple = !col.empty() && close != std::string::npos &&
                        col.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
    if (!simple) {
      out.append(sql, pos, col_begin - pos);
      pos = col_begin;
      continue;
    }
    out.append(sql, pos, col_begin - pos);
    const std::string list = sql.substr(in + 5, close - (in + 5));
    size_t start = 0;
    for (bool first = true;; first = false) {
      const size_t comma = list.find(',', start);
      std::string value = list.substr(start, comma == std::string::npos ? comma : comma - start);
      value.erase(0, value.find_first_not_of(' '));
      value.erase(value.find_last_not_of(' ') + 1);
      out += (first ? "" : " OR ") + col + " = " + value;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    out += ")";
    pos = close + 2;
  }
  out.append(sql, pos, std::string::npos);
  return out;
}

// SQLite evaluates "x IN (a, b, c)" with three or more constants by
// building a temporary index of the list, every time a statement checks the
// constraint: creating a need paid for two of them (urgency, status), a
// committed match run for every need and delivery it wrote. The same
// constraint as a chain of OR is a few comparisons. The rewrite changes no
// stored row, so it edits the table definitions in place, as SQLite
// documents for changing CHECK constraints (writable_schema, a new schema
// cookie, an integrity check), instead of rebuilding every table.
Status RewriteInListChecks(Database& db) {
  return RewriteTables(db, "% IN (%",
                       [](const std::string&, const std::string& sql) { return InListsAsOr(sql); });
}

// The routes CHECK as version 5 wrote it, with 'completed' added; a file
// created before version 5 wrote it the same way by then.
Status AllowCompletedRoutes(Database& db) {
  return InsertAfter(db, {"routes"}, "status = 'dispatched'", " OR status = 'completed'");
}

// A pledged lot holds nothing yet: its quantity is what the donor pledged
// and its four stock quantities are 0, so nothing of it can be matched,
// allocated or written off. Receiving it makes `quantity` what arrived
// (quantity_pledged keeps the pledge; the difference is in the
// lot_received event) and all of it available. Every existing lot was
// logged as received. The conservation CHECK is widened in place, as for
// the other CHECK rewrites: every stored row satisfies the new text.
Status AddReceiving(Database& db) {
  AIDLINK_RETURN_IF_ERROR(db.Exec(R"sql(
ALTER TABLE lots ADD COLUMN status TEXT NOT NULL DEFAULT 'received'
  CHECK (status = 'pledged' OR status = 'received');
ALTER TABLE lots ADD COLUMN quantity_pledged INTEGER NOT NULL DEFAULT 0
  CHECK (quantity_pledged BETWEEN 0 AND 1000000000);
ALTER TABLE lots ADD COLUMN received_at TEXT;
ALTER TABLE lots ADD COLUMN receive_note TEXT NOT NULL DEFAULT '';
UPDATE lots SET quantity_pledged = quantity, received_at = created_at;
)sql"));
  return RewriteTables(db, "%quantity = available + allocated%",
                       [](const std::string& name, const std::string& sql) {
                         const std::string from =
                             "CHECK (quantity = available + allocated + delivered + written_off)";
                         const size_t at = sql.find(from);
                         if (name != "lots" || at == std::string::npos) return sql;
                         std::string out = sql;
                         out.replace(at, from.size(),
                                     "CHECK (status = 'pledged' OR quantity = available + "
                                     "allocated + delivered + written_off),\n  "
                                     "CHECK (status = 'received' OR available + allocated + "
                                     "delivered + written_off = 0)");
                         return out;
                       });
}

// Tokens and users may have the role volunteer (no station or donor). A
// dispatcher assigns routes to a volunteer user or token; the volunteer
// sees those routes' stops and records their outcomes.
Status AddVolunteers(Database& db) {
  AIDLINK_RETURN_IF_ERROR(
      InsertAfter(db, {"tokens", "users"}, "OR role = 'donor'", " OR role = 'volunteer'"));
  return db.Exec(R"sql(
CREATE TABLE route_assignments (
  id INTEGER PRIMARY KEY,
  route_id INTEGER NOT NULL REFERENCES routes(id),
  user_id INTEGER REFERENCES users(id),
  token_id INTEGER REFERENCES tokens(id),
  assigned_at TEXT NOT NULL,
  CHECK ((user_id IS NULL) <> (token_id IS NULL))
);
CREATE UNIQUE INDEX route_assignments_once
  ON route_assignments(route_id, ifnull(user_id, 0), ifnull(token_id, 0));
CREATE INDEX route_assignments_by_user ON route_assignments(user_id, route_id)
  WHERE user_id IS NOT NULL;
CREATE INDEX route_assignments_by_token ON route_assignments(token_id, route_id)
  WHERE token_id IS NOT NULL;
)sql");
}

// The items table's "unit = 'piece' OR ... OR unit = 'bottle'" (as version
// 5 wrote it) becomes one comparison per unit of util/vocab.h, so the
// schema test's "CHECK lists equal the vocabulary" holds again.
Status AllowVocabUnits(Database& db) {
  return RewriteTables(db, "%unit = 'piece'%", [](const std::string& name, const std::string& sql) {
    const size_t begin = sql.find("unit = 'piece'");
    const size_t end = begin == std::string::npos ? begin : sql.find(')', begin);
    if (name != "items" || end == std::string::npos) return sql;
    std::string chain;
    for (const vocab::Term& unit : vocab::kUnits) {
      chain +=
          (chain.empty() ? "" : " OR ") + std::string("unit = '") + std::string(unit.name) + "'";
    }
    return sql.substr(0, begin) + chain + sql.substr(end);
  });
}

// Edits the CREATE TABLE text of the tables whose text is LIKE `like`. A
// rewrite that changes no stored row (a wider CHECK) edits the table
// definitions in place, as SQLite documents for changing CHECK constraints
// (writable_schema, a new schema cookie, an integrity check), instead of
// rebuilding every table.
Status RewriteTables(
    Database& db, const char* like,
    const std::function<std::string(const std::string&, const std::string&)>& edit) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE ?");
  st->Bind(1, std::string(like));
  auto tables = internal::Many<std::pair<std::string, std::string>>(
      st, [](const Statement& row) { return std::make_pair(row.Text(0), row.Text(1)); });
  if (!tables.ok()) return tables.status();
  StatusOr<int64_t> version = PragmaInt(db, "schema_version");
  if (!version.ok()) return version.status();

  AIDLINK_RETURN_IF_ERROR(db.Exec("PRAGMA writable_schema=ON"));
  for (const auto& [name, sql] : *tables) {
    AIDLINK_ASSIGN_STMT(update, db,
                        "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?");
    update->Bind(1, edit(name, sql)).Bind(2, name);
    Status s = update->Run();
    if (!s.ok()) {
      (void)db.Exec("PRAGMA writable_schema=OFF");
      return s;
    }
  }
  AIDLINK_RETURN_IF_ERROR(db.Exec("PRAGMA schema_version=" + std::to_string(*version + 1)));
  // RESET also makes this connection read the new definitions.
  AIDLINK_RETURN_IF_ERROR(db.Exec("PRAGMA writable_schema=RESET"));
  AIDLINK_ASSIGN_STMT(check, db, "PRAGMA integrity_check");
  auto verdict =
      internal::MaybeOne<std::string>(check, [](const Statement& row) { return row.Text(0); });
  if (!verdict.ok()) return verdict.status();
  if (verdict->value_or("") != "ok")
    return Internal("integrity check after a schema rewrite: " + verdict->value_or(""));
  return Status::Ok();
}

Status InsertAfter(Database& db, std::initializer_list<std::string_view> tables,
                   const std::string& anchor, const std::string& addition) {
  const std::string like = "%" + anchor + "%";
  return RewriteTables(db, like.c_str(), [&](const std::string& name, const std::string& sql) {
    const size_t at = sql.find(anchor);
    if (std::find(tables.begin(), tables.end(), name) == tables.end() || at == std::string::npos)
      return sql;
    std::string out = sql;
    out.insert(at + anchor.size(), addition);
    return out;
  });
}

// The columns and the search index of version 7. phone_digits (the phone's
// ASCII digits) is computed in C++ (text::PhoneDigits), so the existing
// rows are filled by code. requester_search is an FTS5 trigram index over
// name, contact name and phone digits, kept by triggers: a substring of 3 or
// more characters is found through it in well under a millisecond at
// 100,000 requesters, where a scan of every row takes tens.
Status AddEditing(Database& db) {
  AIDLINK_RETURN_IF_ERROR(db.Exec(R"sql(
ALTER TABLE items ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE donors ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE depots ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requesters ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE needs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE lots ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requesters ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active = 0 OR active = 1);
ALTER TABLE requesters ADD COLUMN deactivated_reason TEXT NOT NULL DEFAULT '' CHECK (
  deactivated_reason = '' OR deactivated_reason = 'moved_away' OR
  deactivated_reason = 'deceased' OR deactivated_reason = 'duplicate' OR
  deactivated_reason = 'other');
ALTER TABLE requesters ADD COLUMN deactivated_note TEXT NOT NULL DEFAULT '';
ALTER TABLE requesters ADD COLUMN deactivated_at TEXT;
ALTER TABLE requesters ADD COLUMN phone_digits TEXT NOT NULL DEFAULT '';
)sql"));
  AIDLINK_ASSIGN_STMT(st, db, "SELECT id, phone FROM requesters WHERE phone <> ''");
  auto phones = internal::Many<std::pair<int64_t, std::string>>(
      st, [](const Statement& row) { return std::make_pair(row.Int(0), row.Text(1)); });
  if (!phones.ok()) return phones.status();
  for (const auto& [id, phone] : *phones) {
    AIDLINK_ASSIGN_STMT(update, db, "UPDATE requesters SET phone_digits = ? WHERE id = ?");
    update->Bind(1, text::PhoneDigits(phone)).Bind(2, id);
    AIDLINK_RETURN_IF_ERROR(update->Run());
  }
  // A station's search scans its own rows; with the searched columns in
  // its index that scan reads a few contiguous index pages instead of one
  // table page per household.
  return db.Exec(R"sql(
DROP INDEX requesters_by_station;
CREATE INDEX requesters_by_station ON requesters(station_id, id, name, contact_name, phone_digits);
CREATE VIRTUAL TABLE requester_search USING fts5(
  name, contact_name, phone_digits, content='requesters', content_rowid='id',
  tokenize='trigram');
INSERT INTO requester_search(requester_search) VALUES ('rebuild');
CREATE TRIGGER requester_search_insert AFTER INSERT ON requesters BEGIN
  INSERT INTO requester_search(rowid, name, contact_name, phone_digits)
  VALUES (new.id, new.name, new.contact_name, new.phone_digits);
END;
CREATE TRIGGER requester_search_delete AFTER DELETE ON requesters BEGIN
  INSERT INTO requester_search(requester_search, rowid, name, contact_name, phone_digits)
  VALUES ('delete', old.id, old.name, old.contact_name, old.phone_digits);
END;
CREATE TRIGGER requester_search_update AFTER UPDATE OF name, contact_name, phone_digits
ON requesters BEGIN
  INSERT INTO requester_search(requester_search, rowid, name, contact_name, phone_digits)
  VALUES ('delete', old.id, old.name, old.contact_name, old.phone_digits);
  INSERT INTO requester_search(rowid, name, contact_name, phone_digits)
  VALUES (new.id, new.name, new.contact_name, new.phone_digits);
END;
)sql");
}

// "col = 'a' OR col = 'b' ..." over `terms`: the CHECK lists of newer
// tables are written from util/vocab.h, so they cannot drift from it.
std::string OrChain(const char* column, std::span<const vocab::Term> terms) {
  std::string out;
  for (const vocab::Term& t : terms) {
    out += (out.empty() ? "" : " OR ") + std::string(column) + " = '" + std::string(t.name) + "'";
  }
  return out;
}

// A quota caps what one household (or each of its persons, up to
// max_persons) receives of one item or of one category in a window:
// exactly one of item_id and category; days only for rolling_days; a
// quota is never deleted, only disabled (disabled_at), so runs that
// applied it stay explained. Dates are YYYY-MM-DD (text order is date
// order); tags are U+001F-joined as for requesters.
Status AddQuotas(Database& db) {
  return db.Exec(R"sql(
CREATE TABLE quotas (
  id INTEGER PRIMARY KEY,
  item_id INTEGER REFERENCES items(id),
  category TEXT CHECK (category IS NULL OR )sql" +
                 OrChain("category", vocab::kCategories) + R"sql(),
  per TEXT NOT NULL CHECK ()sql" +
                 OrChain("per", vocab::kQuotaPer) + R"sql(),
  amount INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 1000000000),
  window_kind TEXT NOT NULL CHECK ()sql" +
                 OrChain("window_kind", vocab::kQuotaWindows) + R"sql(),
  days INTEGER CHECK (days IS NULL OR days BETWEEN 1 AND 366),
  max_persons INTEGER CHECK (max_persons IS NULL OR max_persons BETWEEN 1 AND 100000),
  tags TEXT NOT NULL DEFAULT '',
  enforcement TEXT NOT NULL CHECK ()sql" +
                 OrChain("enforcement", vocab::kQuotaEnforcements) + R"sql(),
  active_from TEXT,
  active_to TEXT,
  note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  CHECK ((item_id IS NULL) <> (category IS NULL)),
  CHECK ((days IS NOT NULL) = (window_kind = 'rolling_days')),
  CHECK (max_persons IS NULL OR per = 'person'),
  CHECK (active_from IS NULL OR active_to IS NULL OR active_to >= active_from)
);
ALTER TABLE match_runs ADD COLUMN units_held_by_quota INTEGER NOT NULL DEFAULT 0;
)sql");
}

}  // namespace

int SchemaVersion() { return kVersion; }

Status Migrate(Database& db) { return MigrateTo(db, kVersion); }

Status MigrateTo(Database& db, int version) {
  StatusOr<int> current = UserVersion(db);
  if (!current.ok()) return current.status();
  if (*current > kVersion) {
    return FailedPrecondition("database schema version " + std::to_string(*current) +
                              " is newer than this server's " + std::to_string(kVersion));
  }
  for (int v = *current; v < version; ++v) {
    Transaction tx(db);
    AIDLINK_RETURN_IF_ERROR(tx.Begin());
    const Migration& m = kMigrations[v];
    AIDLINK_RETURN_IF_ERROR(m.sql != nullptr ? db.Exec(m.sql) : m.run(db));
    AIDLINK_RETURN_IF_ERROR(db.Exec("PRAGMA user_version=" + std::to_string(v + 1)));
    AIDLINK_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

}  // namespace aidlink::store
