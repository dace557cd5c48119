#include "api/password.h"

#include <sodium.h>

#include <cstdlib>

#include "api/auth.h"

namespace aidlink::api {
namespace {

// sodium_init is thread-safe and idempotent; run it once before any use.
void InitSodium() {
  static const int ready = sodium_init();
  if (ready < 0) std::abort();  // no usable libsodium: no password could be checked
}

}  // namespace

StatusOr<std::string> HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("cannot hash the password (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& DummyPasswordHash() {
  static const std::string dummy = [] {
    StatusOr<std::string> h = HashPassword(NewToken());
    if (!h.ok()) std::abort();
    return *h;
  }();
  return dummy;
}

}  // namespace aidlink::api
