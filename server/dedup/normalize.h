#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

// Normalisation of the fields that identify a household, so that the same
// phone, address or name written by two stations in two spellings compares
// equal (docs/DEDUP.md, rules N1-N4). The results are comparison forms, never
// shown to anyone: they are hashed into keys (keys.h).
//
// Pure functions of their argument. Thread-safe: ICU's NFKC instance is an
// immutable singleton, and the OpenCC converter is loaded once (on first use,
// under a once-flag) and then only read. They never throw; input that is not
// valid UTF-8 is read with U+FFFD in place of the bad bytes, and only its
// first 1024 bytes are read.
namespace aidlink::dedup {

// `phone` as digits only (rule N2): NFKC (full-width digits become ASCII),
// everything but digits dropped, then a country code removed: `+86` or `0086`
// in front of anything, or a bare `86` in front of exactly 11 digits; a
// landline written internationally gets its trunk `0` back (+86 21 5555 1234
// -> 02155551234). When `phone` lists several numbers ("/", ",", "、", ";",
// "或"), the first usable one; an extension (转801, x801) is dropped. "" if
// no part has 7 to 12 digits.
std::string NormalizePhone(std::string_view phone);

// True if `normalized` (a NormalizePhone result) is a mainland mobile number:
// 1[3-9] and 9 more digits.
bool IsMobile(std::string_view normalized);

// A normalised address and the building it lies in.
struct AddressUnit {
  // The whole address in canonical form, e.g. "幸福里3栋2单元101室"; "" if
  // nothing was left.
  std::string unit;
  // The address up to and including its building, e.g. "幸福里3栋": up to
  // the last 栋; without one, everything before the 单元/楼/层/室 part; with
  // none of those, the whole unit.
  std::string building;
};

// `address` in canonical form (rule N3): NFKC and traditional -> simplified;
// Chinese numerals before a house-number marker or at the end become digits
// (三号楼 -> 3号楼, 二〇一 -> 201, 十二 -> 12); after a number or letter
// 号楼|栋|幢|座 -> 栋, 单元|门 -> 单元, 室|房|户 -> 室, `3号201` -> 3栋201;
// `3-2-101` -> 3栋2单元101室 and `3-201` -> 3栋201室; a bare number
// after 栋/单元/楼/层 at the end gets 室; leading zeros of numbers, a 第
// before a number, 小区 between a compound's name and a number (幸福小区3栋
// -> 幸福3栋), whitespace and punctuation are dropped; ASCII letters are
// upper-cased. So 幸福里3号楼201, 幸福里3幢201室 and 幸福里３栋２０１ all
// give {"幸福里3栋201室", "幸福里3栋"}.
AddressUnit NormalizeAddress(std::string_view address);

// `name` in comparison form (rule N4): NFKC, traditional -> simplified
// (陳 -> 陈), whitespace and punctuation (the middle dot of 阿卜杜·热合曼
// included) dropped, ASCII letters lower-cased.
std::string NormalizeName(std::string_view name);

// A district name in comparison form: as NormalizeName.
std::string NormalizeDistrict(std::string_view district);

// Ok if the traditional -> simplified converter loaded (it loads on first
// use; this call triggers that). If it could not load, names and addresses
// are still normalised, only without that step, and this status says why;
// main() logs it at start-up.
Status ConverterStatus();

}  // namespace aidlink::dedup
