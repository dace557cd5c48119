#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace aidlink {

// Canonical error codes, as in absl::StatusCode, restricted to the ones the
// API maps to HTTP (see api/errors.cc, the only place that mapping lives).
enum class Code {
  kOk,
  kInvalidArgument,      // 400
  kUnauthenticated,      // 401
  kPermissionDenied,     // 403
  kNotFound,             // 404
  kMethodNotAllowed,     // 405
  kConflict,             // 409
  kPayloadTooLarge,      // 413
  kHeadersTooLarge,      // 431 (named invalid_argument in the error body)
  kFailedPrecondition,   // 422
  kResourceExhausted,    // 429
  kInternal,             // 500
  kUnimplemented,        // 501
  kUnavailable,          // 503: try again later (Retry-After)
  kTooManyConnections,   // 503, named resource_exhausted: the connection cap
  kInsufficientStorage,  // 507: the disk is full
};

// Returns the snake_case name used in the API's error body, e.g.
// "invalid_argument".
const char* CodeName(Code code);

// The outcome of an operation: ok, or a code, a human-readable message and
// optionally the request field it concerns. Cheap to copy when ok.
// Thread-compatible.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = "")
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }

  // "invalid_argument: quantity must be positive (field quantity)".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

inline Status InvalidArgument(std::string message, std::string field = "") {
  return Status(Code::kInvalidArgument, std::move(message), std::move(field));
}
inline Status NotFound(std::string message, std::string field = "") {
  return Status(Code::kNotFound, std::move(message), std::move(field));
}
inline Status PermissionDenied(std::string message) {
  return Status(Code::kPermissionDenied, std::move(message));
}
inline Status Unauthenticated(std::string message) {
  return Status(Code::kUnauthenticated, std::move(message));
}
inline Status Conflict(std::string message, std::string field = "") {
  return Status(Code::kConflict, std::move(message), std::move(field));
}
inline Status FailedPrecondition(std::string message, std::string field = "") {
  return Status(Code::kFailedPrecondition, std::move(message), std::move(field));
}
inline Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }
inline Status Unavailable(std::string message) {
  return Status(Code::kUnavailable, std::move(message));
}

// Either a value or a non-ok Status. Accessing value() of a non-ok StatusOr
// is a programming error (asserted).
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit
    assert(!status_.ok());
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace aidlink

// Propagates a non-ok Status from an expression returning Status.
#define AIDLINK_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::aidlink::Status aidlink_status_ = (expr);        \
    if (!aidlink_status_.ok()) return aidlink_status_; \
  } while (0)
