#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "util/status.h"

// JSON <-> protobuf by reflection, following the proto3 JSON mapping with
// the original snake_case names, except that 64-bit integers are written as
// JSON numbers (they are read as numbers or strings). Errors name the field.
namespace aidlink::api {

// Fills `msg` from a JSON object. Unknown fields are ignored, null means
// absent. kInvalidArgument with `field` set (e.g. "earmark.districts") on a
// wrong type, and with field "body" if the body is not a JSON object.
Status DecodeJson(std::string_view body, google::protobuf::Message* msg);

// Every field of `msg` as JSON: scalars always (zero values included),
// optional scalars and sub-messages only when set.
std::string EncodeJson(const google::protobuf::Message& msg);

// Parses protobuf binary; kInvalidArgument (field "body") if malformed.
Status DecodeBinary(std::string_view body, google::protobuf::Message* msg);

}  // namespace aidlink::api
