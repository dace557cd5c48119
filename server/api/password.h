#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

// Password hashing: Argon2id through libsodium's crypto_pwhash_str, with its
// "interactive" limits (2 passes over 64 MiB: tens of milliseconds and 64 MiB
// of memory per hash, so run it off the I/O threads). The hash string holds
// its own salt and parameters. Thread-safe.
namespace aidlink::api {

// The "$argon2id$..." string of `password`; kInternal if libsodium cannot
// run (out of memory).
StatusOr<std::string> HashPassword(std::string_view password);

// Whether `password` matches `hash` (in the time a hash takes, whatever the
// outcome). False for a hash that is not one of HashPassword's.
bool VerifyPassword(const std::string& hash, std::string_view password);

// A hash of a random password no one knows, computed once: a login for an
// unknown username is checked against it, so that it takes as long as a
// wrong password for a known one.
const std::string& DummyPasswordHash();

}  // namespace aidlink::api
