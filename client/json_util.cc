#include "json_util.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <limits>

namespace aidlink::client {

namespace json = boost::json;

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string FormatNumber(double d) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  if (ec != std::errc()) return json::serialize(json::value(d));
  return std::string(buffer, end);
}

std::optional<int64_t> AsInt64(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::trunc(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (v.is_string()) return ParseInt64(std::string_view(v.get_string()));
  return std::nullopt;
}

std::string CellText(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "";
    case json::kind::bool_:
      return v.get_bool() ? "yes" : "no";
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      return FormatNumber(v.get_double());
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::array: {
      std::string out;
      for (const auto& e : v.get_array()) {
        if (!out.empty()) out += ",";
        out += CellText(e);
      }
      return out;
    }
    case json::kind::object:
      return json::serialize(v);
  }
  return "";
}

std::string FieldText(const json::value& obj, std::string_view key) {
  if (!obj.is_object()) return "";
  const json::value* v = obj.get_object().if_contains(key);
  return v ? CellText(*v) : "";
}

std::vector<std::pair<std::string, std::string>> Flatten(const json::value& obj) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!obj.is_object()) return out;
  for (const auto& [key, value] : obj.get_object()) {
    if (value.is_object()) {
      for (const auto& [sub_key, sub_value] : value.get_object()) {
        out.emplace_back(std::string(key) + "." + std::string(sub_key), CellText(sub_value));
      }
    } else {
      out.emplace_back(std::string(key), CellText(value));
    }
  }
  return out;
}

}  // namespace aidlink::client
