#pragma once

// The crash test's shared state: the registry it writes against (Setup),
// the record of every acknowledged write and what it promises (Journal),
// the concurrent writer load (RunLoad) and the checks after a restart
// (Verify). See crash_main.cc for how a round runs.

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/http_client.h"

namespace aidlink::crash {

namespace json = boost::json;

// `o[key]` as an integer (a JSON number or a string of digits); 0 if absent
// (proto3 JSON leaves zeros out).
int64_t IntOf(const json::object& o, std::string_view key);
// `o[key]` as a string; "" if absent.
std::string StrOf(const json::object& o, std::string_view key);
// The answer's body as a JSON object; throws std::runtime_error otherwise.
json::object ObjectOf(const test::Response& r);

// The registry every round writes against, created once through the API.
struct Setup {
  std::string admin, dispatcher, donor_token;
  int64_t donor_id = 0;
  struct Station {
    int64_t id = 0;
    std::string token;
    std::vector<int64_t> requesters;
  };
  std::vector<Station> stations;
  std::vector<int64_t> items, depots;
  int64_t today = 0;  // days since the epoch, as the server counts them
};

// Creates tokens, items, depots, a donor, stations and their requesters.
// Throws std::runtime_error naming the answer that was not a success.
Setup CreateSetup(test::HttpClient& http, const std::string& admin);

// What an acknowledged delivery action promises: the delivery reached at
// least `rank` (0 planned, 1 dispatched, 2 a final outcome); a final outcome
// is immutable, so its answer must be read back unchanged.
struct DeliveryPromise {
  int rank = 0;
  json::object outcome;  // the answer of the acknowledged final action
};

// A write sent with an Idempotency-Key: enough to send it again.
struct KeyedWrite {
  std::string target, body, token, key;
  std::string kind;  // "lot", "need" or "cancel"
  int status = 0;    // the acknowledged status (0 if unknown)
  int64_t id = 0;    // the acknowledged object's id
};

// Every acknowledged (2xx) write of the run and what it promises, plus the
// ids the workers pick their targets from. Thread-safe: every member is
// guarded by mu.
struct Journal {
  std::mutex mu;
  // Create answers by id: their stored fields must read back unchanged.
  std::map<int64_t, json::object> lots, needs;
  // Floors from acknowledged write-offs, expiries and cancels (these
  // quantities never decrease).
  std::map<int64_t, int64_t> lot_written_off, need_cancelled;
  // Committed run answers by id.
  std::map<int64_t, json::object> runs;
  // Route create answers by id, and the routes acknowledged as dispatched.
  std::map<int64_t, json::object> routes;
  std::set<int64_t> dispatched_routes;
  std::map<int64_t, DeliveryPromise> deliveries;
  // The item and quantity of each allocation a delivery carries, when the
  // lot's item is known.
  std::map<int64_t, std::map<int64_t, int64_t>> delivery_items;
  // Targets for the workers.
  std::vector<int64_t> lot_ids, need_ids, route_ids;
  std::set<int64_t> open_deliveries;
  // This round's keyed writes: acknowledged, and those whose answer was lost
  // with the server (retried after the restart, as a client would).
  std::vector<KeyedWrite> keyed_acked, keyed_unknown;
  // Counters for this round.
  int64_t acknowledged = 0, unknown = 0, rejected = 0, server_errors = 0;
  std::vector<std::string> error_samples;
  // Answers by kind of write over the whole run: 2xx, and 4xx (a target in
  // the wrong state, e.g. a delivery another worker completed first).
  std::map<std::string, int64_t> acked_by_kind, rejected_by_kind;
  int64_t retried = 0;  // unknown keyed writes acknowledged on their retry
  // The lots acknowledged in this round (the self-check deletes one).
  std::vector<int64_t> round_lots;

  void StartRound() {
    keyed_acked.clear();
    keyed_unknown.clear();
    round_lots.clear();
    acknowledged = unknown = rejected = server_errors = retried = 0;
    error_samples.clear();
  }
};

// Runs `workers` client threads against the server on `port` until `stop`
// is set, each doing a seeded random mix of writes and recording every
// acknowledged answer in `journal`. Returns when all threads have ended.
void RunLoad(uint16_t port, const Setup& setup, Journal& journal, int workers, uint64_t seed,
             int round, std::atomic<bool>& stop);

// After a restart: sends the keyed writes whose answer was lost again and
// records what they answer (they must act at most once).
void RetryUnknownKeyed(test::HttpClient& http, Journal& journal);

// What the checks after a restart found.
struct Findings {
  int64_t lost = 0;                    // acknowledged writes not reflected
  std::set<std::string> lost_objects;  // "lot 12", "need 3", "delivery 7", "run 2", ...
  int64_t duplicates = 0;              // objects a keyed retry created twice
  bool ledger_ok = false;
  std::vector<std::string> problems;  // the first few, for the round's report

  void Problem(std::string what) {
    if (problems.size() < 12) problems.push_back(std::move(what));
  }
};

// Reads everything back through the API on `port` and holds it to the
// journal: acknowledged creates, cancels, write-offs, delivery outcomes and
// committed runs; replays this round's keyed writes; asks for the ledger
// report.
Findings Verify(test::HttpClient& http, const Setup& setup, Journal& journal);

// `PRAGMA integrity_check` and `PRAGMA foreign_key_check` on the database
// file opened read-only (the server must not be running). "" if both are
// clean, otherwise what they said.
std::string CheckIntegrity(const std::string& db_path);

// Runs `sql` on the file behind the server's back (the server must not be
// running): the self-check's simulated lost write. Throws unless it changed
// exactly one row.
void Tamper(const std::string& db_path, const std::string& sql);

}  // namespace aidlink::crash
