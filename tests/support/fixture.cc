#include "support/fixture.h"

#include <atomic>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace aidlink::test {

int64_t Int(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_string()) {
    const json::string& s = v.as_string();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return out;
  }
  throw std::runtime_error("not an integer: " + json::serialize(v));
}

int64_t Id(const json::value& v) { return Int(v); }

int64_t IdOf(const Response& r) {
  json::value v = r.Json();
  if (!v.is_object() || !v.as_object().contains("id")) {
    throw std::runtime_error("no id in " + r.Describe());
  }
  return Id(v.as_object().at("id"));
}

std::string Str(const json::value& v) {
  if (!v.is_string()) throw std::runtime_error("not a string: " + json::serialize(v));
  return std::string(v.as_string());
}

int64_t IntOr(const json::object& o, std::string_view key, int64_t fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return fallback;
  return Int(it->value());
}

std::string CodeForStatus(int status) {
  switch (status) {
    case 400:
      return "invalid_argument";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 422:
      return "failed_precondition";
    case 429:
      return "resource_exhausted";
    case 500:
      return "internal";
    case 501:
      return "unimplemented";
    case 503:
      return "unavailable";
    case 507:
      return "insufficient_storage";
    default:
      return "";
  }
}

std::string ErrorProblem(const Response& r, std::initializer_list<int> statuses,
                         std::string_view field) {
  bool status_ok = false;
  std::string wanted;
  for (int s : statuses) {
    status_ok = status_ok || r.status == s;
    wanted += (wanted.empty() ? "" : " or ") + std::to_string(s);
  }
  if (!status_ok) {
    return "status " + std::to_string(r.status) + ", want " + wanted;
  }
  if (r.status < 400) return "";
  if (!r.IsJson()) return "error body is not JSON";
  json::value v = r.Json();
  if (!v.is_object() || !v.as_object().contains("error") ||
      !v.as_object().at("error").is_object()) {
    return "body has no \"error\" object";
  }
  const json::object& e = v.as_object().at("error").as_object();
  if (!e.contains("code") || !e.at("code").is_string()) return "error.code missing";
  if (std::string(e.at("code").as_string()) != CodeForStatus(r.status)) {
    return "error.code is " + Str(e.at("code")) + ", want " + CodeForStatus(r.status);
  }
  if (!e.contains("message") || !e.at("message").is_string() ||
      e.at("message").as_string().empty()) {
    return "error.message missing or empty";
  }
  if (!field.empty()) {
    std::string got =
        e.contains("field") && e.at("field").is_string() ? Str(e.at("field")) : std::string();
    std::string suffix = "." + std::string(field);
    bool match =
        got == field || (got.size() > suffix.size() &&
                         got.compare(got.size() - suffix.size(), suffix.size(), suffix) == 0);
    if (!match) return "error.field is \"" + got + "\", want \"" + std::string(field) + "\"";
  }
  return "";
}

