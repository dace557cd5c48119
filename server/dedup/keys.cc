#include "dedup/keys.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "dedup/normalize.h"

namespace aidlink::dedup {
namespace {

constexpr std::string_view kPhoneDomain = "aidlink/dedup/v1/phone";
constexpr std::string_view kAddressDomain = "aidlink/dedup/v1/address";
constexpr std::string_view kNameDomain = "aidlink/dedup/v1/name";

// HMAC-SHA256 over domain NUL part1 NUL part2 ...
template <typename... Parts>
Key Hmac(const Secret& secret, std::string_view domain, const Parts&... parts) {
  std::string message(domain);
  ((message.push_back('\0'), message.append(parts)), ...);
  Key key{};
  unsigned int length = 0;
  // HMAC() fails only without SHA-256 in the crypto library; an all-zero key
  // then matches other all-zero keys, which the assert makes loud in tests.
  const unsigned char* ok = HMAC(
      EVP_sha256(), secret.bytes.data(), static_cast<int>(secret.bytes.size()),
      reinterpret_cast<const unsigned char*>(message.data()), message.size(), key.data(), &length);
  assert(ok != nullptr && length == kKeyBytes);
  (void)ok;
  return key;
}

bool HasDigit(std::string_view s) {
  return s.find_first_of("0123456789") != std::string_view::npos;
}

std::string Errno(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// Reads exactly the secret from an open file.
StatusOr<Secret> ReadSecret(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Internal(Errno("cannot stat", path));
  if (!S_ISREG(st.st_mode)) {
    return FailedPrecondition("the duplicate-detection secret " + path + " is not a file");
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPrecondition("the duplicate-detection secret " + path +
                              " is readable by others; chmod 600 it");
  }
  if (st.st_size != static_cast<off_t>(kSecretBytes)) {
    return FailedPrecondition("the duplicate-detection secret " + path + " holds " +
                              std::to_string(st.st_size) + " bytes, not " +
                              std::to_string(kSecretBytes) +
                              "; restore it from a backup (a new secret changes every key)");
  }
  Secret secret;
  size_t done = 0;
  while (done < kSecretBytes) {
    const ssize_t n = read(fd, secret.bytes.data() + done, kSecretBytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Internal(Errno("cannot read", path));
    done += static_cast<size_t>(n);
  }
  return secret;
}

StatusOr<Secret> ReadSecretFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal(Errno("cannot open", path));
  StatusOr<Secret> secret = ReadSecret(fd, path);
  close(fd);
  return secret;
}

// Writes fresh random bytes to `tmp` (mode 0600, flushed to disk; one name
// per process, so two starting at once do not share it) and links
// it to `path`; link() fails with EEXIST if another process got there first.
// Returns true if this call created `path`.
StatusOr<bool> CreateSecretFile(const std::string& path, const std::string& tmp) {
  Secret secret;
  if (RAND_bytes(secret.bytes.data(), static_cast<int>(secret.bytes.size())) != 1) {
    return Internal("no random bytes for the duplicate-detection secret");
  }
  unlink(tmp.c_str());  // left by a crashed process that had our pid
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Internal(Errno("cannot create", tmp));
  size_t done = 0;
  while (done < kSecretBytes) {
    const ssize_t n = write(fd, secret.bytes.data() + done, kSecretBytes - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string message = Errno("cannot write", tmp);
      close(fd);
      unlink(tmp.c_str());
      return Internal(message);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    const std::string message = Errno("cannot sync", tmp);
    close(fd);
    unlink(tmp.c_str());
    return Internal(message);
  }
  close(fd);
  const bool linked = link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  unlink(tmp.c_str());
  if (!linked && link_errno != EEXIST) {
    errno = link_errno;
    return Internal(Errno("cannot create", path));
  }
  return linked;
}

}  // namespace

Keys MakeKeys(const Secret& secret, const Registration& registration) {
  Keys keys;
  if (const std::string phone = NormalizePhone(registration.phone); !phone.empty()) {
    keys.phone = Hmac(secret, kPhoneDomain, phone);
  }
  const std::string district = NormalizeDistrict(registration.district);
  AddressUnit address = NormalizeAddress(registration.address);
  if (!district.empty() && address.unit.starts_with(district)) {
    address.unit.erase(0, district.size());
    address.building.erase(0, std::min(district.size(), address.building.size()));
  }
  if (HasDigit(address.unit)) keys.address = Hmac(secret, kAddressDomain, district, address.unit);
  if (const std::string name = NormalizeName(registration.name);
      !name.empty() && !address.building.empty()) {
    keys.name = Hmac(secret, kNameDomain, name, district, address.building);
  }
  return keys;
}

std::string KeyToHex(const Key& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * key.size());
  for (const uint8_t b : key) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xf]);
  }
  return hex;
}

StatusOr<Secret> LoadOrCreateSecret(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Internal(Errno("cannot stat", path));
    const std::filesystem::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    StatusOr<bool> created = CreateSecretFile(path, path + ".tmp." + std::to_string(getpid()));
    if (!created.ok()) return created.status();
  }
  return ReadSecretFile(path);
}

}  // namespace aidlink::dedup
