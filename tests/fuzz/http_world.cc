#include "fuzz/http_world.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <tuple>
#include <utility>

#include "api/auth.h"
#include "store/repo.h"
#include "util/logging.h"

namespace aidlink::fuzz {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz_http world: %s\n", what.c_str());
  std::abort();
}

// /dev/shm when there is one: the fuzzer writes to SQLite on every input.
fs::path MakeTempDir() {
  std::error_code ec;
  fs::path base = "/dev/shm";
  if (!fs::is_directory(base, ec)) base = fs::temp_directory_path();
  std::string pattern = (base / "aidlink-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) Die("cannot create a directory under " + base.string());
  return pattern;
}

Status InsertKnownToken(store::Store& store, const char* token, const char* role,
                        std::optional<int64_t> station_id, std::optional<int64_t> donor_id) {
  return store.Write([&](store::Database& db) -> Status {
    store::TokenRecord t;
    t.hash = api::HashToken(token);
    t.role = role;
    t.station_id = station_id;
    t.donor_id = donor_id;
    t.label = std::string("fuzz ") + role;
    auto inserted = store::InsertToken(db, t, store::Actor{0, "system"});
    return inserted.ok() ? Status::Ok() : inserted.status();
  });
}

}  // namespace

std::unique_ptr<HttpWorld> HttpWorld::Create() {
  log::SetMinLevel(log::Level::kWarn);
  std::unique_ptr<HttpWorld> w(new HttpWorld());
  w->dir_ = MakeTempDir();

  store::StoreOptions options;
  options.path = (w->dir_ / "fuzz.db").string();
  // Nothing here has to survive a power cut; fsyncs would only slow the
  // fuzzer down.
  options.synchronous = "OFF";
  auto store = store::Store::Open(options);
  if (!store.ok()) Die("cannot open the store: " + store.status().ToString());
  w->store_ = std::move(*store);
  w->router_ = std::make_unique<api::Router>(*w->store_);

  if (Status s = api::EnsureAdminToken(*w->store_, kAdminToken); !s.ok()) Die(s.ToString());
  const char* a = kAdminToken;
  w->Seed(a, "POST", "/v1/stations", R"({"name":"民权街社工站","district":"江汉区"})");
  w->Seed(a, "POST", "/v1/stations", R"({"name":"花桥社工站","district":"江岸区"})");
  w->Seed(
      a, "POST", "/v1/items",
      R"({"code":"MED-BP","name":"降压药","category":"medicine","unit":"box","pack_size":1,"perishable":false})");
  w->Seed(
      a, "POST", "/v1/items",
      R"({"code":"FOOD-EGG","name":"鸡蛋","category":"food","unit":"piece","pack_size":10,"perishable":true})");
  w->Seed(a, "POST", "/v1/donors",
          R"({"name":"九州通医药","kind":"enterprise","phone":"027-88880000","note":"首批捐赠"})");
  w->Seed(
      a, "POST", "/v1/depots",
      R"({"name":"城东物资仓","address":"东湖路88号","district":"江汉区","lat":30.58,"lon":114.27})");
  w->Seed(
      a, "POST", "/v1/requesters",
      R"({"station_id":1,"kind":"household","name":"金老伯","contact_name":"金小华","phone":"13800001111",
              "address":"幸福里3幢201","district":"江汉区","household_size":1,"lat":30.59,"lon":114.28,
              "tags":["elderly_alone","chronic_illness"]})");
  w->Seed(a, "POST", "/v1/requesters",
          R"({"station_id":2,"kind":"community","name":"阳光社区居委会","contact_name":"赵主任",
              "phone":"027-88886666","address":"阳光路7号","district":"江岸区","household_size":300,"tags":[]})");
  w->Seed(a, "POST", "/v1/lots",
          R"({"donor_id":1,"item_id":1,"depot_id":1,"quantity":100,"note":"批号A1"})");
  w->Seed(a, "POST", "/v1/lots",
          R"({"donor_id":1,"item_id":2,"depot_id":1,"quantity":300,"expires_on":"2030-12-31",
              "earmark":{"districts":["江汉区","江岸区"]},"note":""})");
  w->Seed(
      a, "POST", "/v1/needs",
      R"({"requester_id":1,"item_id":1,"quantity":2,"urgency":"critical","needed_by":"2026-11-26","note":"药只够吃四天"})");
  w->Seed(
      a, "POST", "/v1/needs",
      R"({"requester_id":2,"item_id":2,"quantity":30,"urgency":"high","note":"封控小区，放门岗"})");
  w->Seed(a, "POST", "/v1/needs",
          R"({"requester_id":1,"item_id":2,"quantity":5,"urgency":"normal","note":""})");
  w->Seed(a, "POST", "/v1/match/runs", R"({"dry_run":false,"as_of":"2026-11-20"})");
  w->Seed(a, "POST", "/v1/routes", R"({"depot_id":1,"date":"2026-11-23","driver":"志愿者小刘"})");
  w->Seed(a, "POST", "/v1/needs",
          R"({"requester_id":2,"item_id":1,"quantity":3,"urgency":"low","note":""})");
  w->Seed(a, "POST", "/v1/match/runs", R"({"dry_run":false,"as_of":"2026-11-21"})");

  for (const auto& [token, role, station, donor] :
       {std::tuple<const char*, const char*, std::optional<int64_t>, std::optional<int64_t>>{
            kDispatcherToken, "dispatcher", std::nullopt, std::nullopt},
        {kStationToken, "station", 1, std::nullopt},
        {kDonorToken, "donor", std::nullopt, 1}}) {
    if (Status s = InsertKnownToken(*w->store_, token, role, station, donor); !s.ok()) {
      Die(s.ToString());
    }
  }
  return w;
}

HttpWorld::~HttpWorld() {
  router_.reset();
  store_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

api::Response HttpWorld::Seed(const char* token, const std::string& method,
                              const std::string& target, const std::string& body) {
  api::Request request;
  request.method = method;
  request.target = target;
  request.authorization = std::string("Bearer ") + token;
  request.content_type = "application/json";
  request.body = body;
  api::Response response = router_->Handle(request);
  if (response.status < 200 || response.status > 299) {
    Die(method + " " + target + " answered " + std::to_string(response.status) + ": " +
        response.body);
  }
  return response;
}

}  // namespace aidlink::fuzz
