// The resource commands, described as data: each names its API path, its
// flags (named after the API's fields), for lists its table columns, and for
// answers that read better than "key value" lines the view that shows them.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "commands.h"
#include "import.h"
#include "json_util.h"
#include "render.h"
#include "table.h"
#include "url.h"
#include "util/text.h"
#include "util/vocab.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

// kLines: repeatable ITEM_ID=QTY pairs, sent as [{item_id, quantity}]; a key
// "lines.damaged" sets that field of the same array's entries instead
// (merged by item_id).
enum class Type { kText, kInt, kNumber, kBool, kTextList, kIntList, kLines };

struct Flag {
  std::string name;  // "station-id"
  // The JSON field ("earmark.districts" nests) or, for lists and downloads,
  // the query parameter. "@item_code" is looked up and sent as item_id. An
  // empty key is a flag for the CLI itself (--verbose, --output), never sent.
  std::string key;
  Type type = Type::kText;
  bool required = false;
  std::string help;
  char short_name = 0;     // 'o' for -o
  std::string value_name;  // for --help; default by type (TEXT, N, ...)
};

struct Column {
  // A field of the listed objects, or "@item" / "@requester": the name of
  // the object that item_id / requester_id points to, looked up for people.
  std::string key;
  Align align = Align::kLeft;
};

// kCreate and kAction POST the flags as a JSON body, kList and kGet GET with
// the flags as query parameters, kDownload GETs a printable document and
// writes its bytes to --output or stdout.
// kPatch sends the flags given as a merge-patch (PATCH), with --if-match.
enum class Kind { kCreate, kList, kGet, kAction, kDownload, kPatch };

// Shows a successful answer (not in --json mode); the default is PrintObject.
// `english`: the global --lang en (labels of reasons and statuses).
using View = std::string (*)(const json::value& answer, Names& names,
                             const po::variables_map& flags, bool english);

struct Spec {
  std::string resource;
  std::string verb;
  std::string summary;
  Kind kind;
  std::string path;  // "{id}" stands for the positional ID
  std::vector<Flag> flags;
  std::vector<Column> columns;  // kList only
  View view = nullptr;
  // When set, a successful answer for which this is false exits 1 (also
  // with --json): the report ledger's "ok".
  bool (*holds)(const json::value& answer) = nullptr;
  // kList: the words after the verb, joined by spaces, go as this query
  // parameter (`requester find 138 0000 1111` sends q=138 0000 1111).
  std::string words_key = "";
};

constexpr Align kRight = Align::kRight;

Flag Req(std::string name, std::string key, Type type, std::string help) {
  return {std::move(name), std::move(key), type, true, std::move(help), 0, ""};
}
Flag Opt(std::string name, std::string key, Type type, std::string help) {
  return {std::move(name), std::move(key), type, false, std::move(help), 0, ""};
}
// --output FILE / -o FILE of a download.
Flag Output() {
  Flag f = Opt("output", "", Type::kText, "write to FILE instead of stdout");
  f.short_name = 'o';
  f.value_name = "FILE";
  return f;
}
Flag Named(Flag f, std::string value_name) {
  f.value_name = std::move(value_name);
  return f;
}

std::string ShowMatchRun(const json::value& a, Names& n, const po::variables_map& vm,
                         bool english) {
  return RenderMatchRun(a, n, vm.count("verbose") && vm["verbose"].as<bool>(), english);
}
std::string ShowRoute(const json::value& a, Names& n, const po::variables_map&, bool english) {
  return RenderRoute(a, n, english);
}
std::string ShowDelivery(const json::value& a, Names& n, const po::variables_map&, bool english) {
  return RenderDelivery(a, n, english);
}
std::string ShowExpiry(const json::value& a, Names& n, const po::variables_map&, bool) {
  return RenderExpiry(a, n);
}
std::string ShowTrace(const json::value& a, Names&, const po::variables_map&, bool) {
  return RenderDonorTrace(a);
}
std::string ShowLedger(const json::value& a, Names&, const po::variables_map&, bool) {
  return RenderLedger(a);
}

// The labels of a resource's `status` field (util/vocab.h), or none.
std::span<const vocab::Term> StatusTerms(std::string_view resource) {
  if (resource == "need") return vocab::kNeedStatuses;
  if (resource == "delivery") return vocab::kDeliveryStatuses;
  if (resource == "route") return vocab::kRouteStatuses;
  return {};
}
// The answer to `requester deactivate`: what was cancelled and what is left
// to the dispatcher.
std::string ShowDeactivation(const json::value& a, Names& names, const po::variables_map&, bool) {
  if (!a.is_object()) return "";
  const json::value* r = a.get_object().if_contains("requester");
  std::ostringstream out;
  if (r) {
    out << "requester " << FieldText(*r, "id") << " " << FieldText(*r, "name") << " deactivated ("
        << FieldText(*r, "deactivated_reason") << ")\n";
  }
  const json::value* needs = a.get_object().if_contains("cancelled_needs");
  size_t n = needs && needs->is_array() ? needs->get_array().size() : 0;
  out << "needs cancelled: " << n << "\n";
  for (size_t i = 0; i < n; ++i) {
    const json::value& need = needs->get_array()[i];
    out << "  need " << FieldText(need, "id") << "  " << names.Item(IntField(need, "item_id"))
        << "  cancelled " << FieldText(need, "cancelled") << "\n";
  }
  const json::value* open = a.get_object().if_contains("open_delivery_ids");
  if (open && open->is_array() && !open->get_array().empty()) {
    out << "deliveries still planned or on the road (for the dispatcher):";
    for (const auto& id : open->get_array()) out << " " << CellText(id);
    out << "\n";
  }
  return out.str();
}

// --if-match VERSION of an edit.
Flag IfMatch() {
  return Named(Opt("if-match", "", Type::kInt,
                   "refuse (409) if the object is no longer at this version (from get)"),
               "VERSION");
}

