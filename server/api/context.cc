#include "api/context.h"

#include "aidlink/v1/errors.pb.h"
#include "api/codec.h"
#include "api/errors.h"
#include "store/accounts.h"
#include "store/repo.h"
#include "util/logging.h"
#include "util/text.h"

namespace aidlink::api {
namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

StatusOr<int64_t> ParsePositive(const std::string& s, const std::string& field) {
  if (s.empty() || s.size() > 18)
    return InvalidArgument(field + " must be a positive integer", field);
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return InvalidArgument(field + " must be a positive integer", field);
    v = v * 10 + (c - '0');
  }
  if (v < 1) return InvalidArgument(field + " must be a positive integer", field);
  return v;
}

}  // namespace

Context::Context(store::Store& store, const Request& request, std::string path,
                 std::map<std::string, std::string> query)
    : store_(store), request_(request), path_(std::move(path)), query_(std::move(query)) {}

bool Context::binary_request() const { return Contains(request_.content_type, kProtobuf); }
bool Context::binary_response() const {
  return Contains(request_.accept, kProtobuf) || (request_.accept.empty() && binary_request());
}

Status Context::Decode(google::protobuf::Message* msg) const {
  if (binary_request()) return DecodeBinary(request_.body, msg);
  // An empty body is an empty object: actions such as :dispatch take {}.
  if (text::Trim(request_.body).empty()) return Status::Ok();
  return DecodeJson(request_.body, msg);
}

Status Context::DecodePatch(google::protobuf::Message* patch) const {
  if (binary_request()) return DecodeBinary(request_.body, patch);
  const auto* desc = patch->GetDescriptor();
  const auto* mask = desc->FindFieldByName("update_mask");
  const auto* set = desc->FindFieldByName("set");
  const auto* reflection = patch->GetReflection();
  if (text::Trim(request_.body).empty()) return Status::Ok();
  std::vector<std::string> keys;
  AIDLINK_RETURN_IF_ERROR(DecodeJson(request_.body, reflection->MutableMessage(patch, set), &keys));
  for (std::string& key : keys) reflection->AddString(patch, mask, std::move(key));
  return Status::Ok();
}

StatusOr<std::optional<int64_t>> Context::IfMatch() const {
  std::string_view v = text::Trim(request_.if_match);
  if (v.empty() || v == "*") return std::optional<int64_t>();
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  StatusOr<int64_t> version = ParsePositive(std::string(v), "If-Match");
  if (!version.ok()) {
    return InvalidArgument("If-Match must be the version of the object last read", "If-Match");
  }
  return std::optional<int64_t>(*version);
}

std::string Context::Query(const std::string& name) const {
  auto it = query_.find(name);
  return it == query_.end() ? "" : it->second;
}

StatusOr<std::optional<int64_t>> Context::QueryId(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end() || it->second.empty()) return std::optional<int64_t>();
  StatusOr<int64_t> v = ParsePositive(it->second, name);
  if (!v.ok()) return v.status();
  return std::optional<int64_t>(*v);
}

StatusOr<store::Page> Context::PageParams() const {
  store::Page page;
  int64_t size = 50;
  auto ps = query_.find("page_size");
  if (ps != query_.end() && !ps->second.empty()) {
    StatusOr<int64_t> v = ParsePositive(ps->second, "page_size");
    if (!v.ok() || *v > 1000)
      return InvalidArgument("page_size must be between 1 and 1000", "page_size");
    size = *v;
  }
  auto pt = query_.find("page_token");
  if (pt != query_.end() && !pt->second.empty()) {
    // "<id>", or "<key>_<id>" for a list ordered by a key first (NextPageToken).
    const size_t sep = pt->second.rfind('_');
    const bool keyed = sep != std::string::npos;
    StatusOr<int64_t> v =
        ParsePositive(keyed ? pt->second.substr(sep + 1) : pt->second, "page_token");
    if (!v.ok() || sep == 0)
      return InvalidArgument("page_token is not one this server issued", "page_token");
    page.after_id = *v;
    if (keyed) page.after_key = pt->second.substr(0, sep);
  }
  // One extra row tells whether another page follows.
  page.limit = static_cast<int>(size) + 1;
  return page;
}

