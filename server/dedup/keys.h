#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

// The keys by which registrations of one household are found across stations
// (docs/DEDUP.md, rules K1-K4): keyed HMAC-SHA256 of normalised fields, so
// that only keys, never another station's names, phones or addresses, are
// compared. Pure functions; thread-safe.
namespace aidlink::dedup {

inline constexpr size_t kSecretBytes = 32;
inline constexpr size_t kKeyBytes = 32;

// The server's HMAC key. Never logged, never stored in the database.
struct Secret {
  std::array<uint8_t, kSecretBytes> bytes{};
};

// One HMAC-SHA256 output.
using Key = std::array<uint8_t, kKeyBytes>;

// Hash of a Key for unordered containers: its first 8 bytes (already uniform).
struct KeyHash {
  size_t operator()(const Key& key) const {
    uint64_t h;
    std::memcpy(&h, key.data(), sizeof h);
    return static_cast<size_t>(h);
  }
};

// The fields of a requester that identify its household, as entered.
struct Registration {
  std::string_view name;
  std::string_view phone;
  std::string_view district;
  std::string_view address;
};

// The three keys of a registration; each is absent when its inputs are.
struct Keys {
  // Of the normalised phone; absent if NormalizePhone gives "".
  std::optional<Key> phone;
  // Of (district, address unit); absent if the unit holds no digit (an
  // address without a house number names no household).
  std::optional<Key> address;
  // Of (name, district, building); absent if the name or the building is "".
  std::optional<Key> name;

  friend bool operator==(const Keys&, const Keys&) = default;
};

// The keys of `registration` under `secret`: each HMAC-SHA256 input starts
// with its own domain prefix ("aidlink/dedup/v1/phone" ...), and the parts of
// a tuple are separated by NUL, so no two kinds or splits of input collide.
// A normalised district at the start of the address is dropped first, so
// "东湖区幸福里3栋" in district 东湖区 is "幸福里3栋".
Keys MakeKeys(const Secret& secret, const Registration& registration);

// Lower-case hex of `key` (64 characters), for storing keys as text.
std::string KeyToHex(const Key& key);

// The secret in the file at `path` (exactly kSecretBytes raw bytes), created
// with fresh random bytes and mode 0600 if there is no file, atomically (a
// temporary file linked into place), so two processes starting at once agree
// on one secret. Missing parent directories are created. Errors:
// kFailedPrecondition if the file's size is not kSecretBytes or it is
// readable by group or others; kInternal if it cannot be read or written, or
// no random bytes could be had.
StatusOr<Secret> LoadOrCreateSecret(const std::string& path);

}  // namespace aidlink::dedup