// --lat and --lon of an object with a place.
std::vector<Flag> LatLon() {
  return {Opt("lat", "lat", Type::kNumber, "latitude"),
          Opt("lon", "lon", Type::kNumber, "longitude")};
}

// The --earmark-* flags of a lot (add and edit).
std::vector<Flag> EarmarkFlags() {
  const Type T = Type::kTextList;
  return {Opt("earmark-district", "earmark.districts", T, "only for these districts"),
          Opt("earmark-kind", "earmark.requester_kinds", T, "only for these requester kinds"),
          Opt("earmark-tag", "earmark.tags", T, "only for requesters with these tags"),
          Opt("earmark-station", "earmark.station_ids", Type::kIntList,
              "only for these stations' requesters")};
}

// `head`, then each of `rest` in order: a flag list built from shared parts.
std::vector<Flag> Flags(std::vector<Flag> head, std::initializer_list<std::vector<Flag>> rest) {
  for (const auto& part : rest) head.insert(head.end(), part.begin(), part.end());
  return head;
}

std::vector<Flag> RequesterFilters() {
  return {Opt("station-id", "station_id", Type::kInt, "only this station's requesters"),
          Opt("kind", "kind", Type::kText, "household, community, institution or frontline_post"),
          Opt("tag", "tag", Type::kText, "only requesters with this tag"),
          Opt("district", "district", Type::kText, "only this district"),
          Opt("active", "active", Type::kBool, "only active (true) or deactivated (false) ones")};
}

std::vector<Column> RequesterColumns() {
  return {{"id", kRight},
          {"station_id", kRight},
          {"kind"},
          {"name"},
          {"household_size", kRight},
          {"tags"},
          {"district"},
          {"contact_name"},
          {"phone"},
          {"address"},
          {"active"}};
}

