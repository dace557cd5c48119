#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "api/http.h"
#include "api/router.h"
#include "store/store.h"

namespace aidlink::fuzz {

// The bearer tokens HttpWorld knows; the seed corpus and the dictionary
// (tests/fuzz/http.dict) use them so that the fuzzer reaches authenticated
// handlers of every role.
inline constexpr char kAdminToken[] = "fuzz-admin";
inline constexpr char kDispatcherToken[] = "fuzz-dispatcher";
inline constexpr char kStationToken[] = "fuzz-station";  // station 1
inline constexpr char kDonorToken[] = "fuzz-donor";      // donor 1

// A real Store over a fresh SQLite file in a temporary directory, and a
// Router on it, seeded through the API with a small world: stations 1 and 2,
// items 1 (MED-BP) and 2 (FOOD-EGG, perishable), donor 1, depot 1,
// requesters 1 (station 1) and 2 (station 2), lots 1 and 2, needs 1..4, a
// committed match run, route 1 over the first planned deliveries, and a
// planned delivery not yet on a route. Removes its directory when
// destroyed. Not thread-safe.
class HttpWorld {
 public:
  // Builds the world; aborts with the failing step if any seeding request
  // fails (the fuzzer would learn nothing from an empty world).
  static std::unique_ptr<HttpWorld> Create();
  ~HttpWorld();

  HttpWorld(const HttpWorld&) = delete;
  HttpWorld& operator=(const HttpWorld&) = delete;

  api::Router& router() { return *router_; }
  store::Store& store() { return *store_; }

 private:
  HttpWorld() = default;
  // Sends one seeding request as `token` and aborts unless it succeeds.
  api::Response Seed(const char* token, const std::string& method, const std::string& target,
                     const std::string& body);

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::Router> router_;
};

}  // namespace aidlink::fuzz
