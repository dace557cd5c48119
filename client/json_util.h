#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Reading the server's JSON leniently: ids and other int64 fields may come as
// numbers or as decimal strings (proto3 JSON mapping). Pure; thread-safe.
namespace aidlink::client {

// The integer in `v` (a JSON integer, an integral double, or a string of
// decimal digits with an optional '-'), or nullopt.
std::optional<int64_t> AsInt64(const boost::json::value& v);

// Parses a whole decimal int64 ("12", "-3"); nullopt for anything else,
// including "", "1.0", "12abc" and values out of range.
std::optional<int64_t> ParseInt64(std::string_view s);

// Parses a finite decimal number ("31.2", "-0.5"); nullopt otherwise.
std::optional<double> ParseDouble(std::string_view s);

// The shortest decimal that reads back as `d`: 39.12, -90, 1e+21.
std::string FormatNumber(double d);

// How a JSON value reads in a table cell: strings as they are, numbers in
// decimal, true/false as "yes"/"no", null as "", arrays joined with ",",
// objects as compact JSON.
std::string CellText(const boost::json::value& v);

// `obj[key]` as cell text, "" when absent.
std::string FieldText(const boost::json::value& obj, std::string_view key);

// An object's fields as (key, cell text) pairs in the server's order; a
// nested object's fields appear as "parent.child".
std::vector<std::pair<std::string, std::string>> Flatten(const boost::json::value& obj);

}  // namespace aidlink::client