std::vector<Spec> Specs() {
  const Type T = Type::kText, I = Type::kInt, B = Type::kBool, TL = Type::kTextList,
             IL = Type::kIntList;
  return {
      {"token",
       "create",
       "issue a token for a role (admin; a dispatcher: volunteer tokens)",
       Kind::kCreate,
       "/v1/tokens",
       {Req("role", "role", T, "admin, dispatcher, station, donor or volunteer"),
        Opt("station-id", "station_id", I, "the station a station token acts for"),
        Opt("donor-id", "donor_id", I, "the donor a donor token acts for"),
        Req("label", "label", T, "who holds the token, e.g. 和平社工站 前台")},
       {}},
      {"user",
       "list",
       "list the users who log in with a password (admin)",
       Kind::kList,
       "/v1/users",
       {},
       {{"id", kRight},
        {"username"},
        {"role"},
        {"station_id", kRight},
        {"donor_id", kRight},
        {"display_name"},
        {"disabled"}}},
      {"user",
       "disable",
       "disable a user; its sessions end (admin)",
       Kind::kAction,
       "/v1/users/{id}:disable",
       {},
       {}},

      {"item",
       "add",
       "add a catalog item (dispatcher)",
       Kind::kCreate,
       "/v1/items",
       {Req("code", "code", T, "short unique code, e.g. MED-AMLO-5"),
        Req("name", "name", T, "name, e.g. 降压药"),
        Req("category", "category", T, "ppe, food, medicine, hygiene, equipment or other"),
        Req("unit", "unit", T, "piece, box, kg, jin, portion, bottle, set (套) or pair (副)"),
        Req("pack-size", "pack_size", I, "allocation granularity (masks go out in 10s)"),
        Opt("perishable", "perishable", B, "the item spoils (give alone, or =false)")},
       {}},
      {"item",
       "list",
       "list the catalog",
       Kind::kList,
       "/v1/items",
       {},
       {{"id", kRight},
        {"code"},
        {"name"},
        {"category"},
        {"unit"},
        {"pack_size", kRight},
        {"perishable"}}},

      {"donor",
       "add",
       "register a donor (dispatcher)",
       Kind::kCreate,
       "/v1/donors",
       {Req("name", "name", T, "donor name"),
        Req("kind", "kind", T, "enterprise, charity, individual or government"),
        Opt("phone", "phone", T, "contact phone"), Opt("note", "note", T, "free text")},
       {}},
      {"donor", "get", "show one donor", Kind::kGet, "/v1/donors/{id}", {}, {}},
      {"donor",
       "trace",
       "where a donor's lots went, by district and requester kind",
       Kind::kGet,
       "/v1/donors/{id}/trace",
       {},
       {},
       ShowTrace},

      {"depot",
       "add",
       "add a depot (dispatcher)",
       Kind::kCreate,
       "/v1/depots",
       Flags({Req("name", "name", T, "depot name"), Req("address", "address", T, "street address"),
              Req("district", "district", T, "district, e.g. 和平区")},
             {LatLon(),
              {Opt("city", "city", T,
                   "city, e.g. 苏州市; the depot serves it unless --serves-* say otherwise"),
               Opt("serves-cities", "serves.cities", TL,
                   "serve exactly these cities (and --serves-districts)"),
               Opt("serves-districts", "serves.districts", TL,
                   "serve exactly these districts: 姑苏区 (of --city) or 苏州市/姑苏区")}}),
       {}},
      {"depot",
       "list",
       "list depots",
       Kind::kList,
       "/v1/depots",
       {},
       {{"id", kRight},
        {"name"},
        {"city"},
        {"district"},
        {"address"},
        {"lat", kRight},
        {"lon", kRight}}},

      {"station",
       "add",
       "add a social-work station (admin)",
       Kind::kCreate,
       "/v1/stations",
       {Req("name", "name", T, "station name, e.g. 和平社工站"),
        Req("district", "district", T, "district"),
        Opt("city", "city", T, "city of the station and its requesters, e.g. 苏州市"),
        Opt("phone", "phone", T, "callback phone printed on delivery lists")},
       {}},
      {"station",
       "list",
       "list stations",
       Kind::kList,
       "/v1/stations",
       {},
       {{"id", kRight}, {"name"}, {"city"}, {"district"}, {"phone"}}},

      {"requester",
       "add",
       "register a household, community, institution or frontline post",
       Kind::kCreate,
       "/v1/requesters",
       Flags({Opt("station-id", "station_id", I,
                  "the registering station (a station token: its own, may be left out)"),
              Req("kind", "kind", T, "household, community, institution or frontline_post"),
              Req("name", "name", T, "name, e.g. 金老伯"),
              Opt("contact-name", "contact_name", T, "who to call"),
              Opt("phone", "phone", T, "phone number"), Req("address", "address", T, "address"),
              Req("district", "district", T, "district")},
             {LatLon(),
              {Req("household-size", "household_size", I, "people in the household"),
               Opt("tag", "tags", TL,
                   "vulnerability tag, repeatable or comma list: elderly_alone, chronic_illness, "
                   "disability, child_in_difficulty, quarantined, pregnant, low_income, "
                   "frontline_worker, left_behind_child")}}),
       {}},
      {"requester", "list", "list requesters", Kind::kList, "/v1/requesters", RequesterFilters(),
       RequesterColumns()},
      {"requester", "find",
       "find requesters by name, contact name or phone (any spacing): find 138 0000 1111",
       Kind::kList, "/v1/requesters", RequesterFilters(), RequesterColumns(), nullptr, nullptr,
       "q"},
      {"requester", "get", "show one requester", Kind::kGet, "/v1/requesters/{id}", {}, {}},
      {"requester",
       "edit",
       "correct a requester: only the flags given change",
       Kind::kPatch,
       "/v1/requesters/{id}",
       Flags({Opt("name", "name", T, "name"), Opt("contact-name", "contact_name", T, "who to call"),
              Opt("phone", "phone", T, "phone number"), Opt("address", "address", T, "address"),
              Opt("district", "district", T, "district")},
             {LatLon(),
              {Opt("household-size", "household_size", I, "people in the household"),
               Opt("tag", "tags", TL,
                   "vulnerability tags: the new full list, repeatable or comma list"),
               IfMatch()}}),
       {}},
      {"requester",
       "deactivate",
       "mark a requester gone; cancels what its needs still wait for",
       Kind::kAction,
       "/v1/requesters/{id}:deactivate",
       {Req("reason", "reason", T, "moved_away, deceased, duplicate or other"),
        Opt("note", "note", T, "free text")},
       {},
       ShowDeactivation},

      {"lot",
       "add",
       "log a donated lot at a depot",
       Kind::kCreate,
       "/v1/lots",
       Flags({Opt("donor-id", "donor_id", I, "donor (a donor token: its own, may be left out)"),
              Req("item-id", "item_id", I, "item"),
              Req("depot-id", "depot_id", I, "depot where it is stored"),
              Req("quantity", "quantity", I, "quantity received, in the item's unit"),
              Opt("expires-on", "expires_on", T, "YYYY-MM-DD")},
             {EarmarkFlags(), {Opt("note", "note", T, "free text")}}),
       {}},
      {"lot",
       "edit",
       "correct a lot: only the flags given change (earmark flags replace the whole earmark)",
       Kind::kPatch,
       "/v1/lots/{id}",
       Flags({Opt("quantity", "quantity", I, "quantity received (never below what is used)"),
              Opt("expires-on", "expires_on", T, "YYYY-MM-DD")},
             {EarmarkFlags(), {Opt("note", "note", T, "free text"), IfMatch()}}),
       {}},
      {"lot",
       "list",
       "list lots",
       Kind::kList,
       "/v1/lots",
       {Opt("item-id", "item_id", I, "only this item"),
        Opt("depot-id", "depot_id", I, "only this depot"),
        Opt("donor-id", "donor_id", I, "only this donor"),
        Opt("expiring-before", "expiring_before", T, "only lots expiring before YYYY-MM-DD"),
        Opt("status", "status", T, "pledged (waiting for the depot) or received")},
       {{"id", kRight},
        {"item_id", kRight},
        {"@item"},
        {"depot_id", kRight},
        {"donor_id", kRight},
        {"quantity", kRight},
        {"available", kRight},
        {"allocated", kRight},
        {"delivered", kRight},
        {"written_off", kRight},
        {"expires_on"},
        {"note"}}},
      {"lot", "get", "show one lot", Kind::kGet, "/v1/lots/{id}", {}, {}},
      {"lot",
       "receive",
       "confirm what arrived of a donor's pledged lot; only then is it matched (dispatcher)",
       Kind::kAction,
       "/v1/lots/{id}:receive",
       {Req("quantity", "quantity_received", I, "how much arrived (at most what was pledged)"),
        Opt("note", "note", T, "e.g. 少20只，外箱破损")},
       {}},
      {"lot",
       "write-off",
       "write off part of a lot (dispatcher)",
       Kind::kAction,
       "/v1/lots/{id}:write_off",
       {Req("quantity", "quantity", I, "how much to write off"),
        Req("reason", "reason", T, "why, e.g. 过期 / damaged")},
       {}},
      {"lot",
       "expire",
       "write off the stock left in lots expired by a date (dispatcher)",
       Kind::kCreate,
       "/v1/lots:expire",
       {Named(Req("as-of", "as_of", T, "lots that expired before this day"), "YYYY-MM-DD")},
       {},
       ShowExpiry},
      {"lot",
       "receipt",
       "print a lot's donation receipt (捐赠回执) for its donor",
       Kind::kDownload,
       "/v1/lots/{id}/receipt",
       {Named(Opt("format", "format", T,
                  "html or txt (default: txt on stdout, else from the file's extension, else "
                  "html)"),
              "html|txt"),
        Output()},
       {}},

      {"need",
       "add",
       "file a need of a requester for an item",
       Kind::kCreate,
       "/v1/needs",
       {Req("requester-id", "requester_id", I, "requester"),
        Opt("item-id", "item_id", I, "item (or --item-code)"),
        Opt("item-code", "@item_code", T, "item by its catalog code"),
        Req("quantity", "quantity", I, "quantity, in the item's unit"),
        Req("urgency", "urgency", T, "critical, high, normal or low"),
        Opt("needed-by", "needed_by", T, "YYYY-MM-DD"), Opt("note", "note", T, "free text")},
       {}},
      {"need",
       "list",
       "list needs",
       Kind::kList,
       "/v1/needs",
       {Opt("status", "status", T, "open, partial, allocated, fulfilled or cancelled"),
        Opt("station-id", "station_id", I, "only this station's needs"),
        Opt("item-id", "item_id", I, "only this item"),
        Opt("urgency", "urgency", T, "critical, high, normal or low"),
        Named(Opt("needed-before", "needed_before", T, "only needs due before this day"),
              "YYYY-MM-DD")},
       {{"id", kRight},
        {"requester_id", kRight},
        {"@requester"},
        {"item_id", kRight},
        {"@item"},
        {"quantity", kRight},
        {"urgency"},
        {"status"},
        {"outstanding", kRight},
        {"needed_by"},
        {"note"}}},
      {"need", "get", "show one need", Kind::kGet, "/v1/needs/{id}", {}, {}},
      {"need",
       "edit",
       "correct a need: only the flags given change",
       Kind::kPatch,
       "/v1/needs/{id}",
       {Opt("quantity", "quantity", I, "quantity (never below what is allocated or delivered)"),
        Opt("urgency", "urgency", T, "critical, high, normal or low"),
        Opt("needed-by", "needed_by", T, "YYYY-MM-DD"), Opt("note", "note", T, "free text"),
        IfMatch()},
       {}},
      {"need",
       "cancel",
       "cancel a need",
       Kind::kAction,
       "/v1/needs/{id}:cancel",
       {Req("reason", "reason", T, "why, e.g. 已由家属送达")},
       {}},

      {"match",
       "run",
       "allocate available stock to open needs (dispatcher)",
       Kind::kCreate,
       "/v1/match/runs",
       {Opt("dry-run", "dry_run", B, "plan only: show what would happen and write nothing"),
        Named(Opt("as-of", "as_of", T, "the day the run plans for (default today)"), "YYYY-MM-DD"),
        Opt("item-id", "item_ids", IL, "only these items, repeatable or comma list"),
        Opt("min-shelf-days", "min_shelf_days", I,
            "days stock must still keep after --as-of (default 1)"),
        Opt("verbose", "", B, "also list every allocation with its reasons")},
       {},
       ShowMatchRun},
      {"match",
       "list",
       "list committed match runs, newest first (dispatcher)",
       Kind::kList,
       "/v1/match/runs",
       {},
       {{"id", kRight},
        {"created_at"},
        {"as_of"},
        {"stats.needs_considered", kRight},
        {"stats.lots_considered", kRight},
        {"stats.units_allocated", kRight},
        {"stats.needs_filled", kRight},
        {"stats.needs_partial", kRight},
        {"stats.needs_unmet", kRight}}},
      {"match",
       "get",
       "show a committed match run",
       Kind::kGet,
       "/v1/match/runs/{id}",
       {Opt("verbose", "", B, "also list every allocation with its reasons")},
       {},
       ShowMatchRun},

      {"route",
       "create",
       "put a depot's planned deliveries on a route (dispatcher)",
       Kind::kCreate,
       "/v1/routes",
       {Req("depot-id", "depot_id", I, "the depot the route starts from"),
        Named(Req("date", "date", T, "the day the route goes out"), "YYYY-MM-DD"),
        Req("driver", "driver", T, "driver or volunteer, e.g. 志愿者小刘"),
        Opt("district", "district", T, "only deliveries to this district"),
        Opt("max-stops", "max_stops", I, "at most this many stops, most urgent first")},
       {},
       ShowRoute},
      {"route",
       "list",
       "list routes (dispatcher)",
       Kind::kList,
       "/v1/routes",
       {Named(Opt("date", "date", T, "only routes going out that day"), "YYYY-MM-DD"),
        Opt("depot-id", "depot_id", I, "only this depot's routes"),
        Opt("status", "status", T, "planned or dispatched")},
       {{"id", kRight},
        {"depot_id", kRight},
        {"date"},
        {"driver"},
        {"district"},
        {"status"},
        {"stop_count", kRight}}},
      {"route",
       "get",
       "show a route and its stops",
       Kind::kGet,
       "/v1/routes/{id}",
       {},
       {},
       ShowRoute},
      {"route",
       "dispatch",
       "send a route out: its deliveries become dispatched",
       Kind::kAction,
       "/v1/routes/{id}:dispatch",
       {},
       {},
       ShowRoute},
      {"route",
       "assign",
       "let a volunteer see the route's stops and record their outcomes (dispatcher)",
       Kind::kAction,
       "/v1/routes/{id}:assign",
       {Opt("user", "user_id", I, "a volunteer user's id"),
        Opt("token-id", "token_id", I, "a volunteer token's id (instead of --user)")},
       {},
       ShowRoute},
      {"route",
       "print",
       "the printable delivery list of a route",
       Kind::kDownload,
       "/v1/routes/{id}/manifest",
       {Named(Opt("format", "format", T,
                  "default: txt on stdout, else from the file's extension, else html"),
              "txt|csv|html"),
        Named(Opt("layout", "layout", T,
                  "full (a block per stop, the default) or compact (a line per household)"),
              "full|compact"),
        Output()},
       {}},

      {"delivery",
       "list",
       "list deliveries",
       Kind::kList,
       "/v1/deliveries",
       {Opt("route-id", "route_id", I, "only this route's"),
        Opt("status", "status", T, "planned, dispatched, delivered, failed or cancelled"),
        Opt("requester-id", "requester_id", I, "only this requester's"),
        Opt("station-id", "station_id", I, "only this station's requesters'")},
       {{"id", kRight},
        {"route_id", kRight},
        {"seq", kRight},
        {"requester_id", kRight},
        {"@requester"},
        {"status"},
        {"@lines"},
        {"received_by"},
        {"fail_reason"}}},
      {"delivery",
       "get",
       "show one delivery and its lines",
       Kind::kGet,
       "/v1/deliveries/{id}",
       {},
       {},
       ShowDelivery},
      {"delivery",
       "dispatch",
       "mark one planned delivery dispatched (dispatcher)",
       Kind::kAction,
       "/v1/deliveries/{id}:dispatch",
       {},
       {},
       ShowDelivery},
      {"delivery",
       "deliver",
       "record what reached the door; the rest returns to stock",
       Kind::kAction,
       "/v1/deliveries/{id}:deliver",
       {Req("received-by", "received_by", T, "who signed, e.g. 金老伯本人"),
        Opt("note", "note", T, "free text"),
        Opt("line", "lines", Type::kLines,
            "quantity actually taken of an item, repeatable (items not given: everything "
            "allotted)"),
        Opt("damaged", "lines.damaged", Type::kLines,
            "units of an item damaged on the way, written off instead of returned, repeatable")},
       {},
       ShowDelivery},
      {"delivery",
       "fail",
       "record a failed delivery; everything returns to stock",
       Kind::kAction,
       "/v1/deliveries/{id}:fail",
       {Req("reason", "reason", T, "not home, refused, wrong address, vehicle problem, ...")},
       {},
       ShowDelivery},
      {"delivery",
       "cancel",
       "cancel a delivery; everything returns to stock (dispatcher)",
       Kind::kAction,
       "/v1/deliveries/{id}:cancel",
       {Req("reason", "reason", T, "why")},
       {},
       ShowDelivery},
      {"delivery",
       "correct",
       "correct a recorded outcome within --outcome-correction-hours (dispatcher)",
       Kind::kAction,
       "/v1/deliveries/{id}:correct",
       {Req("reason", "reason", T, "why, e.g. 志愿者回电核实"),
        Opt("received-by", "received_by", T, "who received it, if that changes"),
        Opt("line", "lines", Type::kLines,
            "quantity actually taken of an item, repeatable (items not given: everything "
            "allotted)"),
        Opt("damaged", "lines.damaged", Type::kLines,
            "units of an item damaged on the way, repeatable")},
       {},
       ShowDelivery},

      {"report",
       "ledger",
       "check the conservation sums and the event ledger (dispatcher)",
       Kind::kGet,
       "/v1/reports/ledger",
       {},
       {},
       ShowLedger,
       LedgerOk},
  };
}

