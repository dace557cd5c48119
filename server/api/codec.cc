#include "api/codec.h"

#include <array>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

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
  if (v.is_int64())
    *out = static_cast<double>(v.as_int64());
  else if (v.is_uint64())
    *out = static_cast<double>(v.as_uint64());
  else if (v.is_double())
    *out = v.as_double();
  else
    return TypeError(field, "a number");
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

// Builds a json::value as Boost.JSON's own parser does, except for doubles:
// Boost.JSON 1.81 converts some decimals to a neighbouring double (it trades
// precision for speed; the precise mode came in 1.83), so a coordinate a
// client sends could come back one unit in the last place off. Here a
// double is read from the number's own text with std::from_chars, which
// rounds correctly, so what EncodeJson writes reads back exactly.
class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  using error_code = boost::system::error_code;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, json::string_view, error_code&) {
    number_.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, error_code&) {
    number_.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, error_code&) {
    number_.append(s.data(), s.size());
    double precise = 0;
    const char* end = number_.data() + number_.size();
    const auto [ptr, ec] = std::from_chars(number_.data(), end, precise);
    // Out of range (1e999): keep the parser's value; ReadDouble refuses it.
    st.push_double(ec == std::errc() && ptr == end ? precise : d);
    number_.clear();
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

  json::value_stack st;

 private:
  std::string number_;  // the text of a number split across on_number_part calls
};

// json::parse with PreciseHandler.
json::value Parse(std::string_view body, const json::parse_options& options,
                  boost::system::error_code& ec) {
  json::basic_parser<PreciseHandler> parser(options);
  parser.handler().st.reset();
  const size_t n = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && n < body.size()) ec = json::error::extra_data;
  if (ec) return nullptr;
  return parser.handler().st.release();
}

// Bytes a JSON string cannot hold as they are: controls, quote, backslash.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// The letter after the backslash of a short escape, or 0 for \u00XX.
constexpr std::array<char, 256> kShortEscape = [] {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  return t;
}();

// Appends `s` as a JSON string, escaped exactly as json::serialize does:
// quote, backslash, the short escapes \b \t \n \f \r, any other control
// character as \u00XX, and every other byte (UTF-8 included) as it is.
void AppendString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t clean = 0;  // start of the run not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out->append(s.data() + clean, i - clean);
    clean = i + 1;
    if (const char e = kShortEscape[c]) {
      out->push_back('\\');
      out->push_back(e);
    } else {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + clean, s.size() - clean);
  out->push_back('"');
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 24 bytes hold every int64
  out->append(buf, end);
}

void AppendScalar(const Message& msg, const FieldDescriptor* fd, int index, std::string* out) {
  const Reflection* r = msg.GetReflection();
  const bool rep = index >= 0;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT64:
      return AppendInt(rep ? r->GetRepeatedInt64(msg, fd, index) : r->GetInt64(msg, fd), out);
    case FieldDescriptor::CPPTYPE_INT32:
      return AppendInt(rep ? r->GetRepeatedInt32(msg, fd, index) : r->GetInt32(msg, fd), out);
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      // Boost.JSON's shortest round-trip form (e.g. 3.15E1), as before; JSON
      // has no NaN or infinity, so those (never accepted) would be null.
      const double d = rep ? r->GetRepeatedDouble(msg, fd, index) : r->GetDouble(msg, fd);
      out->append(std::isfinite(d) ? json::serialize(json::value(d)) : std::string("null"));
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(msg, fd, index) : r->GetBool(msg, fd)) ? "true"
                                                                                   : "false");
      return;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(msg, fd, index, &scratch)
                                 : r->GetStringReference(msg, fd, &scratch);
      return AppendString(s, out);
    }
    default:
      out->append("null");
  }
}

// Appends `msg` as a JSON object, its fields in declaration order, straight
// into `out` (no intermediate json::value: this runs on every answer).
void AppendObject(const Message& msg, std::string* out,
                  const std::vector<const FieldDescriptor*>* only = nullptr) {
  const auto* desc = msg.GetDescriptor();
  const Reflection* r = msg.GetReflection();
  out->push_back('{');
  bool first = true;
  // Field names are [a-z0-9_]: nothing to escape.
  auto key = [&](const FieldDescriptor* fd) {
    out->append(first ? "\"" : ",\"");
    first = false;
    out->append(fd->name());
    out->append("\":");
  };
  const int count = only != nullptr ? static_cast<int>(only->size()) : desc->field_count();
  for (int i = 0; i < count; ++i) {
    const FieldDescriptor* fd = only != nullptr ? (*only)[static_cast<size_t>(i)] : desc->field(i);
    const bool message = fd->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (fd->is_repeated()) {
      key(fd);
      out->push_back('[');
      const int n = r->FieldSize(msg, fd);
      for (int k = 0; k < n; ++k) {
        if (k > 0) out->push_back(',');
        if (message)
          AppendObject(r->GetRepeatedMessage(msg, fd, k), out);
        else
          AppendScalar(msg, fd, k, out);
      }
      out->push_back(']');
    } else if (message) {
      if (!r->HasField(msg, fd)) continue;
      key(fd);
      AppendObject(r->GetMessage(msg, fd), out);
    } else if (!fd->has_presence() || r->HasField(msg, fd)) {
      key(fd);
      AppendScalar(msg, fd, -1, out);
    }
  }
  out->push_back('}');
}

}  // namespace

Status DecodeJson(std::string_view body, Message* msg, std::vector<std::string>* keys) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value v = Parse(body, options, ec);
  if (ec) return InvalidArgument("body is not valid JSON (" + ec.message() + ")", "body");
  if (!v.is_object()) return InvalidArgument("body must be a JSON object", "body");
  if (keys != nullptr) {
    for (const auto& kv : v.as_object()) keys->emplace_back(kv.key());
  }
  return DecodeObject(v.as_object(), msg, "");
}

std::string EncodeJsonFields(const Message& msg,
                             const std::vector<const FieldDescriptor*>& fields) {
  std::string out;
  AppendObject(msg, &out, &fields);
  return out;
}

std::string EncodeJson(const Message& msg) {
  std::string out;
  out.reserve(256);
  AppendObject(msg, &out);
  return out;
}

namespace {

// Every double of `msg` (nested messages included) is finite: protobuf
// carries NaN and infinities, which every range check would let through
// (comparisons with NaN are false). JSON bodies are checked as they are read.
Status CheckFinite(const Message& msg) {
  const Reflection* r = msg.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  for (const FieldDescriptor* fd : fields) {
    const int n = fd->is_repeated() ? r->FieldSize(msg, fd) : 1;
    for (int i = 0; i < n; ++i) {
      if (fd->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        const double d =
            fd->is_repeated() ? r->GetRepeatedDouble(msg, fd, i) : r->GetDouble(msg, fd);
        if (!std::isfinite(d)) return TypeError(fd->name(), "a finite number");
      } else if (fd->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        AIDLINK_RETURN_IF_ERROR(CheckFinite(fd->is_repeated() ? r->GetRepeatedMessage(msg, fd, i)
                                                              : r->GetMessage(msg, fd)));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status DecodeBinary(std::string_view body, Message* msg) {
  if (!msg->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return InvalidArgument("body is not a valid protobuf message", "body");
  }
  return CheckFinite(*msg);
}

}  // namespace aidlink::api
