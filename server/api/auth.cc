#include "api/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "store/repo.h"
#include "util/text.h"

namespace aidlink::api {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

}  // namespace

namespace {

// Each role with its name in the tokens and users tables (vocab::kRoles).
constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kAdmin, "admin"}, {Role::kDispatcher, "dispatcher"}, {Role::kStation, "station"},
    {Role::kDonor, "donor"}, {Role::kVolunteer, "volunteer"},
};

}  // namespace

StatusOr<Role> ParseRole(const std::string& role) {
  for (const auto& [r, name] : kRoleNames) {
    if (role == name) return r;
  }
  return Internal("unknown role in the tokens or users table");
}

const char* RoleName(Role role) {
  // The names are literals: data() is null-terminated.
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name.data();
  }
  return "unknown";
}

Status MayIssueRole(const Principal& p, std::string_view role) {
  if (p.role == Role::kAdmin || role == "volunteer") return Status::Ok();
  return Status(Code::kPermissionDenied, "a dispatcher issues volunteer tokens and users only",
                "role");
}

std::string NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: cannot issue tokens
  return Hex(bytes, sizeof bytes);
}

std::string Sha256Hex(std::string_view bytes) {
  // Fetched once: OpenSSL 3 looks EVP_sha256() up again on every call, which
  // costs more than hashing a token. (A digest context kept per thread
  // would save an allocation, but a thread_local holding OpenSSL memory
  // reads as a leak to LeakSanitizer on glibc 2.36: the fuzzer stopped on it.)
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (sha256 == nullptr ||
      EVP_Digest(bytes.data(), bytes.size(), digest, &len, sha256, nullptr) != 1) {
    std::abort();  // no SHA-256: no token could ever be checked
  }
  return Hex(digest, len);
}

std::string HashToken(std::string_view token) { return Sha256Hex(token); }

StatusOr<Principal> Authenticate(store::Database& db, std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.empty()) return Unauthenticated("missing Authorization: Bearer token");
  // The scheme name is case-insensitive (RFC 7235); the token is not.
  const size_t space = authorization.find(' ');
  bool bearer = space == kScheme.size();
  for (size_t i = 0; bearer && i < kScheme.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(authorization[i])) == kScheme[i];
  }
  const std::string_view token =
      bearer ? text::Trim(authorization.substr(space + 1)) : std::string_view();
  if (token.empty()) return Unauthenticated("Authorization header must be 'Bearer <token>'");
  const std::string hash = HashToken(token);
  // The lookup is by hash, so its timing reveals nothing useful about the
  // token (an attacker cannot steer the SHA-256 of a guess). The index
  // compares bytes with memcmp, though, so the hash is compared again here in
  // constant time before it is trusted. No cache: every request reads the
  // tokens table, so a revocation takes effect at the next request.
  auto found = store::FindTokenByHash(db, hash);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Unauthenticated("invalid or revoked token");
  const store::TokenRecord& t = **found;
  if (t.hash.size() != hash.size() || CRYPTO_memcmp(t.hash.data(), hash.data(), hash.size()) != 0) {
    return Unauthenticated("invalid or revoked token");
  }
  StatusOr<Role> role = ParseRole(t.role);
  if (!role.ok()) return role.status();
  Principal p;
  p.token_id = t.id;
  p.role = *role;
  p.station_id = t.station_id;
  p.donor_id = t.donor_id;
  p.display_name = t.label;
  return p;
}

Status EnsureAdminToken(store::Store& store, const std::string& token) {
  const std::string hash = HashToken(token);
  return store.Write([&](store::Database& db) -> Status {
    auto found = store::FindTokenByHash(db, hash);
    if (!found.ok()) return found.status();
    if (found->has_value()) {
      if ((*found)->role != "admin")
        return FailedPrecondition("admin token file holds a non-admin token");
      return Status::Ok();
    }
    store::TokenRecord t;
    t.hash = hash;
    t.role = "admin";
    t.label = "admin (token file)";
    auto inserted = store::InsertToken(db, t, store::Actor{0, "system"});
    if (inserted.status().code() == Code::kConflict) {
      // The hash is stored but not live: the token was revoked.
      return FailedPrecondition(
          "the admin token in the token file was revoked; remove the file "
          "to have a new one created");
    }
    return inserted.ok() ? Status::Ok() : inserted.status();
  });
}

}  // namespace aidlink::api