std::string CommandName(const Spec& spec) { return spec.resource + " " + spec.verb; }

bool TakesId(const Spec& spec) { return spec.path.find("{id}") != std::string::npos; }

// A flag's value of type T shown as `value_name` in --help, required if the
// flag is.
template <typename T>
po::value_semantic* ValueOf(const Flag& f, po::typed_value<T>* v, const std::string& value_name) {
  v->value_name(value_name);
  return f.required ? v->required() : v;
}

po::options_description Describe(const Spec& spec) {
  po::options_description desc("Flags");
  for (const Flag& f : spec.flags) {
    po::value_semantic* semantic = nullptr;
    const std::string help = f.help + (f.required ? " (required)" : "");
    switch (f.type) {
      case Type::kText:
        semantic =
            ValueOf(f, po::value<std::string>(), f.value_name.empty() ? "TEXT" : f.value_name);
        break;
      case Type::kInt:
        semantic = ValueOf(f, po::value<int64_t>(), "N");
        break;
      case Type::kNumber:
        semantic = ValueOf(f, po::value<double>(), "X");
        break;
      case Type::kBool:
        semantic = po::value<bool>()->implicit_value(true)->value_name("BOOL");
        break;
      case Type::kTextList:
      case Type::kIntList:
      case Type::kLines:
        semantic = ValueOf(f, po::value<std::vector<std::string>>()->composing(),
                           f.type == Type::kIntList ? "N,..."
                           : f.type == Type::kLines ? "ITEM_ID=QTY"
                                                    : "A,...");
        break;
    }
    const std::string names = f.short_name ? f.name + "," + f.short_name : f.name;
    desc.add_options()(names.c_str(), semantic, help.c_str());
  }
  if (spec.kind == Kind::kList) {
    desc.add_options()("limit", po::value<size_t>()->value_name("N"),
                       "stop after N rows (default: all pages)");
  }
  return desc;
}

