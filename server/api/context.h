#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/accounts.h"
#include "api/auth.h"
#include "api/http.h"
#include "store/database.h"
#include "store/model.h"
#include "store/store.h"
#include "util/status.h"

namespace aidlink::api {

// Everything a handler needs for one request: the parsed request, the
// caller, the store, and helpers to decode the body and encode answers in
// the negotiated format (JSON, or protobuf binary). Lives for one request;
// not shared between threads.
class Context {
 public:
  Context(store::Store& store, const Request& request, std::string path,
          std::map<std::string, std::string> query);

  // Runs `fn` on the request's read transaction: the router authenticates
  // in it and the handler's reads share it (one reader connection and one
  // snapshot per request). The router ends it when the handler returns.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<store::Database&>())) {
    return read_.Run(std::forward<Fn>(fn));
  }
  void EndRead() { read_.End(); }
  const Request& request() const { return request_; }
  // The store's configuration (flags such as --outcome-correction-hours).
  const store::Store& store() const { return store_; }
  const Principal& principal() const { return *principal_; }
  void set_principal(Principal p) { principal_ = p; }
  bool authenticated() const { return principal_.has_value(); }

  // The router's account settings, clock and login throttle.
  Accounts& accounts() const { return *accounts_; }
  void set_accounts(Accounts* accounts) { accounts_ = accounts; }

  // The {id} of the route, set by the router.
  int64_t id() const { return id_; }
  void set_id(int64_t id) { id_ = id; }

  // Decodes the body (JSON or protobuf by Content-Type) into `msg`.
  Status Decode(google::protobuf::Message* msg) const;

  // Decodes a PATCH body into `patch`, a *Patch message of requests.proto
  // (update_mask + set): from JSON, the object goes into `set` and its keys
  // into update_mask; protobuf carries both.
  Status DecodePatch(google::protobuf::Message* patch) const;
  // The version of If-Match (5, "5" or W/"5"), or nullopt when absent or
  // "*"; kInvalidArgument naming If-Match otherwise.
  StatusOr<std::optional<int64_t>> IfMatch() const;

  // A query parameter, or "" if absent.
  std::string Query(const std::string& name) const;
  // An optional positive integer query parameter; kInvalidArgument if it is
  // present but not one.
  StatusOr<std::optional<int64_t>> QueryId(const std::string& name) const;
  // page_size (1..1000, default 50) and page_token.
  StatusOr<store::Page> PageParams() const;

  // Encodes `msg` in the negotiated format with `status`.
  Response Reply(int status, const google::protobuf::Message& msg) const;
  // The error body of API.md for a non-ok status.
  Response Error(const Status& status) const;

  // Runs `write` in one store transaction, after the handler returns: the
  // handler answers with the Response this returns, and the router sends
  // the real answer once the write is durable — `status` with the `Msg`
  // that `write` fills, or the error `write` returned. No thread waits for
  // the commit meanwhile. `write` runs on the store's writer thread, so it
  // must own what it uses (capture the decoded request by value); the
  // context itself stays alive until the answer is sent.
  // With an Idempotency-Key the answer is saved in the same transaction and
  // a retry gets it back without writing again; the same key with another
  // body is kFailedPrecondition.
  // With `alone`, the write gets a transaction of its own (see
  // Store::WriteAlone): for very large writes.
  template <typename Msg>
  Response Commit(int status, std::function<Status(store::Database&, Msg&)> write,
                  bool alone = false) {
    auto out = std::make_shared<Msg>();
    return Defer(
        status, out,
        [write = std::move(write), out](store::Database& db) { return write(db, *out); }, alone);
  }

  // A header for the answer of a Commit once the write succeeded
  // (Set-Cookie), added to the saved answer of a replay as well.
  void AddHeaderOnSuccess(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
  }

  // The write a handler deferred with Commit, taken by the router.
  struct DeferredWrite {
    store::Store::WriteFn write;
    bool alone = false;
    // The answer once the store has run `write` and reports `status`.
    std::function<Response(const Status& status)> answer;
  };
  bool has_deferred_write() const { return deferred_.has_value(); }
  DeferredWrite TakeDeferredWrite();

  // For answers that carry a secret (a new token): `redact` turns the
  // answer into the form saved for Idempotency-Key replays, so the secret
  // is shown once and never stored. Call before Commit.
  using Redact = std::function<void(google::protobuf::Message&)>;
  void RedactOnReplay(Redact redact) { redact_ = std::move(redact); }

 private:
  bool binary_request() const;
  bool binary_response() const;
  Response Defer(int status, std::shared_ptr<google::protobuf::Message> out,
                 store::Store::WriteFn write, bool alone);

  store::Store& store_;
  store::ReadSession read_{store_};
  const Request& request_;
  std::string path_;
  std::map<std::string, std::string> query_;
  std::optional<Principal> principal_;
  Accounts* accounts_ = nullptr;
  int64_t id_ = 0;
  std::optional<DeferredWrite> deferred_;
  Redact redact_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

// The next_page_token for a page of `rows` fetched with limit+1: empty when
// this is the last page. Trims `rows` to the page size.
template <typename T>
std::string NextPageToken(std::vector<T>& rows, const store::Page& page) {
  if (static_cast<int>(rows.size()) <= page.limit - 1) return "";
  rows.resize(static_cast<size_t>(page.limit - 1));
  return std::to_string(rows.back().id);
}

// The same for a list ordered by `key(row)` (text without '_'), then id:
// "<key>_<id>", which PageParams reads into after_key and after_id.
template <typename T, typename Key>
std::string NextPageToken(std::vector<T>& rows, const store::Page& page, Key key) {
  std::string token = NextPageToken(rows, page);
  return token.empty() ? token : key(rows.back()) + "_" + token;
}

}  // namespace aidlink::api
