#include "dedup/keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace dedup = aidlink::dedup;
namespace fs = std::filesystem;

namespace {

dedup::Secret SecretOf(uint8_t fill) {
  dedup::Secret s;
  s.bytes.fill(fill);
  return s;
}

// A fresh directory under the system's temporary one, removed at scope exit.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "aidlink-dedup-XXXXXX").string();
    path = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

TEST_CASE("two spellings of one household give the same three keys", "[dedup]") {
  const dedup::Secret secret = SecretOf(7);
  const dedup::Keys a =
      dedup::MakeKeys(secret, {"金老伯", "138 0000 1111", "东湖区", "幸福里3号楼201"});
  const dedup::Keys b =
      dedup::MakeKeys(secret, {"金 老伯", "+86 13800001111", "东湖区", "幸福里３栋２０１"});
  const dedup::Keys c =
      dedup::MakeKeys(secret, {"金老伯", "0086-138-0000-1111", "东湖区", "东湖区幸福里3幢201室"});
  REQUIRE(a.phone);
  REQUIRE(a.address);
  REQUIRE(a.name);
  CHECK(a == b);
  CHECK(a == c);
}

TEST_CASE("traditional characters in a name give the simplified name's key", "[dedup]") {
  const dedup::Secret secret = SecretOf(7);
  CHECK(dedup::MakeKeys(secret, {"陳大文", "", "东湖区", "幸福里3栋201"}).name ==
        dedup::MakeKeys(secret, {"陈大文", "", "东湖区", "幸福里3栋202"}).name);
}

TEST_CASE("different fields give different keys", "[dedup]") {
  const dedup::Secret secret = SecretOf(7);
  const dedup::Keys a =
      dedup::MakeKeys(secret, {"金老伯", "13800001111", "东湖区", "幸福里3号楼201"});
  SECTION("another room: same building, so the name key stays") {
    const dedup::Keys b =
        dedup::MakeKeys(secret, {"金老伯", "13900002222", "东湖区", "幸福里3号楼202"});
    CHECK(a.phone != b.phone);
    CHECK(a.address != b.address);
    CHECK(a.name == b.name);
  }
  SECTION("another building") {
    const dedup::Keys b =
        dedup::MakeKeys(secret, {"金老伯", "13800001111", "东湖区", "幸福里4号楼201"});
    CHECK(a.address != b.address);
    CHECK(a.name != b.name);
  }
  SECTION("another district has another 幸福里") {
    const dedup::Keys b =
        dedup::MakeKeys(secret, {"金老伯", "13800001111", "西湖区", "幸福里3号楼201"});
    CHECK(a.phone == b.phone);
    CHECK(a.address != b.address);
    CHECK(a.name != b.name);
  }
  SECTION("a landline is not the mobile") {
    const dedup::Keys b =
        dedup::MakeKeys(secret, {"金老伯", "021-3800-0011", "东湖区", "幸福里3号楼201"});
    CHECK(a.phone != b.phone);
  }
  SECTION("the kinds of key never collide") {
    const dedup::Keys b =
        dedup::MakeKeys(secret, {"13800001111", "13800001111", "", "13800001111"});
    REQUIRE(b.phone);
    REQUIRE(b.address);
    REQUIRE(b.name);
    CHECK(*b.phone != *b.address);
    CHECK(*b.address != *b.name);
  }
}

TEST_CASE("a key is absent when its inputs are", "[dedup]") {
  const dedup::Secret secret = SecretOf(7);
  const dedup::Keys none = dedup::MakeKeys(secret, {"", "", "", ""});
  CHECK_FALSE(none.phone);
  CHECK_FALSE(none.address);
  CHECK_FALSE(none.name);
  const dedup::Keys no_number = dedup::MakeKeys(secret, {"金老伯", "无", "东湖区", "幸福里"});
  CHECK_FALSE(no_number.phone);
  CHECK_FALSE(no_number.address);  // no house number: no household
  CHECK(no_number.name);           // 幸福里 is still where he lives
  CHECK_FALSE(dedup::MakeKeys(secret, {"", "", "东湖区", "幸福里3栋201"}).name);
}

TEST_CASE("another secret gives other keys", "[dedup]") {
  const dedup::Registration r{"金老伯", "13800001111", "东湖区", "幸福里3号楼201"};
  const dedup::Keys a = dedup::MakeKeys(SecretOf(7), r);
  const dedup::Keys b = dedup::MakeKeys(SecretOf(8), r);
  CHECK(a.phone != b.phone);
  CHECK(a.address != b.address);
  CHECK(a.name != b.name);
  CHECK(dedup::KeyToHex(*a.phone).size() == 64);
  CHECK(dedup::KeyToHex(*a.phone).find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("the secret file is made once, mode 0600, and read back after", "[dedup]") {
  TempDir dir;
  REQUIRE(!dir.path.empty());
  const std::string path = dir.path + "/var/dedup.secret";
  auto first = dedup::LoadOrCreateSecret(path);
  REQUIRE(first.ok());
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == static_cast<off_t>(dedup::kSecretBytes));
  auto second = dedup::LoadOrCreateSecret(path);
  REQUIRE(second.ok());
  CHECK(first->bytes == second->bytes);
  CHECK(first->bytes != dedup::Secret{}.bytes);
  // No temporary file is left beside it.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path + "/var"))
    files += entry.is_regular_file();
  CHECK(files == 1);

  SECTION("two secret files differ") {
    auto other = dedup::LoadOrCreateSecret(dir.path + "/other.secret");
    REQUIRE(other.ok());
    CHECK(other->bytes != first->bytes);
  }
}

TEST_CASE("a secret file of the wrong size or mode is refused", "[dedup]") {
  TempDir dir;
  REQUIRE(!dir.path.empty());
  const std::string path = dir.path + "/dedup.secret";
  SECTION("too short") {
    { std::ofstream(path) << "short"; }
    chmod(path.c_str(), 0600);
    auto s = dedup::LoadOrCreateSecret(path);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == aidlink::Code::kFailedPrecondition);
  }
  SECTION("empty") {
    { std::ofstream{path}; }
    chmod(path.c_str(), 0600);
    CHECK_FALSE(dedup::LoadOrCreateSecret(path).ok());
  }
  SECTION("readable by others") {
    { std::ofstream(path) << std::string(dedup::kSecretBytes, 'x'); }
    chmod(path.c_str(), 0644);
    auto s = dedup::LoadOrCreateSecret(path);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == aidlink::Code::kFailedPrecondition);
    chmod(path.c_str(), 0600);
    CHECK(dedup::LoadOrCreateSecret(path).ok());
  }
  SECTION("a directory in the way") {
    fs::create_directory(path);
    CHECK_FALSE(dedup::LoadOrCreateSecret(path).ok());
  }
}
