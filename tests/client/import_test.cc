#include "import.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace aidlink::client;

namespace {

constexpr const char* kRequesterHeader =
    "station_id,kind,name,contact_name,phone,address,district,lat,lon,household_size,tags\n";

ImportPlan Plan(ImportKind kind, const std::string& csv, const ItemCodes& codes = {},
                const RequesterDirectory& requesters = {}) {
  auto plan = PlanImport(kind, ParseCsv(csv), codes, requesters);
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  return std::move(plan).value();
}

std::string ProblemAt(const ImportPlan& plan, int line) {
  for (const auto& p : plan.problems) {
    if (p.line == line) return p.message;
  }
  return "";
}

}  // namespace

TEST_CASE("a good requester row becomes the API's request body", "[client][import]") {
  const ImportPlan plan = Plan(
      ImportKind::kRequesters,
      std::string(kRequesterHeader) +
          "1,household,金老伯,金老伯,13800000000,\"和平区南京路1号, 3幢201\",和平区,39.12,117.2,1,"
          "elderly_alone;chronic_illness\n");
  REQUIRE(plan.problems.empty());
  REQUIRE(plan.rows.size() == 1);
  const ImportRow& row = plan.rows[0];
  CHECK(row.line == 2);
  CHECK(row.label == "金老伯");
  CHECK(boost::json::serialize(row.body) ==
        R"({"station_id":1,"kind":"household","name":"金老伯","contact_name":"金老伯",)"
        R"("phone":"13800000000","address":"和平区南京路1号, 3幢201","district":"和平区",)"
        R"("lat":3.912E1,"lon":1.172E2,"household_size":1,)"
        R"("tags":["chronic_illness","elderly_alone"]})");
  CHECK(row.idempotency_key.rfind("import-requesters-", 0) == 0);
  CHECK(row.idempotency_key.size() == std::string("import-requesters-").size() + 64);
}

TEST_CASE("the same row written differently gets the same idempotency key", "[client][import]") {
  const ImportPlan a =
      Plan(ImportKind::kRequesters, std::string(kRequesterHeader) +
                                        "1,household,金老伯,金老伯,138,南京路1号,和平区,,,1,"
                                        "elderly_alone;chronic_illness\n");
  // Other column order, BOM, CRLF, padding, other case and tag separator.
  const ImportPlan b =
      Plan(ImportKind::kRequesters,
           "\xEF\xBB\xBFtags,station_id,Kind,name,contact_name,phone,address,district,lat,lon,"
           "household_size\r\n"
           "\"chronic_illness | Elderly_Alone\",01, HOUSEHOLD ,金老伯 "
           ",金老伯,138,南京路1号,和平区,,,1\r\n");
  REQUIRE(a.rows.size() == 1);
  REQUIRE(b.rows.size() == 1);
  CHECK(a.rows[0].idempotency_key == b.rows[0].idempotency_key);
  CHECK(boost::json::serialize(a.rows[0].body) == boost::json::serialize(b.rows[0].body));

  const ImportPlan c =
      Plan(ImportKind::kRequesters, std::string(kRequesterHeader) +
                                        "1,household,金老伯,金老伯,138,南京路1号,和平区,,,2,"
                                        "elderly_alone;chronic_illness\n");
  CHECK(c.rows[0].idempotency_key != a.rows[0].idempotency_key);
}

