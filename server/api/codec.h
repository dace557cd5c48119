#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

// JSON <-> protobuf by reflection, following the proto3 JSON mapping with
// the original snake_case names, except that 64-bit integers are written as
// JSON numbers (they are read as numbers or strings). Errors name the field.
namespace aidlink::api {

// Fills `msg` from a JSON object. Unknown fields are ignored, null means
// absent. kInvalidArgument with `field` set (e.g. "earmark.districts") on a
// wrong type, and with field "body" if the body is not a JSON object.
// With `keys`, it also receives the object's top-level keys in body order,
// unknown and null ones included (a merge-patch's field list).
Status DecodeJson(std::string_view body, google::protobuf::Message* msg,
                  std::vector<std::string>* keys = nullptr);

// Every field of `msg` as JSON: scalars always (zero values included),
// optional scalars and sub-messages only when set.
std::string EncodeJson(const google::protobuf::Message& msg);
// As EncodeJson, but only `fields` of `msg` (unset optional ones left out).
std::string EncodeJsonFields(const google::protobuf::Message& msg,
                             const std::vector<const google::protobuf::FieldDescriptor*>& fields);

// Parses protobuf binary; kInvalidArgument (field "body") if malformed.
Status DecodeBinary(std::string_view body, google::protobuf::Message* msg);

}  // namespace aidlink::api