bool BodyContains(const Response& r, std::string_view needle) {
  if (r.body.find(needle) != std::string::npos) return true;
  if (!r.IsJson()) return false;
  // Re-serialized by Boost.JSON, \uXXXX escapes become plain UTF-8.
  return json::serialize(r.Json()).find(needle) != std::string::npos;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Unique(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + std::to_string(++counter);
}

// ---- Sample data ----------------------------------------------------------

json::object SampleItem(std::string_view code) {
  return {{"code", code},           {"name", "降压药（硝苯地平缓释片）"},
          {"category", "medicine"}, {"unit", "box"},
          {"pack_size", 1},         {"perishable", false}};
}

json::object SampleDonor() {
  return {{"name", "仁和大药房"},
          {"kind", "enterprise"},
          {"phone", "02788886666"},
          {"note", "定向捐赠给独居老人"}};
}

json::object SampleDepot() {
  return {{"name", "江汉区物资中转仓"},
          {"address", "江汉区新华路100号"},
          {"district", "江汉区"},
          {"lat", 30.5928},
          {"lon", 114.2656}};
}

json::object SampleStation(std::string_view name, std::string_view district) {
  return {{"name", name}, {"district", district}};
}

json::object SampleRequester(int64_t station_id) {
  return {{"station_id", station_id},
          {"kind", "household"},
          {"name", "金老伯"},
          {"contact_name", "金老伯本人"},
          {"phone", "13800001111"},
          {"address", "江汉区幸福里3幢2单元501"},
          {"district", "江汉区"},
          {"lat", 30.5801},
          {"lon", 114.2702},
          {"household_size", 1},
          {"tags", json::array{"elderly_alone", "chronic_illness"}}};
}

json::object SampleRequesterB(int64_t station_id) {
  return {{"station_id", station_id},
          {"kind", "household"},
          {"name", "王阿姨"},
          {"contact_name", "王阿姨之子王明"},
          {"phone", "13900002222"},
          {"address", "武昌区和平里5幢101"},
          {"district", "武昌区"},
          {"household_size", 3},
          {"tags", json::array{"disability"}}};
}

json::object SampleLot(int64_t donor_id, int64_t item_id, int64_t depot_id, int64_t quantity) {
  return {{"donor_id", donor_id}, {"item_id", item_id},         {"depot_id", depot_id},
          {"quantity", quantity}, {"expires_on", "2027-06-30"}, {"note", "第一批，常温保存"}};
}

json::object SampleNeed(int64_t requester_id, int64_t item_id, int64_t quantity,
                        std::string_view urgency) {
  return {{"requester_id", requester_id}, {"item_id", item_id},
          {"quantity", quantity},         {"urgency", urgency},
          {"needed_by", "2026-12-01"},    {"note", "药只够吃四天，不会用智能手机，请电话联系"}};
}

std::vector<std::string> HouseholdStrings(const json::object& requester) {
  return {Str(requester.at("name")), Str(requester.at("contact_name")), Str(requester.at("phone")),
          Str(requester.at("address"))};
}

// ---- Fixture --------------------------------------------------------------

Fixture::Fixture(TestServer& server) : server_(server), http_(server.port()) {}

json::object Fixture::Create(std::string_view path, const json::object& body,
                             std::string_view token) {
  Response r = http_.Post(path, body, token);
  INFO("POST " << path << " " << json::serialize(body));
  REQUIRE_STATUS(r, 201);
  json::value v = r.Json();
  REQUIRE(v.is_object());
  if (std::string(path) != "/v1/tokens") REQUIRE(v.as_object().contains("id"));
  return v.as_object();
}

json::object Fixture::Fetch(std::string_view path, std::string_view token) {
  Response r = http_.Get(path, token);
  INFO("GET " << path);
  REQUIRE_STATUS(r, 200);
  json::value v = r.Json();
  REQUIRE(v.is_object());
  return v.as_object();
}

std::string Fixture::NewToken(const json::object& body) {
  json::object o = Create("/v1/tokens", body, admin());
  REQUIRE(o.contains("token"));
  REQUIRE(o.contains("id"));
  std::string token = Str(o.at("token"));
  REQUIRE_FALSE(token.empty());
  return token;
}

std::string Fixture::NewDispatcherToken(std::string_view label) {
  return NewToken({{"role", "dispatcher"}, {"label", label}});
}

std::string Fixture::NewStationToken(int64_t station_id) {
  return NewToken({{"role", "station"}, {"station_id", station_id}, {"label", "社工站账号"}});
}

std::string Fixture::NewDonorToken(int64_t donor_id) {
  return NewToken({{"role", "donor"}, {"donor_id", donor_id}, {"label", "捐赠方账号"}});
}

int64_t Fixture::CreateStation(std::string_view name, std::string_view district) {
  return Id(Create("/v1/stations", SampleStation(name, district), admin()).at("id"));
}

int64_t Fixture::CreateItem(std::string_view token, std::string_view code) {
  return Id(Create("/v1/items", SampleItem(code), token).at("id"));
}

int64_t Fixture::CreateDonor(std::string_view token, const json::object& body) {
  return Id(Create("/v1/donors", body, token).at("id"));
}

int64_t Fixture::CreateDepot(std::string_view token) {
  return Id(Create("/v1/depots", SampleDepot(), token).at("id"));
}

int64_t Fixture::CreateRequester(std::string_view token, const json::object& body) {
  return Id(Create("/v1/requesters", body, token).at("id"));
}

int64_t Fixture::CreateLot(std::string_view token, const json::object& body) {
  return Id(Create("/v1/lots", body, token).at("id"));
}

int64_t Fixture::CreateNeed(std::string_view token, const json::object& body) {
  return Id(Create("/v1/needs", body, token).at("id"));
}

std::vector<json::object> Fixture::ListAll(std::string_view path, std::string_view token,
                                           int page_size) {
  std::vector<json::object> all;
  std::string page_token;
  const char sep = std::string_view(path).find('?') == std::string_view::npos ? '?' : '&';
  for (int page = 0; page < 1000; ++page) {
    std::string target = std::string(path) + sep + "page_size=" + std::to_string(page_size);
    if (!page_token.empty()) target += "&page_token=" + UrlEncode(page_token);
    Response r = http_.Get(target, token);
    INFO("GET " << target);
    REQUIRE_STATUS(r, 200);
    json::value v = r.Json();
    REQUIRE(v.is_object());
    const json::object& o = v.as_object();
    if (o.contains("items")) {
      REQUIRE(o.at("items").is_array());
      for (const json::value& item : o.at("items").as_array()) {
        REQUIRE(item.is_object());
        all.push_back(item.as_object());
      }
    }
    page_token = o.contains("next_page_token") && o.at("next_page_token").is_string()
                     ? Str(o.at("next_page_token"))
                     : std::string();
    if (page_token.empty()) return all;
  }
  FAIL("list " << path << " did not end after 1000 pages");
  return all;
}

World MakeWorld(Fixture& f) {
  World w;
  w.admin = f.admin();
  w.dispatcher = f.NewDispatcherToken();
  w.station_a_id = f.CreateStation("江汉区民族街社工站", "江汉区");
  w.station_b_id = f.CreateStation("武昌区中华路社工站", "武昌区");
  w.station_a = f.NewStationToken(w.station_a_id);
  w.station_b = f.NewStationToken(w.station_b_id);

  json::object donor_a = SampleDonor();
  json::object donor_b = {{"name", "张女士"},
                          {"kind", "individual"},
                          {"phone", "13711112222"},
                          {"note", "匿名捐赠，请勿公开姓名"}};
  w.donor_a_id = f.CreateDonor(w.dispatcher, donor_a);
  w.donor_b_id = f.CreateDonor(w.dispatcher, donor_b);
  w.donor_a = f.NewDonorToken(w.donor_a_id);
  w.donor_b = f.NewDonorToken(w.donor_b_id);

  w.item_id = f.CreateItem(w.dispatcher, Unique("BP-MED-"));
  w.depot_id = f.CreateDepot(w.dispatcher);

  json::object req_a = SampleRequester(w.station_a_id);
  json::object req_b = SampleRequesterB(w.station_b_id);
  w.requester_a = f.CreateRequester(w.station_a, req_a);
  w.requester_b = f.CreateRequester(w.station_b, req_b);
  w.household_a = HouseholdStrings(req_a);
  w.household_b = HouseholdStrings(req_b);

  json::object lot_a = SampleLot(w.donor_a_id, w.item_id, w.depot_id, 500);
  lot_a["note"] = "仁和第一批降压药-内部批号RH2026";
  json::object lot_b = SampleLot(w.donor_b_id, w.item_id, w.depot_id, 20);
  lot_b["note"] = "张女士私人捐赠备注ZNS";
  w.lot_a = f.CreateLot(w.donor_a, lot_a);
  w.lot_b = f.CreateLot(w.donor_b, lot_b);
  // The donors pledged them; the depot has them in full.
  for (const auto& [lot, quantity] : {std::pair{w.lot_a, 500}, std::pair{w.lot_b, 20}}) {
    const Response r = f.http().Post("/v1/lots/" + std::to_string(lot) + ":receive",
                                     json::object{{"quantity_received", quantity}}, w.dispatcher);
    REQUIRE_STATUS(r, 200);
  }
  w.donor_a_private = {"仁和大药房", "02788886666", "仁和第一批降压药-内部批号RH2026"};
  w.donor_b_private = {"张女士", "13711112222", "张女士私人捐赠备注ZNS"};

  w.need_a = f.CreateNeed(w.station_a, SampleNeed(w.requester_a, w.item_id, 2, "critical"));
  w.need_b = f.CreateNeed(w.station_b, SampleNeed(w.requester_b, w.item_id, 5, "normal"));
  return w;
}

}  // namespace aidlink::test