Response Context::Reply(int status, const google::protobuf::Message& msg) const {
  Response r;
  r.status = status;
  if (binary_response()) {
    r.content_type = std::string(kProtobuf);
    r.body = msg.SerializeAsString();
  } else {
    r.content_type = "application/json";
    r.body = EncodeJson(msg);
  }
  // An editable object's version as its entity tag, for If-Match.
  const auto* version = msg.GetDescriptor()->FindFieldByName("version");
  if (version != nullptr &&
      version->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64 &&
      !version->is_repeated()) {
    const int64_t v = msg.GetReflection()->GetInt64(msg, version);
    if (v > 0) r.headers.emplace_back("ETag", "\"" + std::to_string(v) + "\"");
  }
  return r;
}

Response Context::Error(const Status& status) const {
  return ErrorResponse(status, binary_response());
}

Response Context::Defer(int status, std::shared_ptr<google::protobuf::Message> out,
                        store::Store::WriteFn write, bool alone) {
  // Unauthenticated writes (a login) have no caller to scope a key to, and
  // a replay could not hand out the session again: they ignore the key.
  const std::string key = authenticated() ? request_.idempotency_key : "";
  if (key.size() > 255) {
    return Error(
        InvalidArgument("Idempotency-Key must be at most 255 characters", "Idempotency-Key"));
  }
  const std::string hash =
      key.empty() ? "" : Sha256Hex(request_.method + " " + request_.target + "\n" + request_.body);
  // Filled on the writer thread inside the transaction; read by `answer`
  // after it (the store's queue orders the two).
  auto response = std::make_shared<Response>();
  auto fn = [this, status, out, write = std::move(write), response, hash, saved_key = key,
             redact = std::move(redact_)](store::Database& db) -> Status {
    if (authenticated()) {
      // Checked again in the write's own transaction: a token revoked, a
      // user disabled or a session ended while this write waited in the
      // queue changes nothing.
      StatusOr<bool> live =
          store::CallerStillLive(db, principal().token_id, principal().session_id);
      if (!live.ok()) return live.status();
      if (!*live) return Unauthenticated("the caller's token or session was revoked");
    }
    if (!saved_key.empty()) {
      auto saved = store::FindSavedResponse(db, principal().idempotency_scope(), saved_key,
                                            store_.IdempotencyCutoff());
      if (!saved.ok()) return saved.status();
      if (saved->has_value()) {
        const store::SavedResponse& prior = **saved;
        if (prior.request_hash != hash) {
          return FailedPrecondition("Idempotency-Key was already used with a different request",
                                    "Idempotency-Key");
        }
        response->status = prior.status;
        response->content_type = prior.content_type;
        response->body = prior.body;
        // Lets a client tell a replay from a first answer (e.g. an importer).
        response->headers.emplace_back("Idempotent-Replayed", "true");
        return Status::Ok();
      }
    }
    AIDLINK_RETURN_IF_ERROR(write(db));
    *response = Reply(status, *out);
    if (saved_key.empty()) return Status::Ok();
    std::string saved_body = response->body;
    if (redact) {
      std::unique_ptr<google::protobuf::Message> copy(out->New());
      copy->CopyFrom(*out);
      redact(*copy);
      saved_body = Reply(status, *copy).body;
    }
    return store::SaveResponse(db, principal().idempotency_scope(), saved_key,
                               {hash, response->status, response->content_type, saved_body});
  };
  auto answer = [this, response](const Status& s) {
    if (!s.ok()) return Error(s);
    for (const auto& header : headers_) response->headers.push_back(header);
    return std::move(*response);
  };
  deferred_ = DeferredWrite{std::move(fn), alone, std::move(answer)};
  // A placeholder: the router answers with `answer` once the write is done.
  return Response{};
}

Context::DeferredWrite Context::TakeDeferredWrite() {
  DeferredWrite d = std::move(*deferred_);
  deferred_.reset();
  return d;
}

}  // namespace aidlink::api