TEST_CASE("every bad requester row is reported with its line and all its reasons",
          "[client][import]") {
  const ImportPlan plan = Plan(ImportKind::kRequesters,
                               std::string(kRequesterHeader) +
                                   "1,household,金老伯,金老伯,138,南京路1号,和平区,,,1,\n"  // 2 ok
                                   "1,household,,金,138,南京路2号,和平区,,,0,\n"            // 3
                                   "1,villa,王奶奶,王,138,南京路3号,和平区,,,2,rich\n"      // 4
                                   "x,household,李,李,138,南京路4号,和平区,91,117,2,\n"     // 5
                                   "1,household,赵,赵,138,南京路5号,和平区,39.1,,2,\n"      // 6
                                   "1,household,钱,钱,138\n"                                // 7
                                   "1,household,孙,孙,138,\"南京路\"6号\",和平区,,,2,\n"    // 8
                                   "1,community,幸福里小区,物业王经理,139,幸福里,南开区,,,2400,"
                                   "quarantined\n");  // 9 ok
  CHECK(plan.rows.size() == 2);
  CHECK(plan.rows[0].line == 2);
  CHECK(plan.rows[1].line == 9);
  REQUIRE(plan.problems.size() == 6);
  CHECK_THAT(ProblemAt(plan, 3), Catch::Contains("name is required"));
  CHECK_THAT(ProblemAt(plan, 3), Catch::Contains("household_size must be a whole number from 1"));
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("kind must be one of"));
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("unknown tag \"rich\""));
  CHECK_THAT(ProblemAt(plan, 5), Catch::Contains("station_id must be a whole number"));
  CHECK_THAT(ProblemAt(plan, 5), Catch::Contains("lat must be a number from -90 to 90"));
  CHECK_THAT(ProblemAt(plan, 6), Catch::Contains("lat and lon go together"));
  CHECK_THAT(ProblemAt(plan, 7), Catch::Contains("has 5 fields but the header has 11"));
  CHECK_THAT(ProblemAt(plan, 8), Catch::Contains("closing quote"));
}

TEST_CASE("text that is not UTF-8 or too long is refused before sending", "[client][import]") {
  const std::string long_name(201, 'a');
  const ImportPlan plan = Plan(ImportKind::kRequesters,
                               std::string(kRequesterHeader) +
                                   "1,household,\xBD\xF0\xC0\xCF\xB2\xAE,金,138,路,和平区,,,1,\n" +
                                   "1,household," + long_name + ",金,138,路,和平区,,,1,\n");
  REQUIRE(plan.problems.size() == 2);
  CHECK_THAT(ProblemAt(plan, 2), Catch::Contains("not valid UTF-8"));
  CHECK_THAT(ProblemAt(plan, 3), Catch::Contains("longer than 200"));
}

TEST_CASE("a repeated row is imported once and the repeat is noted", "[client][import]") {
  const ImportPlan plan =
      Plan(ImportKind::kRequesters, std::string(kRequesterHeader) +
                                        "1,household,金老伯,金老伯,138,南京路1号,和平区,,,1,\n"
                                        "1,household,李阿姨,李阿姨,139,南京路2号,和平区,,,2,\n"
                                        "1,household,金老伯,金老伯,138,南京路1号,和平区,,,1,\n");
  CHECK(plan.rows.size() == 2);
  REQUIRE(plan.duplicates.size() == 1);
  CHECK(plan.duplicates[0].line == 4);
  CHECK(plan.duplicates[0].first_line == 2);
}

TEST_CASE("a header with unknown, repeated or missing columns stops the import",
          "[client][import]") {
  auto plan = PlanImport(ImportKind::kRequesters, ParseCsv("station,name\n1,x\n"));
  REQUIRE_FALSE(plan.ok());
  CHECK_THAT(plan.status().message(), Catch::Contains("unknown column \"station\""));

  plan =
      PlanImport(ImportKind::kNeeds, ParseCsv("requester_id,item_id,quantity,quantity,urgency\n"));
  REQUIRE_FALSE(plan.ok());
  CHECK_THAT(plan.status().message(), Catch::Contains("quantity appears twice"));

  plan = PlanImport(ImportKind::kNeeds, ParseCsv("requester_id,quantity\n"));
  REQUIRE_FALSE(plan.ok());
  CHECK_THAT(plan.status().message(), Catch::Contains("urgency"));
  CHECK_THAT(plan.status().message(), Catch::Contains("item_id (or item_code)"));

  plan = PlanImport(ImportKind::kNeeds, ParseCsv(""));
  REQUIRE_FALSE(plan.ok());
  CHECK_THAT(plan.status().message(), Catch::Contains("empty"));
}

