#include "support/store_fixture.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace aidlink::test {
namespace {

// Numbers the directories of one process.
std::atomic<int> temp_db_counter{0};

}  // namespace

TempDb::TempDb() {
  dir_ = fs::temp_directory_path() /
         ("aidlink-store-" + std::to_string(::getpid()) + "-" + std::to_string(temp_db_counter++));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
}

TempDb::~TempDb() { fs::remove_all(dir_); }

std::unique_ptr<store::Store> OpenStore(const std::string& path, bool group_commit,
                                        std::chrono::seconds idempotency_retention) {
  store::StoreOptions options;
  options.path = path;
  options.group_commit = group_commit;
  options.idempotency_retention = idempotency_retention;
  auto store = store::Store::Open(options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(*store);
}

}  // namespace aidlink::test
