#include "util/logging.h"

#include <atomic>
#include <cstdio>
#include <iterator>

#include "util/date.h"

namespace aidlink::log {
namespace {

std::atomic<Level> g_min_level{Level::kInfo};

const char* LevelName(Level level) {
  constexpr const char* kNames[] = {"debug", "info", "warn", "error"};  // in enum order
  const auto i = static_cast<size_t>(level);
  return i < std::size(kNames) ? kNames[i] : "info";
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), quoted(false) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

void SetMinLevel(Level level) { g_min_level.store(level); }

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line = "{\"ts\":\"" + date::NowRfc3339() + "\",\"level\":\"" + LevelName(level) +
                     "\",\"event\":\"" + JsonEscape(event) + "\"";
  for (const Field& f : fields) {
    line += ",\"" + JsonEscape(f.key) + "\":";
    line += f.quoted ? "\"" + JsonEscape(f.value) + "\"" : f.value;
  }
  line += "}\n";
  // One fwrite per line: stdio locks the stream, so lines never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace aidlink::log