TEST_CASE("needs may name items by code and are validated row by row", "[client][import]") {
  const ItemCodes codes = {{"MED-AMLO", 7}, {"MASK-KN95", 3}};
  const std::string csv =
      "requester_id,item_code,quantity,urgency,needed_by,note\n"
      "12,MED-AMLO,30,Critical,2026-03-05,\"降压药只剩四天, 请先电话联系\"\n"  // 2 ok
      "12,MED-NONE,30,high,,\n"                                                // 3
      "12,MASK-KN95,0,normal,2026-02-30,\n"                                    // 4
      "12,MASK-KN95,10,soon,2026/3/5,\n"                                       // 5
      "12,MASK-KN95,1000000001,low,,\n"                                        // 6
      "12,MASK-KN95,10,low,,\n";                                               // 7 ok
  const ImportPlan plan = Plan(ImportKind::kNeeds, csv, codes);
  REQUIRE(plan.rows.size() == 2);
  CHECK(boost::json::serialize(plan.rows[0].body) ==
        R"({"requester_id":12,"item_id":7,"quantity":30,"urgency":"critical",)"
        R"("needed_by":"2026-03-05","note":"降压药只剩四天, 请先电话联系"})");
  CHECK(plan.rows[0].idempotency_key.rfind("import-needs-", 0) == 0);
  CHECK(plan.rows[1].line == 7);
  CHECK_THAT(ProblemAt(plan, 3), Catch::Contains("unknown item_code \"MED-NONE\""));
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("quantity must be a whole number from 1"));
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("needed_by must be a real date"));
  CHECK_THAT(ProblemAt(plan, 5), Catch::Contains("urgency must be one of critical, high"));
  CHECK_THAT(ProblemAt(plan, 5), Catch::Contains("YYYY-MM-DD"));
  CHECK_THAT(ProblemAt(plan, 6), Catch::Contains("to 1000000000"));
  CHECK(UsesItemCodes(ParseCsv(csv)));
}

TEST_CASE("a need by item code and the same need by item id share a key", "[client][import]") {
  const ImportPlan by_code =
      Plan(ImportKind::kNeeds, "requester_id,item_code,quantity,urgency\n12,MED,30,high\n",
           {{"MED", 7}});
  const ImportPlan by_id =
      Plan(ImportKind::kNeeds, "requester_id,item_id,quantity,urgency\n12,7,30,high\n");
  REQUIRE(by_code.rows.size() == 1);
  REQUIRE(by_id.rows.size() == 1);
  CHECK(by_code.rows[0].idempotency_key == by_id.rows[0].idempotency_key);
  CHECK_FALSE(UsesItemCodes(ParseCsv("requester_id,item_id\n")));
}

TEST_CASE("SHA-256 matches the FIPS 180-2 test vector", "[client][import]") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a household registered before is recognised whatever the id and tag forms",
          "[client][import]") {
  const ImportPlan plan = Plan(ImportKind::kRequesters,
                               std::string(kRequesterHeader) +
                                   "1,household,金老伯,金老伯,138,南京路1号,和平区,39.12,117.2,1,"
                                   "elderly_alone;chronic_illness\n");
  REQUIRE(plan.rows.size() == 1);
  const auto& body = plan.rows[0].body;
  const auto existing = boost::json::parse(
      R"({"id":"7","station_id":"1","kind":"household","name":"金老伯","contact_name":"金老伯",)"
      R"("phone":"138","address":"南京路1号","district":"和平区","lat":39.12,"lon":117.2,)"
      R"("household_size":1,"tags":["elderly_alone","chronic_illness"],"created_at":"x"})");
  CHECK(SameRequester(body, existing));

  auto other = existing;
  other.as_object()["phone"] = "139";
  CHECK_FALSE(SameRequester(body, other));
  other = existing;
  other.as_object().erase("lat");
  CHECK_FALSE(SameRequester(body, other));
  other = existing;
  other.as_object()["tags"] = boost::json::array{"elderly_alone"};
  CHECK_FALSE(SameRequester(body, other));
  other = existing;
  other.as_object()["household_size"] = 2;
  CHECK_FALSE(SameRequester(body, other));
}

