#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// UTF-8 helpers used by validation, the CLI's tables and the printed lists.
// Pure functions; thread-safe.
namespace aidlink::text {

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// `s` with every byte that does not start a well-formed sequence replaced by
// U+FFFD, so that text echoed from a request (an unknown path, say) can go
// into a JSON or protobuf answer. Valid input comes back unchanged.
std::string ToValidUtf8(std::string_view s);

// Number of Unicode code points in `s`. REQUIRES: IsValidUtf8(s).
size_t CodePointCount(std::string_view s);

// True if `s` holds a C0/C1 control character or DEL (tab and newline
// included): short fields such as names and phones must be single-line.
bool HasControlChars(std::string_view s);

// True if `s` holds a character that makes text display other than it
// reads: the bidirectional embedding, override and isolate controls
// (U+202A..U+202E, U+2066..U+2069) and the line and paragraph separators
// U+2028/U+2029. Names, addresses and labels refuse them.
bool HasSpoofingChars(std::string_view s);

// True if `s` is empty or holds only white space (ASCII, no-break and the
// Unicode spaces, the ideographic space U+3000) and zero-width characters
// (U+200B..U+200D, U+2060, U+FEFF).
bool IsBlank(std::string_view s);

// `s` for a printout (txt, html, csv): line breaks and tabs stay, U+2028 and
// U+2029 become \n; every other C0/C1 control, DEL and the bidirectional
// controls are dropped. Invalid bytes are kept as they are.
std::string PrintableText(std::string_view s);

// Columns `s` takes on a terminal or monospace printout: East Asian wide and
// fullwidth characters count 2, combining marks 0, the rest 1.
// Invalid bytes count 1 each.
int DisplayWidth(std::string_view s);

// `s` padded with spaces on the right (or left) to `width` display columns;
// returned unchanged if already wider.
std::string PadRight(std::string_view s, int width);
std::string PadLeft(std::string_view s, int width);

// The longest prefix of `s` that fits in `width` columns, never cutting a
// character in half; "…" marks a cut when `ellipsis` is set.
std::string TruncateToWidth(std::string_view s, int width, bool ellipsis = true);

// Strips a leading UTF-8 byte order mark, if any.
std::string_view StripBom(std::string_view s);

// Trims ASCII whitespace on both ends.
std::string_view Trim(std::string_view s);

// Compares strings so that embedded runs of ASCII digits sort by value:
// "3幢" < "12幢". Ties fall back to byte order.
bool NaturalLess(std::string_view a, std::string_view b);

// The digits of `s` in order, as ASCII: "138 0000-1111" -> "13800001111";
// fullwidth digits (U+FF10..U+FF19, common in Chinese input) count too.
std::string PhoneDigits(std::string_view s);

// `digits` (PhoneDigits' answer) without a leading 86 or 0086 before an
// 11-digit mobile number: "+86 138 0000 1111" and "138 0000 1111" are one
// number, however it was registered.
std::string DropMobileCountryCode(std::string digits);

// True if `s` has a digit and nothing but digits (ASCII or fullwidth),
// spaces and the punctuation of written phone numbers (+ - ( ) .): a search
// text that means a phone number rather than a name.
bool LooksLikePhone(std::string_view s);

// `s` with ASCII letters in lower case; other bytes unchanged.
std::string AsciiLower(std::string_view s);

}  // namespace aidlink::text
