// fuzz_codec: the api codec (api/codec.h) on every message a request body
// decodes into. The first byte picks the message (byte / 2, modulo the
// table below) and the format (odd: protobuf binary, even: JSON); the rest
// is the body.
//
// Properties, besides "no crash, leak or undefined behaviour":
//  - a refused body is kInvalidArgument naming a field (for binary: "body",
//    or the field whose double is not finite, as JSON cannot carry it);
//  - JSON: what decodes re-encodes to JSON that is valid UTF-8 and decodes
//    to the same message, and encoding is stable (encode, decode, encode
//    gives the same text); its binary form decodes to the same message;
//  - binary: what decodes has only finite doubles, re-serializes and decodes
//    to the same message, and its JSON form decodes to the same message;
//  - EncodeJson writes what Boost.JSON's serializer writes for the same
//    document (see CheckSerializerAgrees).
// "The same message" compares the binary serializations.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include <boost/json.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "aidlink/v1/accounts.pb.h"
#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "api/codec.h"
#include "fuzz/fuzz.h"
#include "util/text.h"

namespace aidlink::fuzz {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Every message a handler decodes a request body into. Append only: the
// seed corpus names messages by their index here.
const Message* const kMessages[] = {
    &v1::Token::default_instance(),            // 0  POST /v1/tokens
    &v1::Item::default_instance(),             // 1  POST /v1/items
    &v1::Donor::default_instance(),            // 2  POST /v1/donors
    &v1::Depot::default_instance(),            // 3  POST /v1/depots
    &v1::Station::default_instance(),          // 4  POST /v1/stations
    &v1::Requester::default_instance(),        // 5  POST /v1/requesters
    &v1::Lot::default_instance(),              // 6  POST /v1/lots
    &v1::Need::default_instance(),             // 7  POST /v1/needs
    &v1::WriteOffRequest::default_instance(),  // 8  POST /v1/lots/{id}:write_off
    &v1::CancelRequest::default_instance(),    // 9  POST /v1/needs/{id}:cancel, deliveries :cancel
    &v1::MatchRunRequest::default_instance(),  // 10 POST /v1/match/runs
    &v1::RouteRequest::default_instance(),     // 11 POST /v1/routes
    &v1::DeliverRequest::default_instance(),   // 12 POST /v1/deliveries/{id}:deliver
    &v1::FailRequest::default_instance(),      // 13 POST /v1/deliveries/{id}:fail
    &v1::ExpireRequest::default_instance(),    // 14 POST /v1/lots:expire
    &v1::CreateUserRequest::default_instance(),   // 15 POST /v1/users
    &v1::SetPasswordRequest::default_instance(),  // 16 POST /v1/users/{id}:set_password
    &v1::LoginRequest::default_instance(),        // 17 POST /v1/sessions
};
constexpr size_t kMessageCount = sizeof(kMessages) / sizeof(kMessages[0]);

std::unique_ptr<Message> New(const Message& prototype) {
  return std::unique_ptr<Message>(prototype.New());
}

// True if `pred` holds for every double of `msg`, nested messages included.
bool EveryDouble(const Message& msg, bool (*pred)(double)) {
  const auto* desc = msg.GetDescriptor();
  const auto* r = msg.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* fd = desc->field(i);
    if (fd->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
      if (fd->is_repeated()) {
        for (int k = 0; k < r->FieldSize(msg, fd); ++k) {
          if (!pred(r->GetRepeatedDouble(msg, fd, k))) return false;
        }
      } else if (!pred(r->GetDouble(msg, fd))) {
        return false;
      }
    } else if (fd->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (fd->is_repeated()) {
        for (int k = 0; k < r->FieldSize(msg, fd); ++k) {
          if (!EveryDouble(r->GetRepeatedMessage(msg, fd, k), pred)) return false;
        }
      } else if (r->HasField(msg, fd) && !EveryDouble(r->GetMessage(msg, fd), pred)) {
        return false;
      }
    }
  }
  return true;
}

bool AllFinite(const Message& msg) {
  return EveryDouble(msg, [](double d) { return std::isfinite(d); });
}

