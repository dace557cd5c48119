#include "dedup/cases.h"

#include <catch2/catch.hpp>
#include <vector>

namespace dedup = aidlink::dedup;
using dedup::Likelihood;

namespace {

constexpr dedup::Basis kPhone = dedup::kBasisPhone;
constexpr dedup::Basis kAddress = dedup::kBasisAddress;
constexpr dedup::Basis kName = dedup::kBasisName;

dedup::Secret TestSecret() {
  dedup::Secret s;
  s.bytes.fill(42);
  return s;
}

dedup::Keys KeysOf(const char* name, const char* phone, const char* address) {
  return dedup::MakeKeys(TestSecret(), {name, phone, "东湖区", address});
}

}  // namespace

TEST_CASE("the pair rule: two strong keys are likely, one is possible", "[dedup]") {
  const struct {
    dedup::Basis shared;
    int phone_holders;
    Likelihood status;
    dedup::Basis basis;
    bool shared_contact;
  } kTable[] = {
      {0, 1, Likelihood::kNone, 0, false},
      {kPhone, 2, Likelihood::kPossible, kPhone, false},
      {kAddress, 1, Likelihood::kPossible, kAddress, false},
      {kName, 1, Likelihood::kPossible, kName, false},
      {kPhone | kAddress, 2, Likelihood::kLikely, kPhone | kAddress, false},
      {kAddress | kName, 1, Likelihood::kLikely, kAddress | kName, false},
      {kPhone | kName, 2, Likelihood::kLikely, kPhone | kName, false},
      {kPhone | kAddress | kName, 2, Likelihood::kLikely, kPhone | kAddress | kName, false},
      // A phone of 3 or more registrations is a shared contact: no evidence.
      {kPhone, 3, Likelihood::kNone, 0, true},
      {kPhone, 40, Likelihood::kNone, 0, true},
      {kPhone | kAddress, 3, Likelihood::kPossible, kAddress, true},
      {kPhone | kName, 3, Likelihood::kPossible, kName, true},
      {kPhone | kAddress | kName, 3, Likelihood::kLikely, kAddress | kName, true},
  };
  for (const auto& row : kTable) {
    INFO("shared " << int(row.shared) << " holders " << row.phone_holders);
    const dedup::Verdict v = dedup::ClassifyPair(row.shared, row.phone_holders);
    CHECK(v.status == row.status);
    CHECK(v.basis == row.basis);
    CHECK(v.shared_contact == row.shared_contact);
  }
}

TEST_CASE("names of statuses and bases are the API's words", "[dedup]") {
  CHECK(dedup::LikelihoodName(Likelihood::kNone) == "none");
  CHECK(dedup::LikelihoodName(Likelihood::kPossible) == "possible");
  CHECK(dedup::LikelihoodName(Likelihood::kLikely) == "likely");
  CHECK(dedup::BasisNames(kName | kPhone) == std::vector<std::string_view>{"phone", "name"});
  CHECK(dedup::BasisNames(0).empty());
}

TEST_CASE("金老伯 registered by two stations in two spellings is likely", "[dedup]") {
  const dedup::Keys first = KeysOf("金老伯", "138 0000 1111", "幸福里3号楼201");
  const dedup::Keys second = KeysOf("金老伯", "+86 13800001111", "幸福里３栋２０１");
  const std::vector<dedup::Other> others = {{1, first}};
  const dedup::Classification c = dedup::Classify(second, others);
  CHECK(c.status == Likelihood::kLikely);
  CHECK(c.basis == (kPhone | kAddress | kName));
  REQUIRE(c.matches.size() == 1);
  CHECK(c.matches[0].id == 1);
}

TEST_CASE("a neighbour with another phone in another flat is no duplicate", "[dedup]") {
  const std::vector<dedup::Other> others = {{1, KeysOf("金老伯", "13800001111", "幸福里3号楼201")}};
  CHECK(dedup::Classify(KeysOf("李阿姨", "13900002222", "幸福里3号楼202"), others).status ==
        Likelihood::kNone);
  SECTION("a relative giving the same phone is possible") {
    const dedup::Classification c =
        dedup::Classify(KeysOf("金小明", "13800001111", "幸福里9号楼101"), others);
    CHECK(c.status == Likelihood::kPossible);
    CHECK(c.basis == kPhone);
  }
  SECTION("the same flat under another name is possible") {
    const dedup::Classification c = dedup::Classify(KeysOf("金老太", "", "幸福里3幢201室"), others);
    CHECK(c.status == Likelihood::kPossible);
    CHECK(c.basis == kAddress);
  }
}

