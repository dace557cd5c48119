#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-22T17:00:06Z","level":"info","event":"request","status":200}
// Callers must never pass names, phones, addresses or tokens: log ids,
// route templates and counts instead. Thread-safe (lines never interleave).
namespace aidlink::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// One key/value of a log line. Numbers are written bare, strings quoted.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, double v);

  std::string_view key;
  std::string value;
  bool quoted;
};

// Lines below `level` are dropped. Default kInfo.
void SetMinLevel(Level level);

void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void Info(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, event, fields);
}
inline void Warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, event, fields);
}
inline void Error(std::string_view event, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, event, fields);
}

// `s` escaped for inclusion in a JSON string (without the quotes).
std::string JsonEscape(std::string_view s);

}  // namespace aidlink::log