std::string Help(const Spec& spec) {
  std::ostringstream out;
  out << (TakesId(spec) ? "ID " : "") << (spec.words_key.empty() ? "" : "TEXT... ") << "[flags]\n"
      << spec.summary << "\n\n";
  if (!spec.flags.empty() || spec.kind == Kind::kList) out << Describe(spec);
  return out.str();
}

// Splits repeated and comma-separated list values: --tag a,b --tag c.
std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::string_view rest = value;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view part = text::Trim(rest.substr(0, comma));
      if (!part.empty()) out.emplace_back(part);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

// Sets body[a][b] for key "a.b".
void SetPath(json::object& body, const std::string& key, json::value value) {
  const size_t dot = key.find('.');
  if (dot == std::string::npos) {
    body[key] = std::move(value);
    return;
  }
  json::value& child = body[key.substr(0, dot)];
  if (!child.is_object()) child = json::object();
  child.get_object()[key.substr(dot + 1)] = std::move(value);
}

struct Parsed {
  po::variables_map vm;
  std::string id;
};

// Sets `key` ("lines" = lines[].quantity, "lines.damaged" = lines[].damaged)
// of the entry for `item_id` in body's array, adding the entry if needed.
void MergeLine(json::object& body, const std::string& key, int64_t item_id, int64_t value) {
  const size_t dot = key.find('.');
  const std::string array = key.substr(0, dot);
  const std::string field = dot == std::string::npos ? "quantity" : key.substr(dot + 1);
  json::value& slot = body[array];
  if (!slot.is_array()) slot = json::array{};
  for (json::value& entry : slot.as_array()) {
    // A second value for the same field is sent as is: the server refuses it.
    if (entry.as_object().at("item_id").as_int64() == item_id &&
        !entry.as_object().contains(field)) {
      entry.as_object()[field] = value;
      return;
    }
  }
  slot.as_array().push_back(json::object{{"item_id", item_id}, {field, value}});
}

