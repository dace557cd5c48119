#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

// How the dispatcher's answers read on a terminal: match runs, routes,
// deliveries, expiry, the donor trace and the ledger report. Pure: the
// names printed next to ids come through a Names, which the CLI backs with
// API lookups and tests with a map. Tables are aligned by display width.
namespace aidlink::client {

// Names for ids. Any of them may return "" (unknown, not visible to the
// caller, or not looked up to keep a long listing quick).
class Names {
 public:
  struct NeedRef {
    int64_t requester_id = 0;
    int64_t item_id = 0;
  };

  virtual ~Names() = default;
  virtual std::string Item(int64_t id) = 0;
  virtual std::string Requester(int64_t id) = 0;
  virtual std::string Depot(int64_t id) = 0;
  virtual std::optional<NeedRef> Need(int64_t id) = 0;
};

// The field `key` of `obj` as an integer; 0 when absent or not a number.
int64_t IntField(const boost::json::value& obj, const char* key);

// "降压药×2, 口罩×20" for delivery or route lines [{item_id, quantity}],
// "#7×2" for an item without a name.
std::string LinesText(const boost::json::value& lines, Names& names);

// POST /v1/match/runs and GET /v1/match/runs/{id}: a heading, the stats, the
// unmet needs with their reasons and a legend of those reasons; with
// `verbose` the allocations as well.
//  Unmet reasons read as their labels of util/vocab.h: Chinese unless `english`.
std::string RenderMatchRun(const boost::json::value& run, Names& names, bool verbose,
                           bool english = false);

// A route: a heading line and its stops in visiting order.
//  Route and stop statuses read as their labels (Chinese unless `english`).
std::string RenderRoute(const boost::json::value& route, Names& names, bool english = false);

// One delivery: its fields, then its lines.
//  The status reads as its label (Chinese unless `english`).
std::string RenderDelivery(const boost::json::value& delivery, Names& names, bool english = false);

// POST /v1/lots:expire: what was written off.
std::string RenderExpiry(const boost::json::value& answer, Names& names);

// GET /v1/donors/{id}/trace: per lot a heading and a table with a row per
// (district, requester kind) and a total row. Only what the server sent, so
// no household data can appear.
std::string RenderDonorTrace(const boost::json::value& trace);

// GET /v1/reports/ledger: a summary line and, when something does not hold,
// a table of the failing entries.
std::string RenderLedger(const boost::json::value& report);

// Whether the ledger report says everything holds.
bool LedgerOk(const boost::json::value& report);

}  // namespace aidlink::client