// EncodeJson writes JSON itself; it must write exactly what Boost.JSON's
// serializer writes for the same document (the encoder it replaced), so a
// parse and re-serialization gives the same text. Only without doubles
// other than 0: Boost.JSON 1.81 reads some decimals one ulp off.
void CheckSerializerAgrees(const Message& msg, const std::string& json) {
  if (!EveryDouble(msg, [](double d) { return d == 0; })) return;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(json, ec);
  AIDLINK_FUZZ_CHECK(!ec, "EncodeJson wrote text Boost.JSON cannot parse", json);
  AIDLINK_FUZZ_CHECK(boost::json::serialize(parsed) == json,
                     "EncodeJson differs from Boost.JSON's serializer", json);
}

void CheckRefusal(const Status& s, std::string_view body) {
  AIDLINK_FUZZ_CHECK(s.code() == Code::kInvalidArgument,
                     "a refused body that is not kInvalidArgument", s.ToString());
  AIDLINK_FUZZ_CHECK(!s.field().empty(), "a refused body without a field", s.ToString());
  AIDLINK_FUZZ_CHECK(!s.message().empty(), "a refused body without a message", body);
}

// `json` must decode into a fresh `prototype` equal to `expected`.
void CheckJsonDecodesTo(const Message& expected, const std::string& json, const char* what) {
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(json), "EncodeJson wrote invalid UTF-8", json);
  CheckSerializerAgrees(expected, json);
  auto again = New(expected);
  const Status s = api::DecodeJson(json, again.get());
  AIDLINK_FUZZ_CHECK(s.ok(), what, s.ToString() + " for " + json);
  AIDLINK_FUZZ_CHECK(
      again->SerializeAsString() == expected.SerializeAsString(), what,
      expected.ShortDebugString() + " != " + again->ShortDebugString() + " via " + json);
}

// `expected`'s binary form must decode to `expected`.
void CheckBinaryRoundTrip(const Message& expected, const char* what) {
  const std::string bytes = expected.SerializeAsString();
  auto again = New(expected);
  const Status s = api::DecodeBinary(bytes, again.get());
  AIDLINK_FUZZ_CHECK(s.ok(), what, s.ToString() + " for " + expected.ShortDebugString());
  AIDLINK_FUZZ_CHECK(again->SerializeAsString() == bytes, what,
                     expected.ShortDebugString() + " != " + again->ShortDebugString());
}

}  // namespace

void FuzzOneInput(const uint8_t* data, size_t size) {
  // Protobuf logs every string that is not UTF-8; the fuzzer makes many.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  if (size == 0) return;
  const Message& prototype = *kMessages[(data[0] / 2) % kMessageCount];
  const bool binary = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto msg = New(prototype);
  if (binary) {
    const Status s = api::DecodeBinary(body, msg.get());
    if (!s.ok()) {
      CheckRefusal(s, body);
      if (s.field() != "body") {
        // Well-formed protobuf refused for a NaN or an infinity, named by field.
        auto parsed = New(prototype);
        AIDLINK_FUZZ_CHECK(parsed->ParseFromArray(body.data(), static_cast<int>(body.size())) &&
                               !AllFinite(*parsed),
                           "a refused binary body blamed on a field, not on body", s.ToString());
      }
      return;
    }
    AIDLINK_FUZZ_CHECK(AllFinite(*msg), "DecodeBinary accepted a non-finite number",
                       msg->ShortDebugString());
    // Unknown fields survive a binary round trip but not a JSON one, and no
    // handler reads them.
    msg->DiscardUnknownFields();
    CheckBinaryRoundTrip(*msg, "a decoded binary message does not survive re-serialization");
    CheckJsonDecodesTo(*msg, api::EncodeJson(*msg),
                       "a decoded binary message does not survive a trip through JSON");
    return;
  }

  const Status s = api::DecodeJson(body, msg.get());
  if (!s.ok()) {
    CheckRefusal(s, body);
    return;
  }
  AIDLINK_FUZZ_CHECK(AllFinite(*msg), "DecodeJson accepted a non-finite number",
                     msg->ShortDebugString());
  const std::string json = api::EncodeJson(*msg);
  CheckJsonDecodesTo(*msg, json, "a decoded JSON message does not survive re-encoding");
  auto again = New(prototype);
  (void)api::DecodeJson(json, again.get());
  AIDLINK_FUZZ_CHECK(api::EncodeJson(*again) == json, "EncodeJson is not stable", json);
  CheckBinaryRoundTrip(*msg, "a decoded JSON message does not survive a trip through binary");
}

}  // namespace aidlink::fuzz
