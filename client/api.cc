#include "api.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "json_util.h"
#include "url.h"
#include "util/text.h"

namespace aidlink::client {

namespace json = boost::json;

namespace {

const json::object* ErrorObject(const json::value& body) {
  if (!body.is_object()) return nullptr;
  const json::value* error = body.get_object().if_contains("error");
  return error && error->is_object() ? &error->get_object() : nullptr;
}

std::string ErrorString(const json::value& body, std::string_view key) {
  const json::object* error = ErrorObject(body);
  if (!error) return "";
  const json::value* v = error->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

}  // namespace

std::string ApiReply::ErrorCode() const { return ErrorString(json, "code"); }

std::string ApiReply::ErrorField() const { return ErrorString(json, "field"); }

std::string ApiReply::ErrorMessage() const {
  std::string message = ErrorString(json, "message");
  if (!message.empty()) return message;
  std::string_view snippet = text::Trim(raw);
  std::string out = "HTTP " + std::to_string(http_status);
  if (!snippet.empty()) out += ": " + text::TruncateToWidth(snippet, 200);
  return out;
}

std::string ApiReply::ErrorText() const {
  std::string out = ErrorMessage();
  const std::string field = ErrorField();
  if (!field.empty()) out += " (field " + field + ")";
  return out;
}

StatusOr<ApiReply> ApiClient::Get(std::string_view target) { return Call("GET", target, "", {}); }

StatusOr<ApiReply> ApiClient::Post(std::string_view target, const json::value& body,
                                   std::string_view idempotency_key) {
  return Call("POST", target, json::serialize(body), idempotency_key);
}

StatusOr<ApiReply> ApiClient::Patch(std::string_view target, const json::value& body,
                                    std::string_view if_match) {
  return Call("PATCH", target, json::serialize(body), {}, if_match);
}

StatusOr<ApiReply> ApiClient::Delete(std::string_view target) {
  return Call("DELETE", target, "", {});
}

StatusOr<ApiReply> ApiClient::Call(std::string_view method, std::string_view target,
                                   std::string body, std::string_view idempotency_key,
                                   std::string_view if_match) {
  Headers headers;
  if (!token_.empty()) {
    headers.emplace_back("Authorization", "Bearer " + token_);
  } else if (!cookie_.empty()) {
    headers.emplace_back("Cookie", cookie_);
  }
  if (method != "GET" && method != "HEAD") headers.emplace_back("X-Aidlink-CSRF", "1");
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
  auto response = http_->Send(method, target, headers, std::move(body));
  if (!response.ok()) return response.status();
  ApiReply reply;
  reply.http_status = response->status;
  reply.raw = std::move(response->body);
  reply.set_cookie = response->Header("set-cookie");
  json::error_code ec;
  json::value parsed = json::parse(reply.raw, ec);
  if (!ec) reply.json = std::move(parsed);
  // Servers name this header differently; accept the common spellings.
  for (const char* name :
       {"idempotent-replayed", "idempotency-replayed", "x-idempotent-replayed"}) {
    std::string v = response->Header(name);
    std::transform(v.begin(), v.end(), v.begin(), [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    if (v == "true" || v == "1" || v == "yes") reply.replayed = true;
  }
  return reply;
}

StatusOr<ListResult> ApiClient::List(std::string_view path,
                                     std::vector<std::pair<std::string, std::string>> query,
                                     size_t limit) {
  ListResult result;
  std::string page_token;
  // A server that keeps handing out the same token would loop forever.
  for (int page = 0; page < 100000; ++page) {
    auto q = query;
    const size_t want = limit > 0 ? std::min<size_t>(limit - result.items.size(), 100) : 100;
    q.emplace_back("page_size", std::to_string(want));
    q.emplace_back("page_token", page_token);
    auto reply = Get(WithQuery(path, q));
    if (!reply.ok()) return reply.status();
    if (!reply->ok()) {
      result.failure = std::move(*reply);
      return result;
    }
    const json::value& body = reply->json;
    const json::value* items = body.is_object() ? body.get_object().if_contains("items") : nullptr;
    if (items && items->is_array()) {
      for (const auto& item : items->get_array()) {
        result.items.push_back(item);
        if (limit > 0 && result.items.size() >= limit) break;
      }
    }
    std::string next = FieldText(body, "next_page_token");
    if (next.empty() || next == page_token) return result;
    if (limit > 0 && result.items.size() >= limit) {
      result.next_page_token = std::move(next);
      return result;
    }
    page_token = std::move(next);
  }
  return result;
}

}  // namespace aidlink::client
