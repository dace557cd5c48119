#include "store/internal.h"

namespace aidlink::store::internal {

std::string JoinList(const std::vector<std::string>& values, char sep) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += sep;
    out += values[i];
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& joined, char sep) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t end = joined.find(sep, start);
    out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace aidlink::store::internal
