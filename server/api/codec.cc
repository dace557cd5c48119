#include "api/codec.h"

#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace aidlink::api {
namespace {

namespace json = boost::json;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Path(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

Status TypeError(const std::string& field, const char* expected) {
  return InvalidArgument(field + " must be " + expected, field);
}

// An int64 from a JSON number without fraction, or a string of digits.
Status ReadInt64(const json::value& v, const std::string& field, int64_t* out) {
  if (v.is_int64()) {
    *out = v.as_int64();
    return Status::Ok();
  }
  if (v.is_uint64()) return InvalidArgument(field + " is out of range", field);
  if (v.is_double()) {
    const double d = v.as_double();
    if (std::floor(d) == d && std::fabs(d) < 9.0e15) {
      *out = static_cast<int64_t>(d);
      return Status::Ok();
    }
    return TypeError(field, "an integer");
  }
  if (v.is_string()) {
    const json::string& s = v.as_string();
    if (s.empty() || s.size() > 20) return TypeError(field, "an integer");
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return TypeError(field, "an integer");
    for (size_t k = i; k < s.size(); ++k) {
      if (s[k] < '0' || s[k] > '9') return TypeError(field, "an integer");
    }
    errno = 0;
    const long long parsed = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == ERANGE) return InvalidArgument(field + " is out of range", field);
    *out = parsed;
    return Status::Ok();
  }
  return TypeError(field, "an integer");
}

Status ReadDouble(const json::value& v, const std::string& field, double* out) {
  if (v.is_int64()) *out = static_cast<double>(v.as_int64());
  else if (v.is_uint64()) *out = static_cast<double>(v.as_uint64());
  else if (v.is_double()) *out = v.as_double();
  else return TypeError(field, "a number");
  if (!std::isfinite(*out)) return TypeError(field, "a finite number");
  return Status::Ok();
}

Status DecodeObject(const json::object& obj, Message* msg, const std::string& prefix);

Status DecodeScalar(const json::value& v, const FieldDescriptor* fd, Message* msg,
                    const std::string& field) {
  const Reflection* r = msg->GetReflection();
  const bool rep = fd->is_repeated();
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t x = 0;
      AIDLINK_RETURN_IF_ERROR(ReadInt64(v, field, &x));
      rep ? r->AddInt64(msg, fd, x) : r->SetInt64(msg, fd, x);
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int64_t x = 0;
      AIDLINK_RETURN_IF_ERROR(ReadInt64(v, field, &x));
      if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
        return InvalidArgument(field + " is out of range", field);
      }
      rep ? r->AddInt32(msg, fd, static_cast<int32_t>(x))
          : r->SetInt32(msg, fd, static_cast<int32_t>(x));
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double x = 0;
      AIDLINK_RETURN_IF_ERROR(ReadDouble(v, field, &x));
      rep ? r->AddDouble(msg, fd, x) : r->SetDouble(msg, fd, x);
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (!v.is_bool()) return TypeError(field, "true or false");
      rep ? r->AddBool(msg, fd, v.as_bool()) : r->SetBool(msg, fd, v.as_bool());
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      if (!v.is_string()) return TypeError(field, "a string");
      std::string s(v.as_string().data(), v.as_string().size());
      rep ? r->AddString(msg, fd, std::move(s)) : r->SetString(msg, fd, std::move(s));
      return Status::Ok();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!v.is_object()) return TypeError(field, "an object");
      Message* sub = rep ? r->AddMessage(msg, fd) : r->MutableMessage(msg, fd);
      return DecodeObject(v.as_object(), sub, field);
    }
    default:
      return InvalidArgument(field + " has an unsupported type", field);
  }
}

Status DecodeObject(const json::object& obj, Message* msg, const std::string& prefix) {
  const auto* desc = msg->GetDescriptor();
  for (const auto& kv : obj) {
    const std::string name(kv.key());
    const FieldDescriptor* fd = desc->FindFieldByName(name);
    if (fd == nullptr || kv.value().is_null()) continue;
    const std::string field = Path(prefix, name);
    if (fd->is_repeated()) {
      if (!kv.value().is_array()) return TypeError(field, "a list");
      for (const json::value& element : kv.value().as_array()) {
        AIDLINK_RETURN_IF_ERROR(DecodeScalar(element, fd, msg, field));
      }
    } else {
      AIDLINK_RETURN_IF_ERROR(DecodeScalar(kv.value(), fd, msg, field));
    }
  }
  return Status::Ok();
}

json::value EncodeScalar(const Message& msg, const FieldDescriptor* fd, int index) {
  const Reflection* r = msg.GetReflection();
  const bool rep = index >= 0;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(msg, fd, index) : r->GetInt64(msg, fd);
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(msg, fd, index) : r->GetInt32(msg, fd);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r->GetRepeatedDouble(msg, fd, index) : r->GetDouble(msg, fd);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(msg, fd, index) : r->GetBool(msg, fd);
    case FieldDescriptor::CPPTYPE_STRING:
      return json::string(rep ? r->GetRepeatedString(msg, fd, index) : r->GetString(msg, fd));
    default:
      return nullptr;
  }
}

json::object EncodeObject(const Message& msg) {
  json::object out;
  const auto* desc = msg.GetDescriptor();
  const Reflection* r = msg.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* fd = desc->field(i);
    if (fd->is_repeated()) {
      json::array arr;
      for (int k = 0; k < r->FieldSize(msg, fd); ++k) {
        if (fd->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          arr.push_back(EncodeObject(r->GetRepeatedMessage(msg, fd, k)));
        } else {
          arr.push_back(EncodeScalar(msg, fd, k));
        }
      }
      out[fd->name()] = std::move(arr);
    } else if (fd->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (r->HasField(msg, fd)) out[fd->name()] = EncodeObject(r->GetMessage(msg, fd));
    } else if (!fd->has_presence() || r->HasField(msg, fd)) {
      out[fd->name()] = EncodeScalar(msg, fd, -1);
    }
  }
  return out;
}

}  // namespace

Status DecodeJson(std::string_view body, Message* msg) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec,
                              json::storage_ptr(), options);
  if (ec) return InvalidArgument("body is not valid JSON (" + ec.message() + ")", "body");
  if (!v.is_object()) return InvalidArgument("body must be a JSON object", "body");
  return DecodeObject(v.as_object(), msg, "");
}

std::string EncodeJson(const Message& msg) { return json::serialize(EncodeObject(msg)); }

Status DecodeBinary(std::string_view body, Message* msg) {
  if (!msg->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return InvalidArgument("body is not a valid protobuf message", "body");
  }
  return Status::Ok();
}

}  // namespace aidlink::api