TEST_CASE("a building leader's phone on many households flags none of them", "[dedup]") {
  // 楼长 王 gives his phone for three elderly neighbours.
  dedup::Index index;
  index.Add(1, KeysOf("赵奶奶", "13700007777", "幸福里3栋101"));
  index.Add(2, KeysOf("钱爷爷", "13700007777", "幸福里3栋102"));
  SECTION("the second is possible: two holders are no shared contact yet") {
    dedup::Index two;
    two.Add(1, KeysOf("赵奶奶", "13700007777", "幸福里3栋101"));
    CHECK(two.Check(KeysOf("钱爷爷", "13700007777", "幸福里3栋102"), 2).status ==
          Likelihood::kPossible);
  }
  SECTION("the third makes the phone a shared contact") {
    const dedup::Classification c =
        index.Check(KeysOf("孙阿姨", "137-0000-7777", "幸福里3栋103"), 3);
    CHECK(c.status == Likelihood::kNone);
    CHECK(c.matches.empty());
  }
  SECTION("a re-registration with the shared phone is found by address and name") {
    index.Add(3, KeysOf("孙阿姨", "13700007777", "幸福里3栋103"));
    const dedup::Classification c =
        index.Check(KeysOf("孫阿姨", "+86 137 0000 7777", "幸福里三号楼一〇三"), 4);
    CHECK(c.status == Likelihood::kLikely);
    CHECK(c.basis == (kAddress | kName));
    REQUIRE(c.matches.size() == 1);
    CHECK(c.matches[0].id == 3);
    CHECK(c.matches[0].verdict.shared_contact);
  }
  SECTION("the shared phone and the same flat is only possible") {
    index.Add(3, KeysOf("孙阿姨", "13700007777", "幸福里3栋103"));
    const dedup::Classification c = index.Check(KeysOf("周先生", "13700007777", "幸福里3栋103"), 4);
    CHECK(c.status == Likelihood::kPossible);
    CHECK(c.basis == kAddress);
  }
}

TEST_CASE("evidence from two registrations does not add up", "[dedup]") {
  const std::vector<dedup::Other> others = {
      {1, KeysOf("金老伯", "13800001111", "安康里1栋101")},  // the phone only
      {2, KeysOf("李阿姨", "13900002222", "幸福里3栋201")},  // the flat only
  };
  const dedup::Classification c =
      dedup::Classify(KeysOf("金老伯", "13800001111", "幸福里3栋201"), others);
  CHECK(c.status == Likelihood::kPossible);
  CHECK(c.basis == (kPhone | kAddress));
  REQUIRE(c.matches.size() == 2);
  CHECK(c.matches[0].id == 1);
  CHECK(c.matches[1].id == 2);
}

TEST_CASE("the strongest verdict leads and its bases are joined", "[dedup]") {
  const std::vector<dedup::Candidate> candidates = {
      {9, kPhone}, {4, kAddress | kName}, {7, kPhone | kAddress}, {2, kName}};
  const dedup::Classification c = dedup::Classify(candidates, 2);
  CHECK(c.status == Likelihood::kLikely);
  CHECK(c.basis == (kPhone | kAddress | kName));
  REQUIRE(c.matches.size() == 4);
  CHECK(c.matches[0].id == 4);
  CHECK(c.matches[1].id == 7);
  CHECK(c.matches[2].id == 2);
  CHECK(c.matches[3].id == 9);
  CHECK(dedup::Classify(std::vector<dedup::Candidate>{}, 1).status == Likelihood::kNone);
}

TEST_CASE("the index finds by each key, merges per id and forgets on remove", "[dedup]") {
  dedup::Index index;
  const dedup::Keys jin = KeysOf("金老伯", "13800001111", "幸福里3号楼201");
  index.Add(1, jin);
  index.Add(2, KeysOf("金老伯", "13900002222", "幸福里3号楼202"));  // name + building
  index.Add(3, KeysOf("李阿姨", "13800001111", "安康里1栋101"));    // phone
  index.Add(4, KeysOf("王先生", "", ""));                           // no keys at all
  CHECK(index.size() == 4);
  REQUIRE(jin.phone);
  CHECK(index.PhoneHolders(*jin.phone) == 2);

  const dedup::Keys again = KeysOf("金老伯", "+86 138 0000 1111", "幸福里3幢201室");
  CHECK(index.Find(again, std::nullopt) ==
        std::vector<dedup::Candidate>{{1, kPhone | kAddress | kName}, {2, kName}, {3, kPhone}});
  SECTION("an edit does not find itself") {
    CHECK(index.Find(again, 1) == std::vector<dedup::Candidate>{{2, kName}, {3, kPhone}});
    CHECK(index.Check(again, 1).status == Likelihood::kPossible);
  }
  SECTION("remove, then the keys are gone") {
    index.Remove(1, jin);
    CHECK(index.size() == 3);
    CHECK(index.PhoneHolders(*jin.phone) == 1);
    CHECK(index.Find(again, std::nullopt) ==
          std::vector<dedup::Candidate>{{2, kName}, {3, kPhone}});
    index.Remove(1, jin);  // twice: nothing left to remove
    CHECK(index.PhoneHolders(*jin.phone) == 1);
  }
  SECTION("a third holder turns the phone into a shared contact") {
    CHECK(index.Check(again, std::nullopt).status == Likelihood::kLikely);
    index.Add(5, KeysOf("张先生", "13800001111", "安康里2栋101"));
    const dedup::Classification c = index.Check(KeysOf("刘女士", "13800001111", "安康里9栋9"), 6);
    CHECK(c.status == Likelihood::kNone);
  }
}
