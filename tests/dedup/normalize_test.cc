#include "dedup/normalize.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace dedup = aidlink::dedup;

TEST_CASE("the converter for traditional characters loads", "[dedup]") {
  const aidlink::Status s = dedup::ConverterStatus();
  INFO(s.ToString());
  CHECK(s.ok());
}

TEST_CASE("one mobile number in five spellings normalises to its 11 digits", "[dedup]") {
  for (const char* phone : {"138 0000 1111", "+86 13800001111", "13800001111", "0086-138-0000-1111",
                            "１３８００００１１１１", "+86-138-0000-1111", "86 138 0000 1111",
                            "(+86) 138-0000-1111", "＋８６　１３８ ００００ １１１１"}) {
    INFO(phone);
    CHECK(dedup::NormalizePhone(phone) == "13800001111");
  }
  CHECK(dedup::IsMobile("13800001111"));
}

TEST_CASE("landlines keep their area code and are not mobiles", "[dedup]") {
  CHECK(dedup::NormalizePhone("021-5555 1234") == "02155551234");
  CHECK(dedup::NormalizePhone("(021) 5555-1234") == "02155551234");
  // Written internationally a landline loses its trunk 0; it comes back.
  CHECK(dedup::NormalizePhone("+86 21 5555 1234") == "02155551234");
  CHECK(dedup::NormalizePhone("0086 10 8888 1111") == "01088881111");
  CHECK(dedup::NormalizePhone("5555 1234") == "55551234");
  CHECK_FALSE(dedup::IsMobile("02155551234"));
  CHECK_FALSE(dedup::IsMobile("55551234"));
  CHECK_FALSE(dedup::IsMobile("12800001111"));  // 12x is not a mobile prefix
  CHECK_FALSE(dedup::IsMobile("1380000111"));
  // A landline whose digits end like a mobile is still another number.
  CHECK(dedup::NormalizePhone("0138 0000 111") != dedup::NormalizePhone("13800001111"));
}

TEST_CASE("the first usable number of a list is the phone, and junk is none", "[dedup]") {
  CHECK(dedup::NormalizePhone("13800001111 / 021-5555-1234") == "13800001111");
  CHECK(dedup::NormalizePhone("无、13800001111") == "13800001111");
  CHECK(dedup::NormalizePhone("13800001111或13900002222") == "13800001111");
  CHECK(dedup::NormalizePhone("021-5555-1234转801") == "02155551234");
  CHECK(dedup::NormalizePhone("021 5555 1234 x801") == "02155551234");
  for (const char* junk : {"", "   ", "无", "110", "12345", "1234567890123456", "-", "+86"}) {
    INFO(junk);
    CHECK(dedup::NormalizePhone(junk) == "");
  }
}

TEST_CASE("one flat in four spellings normalises to one unit", "[dedup]") {
  for (const char* address :
       {"幸福里3号楼201", "幸福里3幢201室", "幸福里３栋２０１", "幸福里三号楼二〇一",
        "幸福里三号楼二零一", "幸福里 3 号楼 201 室", "幸福里3座201房", "幸福里3号201",
        "幸福里3#201", "幸福里03栋0201", "幸福裡3號樓201", "幸福里3-201", "幸福里第三栋201户"}) {
    INFO(address);
    const dedup::AddressUnit a = dedup::NormalizeAddress(address);
    CHECK(a.unit == "幸福里3栋201室");
    CHECK(a.building == "幸福里3栋");
  }
}

