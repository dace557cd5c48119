#pragma once

#include <string>
#include <string_view>
#include <vector>

// An RFC 4180 CSV reader for the spreadsheets that stations export: UTF-8
// with or without a byte order mark, CRLF or LF line ends, quoted fields that
// hold commas, doubled quotes and line breaks. Pure; thread-safe.
namespace aidlink::client {

// One record and the physical line it starts on (1-based, counting the
// header), so that a bad row can be reported where the user will find it.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};

// A record that could not be read, e.g. a stray quote.
struct CsvError {
  int line = 0;
  std::string message;
};

struct CsvDocument {
  std::vector<CsvRecord> records;  // in file order; blank lines are skipped
  std::vector<CsvError> errors;    // in file order
};

// Parses `text`. Never fails as a whole: a malformed record becomes an error
// on the line it starts, and reading resumes on the next line. An unterminated
// quoted field swallows the rest of the file and is reported once. Line
// breaks inside quoted fields come back as "\n" whatever the file used.
// Blank lines, and lines of nothing but commas, are skipped.
CsvDocument ParseCsv(std::string_view text);

}  // namespace aidlink::client
