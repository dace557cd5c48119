#include "dedup/normalize.h"

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <memory>
#include <opencc/Exception.hpp>
#include <optional>
#include <vector>

namespace aidlink::dedup {
namespace {

// ---------------------------------------------------------------------------
// Text plumbing: NFKC, traditional -> simplified, code points.

bool IsAscii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string Nfkc(std::string_view s) {
  const icu::UnicodeString in =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  std::string out;
  if (U_FAILURE(error)) {
    // Only when ICU's data is missing: comparing unnormalised text merely
    // finds fewer duplicates.
    in.toUTF8String(out);
    return out;
  }
  const icu::UnicodeString normalized = nfkc->normalize(in, error);
  (U_FAILURE(error) ? in : normalized).toUTF8String(out);
  return out;
}

struct Converter {
  std::unique_ptr<opencc::SimpleConverter> t2s;
  Status status;
};

// Loaded once and never destroyed, so that a thread still normalising while
// the process exits does not read a destroyed dictionary. Converting is
// const and safe from many threads at once (OpenCC's author in
// BYVoid/OpenCC#231; its unit tests cover it). It is only ever given valid
// UTF-8 (ICU's output), as it does not check its input.
const Converter& T2s() {
  static const Converter* const converter = [] {
    auto* c = new Converter;
    try {
      c->t2s = std::make_unique<opencc::SimpleConverter>(AIDLINK_OPENCC_T2S_CONFIG);
    } catch (const opencc::Exception& e) {
      c->status = Internal(std::string("cannot load OpenCC ") + AIDLINK_OPENCC_T2S_CONFIG + ": " +
                           e.what());
    } catch (const std::exception& e) {
      c->status = Internal(std::string("cannot load OpenCC ") + AIDLINK_OPENCC_T2S_CONFIG + ": " +
                           e.what());
    } catch (...) {
      c->status = Internal(std::string("cannot load OpenCC ") + AIDLINK_OPENCC_T2S_CONFIG);
    }
    return c;
  }();
  return *converter;
}

std::string ToSimplified(std::string s) {
  const Converter& c = T2s();
  if (!c.t2s) return s;
  try {
    return c.t2s->Convert(s);
  } catch (...) {
    // OpenCC reports malformed input by throwing; the unconverted text is
    // still a usable (if less forgiving) comparison form.
    return s;
  }
}

// Longer input is cut (at a character boundary) before normalising: no
// name, phone or address is this long, and the cost of a check stays bounded.
constexpr size_t kMaxInputBytes = 1024;

std::string_view Bounded(std::string_view s) {
  if (s.size() <= kMaxInputBytes) return s;
  size_t end = kMaxInputBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// `s` as code points after NFKC and, with `simplify`, traditional ->
// simplified. ASCII is its own NFKC form and has nothing to simplify.
std::u32string Prepare(std::string_view s, bool simplify) {
  s = Bounded(s);
  std::string text;
  if (IsAscii(s)) {
    text.assign(s);
  } else {
    text = Nfkc(s);
    if (simplify) text = ToSimplified(std::move(text));
  }
  std::u32string out;
  out.reserve(text.size());
  int32_t i = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t c) {
  uint8_t buffer[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buffer, n, static_cast<UChar32>(c));
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (const char32_t c : s) AppendUtf8(out, c);
  return out;
}

// Letters, marks and numbers are kept; white space, punctuation, symbols and
// controls are not.
bool IsKept(char32_t c) {
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
}

bool IsAsciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsAsciiLetter(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }

// ---------------------------------------------------------------------------
// Phones.

bool IsPhoneSeparator(char32_t c) {
  return c == U'/' || c == U',' || c == U';' || c == U'|' || c == U'、' || c == U'或';
}

// The number in one part of a phone field, or "" if it has too few or too
// many digits to be one.
std::string PhoneDigits(std::u32string_view part) {
  std::string digits;
  bool plus = false;  // a '+' before the first digit: a country code follows
  for (const char32_t c : part) {
    if (c == U'转' || c == U'x' || c == U'X') break;  // an extension follows: 021-5555-1234转801
    if (IsAsciiDigit(c)) {
      digits.push_back(static_cast<char>(c));
    } else if (c == U'+' && digits.empty()) {
      plus = true;
    }
  }
  std::optional<std::string> national;
  if (digits.starts_with("0086")) {
    national = digits.substr(4);
  } else if (plus && digits.starts_with("86")) {
    national = digits.substr(2);
  } else if (digits.size() == 13 && digits.starts_with("86")) {
    digits.erase(0, 2);
  }
  if (national) {
    // Written internationally a landline loses its trunk 0: +86 21 ... is 021 ...
    digits = IsMobile(*national) || national->starts_with("0") ? *national : "0" + *national;
  }
  if (digits.size() < 7 || digits.size() > 12) return "";
  return digits;
}

// ---------------------------------------------------------------------------
// Addresses.

int ChineseDigit(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
      return 0;
    case U'一':
      return 1;
    case U'二':
    case U'两':
      return 2;
    case U'三':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    default:
      return -1;
  }
}

int ChineseMultiplier(char32_t c) {
  switch (c) {
    case U'十':
      return 10;
    case U'百':
      return 100;
    case U'千':
      return 1000;
    default:
      return 0;
  }
}

bool IsChineseNumeral(char32_t c) { return ChineseDigit(c) >= 0 || ChineseMultiplier(c) > 0; }

// Characters after which a number is a house, building, unit, floor or room
// number (or a phase, area, group, lane), not part of a place name such as
// 三里屯 or 五道口.
bool IsNumberContext(char32_t c) {
  switch (c) {
    case U'号':
    case U'楼':
    case U'栋':
    case U'幢':
    case U'座':
    case U'单':
    case U'门':
    case U'室':
    case U'房':
    case U'户':
    case U'层':
    case U'期':
    case U'区':
    case U'组':
    case U'排':
    case U'巷':
    case U'弄':
    case U'-':
      return true;
    default:
      return false;
  }
}

// The value of a run of Chinese numerals: digit by digit without
// multipliers (二〇一 -> 201), positional with them (二十一 -> 21,
// 一百零一 -> 101).
std::string ChineseNumber(std::u32string_view run) {
  bool positional = false;
  for (const char32_t c : run) positional = positional || ChineseMultiplier(c) > 0;
  std::string out;
  if (!positional) {
    for (const char32_t c : run) out.push_back(static_cast<char>('0' + ChineseDigit(c)));
    return out;
  }
  long total = 0;
  long current = -1;  // the digit waiting for its multiplier; -1: none yet
  for (const char32_t c : run) {
    if (const int m = ChineseMultiplier(c); m > 0) {
      total += (current < 0 ? 1 : current) * m;
      current = -1;
    } else {
      current = ChineseDigit(c);
    }
  }
  if (current > 0) total += current;
  return std::to_string(total);
}

// `s` with the Chinese numerals of house numbers as ASCII digits: a run that
// follows 第, precedes a number-context character or ends the text.
std::u32string ConvertChineseNumbers(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsChineseNumeral(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsChineseNumeral(s[j])) ++j;
    size_t next = j;  // the next kept character: punctuation does not count
    while (next < s.size() && !IsKept(s[next]) && s[next] != U'-' && s[next] != U'#') ++next;
    const bool ordinal = i > 0 && s[i - 1] == U'第';
    if (ordinal || next == s.size() || IsNumberContext(s[next]) || s[next] == U'#') {
      for (const char c : ChineseNumber(s.substr(i, j - i)))
        out.push_back(static_cast<char32_t>(c));
    } else {
      out.append(s.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

enum class TokenKind { kNumber, kLetters, kMark, kDash, kText };

// The canonical markers.
constexpr std::u32string_view kBuilding = U"栋";
constexpr std::u32string_view kEntrance = U"单元";
constexpr std::u32string_view kRoom = U"室";
constexpr std::u32string_view kHouseNumber = U"号";
constexpr std::u32string_view kStorey = U"楼";
constexpr std::u32string_view kLevel = U"层";

struct Token {
  TokenKind kind;
  std::u32string text;

  bool IsMark(std::u32string_view mark) const { return kind == TokenKind::kMark && text == mark; }
  bool IsNumberLike() const { return kind == TokenKind::kNumber || kind == TokenKind::kLetters; }
};

struct MarkSpelling {
  std::u32string_view spelling;
  std::u32string_view canonical;
};

// Longest first: 号楼 before 号, 单元 before 单.
constexpr MarkSpelling kMarks[] = {
    {U"号楼", kBuilding}, {U"单元", kEntrance},  {U"栋", kBuilding},   {U"幢", kBuilding},
    {U"座", kBuilding},   {U"门", kEntrance},    {U"室", kRoom},       {U"房", kRoom},
    {U"户", kRoom},       {U"号", kHouseNumber}, {U"#", kHouseNumber}, {U"楼", kStorey},
    {U"层", kLevel},
};

bool IsDash(char32_t c) {
  return c == U'-' || (c >= U'\u2010' && c <= U'\u2015') || c == U'\u2212';
}

std::vector<Token> Tokenize(std::u32string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = s[i];
    const bool after_number = !tokens.empty() && tokens.back().IsNumberLike();
    if (IsAsciiDigit(c)) {
      size_t j = i;
      while (j < s.size() && IsAsciiDigit(s[j])) ++j;
      size_t first = i;
      while (first + 1 < j && s[first] == U'0') ++first;  // 03栋 is 3栋
      tokens.push_back({TokenKind::kNumber, std::u32string(s.substr(first, j - first))});
      i = j;
      continue;
    }
    if (IsAsciiLetter(c)) {
      std::u32string letters;
      for (; i < s.size() && IsAsciiLetter(s[i]); ++i) {
        letters.push_back(s[i] >= U'a' ? s[i] - U'a' + U'A' : s[i]);
      }
      tokens.push_back({TokenKind::kLetters, std::move(letters)});
      continue;
    }
    if (IsDash(c)) {
      tokens.push_back({TokenKind::kDash, U"-"});
      ++i;
      continue;
    }
    if (after_number) {
      bool matched = false;
      for (const MarkSpelling& m : kMarks) {
        if (s.substr(i).starts_with(m.spelling)) {
          tokens.push_back({TokenKind::kMark, std::u32string(m.canonical)});
          i += m.spelling.size();
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    if (c == U'第' && i + 1 < s.size() && IsAsciiDigit(s[i + 1])) {
      ++i;  // 第3栋 is 3栋
      continue;
    }
    if (IsKept(c)) {
      if (tokens.empty() || tokens.back().kind != TokenKind::kText) {
        tokens.push_back({TokenKind::kText, U""});
      }
      tokens.back().text.push_back(c);
    }
    ++i;
  }
  return tokens;
}

// 3-2-101 -> 3栋2单元101室, 3-201 -> 3栋201室 (2-101 after a 栋: 2单元101室;
// A-201 -> A栋201室).
// A dash group before 号 (12-14号, a range of house numbers) stays as it is;
// every other dash is dropped.
std::vector<Token> ExpandDashes(const std::vector<Token>& tokens) {
  std::vector<Token> out;
  bool seen_building = false;
  size_t i = 0;
  while (i < tokens.size()) {
    const Token& t = tokens[i];
    if (t.IsNumberLike()) {
      size_t j = i + 1;
      std::vector<size_t> numbers = {i};
      while (j + 1 < tokens.size() && tokens[j].kind == TokenKind::kDash &&
             tokens[j + 1].IsNumberLike()) {
        numbers.push_back(j + 1);
        j += 2;
      }
      const bool before_house_number = j < tokens.size() && tokens[j].IsMark(kHouseNumber);
      if ((numbers.size() == 2 || numbers.size() == 3) && !before_house_number) {
        std::vector<std::u32string_view> marks;
        if (numbers.size() == 3) {
          marks = {kBuilding, kEntrance, kRoom};
        } else if (seen_building) {
          marks = {kEntrance, kRoom};
        } else {
          marks = {kBuilding, kRoom};
        }
        for (size_t k = 0; k < numbers.size(); ++k) {
          out.push_back(tokens[numbers[k]]);
          out.push_back({TokenKind::kMark, std::u32string(marks[k])});
        }
        if (j < tokens.size() && tokens[j].IsMark(kRoom)) ++j;  // 3-201室
        seen_building = true;
        i = j;
        continue;
      }
    }
    if (t.kind != TokenKind::kDash) out.push_back(t);
    if (t.IsMark(kBuilding)) seen_building = true;
    ++i;
  }
  return out;
}

// 3号201: a number after 号 makes it a building number, unless that number
// is a floor (12号3楼301 is house 12) or the 号 ends a range (12-14号).
void HouseNumbersAsBuildings(std::vector<Token>& tokens) {
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (!tokens[i].IsMark(kHouseNumber) || tokens[i + 1].kind != TokenKind::kNumber) continue;
    const bool floor =
        i + 2 < tokens.size() && (tokens[i + 2].IsMark(kStorey) || tokens[i + 2].IsMark(kLevel));
    const bool range = i >= 2 && tokens[i - 2].kind == TokenKind::kDash;
    if (!floor && !range) tokens[i].text = kBuilding;
  }
}

void Canonicalize(std::vector<Token>& tokens) {
  // 幸福小区3栋 is 幸福3栋: 小区 ("residential compound") after a compound's
  // name is often left out.
  constexpr std::u32string_view kCompound = U"小区";
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    std::u32string& text = tokens[i].text;
    if (tokens[i].kind == TokenKind::kText && tokens[i + 1].IsNumberLike() &&
        text.size() > kCompound.size() && text.ends_with(kCompound)) {
      text.resize(text.size() - kCompound.size());
    }
  }
  // A bare number at the end after 栋, 单元, 楼 or 层 is the room.
  const size_t n = tokens.size();
  if (n >= 2 && tokens[n - 1].kind == TokenKind::kNumber) {
    const Token& before = tokens[n - 2];
    if (before.IsMark(kBuilding) || before.IsMark(kEntrance) || before.IsMark(kStorey) ||
        before.IsMark(kLevel)) {
      tokens.push_back({TokenKind::kMark, std::u32string(kRoom)});
    }
  }
}

std::string Join(const std::vector<Token>& tokens, size_t end) {
  std::u32string s;
  for (size_t i = 0; i < end && i < tokens.size(); ++i) s += tokens[i].text;
  return ToUtf8(s);
}

size_t BuildingEnd(const std::vector<Token>& tokens) {
  for (size_t i = tokens.size(); i > 0; --i) {
    if (tokens[i - 1].IsMark(kBuilding)) return i;
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.IsMark(kEntrance) || t.IsMark(kStorey) || t.IsMark(kLevel) || t.IsMark(kRoom)) {
      return i > 0 && tokens[i - 1].IsNumberLike() ? i - 1 : i;
    }
  }
  return tokens.size();
}

// Names and districts: kept characters only, ASCII lower-cased.
std::string ComparisonForm(std::string_view s) {
  std::string out;
  for (char32_t c : Prepare(s, /*simplify=*/true)) {
    if (!IsKept(c)) continue;
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    AppendUtf8(out, c);
  }
  return out;
}

}  // namespace

std::string NormalizePhone(std::string_view phone) {
  const std::u32string s = Prepare(phone, /*simplify=*/false);
  size_t begin = 0;
  while (begin <= s.size()) {
    size_t end = begin;
    while (end < s.size() && !IsPhoneSeparator(s[end])) ++end;
    std::string digits = PhoneDigits(std::u32string_view(s).substr(begin, end - begin));
    if (!digits.empty()) return digits;
    begin = end + 1;
  }
  return "";
}

bool IsMobile(std::string_view normalized) {
  if (normalized.size() != 11 || normalized[0] != '1' || normalized[1] < '3') return false;
  for (const char c : normalized) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

AddressUnit NormalizeAddress(std::string_view address) {
  const std::u32string s = ConvertChineseNumbers(Prepare(address, /*simplify=*/true));
  std::vector<Token> tokens = Tokenize(s);
  HouseNumbersAsBuildings(tokens);
  tokens = ExpandDashes(tokens);
  Canonicalize(tokens);
  return AddressUnit{Join(tokens, tokens.size()), Join(tokens, BuildingEnd(tokens))};
}

std::string NormalizeName(std::string_view name) { return ComparisonForm(name); }

std::string NormalizeDistrict(std::string_view district) { return ComparisonForm(district); }

Status ConverterStatus() { return T2s().status; }

}  // namespace aidlink::dedup
