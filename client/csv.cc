#include "csv.h"

#include <algorithm>

#include "util/text.h"

namespace aidlink::client {
namespace {

// A cursor over the text that keeps the physical line number current; "\r\n",
// "\n" and a lone "\r" each end one line.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  int line() const { return line_; }

  bool AtLineBreak() const { return !AtEnd() && (text_[pos_] == '\n' || text_[pos_] == '\r'); }

  // REQUIRES: AtLineBreak().
  void SkipLineBreak() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void Advance() { ++pos_; }

  // Skips to just after the end of the current physical line.
  void SkipRestOfLine() {
    while (!AtEnd() && !AtLineBreak()) ++pos_;
    if (!AtEnd()) SkipLineBreak();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

enum class FieldEnd { kComma, kRecordEnd, kError };

// Reads a quoted field; the reader stands on the opening quote.
FieldEnd ReadQuoted(Reader& r, std::string* field, std::string* error) {
  const int opened = r.line();
  r.Advance();
  for (;;) {
    if (r.AtEnd()) {
      *error = "unterminated quoted field (the quote opened on line " + std::to_string(opened) +
               " is never closed)";
      return FieldEnd::kError;
    }
    if (r.AtLineBreak()) {
      r.SkipLineBreak();
      field->push_back('\n');
      continue;
    }
    const char c = r.Peek();
    r.Advance();
    if (c != '"') {
      field->push_back(c);
      continue;
    }
    if (!r.AtEnd() && r.Peek() == '"') {  // a doubled quote stands for one
      field->push_back('"');
      r.Advance();
      continue;
    }
    // The closing quote: only a separator or the end of the record may follow.
    if (r.AtEnd()) return FieldEnd::kRecordEnd;
    if (r.AtLineBreak()) {
      r.SkipLineBreak();
      return FieldEnd::kRecordEnd;
    }
    if (r.Peek() == ',') {
      r.Advance();
      return FieldEnd::kComma;
    }
    *error = "unexpected text after a closing quote";
    if (r.line() != opened) *error += " on line " + std::to_string(r.line());
    *error += " (a quote inside a quoted field must be doubled: \"\")";
    return FieldEnd::kError;
  }
}

FieldEnd ReadUnquoted(Reader& r, std::string* field, std::string* error) {
  for (;;) {
    if (r.AtEnd()) return FieldEnd::kRecordEnd;
    if (r.AtLineBreak()) {
      r.SkipLineBreak();
      return FieldEnd::kRecordEnd;
    }
    const char c = r.Peek();
    if (c == ',') {
      r.Advance();
      return FieldEnd::kComma;
    }
    if (c == '"') {
      *error = "a quote inside an unquoted field (quote the whole field and double the quote)";
      return FieldEnd::kError;
    }
    field->push_back(c);
    r.Advance();
  }
}

bool IsBlank(const std::vector<std::string>& fields) {
  return std::all_of(fields.begin(), fields.end(),
                     [](const std::string& f) { return text::Trim(f).empty(); });
}

}  // namespace

CsvDocument ParseCsv(std::string_view text) {
  CsvDocument doc;
  Reader r(text::StripBom(text));
  while (!r.AtEnd()) {
    CsvRecord record;
    record.line = r.line();
    std::string error;
    bool quoted_any = false;
    for (;;) {
      std::string field;
      FieldEnd end;
      if (!r.AtEnd() && r.Peek() == '"') {
        quoted_any = true;
        end = ReadQuoted(r, &field, &error);
      } else {
        end = ReadUnquoted(r, &field, &error);
      }
      if (end == FieldEnd::kError) break;
      record.fields.push_back(std::move(field));
      if (end == FieldEnd::kRecordEnd) break;
      if (r.AtEnd()) {  // a trailing comma at the very end of the file
        record.fields.emplace_back();
        break;
      }
    }
    if (!error.empty()) {
      doc.errors.push_back({record.line, std::move(error)});
      r.SkipRestOfLine();
      continue;
    }
    if (!quoted_any && IsBlank(record.fields)) continue;
    doc.records.push_back(std::move(record));
  }
  return doc;
}

}  // namespace aidlink::client
