#include "util/text.h"

#include <cstdint>
#include <utility>

namespace aidlink::text {
namespace {

// Decodes one code point at s[i]; returns its length in bytes, or 0 if the
// sequence is malformed.
int Decode(std::string_view s, size_t i, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  int len;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, *cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, *cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, *cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

bool IsWide(uint32_t cp) {
  // East Asian Wide (W) and Fullwidth (F) ranges, after Markus Kuhn's wcwidth.
  return cp >= 0x1100 && (cp <= 0x115F || cp == 0x2329 || cp == 0x232A ||
                          (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE10 && cp <= 0xFE19) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
                          (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
                          (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
                          (cp >= 0x20000 && cp <= 0x2FFFD) || (cp >= 0x30000 && cp <= 0x3FFFD));
}

bool IsZeroWidth(uint32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0xFEFF;
}

int Width(uint32_t cp) {
  if (IsZeroWidth(cp)) return 0;
  return IsWide(cp) ? 2 : 1;
}

}  // namespace

namespace {

// What ForEachCodePoint passes for a byte that starts no valid code point.
constexpr uint32_t kInvalid = 0xFFFFFFFF;

// Calls `fn(piece, cp)` for each code point of `s` in order, `piece` being
// its bytes, and `fn(byte, kInvalid)` for each byte that starts no valid
// one; stops early when `fn` returns false. True if it went through all of
// `s`.
template <typename Fn>
bool ForEachCodePoint(std::string_view s, Fn fn) {
  uint32_t cp;
  for (size_t i = 0; i < s.size();) {
    const int len = Decode(s, i, &cp);
    const size_t n = len == 0 ? 1 : static_cast<size_t>(len);
    if (!fn(s.substr(i, n), len == 0 ? kInvalid : cp)) return false;
    i += n;
  }
  return true;
}

// True if `s` is valid UTF-8 and `pred` holds for each of its code points.
template <typename Pred>
bool EveryCodePoint(std::string_view s, Pred pred) {
  return ForEachCodePoint(
      s, [&](std::string_view, uint32_t cp) { return cp != kInvalid && pred(cp); });
}

// True if `pred` holds for a code point of `s` before its first invalid
// byte (validity is checked separately).
template <typename Pred>
bool AnyCodePoint(std::string_view s, Pred pred) {
  bool found = false;
  ForEachCodePoint(s, [&](std::string_view, uint32_t cp) {
    found = cp != kInvalid && pred(cp);
    return cp != kInvalid && !found;
  });
  return found;
}

bool IsControl(uint32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0); }

}  // namespace

bool IsValidUtf8(std::string_view s) {
  return EveryCodePoint(s, [](uint32_t) { return true; });
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](std::string_view piece, uint32_t cp) {
    if (cp == kInvalid) {
      out += "\xEF\xBF\xBD";
    } else {
      out += piece;
    }
    return true;
  });
  return out;
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool HasControlChars(std::string_view s) { return AnyCodePoint(s, IsControl); }

namespace {

bool IsBidiControl(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool IsSpaceOrZeroWidth(uint32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200D) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF;
}

}  // namespace

bool HasSpoofingChars(std::string_view s) {
  return AnyCodePoint(
      s, [](uint32_t cp) { return IsBidiControl(cp) || cp == 0x2028 || cp == 0x2029; });
}

bool IsBlank(std::string_view s) { return EveryCodePoint(s, IsSpaceOrZeroWidth); }

std::string PrintableText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](std::string_view piece, uint32_t cp) {
    if (cp == kInvalid) {
      out += piece;
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += '\n';
    } else if (cp == '\n' || cp == '\r' || cp == '\t' || !(IsControl(cp) || IsBidiControl(cp))) {
      out += piece;
    }
    return true;
  });
  return out;
}

int DisplayWidth(std::string_view s) {
  int width = 0;
  ForEachCodePoint(s, [&](std::string_view, uint32_t cp) {
    width += cp == kInvalid ? 1 : Width(cp);
    return true;
  });
  return width;
}

std::string PadRight(std::string_view s, int width) {
  std::string out(s);
  const int w = DisplayWidth(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

std::string PadLeft(std::string_view s, int width) {
  const int w = DisplayWidth(s);
  std::string out;
  if (w < width) out.append(width - w, ' ');
  out.append(s);
  return out;
}

std::string TruncateToWidth(std::string_view s, int width, bool ellipsis) {
  if (DisplayWidth(s) <= width) return std::string(s);
  const int budget = ellipsis ? width - 1 : width;
  std::string out;
  int used = 0;
  ForEachCodePoint(s, [&](std::string_view piece, uint32_t cp) {
    const int w = cp == kInvalid ? 1 : Width(cp);
    if (used + w > budget) return false;
    out += piece;
    used += w;
    return true;
  });
  if (ellipsis && width > 0) out += "\u2026";
  return out;
}

std::string_view StripBom(std::string_view s) {
  if (s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  return s;
}

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool NaturalLess(std::string_view a, std::string_view b) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && is_digit(a[ie])) ++ie;
      while (je < b.size() && is_digit(b[je])) ++je;
      // Compare by value: strip leading zeros, then length, then digits.
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.substr(is, ie - is).compare(b.substr(js, je - js));
      if (c != 0) return c < 0;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    }
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;
}

namespace {

// The digit at s[i] (ASCII, or the 3-byte fullwidth form EF BC 90..99) and
// its length in bytes, or length 0 if there is none.
std::pair<char, size_t> DigitAt(std::string_view s, size_t i) {
  if (s[i] >= '0' && s[i] <= '9') return {s[i], 1};
  if (i + 2 < s.size() && s[i] == '\xef' && s[i + 1] == '\xbc' && s[i + 2] >= '\x90' &&
      s[i + 2] <= '\x99') {
    return {static_cast<char>('0' + (s[i + 2] - '\x90')), 3};
  }
  return {0, 0};
}

}  // namespace

std::string PhoneDigits(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto [digit, n] = DigitAt(s, i);
    if (n > 0) out += digit;
    i += n > 0 ? n : 1;
  }
  return out;
}

std::string DropMobileCountryCode(std::string digits) {
  for (std::string_view prefix : {"0086", "86"}) {
    if (digits.size() == prefix.size() + 11 && digits.rfind(prefix, 0) == 0 &&
        digits[prefix.size()] == '1') {
      digits.erase(0, prefix.size());
    }
  }
  return digits;
}

bool LooksLikePhone(std::string_view s) {
  bool digit = false;
  for (size_t i = 0; i < s.size();) {
    const auto [d, n] = DigitAt(s, i);
    if (n > 0) {
      digit = true;
      i += n;
      continue;
    }
    if (std::string_view(" +-().").find(s[i]) == std::string_view::npos) return false;
    ++i;
  }
  return digit;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace aidlink::text