// Parses the command's flags; returns an error message for a usage error.
std::optional<std::string> ParseArgs(const Spec& spec, const std::vector<std::string>& args,
                                     Parsed* parsed) {
  po::options_description desc = Describe(spec);
  po::positional_options_description positional;
  if (TakesId(spec)) {
    desc.add_options()("id", po::value<std::string>()->required(), "id");
    positional.add("id", 1);
  }
  if (!spec.words_key.empty()) {
    desc.add_options()("words", po::value<std::vector<std::string>>()->required(), "words");
    positional.add("words", -1);
  }
  try {
    po::store(
        po::command_line_parser(args)
            .options(desc)
            .positional(positional)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .run(),
        parsed->vm);
    po::notify(parsed->vm);
  } catch (const po::required_option& e) {
    if (e.get_option_name() == "--id") return CommandName(spec) + " needs an ID";
    if (e.get_option_name() == "--words") return CommandName(spec) + " needs the text to find";
    return std::string(e.what());
  } catch (const po::too_many_positional_options_error&) {
    return CommandName(spec) + " takes " + (TakesId(spec) ? "one ID" : "no words, only --flags");
  } catch (const po::error& e) {
    return std::string(e.what());
  }
  if (TakesId(spec)) {
    parsed->id = parsed->vm["id"].as<std::string>();
    const auto id = ParseInt64(parsed->id);
    if (!id || *id < 1) return "ID must be a positive whole number (got \"" + parsed->id + "\")";
  }
  return std::nullopt;
}

// Builds the JSON body from the flags given. Returns a usage error message
// for a list entry that is not a number.
std::optional<std::string> BuildBody(const Spec& spec, const po::variables_map& vm,
                                     json::object* body) {
  for (const Flag& f : spec.flags) {
    if (!vm.count(f.name) || f.key.empty() || f.key.front() == '@') continue;
    const po::variable_value& v = vm[f.name];
    switch (f.type) {
      case Type::kText:
        SetPath(*body, f.key, json::string(v.as<std::string>()));
        break;
      case Type::kInt:
        SetPath(*body, f.key, v.as<int64_t>());
        break;
      case Type::kNumber:
        SetPath(*body, f.key, v.as<double>());
        break;
      case Type::kBool:
        SetPath(*body, f.key, v.as<bool>());
        break;
      case Type::kTextList: {
        json::array list;
        for (auto& s : SplitList(v.as<std::vector<std::string>>())) list.emplace_back(s);
        SetPath(*body, f.key, std::move(list));
        break;
      }
      case Type::kIntList: {
        json::array list;
        for (auto& s : SplitList(v.as<std::vector<std::string>>())) {
          const auto n = ParseInt64(s);
          if (!n) return "--" + f.name + " takes whole numbers (got \"" + s + "\")";
          list.emplace_back(*n);
        }
        SetPath(*body, f.key, std::move(list));
        break;
      }
      case Type::kLines: {
        json::array list;
        for (auto& s : SplitList(v.as<std::vector<std::string>>())) {
          const size_t eq = s.find('=');
          // Plain integers, not optionals: GCC 12 wrongly calls an engaged
          // optional maybe-uninitialised here once it is inlined.
          int64_t item_id = 0, quantity = -1;
          if (eq != std::string::npos) {
            if (auto item = ParseInt64(text::Trim(std::string_view(s).substr(0, eq))))
              item_id = *item;
            if (auto qty = ParseInt64(text::Trim(std::string_view(s).substr(eq + 1))))
              quantity = *qty;
          }
          if (item_id < 1 || quantity < 0) {
            return "--" + f.name + " takes ITEM_ID=QUANTITY, e.g. 3=2 (got \"" + s + "\")";
          }
          MergeLine(*body, f.key, item_id, quantity);
        }
        break;
      }
    }
  }
  return std::nullopt;
}

// Resolves --item-code to an item id through GET /v1/items.
int ResolveItemCode(Context& ctx, const std::string& code, json::object* body) {
  auto items = ctx.api.List("/v1/items", {});
  if (!items.ok()) return Unreachable(ctx, items.status());
  if (items->failure) return ServerError(ctx, *items->failure);
  for (const auto& item : items->items) {
    if (ItemCodeKey(FieldText(item, "code")) == ItemCodeKey(code) &&
        item.get_object().contains("id")) {
      if (const auto id = AsInt64(item.get_object().at("id"))) {
        (*body)["item_id"] = *id;
        return kExitOk;
      }
    }
  }
  ctx.err << "aidlink: error: no item has the code \"" << code << "\" (see `aidlink item list`)\n";
  return kExitFailed;
}

std::string ExpandPath(const Spec& spec, const std::string& id) {
  std::string path = spec.path;
  const size_t at = path.find("{id}");
  if (at != std::string::npos) path.replace(at, 4, UrlEncode(id));
  return path;
}

std::string QueryValue(const Flag& f, const po::variable_value& v) {
  switch (f.type) {
    case Type::kInt:
      return std::to_string(v.as<int64_t>());
    case Type::kNumber:
      return FormatNumber(v.as<double>());
    case Type::kBool:
      return v.as<bool>() ? "true" : "false";
    case Type::kText:
      return v.as<std::string>();
    case Type::kTextList:
    case Type::kIntList:
    case Type::kLines: {
      std::string out;
      for (const auto& s : SplitList(v.as<std::vector<std::string>>())) {
        out += (out.empty() ? "" : ",") + s;
      }
      return out;
    }
  }
  return "";
}

