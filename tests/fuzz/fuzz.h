#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// The fuzz targets of tests/fuzz. Each target is a library that defines
// FuzzOneInput; libFuzzer's entry point (fuzz_main.cc) and the ctest replay
// of the saved inputs (replay_test.cc) both call it, so a crash found by the
// fuzzer replays in the ordinary GCC test suite.
namespace aidlink::fuzz {

// Runs one input through the target. Returns normally if every property
// holds; otherwise prints what failed and aborts (which libFuzzer reports as
// a crash and saves the input). Not thread-safe: targets keep state.
void FuzzOneInput(const uint8_t* data, size_t size);

// Prints `what` (and `detail`, cut to a readable length) and aborts.
[[noreturn]] inline void Fail(const char* file, int line, const char* what,
                              std::string_view detail) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, what);
  if (!detail.empty()) {
    const std::string cut(detail.substr(0, 2000));
    std::fprintf(stderr, "  detail: %s\n", cut.c_str());
  }
  std::abort();
}

// Consumes an input from the front: small integers, lengths and strings.
// Reads past the end return zeros and empty strings, so every input decodes.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return empty() ? 0 : size_ - pos_; }

  uint8_t Byte() { return empty() ? 0 : data_[pos_++]; }

  // A little-endian integer of `bytes` bytes (1..8), sign-extended from the
  // top byte when `bytes` < 8.
  int64_t Int(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(Byte()) << (8 * i);
    if (bytes < 8 && (v >> (8 * bytes - 1)) != 0) v |= ~uint64_t{0} << (8 * bytes);
    return static_cast<int64_t>(v);
  }

  // Up to `max` raw bytes, the count taken from one byte.
  std::string_view Bytes(size_t max) {
    const size_t n = std::min<size_t>(Byte() % (max + 1), remaining());
    std::string_view out(reinterpret_cast<const char*>(data_) + pos_, n);
    pos_ += n;
    return out;
  }

  // Everything not yet consumed.
  std::string_view Rest() {
    std::string_view out(reinterpret_cast<const char*>(data_) + pos_, remaining());
    pos_ = size_;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace aidlink::fuzz

// Aborts with `what` unless `cond` holds; `detail` is any string-like value.
#define AIDLINK_FUZZ_CHECK(cond, what, detail)                              \
  do {                                                                      \
    if (!(cond)) ::aidlink::fuzz::Fail(__FILE__, __LINE__, what, (detail)); \
  } while (false)
