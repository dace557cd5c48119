// Replays the saved inputs of one fuzz target through the same entry
// function libFuzzer calls: the seed corpus (tests/fuzz/corpus/TARGET) and
// every input that once found a bug (tests/fuzz/regressions/TARGET). Built
// once per target with AIDLINK_FUZZ_TARGET, AIDLINK_FUZZ_CORPUS and
// AIDLINK_FUZZ_REGRESSIONS defined.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz.h"

namespace aidlink::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Feeds every file of `dir` to FuzzOneInput; returns how many there were.
size_t Replay(const fs::path& dir) {
  const std::vector<fs::path> files = FilesIn(dir);
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    REQUIRE(in);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A failing property aborts the process: say which file it was first.
    INFO("input " << file.string());
    FuzzOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  return files.size();
}

TEST_CASE("the seed corpus of fuzz_" AIDLINK_FUZZ_TARGET " runs clean", "[fuzz]") {
  CHECK(Replay(AIDLINK_FUZZ_CORPUS) > 0);
}

TEST_CASE("every input fuzz_" AIDLINK_FUZZ_TARGET " once failed on runs clean", "[fuzz]") {
  Replay(AIDLINK_FUZZ_REGRESSIONS);
  SUCCEED("replayed " << FilesIn(AIDLINK_FUZZ_REGRESSIONS).size() << " inputs");
}

}  // namespace
}  // namespace aidlink::fuzz
