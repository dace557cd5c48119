#include "csv.h"

#include <catch2/catch.hpp>

using aidlink::client::CsvDocument;
using aidlink::client::ParseCsv;
using Fields = std::vector<std::string>;

TEST_CASE("records come back with the line each one starts on", "[client][csv]") {
  const CsvDocument doc = ParseCsv("name,district\n金老伯,和平区\n李阿姨,河西区\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[0].line == 1);
  CHECK(doc.records[0].fields == Fields{"name", "district"});
  CHECK(doc.records[1].line == 2);
  CHECK(doc.records[1].fields == Fields{"金老伯", "和平区"});
  CHECK(doc.records[2].line == 3);
}

TEST_CASE("a UTF-8 byte order mark is not part of the first column name", "[client][csv]") {
  const CsvDocument doc = ParseCsv("\xEF\xBB\xBFstation_id,name\r\n1,金老伯\r\n");
  REQUIRE(doc.records.size() == 2);
  CHECK(doc.records[0].fields == Fields{"station_id", "name"});
  CHECK(doc.records[1].fields == Fields{"1", "金老伯"});
}

TEST_CASE("CRLF, LF and a missing final line break all end records", "[client][csv]") {
  const CsvDocument doc = ParseCsv("a,b\r\n1,2\n3,4\r\n5,6");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.records.size() == 4);
  CHECK(doc.records[1].fields == Fields{"1", "2"});
  CHECK(doc.records[2].fields == Fields{"3", "4"});
  CHECK(doc.records[3].fields == Fields{"5", "6"});
  CHECK(doc.records[3].line == 4);
}

TEST_CASE("quoted fields hold commas and doubled quotes", "[client][csv]") {
  const CsvDocument doc = ParseCsv(
      "name,address,note\n金老伯,\"和平区南京路1号, 3幢\",\"he said \"\"no smartphone\"\"\"\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.records.size() == 2);
  CHECK(doc.records[1].fields ==
        Fields{"金老伯", "和平区南京路1号, 3幢", "he said \"no smartphone\""});
}

TEST_CASE("a quoted field may span lines and later records keep true line numbers",
          "[client][csv]") {
  const CsvDocument doc = ParseCsv(
      "name,note\r\n"
      "金老伯,\"降压药只剩四天\r\n请先电话联系\"\r\n"
      "李阿姨,\"\"\r\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[1].line == 2);
  CHECK(doc.records[1].fields[1] == "降压药只剩四天\n请先电话联系");
  CHECK(doc.records[2].line == 4);
  CHECK(doc.records[2].fields == Fields{"李阿姨", ""});
}

TEST_CASE("empty fields, trailing commas and blank lines", "[client][csv]") {
  const CsvDocument doc = ParseCsv("a,b,c\n\n1,,\n,,\n\r\n2,x,\n");
  REQUIRE(doc.errors.empty());
  REQUIRE(doc.records.size() == 3);
  CHECK(doc.records[1].line == 3);
  CHECK(doc.records[1].fields == Fields{"1", "", ""});
  CHECK(doc.records[2].line == 6);
  CHECK(doc.records[2].fields == Fields{"2", "x", ""});
}

TEST_CASE("bad quoting is reported on its line and reading goes on", "[client][csv]") {
  SECTION("text after a closing quote") {
    const CsvDocument doc = ParseCsv("a,b\n1,\"x\"y\n2,z\n");
    REQUIRE(doc.errors.size() == 1);
    CHECK(doc.errors[0].line == 2);
    CHECK_THAT(doc.errors[0].message, Catch::Contains("closing quote"));
    REQUIRE(doc.records.size() == 2);
    CHECK(doc.records[1].line == 3);
    CHECK(doc.records[1].fields == Fields{"2", "z"});
  }
  SECTION("a quote inside an unquoted field") {
    const CsvDocument doc = ParseCsv("a,b\n1,2\n3,4\"5\n6,7\n");
    REQUIRE(doc.errors.size() == 1);
    CHECK(doc.errors[0].line == 3);
    REQUIRE(doc.records.size() == 3);
    CHECK(doc.records[2].line == 4);
  }
  SECTION("an unterminated quote names the line it opened on") {
    const CsvDocument doc = ParseCsv("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n");
    REQUIRE(doc.errors.size() == 1);
    CHECK(doc.errors[0].line == 3);
    CHECK_THAT(doc.errors[0].message, Catch::Contains("line 3"));
    CHECK(doc.records.size() == 2);
  }
  SECTION("a bad quote after a multi-line field reports where the record starts") {
    const CsvDocument doc = ParseCsv("a,b\n1,\"two\nlines\"x\n2,z\n");
    REQUIRE(doc.errors.size() == 1);
    CHECK(doc.errors[0].line == 2);
    CHECK_THAT(doc.errors[0].message, Catch::Contains("on line 3"));
    REQUIRE(doc.records.size() == 2);
    CHECK(doc.records[1].line == 4);
  }
}

TEST_CASE("an empty file has no records", "[client][csv]") {
  CHECK(ParseCsv("").records.empty());
  CHECK(ParseCsv("\xEF\xBB\xBF").records.empty());
  CHECK(ParseCsv("\n\r\n").records.empty());
}