TEST_CASE("needs name the requester by name and phone, as stations' spreadsheets do",
          "[client][import][issue12]") {
  const RequesterDirectory requesters = {
      {21, "金老伯", "138 0000 1111"},     {22, "王阿姨", "13900002222"},
      {23, "王阿姨", "13700003333"},       {24, "李大爷", "+86 136 0000 4444"},
      {25, "李大爷", "+86 136 0000 4444"},
  };
  const ItemCodes codes = {{"MED-BP", 7}};
  const std::string csv =
      "requester_name,requester_phone,item_code,quantity,urgency\n"
      "金老伯,13800001111,med-bp,2,critical\n"      // 2: found (phone spacing ignored)
      "金老伯,,MED-BP,2,high\n"                     // 3: name alone is unique
      "王阿姨,,MED-BP,1,normal\n"                   // 4: ambiguous without a phone
      "王阿姨,+86 137-0000-3333,Med-Bp,1,normal\n"  // 5: the phone tells them apart
      "赵奶奶,13500005555,MED-BP,1,low\n"           // 6: unknown
      "金老伯,13899999999,MED-BP,1,low\n"           // 7: name known, phone not
      "李大爷,13600004444,MED-BP,1,low\n";          // 8: registered twice: ambiguous
  const ImportPlan plan = Plan(ImportKind::kNeeds, csv, codes, requesters);
  CHECK(UsesRequesterNames(ParseCsv(csv)));
  REQUIRE(plan.rows.size() == 3);
  CHECK(plan.rows[0].line == 2);
  CHECK(plan.rows[0].body.at("requester_id").as_int64() == 21);
  CHECK(plan.rows[0].body.at("item_id").as_int64() == 7);
  CHECK(plan.rows[1].line == 3);
  CHECK(plan.rows[1].body.at("requester_id").as_int64() == 21);
  CHECK(plan.rows[2].line == 5);
  CHECK(plan.rows[2].body.at("requester_id").as_int64() == 23);
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("ambiguous: 2 requesters \"王阿姨\""));
  CHECK_THAT(ProblemAt(plan, 4), Catch::Contains("22, 23"));
  CHECK_THAT(ProblemAt(plan, 6), Catch::Contains("no requester \"赵奶奶\" with phone"));
  CHECK_THAT(ProblemAt(plan, 7), Catch::Contains("no requester \"金老伯\""));
  CHECK_THAT(ProblemAt(plan, 8), Catch::Contains("ambiguous"));
  CHECK_THAT(ProblemAt(plan, 8), Catch::Contains("24, 25"));

  // The same need by id shares the row's key: a re-import by id adds nothing twice.
  const ImportPlan by_id =
      Plan(ImportKind::kNeeds, "requester_id,item_code,quantity,urgency\n21,MED-BP,2,critical\n",
           codes, requesters);
  REQUIRE(by_id.rows.size() == 1);
  CHECK(by_id.rows[0].idempotency_key == plan.rows[0].idempotency_key);

  // Without requester_id or requester_name the header is refused.
  auto bad = PlanImport(ImportKind::kNeeds,
                        ParseCsv("requester_phone,item_id,quantity,urgency\n138,7,1,low\n"));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("requester_id (or requester_name"));
}

TEST_CASE("item codes are matched without regard to letter case", "[client][import][issue12]") {
  CHECK(ItemCodeKey("med-bp") == ItemCodeKey("MED-BP"));
  CHECK(ItemCodeKey(" Med-Bp ") == "med-bp");
  const ImportPlan plan =
      Plan(ImportKind::kNeeds, "requester_id,item_code,quantity,urgency\n12,med-bp,3,high\n",
           {{"MED-BP", 7}});
  REQUIRE(plan.rows.size() == 1);
  CHECK(plan.rows[0].body.at("item_id").as_int64() == 7);
}