// The query parameters given as flags.
std::vector<std::pair<std::string, std::string>> Query(const Spec& spec, const Parsed& parsed) {
  std::vector<std::pair<std::string, std::string>> query;
  for (const Flag& f : spec.flags) {
    if (!f.key.empty() && parsed.vm.count(f.name)) {
      query.emplace_back(f.key, QueryValue(f, parsed.vm[f.name]));
    }
  }
  if (!spec.words_key.empty() && parsed.vm.count("words")) {
    std::string words;
    for (const auto& w : parsed.vm["words"].as<std::vector<std::string>>()) {
      words += (words.empty() ? "" : " ") + w;
    }
    query.emplace_back(spec.words_key, words);
  }
  return query;
}

// Names for the ids in a list or a view, so a social worker reads 金老伯 and
// 降压药 rather than 1 and 7. Best effort: what the caller may not read (a
// donor never sees households) or what fails stays blank.
class NameLookup : public Names {
 public:
  explicit NameLookup(Context& ctx) : ctx_(ctx) {}

  std::string Item(int64_t id) override { return NameIn("/v1/items", items_, id); }

  std::string Depot(int64_t id) override { return NameIn("/v1/depots", depots_, id); }

  std::string Requester(int64_t id) override {
    if (id <= 0) return "";
    const auto it = requesters_.find(id);
    if (it != requesters_.end()) return it->second;
    std::string name;
    // Bounded, so a dispatcher's list of thousands of needs stays quick.
    if (requesters_.size() < kMaxLookups) {
      auto reply = ctx_.api.Get("/v1/requesters/" + std::to_string(id));
      if (reply.ok() && reply->ok()) name = FieldText(reply->json, "name");
    }
    requesters_[id] = name;
    return name;
  }

  std::optional<NeedRef> Need(int64_t id) override {
    if (id <= 0) return std::nullopt;
    const auto it = needs_.find(id);
    if (it != needs_.end()) return it->second;
    std::optional<NeedRef> ref;
    if (needs_.size() < kMaxLookups) {
      auto reply = ctx_.api.Get("/v1/needs/" + std::to_string(id));
      if (reply.ok() && reply->ok()) {
        ref = NeedRef{IntField(reply->json, "requester_id"), IntField(reply->json, "item_id")};
      }
    }
    needs_[id] = ref;
    return ref;
  }

 private:
  static constexpr size_t kMaxLookups = 200;

  // The names of a whole list, loaded on first use.
  struct Catalog {
    bool loaded = false;
    std::map<int64_t, std::string> names;
  };

  // The name of `id` in the list at `path`, loading it the first time.
  std::string NameIn(const char* path, Catalog& catalog, int64_t id) {
    if (!catalog.loaded) {
      catalog.loaded = true;
      auto list = ctx_.api.List(path, {});
      if (list.ok() && !list->failure) {
        for (const auto& x : list->items) catalog.names[IntField(x, "id")] = FieldText(x, "name");
      }
    }
    const auto it = catalog.names.find(id);
    return it == catalog.names.end() ? "" : it->second;
  }

  Context& ctx_;
  Catalog items_;
  Catalog depots_;
  std::map<int64_t, std::string> requesters_;
  std::map<int64_t, std::optional<NeedRef>> needs_;
};

// Prints a successful answer with the spec's view; returns the exit code.
int Show(Context& ctx, const Spec& spec, const Parsed& parsed, const ApiReply& reply) {
  if (ctx.json) {
    PrintObject(ctx, reply);
  } else if (!spec.view) {
    std::vector<std::pair<std::string, std::string>> fields = Flatten(reply.json);
    // A requester's duplicate check reads as one note below, not as fields.
    std::erase_if(fields, [](const auto& f) { return f.first.starts_with("duplicate."); });
    const std::span<const vocab::Term> statuses = StatusTerms(spec.resource);
    for (auto& [key, value] : fields) {
      if (key == "status" && !statuses.empty()) value = vocab::Label(statuses, value, ctx.english);
    }
    ctx.out << RenderKeyValues(fields);
    if (const std::string note = DuplicateNotice(reply.json, ctx.english); !note.empty())
      ctx.out << note << "\n";
  } else {
    NameLookup names(ctx);
    ctx.out << spec.view(reply.json, names, parsed.vm, ctx.english);
  }
  if (spec.holds && !spec.holds(reply.json)) return kExitFailed;
  return kExitOk;
}

int RunCreateOrAction(Context& ctx, const Spec& spec, const Parsed& parsed) {
  json::object body;
  if (auto error = BuildBody(spec, parsed.vm, &body)) {
    return UsageError(ctx, *error, CommandName(spec));
  }
  if (spec.resource == "need" && spec.verb == "add") {
    const bool by_id = parsed.vm.count("item-id") > 0;
    const bool by_code = parsed.vm.count("item-code") > 0;
    if (by_id == by_code) {
      return UsageError(ctx, "give exactly one of --item-id and --item-code", CommandName(spec));
    }
    if (by_code) {
      const int rc = ResolveItemCode(ctx, parsed.vm["item-code"].as<std::string>(), &body);
      if (rc != kExitOk) return rc;
    }
  }
  auto reply = ctx.api.Post(ExpandPath(spec, parsed.id), body);
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  const int rc = Show(ctx, spec, parsed, *reply);
  if (spec.resource == "token" && !ctx.json) {
    ctx.err << "Keep this token safe: the server shows it only once.\n";
  }
  return rc;
}

// An edit: the flags given as a merge-patch; none given is a usage error.
int RunPatch(Context& ctx, const Spec& spec, const Parsed& parsed) {
  json::object body;
  if (auto error = BuildBody(spec, parsed.vm, &body)) {
    return UsageError(ctx, *error, CommandName(spec));
  }
  if (body.empty()) return UsageError(ctx, "give at least one field to change", CommandName(spec));
  const std::string if_match =
      parsed.vm.count("if-match") ? std::to_string(parsed.vm["if-match"].as<int64_t>()) : "";
  auto reply = ctx.api.Patch(ExpandPath(spec, parsed.id), body, if_match);
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  return Show(ctx, spec, parsed, *reply);
}