TEST_CASE("building, entrance and room spellings normalise alike", "[dedup]") {
  const struct {
    const char* address;
    const char* unit;
    const char* building;
  } kCases[] = {
      {"幸福里3-2-101", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里3栋2单元101室", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里3栋2门101", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里三号楼二单元一〇一", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里3栋2-101", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里3号2-101", "幸福里3栋2单元101室", "幸福里3栋"},
      {"幸福里A-1201", "幸福里A栋1201室", "幸福里A栋"},
      {"幸福里12-14号3栋201", "幸福里1214号3栋201室", "幸福里1214号3栋"},
      {"幸福里十二号楼一百零一", "幸福里12栋101室", "幸福里12栋"},
      {"幸福里二十一栋", "幸福里21栋", "幸福里21栋"},
      {"幸福里a座1201", "幸福里A栋1201室", "幸福里A栋"},
      {"三里屯五号楼", "三里屯5栋", "三里屯5栋"},  // 三里屯 is a name, not a number
      {"五道口12号", "五道口12号", "五道口12号"},
      {"幸福路12号3楼301", "幸福路12号3楼301室", "幸福路12号"},
      {"幸福里201室", "幸福里201室", "幸福里"},
      {"幸福里12-14号", "幸福里1214号", "幸福里1214号"},
      {"幸福里（东区）3栋，201", "幸福里东区3栋201室", "幸福里东区3栋"},
      {"幸福小区3栋201", "幸福3栋201室", "幸福3栋"},
      {"东湖区幸福小区 3栋201", "东湖区幸福3栋201室", "东湖区幸福3栋"},
      {"小区3栋201", "小区3栋201室", "小区3栋"},
      {"幸福小区北门3栋201", "幸福小区北门3栋201室", "幸福小区北门3栋"},
      {"", "", ""},
      {"  ", "", ""},
  };
  for (const auto& c : kCases) {
    INFO(c.address);
    const dedup::AddressUnit a = dedup::NormalizeAddress(c.address);
    CHECK(a.unit == c.unit);
    CHECK(a.building == c.building);
  }
}

TEST_CASE("another room, building or compound stays another address", "[dedup]") {
  const std::string unit = dedup::NormalizeAddress("幸福里3号楼201").unit;
  for (const char* other : {"幸福里3号楼202", "幸福里4号楼201", "幸福里3号楼2单元201",
                            "安康里3号楼201", "幸福里13号楼201", "幸福里3号楼2010"}) {
    INFO(other);
    CHECK(dedup::NormalizeAddress(other).unit != unit);
  }
  CHECK(dedup::NormalizeAddress("幸福里3号楼202").building ==
        dedup::NormalizeAddress("幸福里3号楼201").building);
  CHECK(dedup::NormalizeAddress("幸福里4号楼201").building !=
        dedup::NormalizeAddress("幸福里3号楼201").building);
}

TEST_CASE("names compare without spaces, width, case or traditional forms", "[dedup]") {
  CHECK(dedup::NormalizeName("金老伯") == "金老伯");
  CHECK(dedup::NormalizeName(" 金 老伯 ") == "金老伯");
  CHECK(dedup::NormalizeName("金　老伯") == "金老伯");  // ideographic space
  CHECK(dedup::NormalizeName("陳大文") == "陈大文");
  CHECK(dedup::NormalizeName("張偉") == "张伟");
  CHECK(dedup::NormalizeName("劉麗華") == "刘丽华");
  CHECK(dedup::NormalizeName("阿卜杜·热合曼") == "阿卜杜热合曼");
  CHECK(dedup::NormalizeName("Ｊｏｈｎ Smith") == "johnsmith");
  CHECK(dedup::NormalizeName("") == "");
  CHECK(dedup::NormalizeName("金老伯") != dedup::NormalizeName("金老太"));
}

TEST_CASE("malformed UTF-8 is normalised, not refused", "[dedup]") {
  CHECK(dedup::NormalizeName("金\xff老伯") == "金老伯");
  CHECK(dedup::NormalizePhone("138\xe9\x87"
                              "00001111") == "13800001111");
  CHECK(dedup::NormalizeAddress("幸福里\xff"
                                "3栋201")
            .unit == "幸福里3栋201室");
}

TEST_CASE("very long input is read up to a bound, at a character boundary", "[dedup]") {
  std::string name;
  for (int i = 0; i < 1000; ++i) name += "陳";  // 3,000 bytes
  const std::string normalized = dedup::NormalizeName(name);
  CHECK(normalized.size() == 1023);  // 341 characters of 3 bytes
  CHECK(normalized.substr(0, 6) == "陈陈");
  CHECK(dedup::NormalizeAddress(std::string(100'000, '9')).unit.size() == 1024);
}

TEST_CASE("normalising from many threads at once gives the same results", "[dedup]") {
  const std::vector<std::string> names = {"陳大文", "張偉", "劉麗華", "金老伯", "趙 國強"};
  std::vector<std::string> expected;
  for (const std::string& n : names) expected.push_back(dedup::NormalizeName(n));
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 500; ++round) {
        for (size_t i = 0; i < names.size(); ++i) {
          wrong[t] += dedup::NormalizeName(names[i]) != expected[i];
          wrong[t] += dedup::NormalizeAddress("幸福裡三號樓二〇一").unit != "幸福里3栋201室";
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const int w : wrong) CHECK(w == 0);
}
