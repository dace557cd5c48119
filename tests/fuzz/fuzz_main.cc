// libFuzzer's entry point for one target (linked with -fsanitize=fuzzer).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aidlink::fuzz::FuzzOneInput(data, size);
  return 0;
}