int RunGet(Context& ctx, const Spec& spec, const Parsed& parsed) {
  auto reply = ctx.api.Get(WithQuery(ExpandPath(spec, parsed.id), Query(spec, parsed)));
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  return Show(ctx, spec, parsed, *reply);
}

std::string Cell(NameLookup& names, const json::value& item, const std::string& key) {
  if (key == "@item") return names.Item(IntField(item, "item_id"));
  if (key == "@requester") return names.Requester(IntField(item, "requester_id"));
  if (const size_t dot = key.find('.'); dot != std::string::npos && item.is_object()) {
    const json::value* sub = item.get_object().if_contains(key.substr(0, dot));
    return sub ? FieldText(*sub, key.substr(dot + 1)) : "";
  }
  if (key == "@lines") {
    return item.is_object() && item.get_object().contains("lines")
               ? LinesText(item.get_object().at("lines"), names)
               : "";
  }
  return FieldText(item, key);
}

int RunList(Context& ctx, const Spec& spec, const Parsed& parsed) {
  const size_t limit = parsed.vm.count("limit") ? parsed.vm["limit"].as<size_t>() : 0;
  auto result = ctx.api.List(spec.path, Query(spec, parsed), limit);
  if (!result.ok()) return Unreachable(ctx, result.status());
  if (result->failure) return ServerError(ctx, *result->failure);

  if (ctx.json) {
    // All pages in one document, in the server's own list shape.
    json::object doc;
    json::array items;
    for (auto& item : result->items) items.push_back(std::move(item));
    doc["items"] = std::move(items);
    doc["next_page_token"] = result->next_page_token;
    ctx.out << json::serialize(doc) << "\n";
    return kExitOk;
  }
  std::vector<std::string> headers;
  for (const Column& c : spec.columns) {
    const size_t dot = c.key.find('.');
    headers.push_back(c.key[0] == '@'            ? c.key.substr(1)
                      : dot != std::string::npos ? c.key.substr(dot + 1)
                                                 : c.key);
  }
  Table table(headers);
  for (size_t i = 0; i < spec.columns.size(); ++i) table.SetAlign(i, spec.columns[i].align);
  NameLookup names(ctx);
  const std::span<const vocab::Term> statuses = StatusTerms(spec.resource);
  for (const auto& item : result->items) {
    std::vector<std::string> cells;
    for (const Column& c : spec.columns) {
      std::string cell = Cell(names, item, c.key);
      if (c.key == "status" && !statuses.empty()) {
        cell = vocab::Label(statuses, cell, ctx.english);
      }
      cells.push_back(std::move(cell));
    }
    table.AddRow(std::move(cells));
  }
  ctx.out << table.Render();
  if (!result->next_page_token.empty()) {
    ctx.err << "(stopped at --limit " << limit << "; more rows exist)\n";
  }
  return kExitOk;
}

// The format a download takes when --format is not given: txt on stdout (a
// terminal or a pipe), else what the file name ends in, else html.
std::string DefaultFormat(const std::string& output) {
  if (output.empty() || output == "-") return "txt";
  const size_t dot = output.rfind('.');
  std::string ext = dot == std::string::npos ? "" : output.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (ext == "txt" || ext == "csv") return ext;
  return "html";
}

// Writes `bytes` to `path` through a temporary file renamed into place, so
// a failed write never leaves half a delivery list behind.
bool WriteFileAtomically(const std::string& path, const std::string& bytes, std::string* error) {
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *error = "cannot write " + tmp;
      return false;
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      *error = "cannot write " + tmp;
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    *error = "cannot rename " + tmp + " to " + path;
    return false;
  }
  return true;
}

int RunDownload(Context& ctx, const Spec& spec, const Parsed& parsed) {
  const std::string output = parsed.vm.count("output") ? parsed.vm["output"].as<std::string>() : "";
  auto query = Query(spec, parsed);
  if (!parsed.vm.count("format")) query.emplace_back("format", DefaultFormat(output));
  // The global --lang (default zh) is the document's language too.
  query.emplace_back("lang", ctx.english ? "en" : "zh");
  auto reply = ctx.api.Get(WithQuery(ExpandPath(spec, parsed.id), query));
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  if (output.empty() || output == "-") {
    ctx.out.write(reply->raw.data(), static_cast<std::streamsize>(reply->raw.size()));
    ctx.out.flush();
    return kExitOk;
  }
  std::string error;
  if (!WriteFileAtomically(output, reply->raw, &error)) {
    ctx.err << "aidlink: error: " << error << "\n";
    return kExitFailed;
  }
  ctx.out << "wrote " << output << " (" << reply->raw.size() << " bytes)\n";
  return kExitOk;
}

int Run(Context& ctx, const Spec& spec, const std::vector<std::string>& args) {
  Parsed parsed;
  if (auto error = ParseArgs(spec, args, &parsed)) {
    return UsageError(ctx, *error, CommandName(spec));
  }
  switch (spec.kind) {
    case Kind::kCreate:
    case Kind::kAction:
      return RunCreateOrAction(ctx, spec, parsed);
    case Kind::kGet:
      return RunGet(ctx, spec, parsed);
    case Kind::kList:
      return RunList(ctx, spec, parsed);
    case Kind::kDownload:
      return RunDownload(ctx, spec, parsed);
    case Kind::kPatch:
      return RunPatch(ctx, spec, parsed);
  }
  return kExitFailed;
}

}  // namespace

std::vector<Command> ResourceCommands() {
  std::vector<Command> out;
  for (Spec& spec : Specs()) {
    out.push_back({spec.resource, spec.verb, spec.summary,
                   [spec](Context& ctx, const std::vector<std::string>& args) {
                     return Run(ctx, spec, args);
                   },
                   [spec] { return Help(spec); }});
  }
  return out;
}

}  // namespace aidlink::client
