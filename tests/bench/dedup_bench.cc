// `aidlink-bench dedup`: duplicate detection (server/dedup/) on a seeded
// synthetic city of 1,000,000 registrations from 2,000 stations.
//
// The city: 16 districts of 8 stations' worth of compounds each (about 40
// compounds per district, 10-40 buildings, some with entrances, 6-18
// floors), one household per flat at most. Households have a mobile (80%),
// a landline (8%), a relative's mobile shared with one other household (4%),
// their building leader's (楼长) mobile, which they share with 3-8 neighbours
// (4%), or no phone (4%). Names are common surnames and given names, so
// namesakes in one building occur, as they do.
//
// 5% of the registrations are planted duplicates: an existing household
// registered again by another station of its district, written the way
// another volunteer writes it: the phone with spaces, dashes, +86, 0086 or in
// full-width digits; the building as 号楼, 幢, 栋, 座 or 号, in Chinese
// numerals or full-width digits; the entrance as 单元 or 门 or the dash form
// 3-2-101; 室 or 房 or nothing; traditional characters; spaces; the
// district in front. Some differ for real: another phone of the household or
// none (12%), the entrance left out (4%), 幸福小区 written 幸福 (a third of
// the compounds called 小区), another member's name (6%): those lose a key,
// and with two lost nothing finds them.
//
// Every registration, in a shuffled order, is normalised, keyed, checked
// against the index of those before it, and added. A `likely` verdict
// counts as a found pair. Prints generation, where the time goes, the
// possible pairs (and how many of them are planted: a dispatcher still sees
// those), the found pairs by basis, true and false, the check's cost per
// registration (normalise + keys + lookup, p50/p99 over 10,000 samples
// against the full index), and as its last line:
//   dedup: requesters=N planted=P found=F precision=X recall=Y seconds=S

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench.h"
#include "dedup/cases.h"
#include "dedup/keys.h"

namespace aidlink::bench {
namespace {

constexpr int kStations = 2'000;
constexpr int kDistricts = 16;
constexpr double kPlantedShare = 0.05;
constexpr int kCheckSamples = 10'000;

constexpr const char* kDistrictNames[kDistricts] = {
    "东湖区", "西湖区", "南湖区", "北湖区", "青山区", "洪山区", "江汉区", "汉阳区",
    "武昌区", "江岸区", "硚口区", "蔡甸区", "新洲区", "黄陂区", "江夏区", "汉南区"};

// Compound names: a first and a second part. Some first parts hold numerals
// (三里, 五一) that are place names, not house numbers.
constexpr const char* kCompoundFirst[] = {
    "幸福", "安康", "和平", "光明", "东风", "建设", "三里", "五一", "红星", "长青",
    "华庭", "金桥", "锦绣", "龙湾", "凤凰", "丰收", "荣华", "书香", "宝丰", "桂花",
    "梅岭", "兰亭", "云景", "翠湖", "紫荆", "国际", "新华", "万家", "东方", "滨江"};
constexpr const char* kCompoundSecond[] = {"里",   "苑",   "小区", "新村", "花园",
                                           "家园", "公寓", "华府", "城",   "湾"};

struct Surname {
  const char* simplified;
  const char* traditional;
};
constexpr Surname kSurnames[] = {
    {"王", "王"}, {"李", "李"}, {"张", "張"}, {"刘", "劉"}, {"陈", "陳"}, {"杨", "楊"},
    {"黄", "黃"}, {"赵", "趙"}, {"吴", "吳"}, {"周", "周"}, {"徐", "徐"}, {"孙", "孫"},
    {"马", "馬"}, {"朱", "朱"}, {"胡", "胡"}, {"郭", "郭"}, {"何", "何"}, {"高", "高"},
    {"林", "林"}, {"罗", "羅"}, {"郑", "鄭"}, {"梁", "梁"}, {"谢", "謝"}, {"宋", "宋"},
    {"唐", "唐"}, {"许", "許"}, {"韩", "韓"}, {"冯", "馮"}, {"邓", "鄧"}, {"曹", "曹"},
    {"彭", "彭"}, {"曾", "曾"}, {"肖", "肖"}, {"田", "田"}, {"董", "董"}, {"袁", "袁"},
    {"潘", "潘"}, {"于", "于"}, {"蒋", "蔣"}, {"蔡", "蔡"}, {"余", "余"}, {"杜", "杜"},
    {"叶", "葉"}, {"程", "程"}, {"苏", "蘇"}, {"魏", "魏"}, {"吕", "呂"}, {"丁", "丁"},
    {"任", "任"}, {"沈", "沈"}, {"姚", "姚"}, {"卢", "盧"}, {"姜", "姜"}, {"崔", "崔"},
    {"钟", "鍾"}, {"谭", "譚"}, {"陆", "陸"}, {"汪", "汪"}, {"范", "范"}, {"金", "金"},
};
constexpr Surname kGiven[] = {
    {"建国", "建國"}, {"秀英", "秀英"}, {"桂兰", "桂蘭"}, {"志强", "志強"}, {"玉兰", "玉蘭"},
    {"国华", "國華"}, {"淑珍", "淑珍"}, {"文", "文"},     {"军", "軍"},     {"敏", "敏"},
    {"丽", "麗"},     {"伟", "偉"},     {"芳", "芳"},     {"海燕", "海燕"}, {"德明", "德明"},
    {"春梅", "春梅"}, {"金凤", "金鳳"}, {"长生", "長生"}, {"福贵", "福貴"}, {"小红", "小紅"},
    {"丽华", "麗華"}, {"红梅", "紅梅"}, {"建华", "建華"}, {"凤英", "鳳英"}, {"宝山", "寶山"},
    {"庆丰", "慶豐"}, {"荣", "榮"},     {"云", "雲"},     {"龙", "龍"},     {"兰英", "蘭英"},
    {"志明", "志明"}, {"淑华", "淑華"}, {"玉梅", "玉梅"}, {"国强", "國強"}, {"爱民", "愛民"},
    {"振东", "振東"}, {"卫东", "衛東"}, {"红军", "紅軍"}, {"桂英", "桂英"}, {"秀兰", "秀蘭"},
    {"老伯", "老伯"}, {"阿姨", "阿姨"}, {"奶奶", "奶奶"}, {"爷爷", "爺爺"}, {"婆婆", "婆婆"},
    {"晓东", "曉東"}, {"丽娟", "麗娟"}, {"海涛", "海濤"}, {"静", "靜"},     {"杰", "傑"},
    {"浩", "浩"},     {"磊", "磊"},     {"洋", "洋"},     {"艳", "艷"},     {"勇", "勇"},
    {"娟", "娟"},     {"涛", "濤"},     {"明", "明"},     {"超", "超"},     {"秀珍", "秀珍"},
};

// Traditional forms of the characters of compound names and markers, as a
// volunteer on a traditional-script phone types them.
constexpr Surname kTraditional[] = {
    {"号", "號"}, {"楼", "樓"}, {"单", "單"}, {"门", "門"}, {"里", "裡"}, {"华", "華"},
    {"东", "東"}, {"风", "風"}, {"设", "設"}, {"长", "長"}, {"庭", "庭"}, {"桥", "橋"},
    {"锦", "錦"}, {"绣", "繡"}, {"龙", "龍"}, {"湾", "灣"}, {"凤", "鳳"}, {"丰", "豐"},
    {"荣", "榮"}, {"书", "書"}, {"宝", "寶"}, {"岭", "嶺"}, {"兰", "蘭"}, {"云", "雲"},
    {"景", "景"}, {"紫", "紫"}, {"国", "國"}, {"际", "際"}, {"万", "萬"}, {"园", "園"},
    {"区", "區"}, {"庄", "莊"}, {"寓", "寓"}, {"滨", "濱"}, {"江", "江"}, {"村", "村"},
};

// A flat: compound, building, entrance (0: none), floor, door.
struct Flat {
  int district = 0;
  int compound = 0;  // within the district
  int building = 0;
  int entrance = 0;
  int floor = 0;
  int door = 0;
};

struct Household {
  Flat flat;
  std::string name_simplified, name_traditional;
  std::string phone;       // 11 digits, a landline, or ""
  std::string other_name;  // another member's name, for a re-registration
};

struct Generated {
  std::string name, phone, address;
  int district = 0;
  int station = 0;
  int household = 0;
};

class City {
 public:
  explicit City(uint64_t seed) : rng_(seed) {}

  std::vector<Generated> Generate(int requesters, int* planted) {
    const int planted_count = static_cast<int>(requesters * kPlantedShare);
    const int households = requesters - planted_count;
    *planted = planted_count;
    MakeCompounds();
    MakeHouseholds(households);
    std::vector<Generated> out;
    out.reserve(static_cast<size_t>(requesters));
    for (int h = 0; h < households; ++h) {
      const Household& hh = households_[static_cast<size_t>(h)];
      Generated g;
      g.name = hh.name_simplified;
      g.phone = PhoneAsWritten(hh.phone, /*vary=*/false);
      g.address = AddressAsWritten(hh.flat, /*vary=*/false, /*drop_entrance=*/false);
      g.district = hh.flat.district;
      g.station = StationIn(hh.flat.district);
      g.household = h;
      out.push_back(std::move(g));
    }
    // Re-registrations of distinct households, by another station.
    std::vector<int> order(static_cast<size_t>(households));
    for (int h = 0; h < households; ++h) order[static_cast<size_t>(h)] = h;
    std::shuffle(order.begin(), order.end(), rng_);
    for (int i = 0; i < planted_count; ++i) {
      const int h = order[static_cast<size_t>(i)];
      out.push_back(ReRegistration(h, out[static_cast<size_t>(h)].station));
    }
    std::shuffle(out.begin(), out.end(), rng_);
    return out;
  }

 private:
  struct Compound {
    std::string name;
    int buildings = 0;
    int entrances = 0;  // 0: the buildings have none
    int floors = 0;
    int doors = 0;  // per floor (per entrance)
  };

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&list)[N]) {
    return list[static_cast<size_t>(Uniform(0, static_cast<int>(N) - 1))];
  }

  int StationIn(int district) {
    // Stations s with s % kDistricts == district serve that district.
    return district + kDistricts * Uniform(0, kStations / kDistricts - 1);
  }

  void MakeCompounds() {
    for (int d = 0; d < kDistricts; ++d) {
      std::unordered_set<std::string> names;
      while (names.size() < 40) {
        std::string name = std::string(Pick(kCompoundFirst)) + Pick(kCompoundSecond);
        if (!names.insert(name).second) continue;
        Compound c;
        c.name = name;
        c.buildings = Uniform(10, 40);
        c.entrances = Chance(0.5) ? Uniform(2, 6) : 0;
        c.floors = Uniform(6, 18);
        c.doors = Uniform(2, 4);
        compounds_[d].push_back(std::move(c));
      }
    }
  }

  std::string MobileNumber() {
    static constexpr const char* kPrefixes[] = {"13", "15", "17", "18", "19", "14", "16"};
    for (;;) {
      std::string phone = Pick(kPrefixes);
      for (int i = 0; i < 9; ++i) phone.push_back(static_cast<char>('0' + Uniform(0, 9)));
      if (phones_.insert(phone).second) return phone;
    }
  }

  std::string Landline() {
    static constexpr const char* kAreas[] = {"027", "010", "021", "0710", "0716"};
    for (;;) {
      std::string phone = Pick(kAreas);
      phone.push_back(static_cast<char>('2' + Uniform(0, 6)));
      for (int i = 0; i < 7; ++i) phone.push_back(static_cast<char>('0' + Uniform(0, 9)));
      if (phones_.insert(phone).second) return phone;
    }
  }

  std::pair<std::string, std::string> Name() {
    const Surname& s = Pick(kSurnames);
    const Surname& g = Pick(kGiven);
    return {std::string(s.simplified) + g.simplified, std::string(s.traditional) + g.traditional};
  }

  void MakeHouseholds(int count) {
    std::unordered_set<uint64_t> taken;
    // A building leader's phone, per building, with how many more households
    // may use it.
    std::unordered_map<uint64_t, std::pair<std::string, int>> leaders;
    std::vector<size_t> relatives;  // households whose phone a relative may share
    households_.reserve(static_cast<size_t>(count));
    while (static_cast<int>(households_.size()) < count) {
      Flat f;
      f.district = Uniform(0, kDistricts - 1);
      f.compound = Uniform(0, static_cast<int>(compounds_[f.district].size()) - 1);
      const Compound& c = compounds_[f.district][static_cast<size_t>(f.compound)];
      f.building = Uniform(1, c.buildings);
      f.entrance = c.entrances ? Uniform(1, c.entrances) : 0;
      f.floor = Uniform(1, c.floors);
      f.door = Uniform(1, c.doors);
      const uint64_t building_id = (static_cast<uint64_t>(f.district) << 40) |
                                   (static_cast<uint64_t>(f.compound) << 20) |
                                   static_cast<uint64_t>(f.building);
      const uint64_t flat_id = (building_id << 16) | (static_cast<uint64_t>(f.entrance) << 12) |
                               (static_cast<uint64_t>(f.floor) << 4) |
                               static_cast<uint64_t>(f.door);
      if (!taken.insert(flat_id).second) continue;
      Household h;
      h.flat = f;
      std::tie(h.name_simplified, h.name_traditional) = Name();
      do {
        h.other_name = Name().first;
      } while (h.other_name == h.name_simplified);
      const double phone_kind = std::uniform_real_distribution<double>(0, 1)(rng_);
      if (phone_kind < 0.80) {
        h.phone = MobileNumber();
        relatives.push_back(households_.size());
      } else if (phone_kind < 0.88) {
        h.phone = Landline();
      } else if (phone_kind < 0.92 && !relatives.empty()) {
        // A relative's mobile: an adult child elsewhere in the city.
        const size_t r =
            relatives[static_cast<size_t>(Uniform(0, static_cast<int>(relatives.size()) - 1))];
        h.phone = households_[r].phone;
        relatives[static_cast<size_t>(Uniform(0, static_cast<int>(relatives.size()) - 1))] =
            relatives.back();
        relatives.pop_back();
      } else if (phone_kind < 0.96) {
        auto& [phone, left] = leaders[building_id];
        if (left == 0) {
          phone = MobileNumber();
          left = Uniform(3, 8);
        }
        h.phone = phone;
        --left;
      }
      households_.push_back(std::move(h));
    }
  }

  // A phone as a volunteer types it; `vary` picks one of the usual spellings.
  std::string PhoneAsWritten(const std::string& phone, bool vary) {
    if (phone.empty()) return "";
    if (phone.size() != 11 || phone[0] != '1') {
      // A landline: with or without a dash after the area code.
      const size_t area = phone[1] == '1' || phone[1] == '2' ? 3 : 4;
      if (vary && Chance(0.5)) return phone.substr(0, area) + "-" + phone.substr(area);
      if (vary) return "(" + phone.substr(0, area) + ") " + phone.substr(area);
      return phone;
    }
    if (!vary) return phone;
    const std::string a = phone.substr(0, 3), b = phone.substr(3, 4), c = phone.substr(7);
    switch (Uniform(0, 6)) {
      case 0:
        return a + " " + b + " " + c;
      case 1:
        return "+86 " + phone;
      case 2:
        return "0086-" + a + "-" + b + "-" + c;
      case 3:
        return FullWidth(phone);
      case 4:
        return a + "-" + b + "-" + c;
      case 5:
        return "86" + phone;
      default:
        return phone;
    }
  }

  static std::string FullWidth(const std::string& s) {
    std::string out;
    for (const char ch : s) {
      if (ch >= '0' && ch <= '9') {
        // U+FF10 + digit: EF BC 90..99
        out += "\xEF\xBC";
        out.push_back(static_cast<char>(0x90 + (ch - '0')));
      } else {
        out.push_back(ch);
      }
    }
    return out;
  }

  static std::string ChineseDigits(int n) {
    static constexpr const char* kDigits[] = {"〇", "一", "二", "三", "四",
                                              "五", "六", "七", "八", "九"};
    std::string out;
    for (const char ch : std::to_string(n)) out += kDigits[ch - '0'];
    return out;
  }

  // 12 -> 十二, 21 -> 二十一, 3 -> 三: the positional form, as building
  // numbers are said.
  static std::string ChineseCount(int n) {
    static constexpr const char* kDigits[] = {"",   "一", "二", "三", "四",
                                              "五", "六", "七", "八", "九"};
    if (n < 10) return kDigits[n];
    std::string out = n / 10 == 1 ? "" : kDigits[n / 10];
    out += "十";
    out += kDigits[n % 10];
    return out;
  }

  static std::string Traditional(const std::string& s) {
    std::string out = s;
    for (const Surname& t : kTraditional) {
      const std::string from = t.simplified, to = t.traditional;
      for (size_t at = out.find(from); at != std::string::npos;
           at = out.find(from, at + to.size())) {
        out.replace(at, from.size(), to);
      }
    }
    return out;
  }

  // An address as a volunteer writes it. The station that registers a
  // household first writes it plainly (号楼, 单元, 室 or not); `vary` picks
  // the spellings of another volunteer.
  std::string AddressAsWritten(const Flat& f, bool vary, bool drop_entrance) {
    const Compound& c = compounds_[f.district][static_cast<size_t>(f.compound)];
    const int room = f.floor * 100 + f.door;
    std::string out = c.name;
    if (!vary) {
      out += std::to_string(f.building) + (Chance(0.5) ? "号楼" : "栋");
      if (f.entrance) out += std::to_string(f.entrance) + "单元";
      out += std::to_string(room) + (Chance(0.6) ? "室" : "");
      return out;
    }
    // 幸福小区 said as 幸福: normalisation does not know the two are one
    // compound, so this re-registration has to be found by other keys.
    constexpr std::string_view kXiaoqu = "小区";
    if (Chance(0.3) && out.ends_with(kXiaoqu)) out.resize(out.size() - kXiaoqu.size());
    const bool full_width = Chance(0.15);
    const auto number = [&](int n) {
      return full_width ? FullWidth(std::to_string(n)) : std::to_string(n);
    };
    if (Chance(0.1) && !(drop_entrance && f.entrance)) {
      // The dash form: 3-2-101 or 3-201.
      out += number(f.building) + "-";
      if (f.entrance) out += number(f.entrance) + "-";
      out += number(room);
    } else {
      const bool chinese = Chance(0.15);
      static constexpr const char* kBuildingMarks[] = {"号楼", "幢", "栋", "座", "号", "# "};
      const char* mark = Pick(kBuildingMarks);
      out += (Chance(0.3) ? " " : "") + (chinese ? ChineseCount(f.building) : number(f.building)) +
             mark;
      if (f.entrance && !drop_entrance) {
        out += (chinese ? ChineseCount(f.entrance) : number(f.entrance)) +
               (Chance(0.3) ? "门" : "单元");
      }
      out += chinese ? ChineseDigits(room) : number(room);
      static constexpr const char* kRoomMarks[] = {"室", "", "", "房", "户"};
      out += Pick(kRoomMarks);
    }
    if (Chance(0.1)) out = Traditional(out);
    if (Chance(0.05)) out = kDistrictNames[f.district] + out;
    return out;
  }

  Generated ReRegistration(int h, int first_station) {
    const Household& hh = households_[static_cast<size_t>(h)];
    Generated g;
    g.household = h;
    g.district = hh.flat.district;
    do {
      g.station = StationIn(hh.flat.district);
    } while (g.station == first_station);
    // The name: another member (6%), traditional characters (20%), a space.
    if (Chance(0.06)) {
      g.name = hh.other_name;
    } else if (Chance(0.2)) {
      g.name = hh.name_traditional;
    } else {
      g.name = hh.name_simplified;
    }
    if (Chance(0.1) && g.name.size() > 3) g.name.insert(3, " ");  // after the surname
    // The phone: another of the household's, or none (12%).
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (p < 0.08) {
      g.phone = MobileNumber();
    } else if (p < 0.12) {
      g.phone = "";
    } else {
      g.phone = PhoneAsWritten(hh.phone, /*vary=*/true);
    }
    g.address = AddressAsWritten(hh.flat, /*vary=*/true, /*drop_entrance=*/Chance(0.04));
    return g;
  }

  std::mt19937_64 rng_;
  std::vector<Compound> compounds_[kDistricts];
  std::vector<Household> households_;
  std::unordered_set<std::string> phones_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t at = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[at];
}

}  // namespace

int RunDedup(const std::vector<std::string>& args) {
  uint64_t seed = 1;
  int requesters = 1'000'000;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--seed") {
      seed = std::stoull(args[i + 1]);
    } else if (args[i] == "--requesters") {
      requesters = std::stoi(args[i + 1]);
    } else {
      std::fprintf(stderr, "usage: aidlink-bench dedup [--requesters N] [--seed N]\n");
      return 2;
    }
  }
  if (requesters < 100 || args.size() % 2 != 0) {
    std::fprintf(stderr, "usage: aidlink-bench dedup [--requesters N >= 100] [--seed N]\n");
    return 2;
  }

  const auto gen_start = std::chrono::steady_clock::now();
  int planted = 0;
  std::vector<Generated> regs = City(seed).Generate(requesters, &planted);
  const double gen_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_start).count();
  std::printf("generated: seed=%llu requesters=%zu stations=%d planted=%d seconds=%.3f\n",
              static_cast<unsigned long long>(seed), regs.size(), kStations, planted, gen_seconds);

  dedup::Secret secret;
  for (size_t i = 0; i < secret.bytes.size(); ++i) secret.bytes[i] = static_cast<uint8_t>(i * 37);

  // Registration id = position in `regs`; a found pair is (smaller, larger).
  std::vector<dedup::Keys> keys(regs.size());
  struct Found {
    int64_t a, b;
    dedup::Basis basis;
  };
  std::vector<Found> found;
  int64_t possible = 0;
  int64_t planted_as_possible = 0;  // planted pairs a dispatcher sees only as possible
  dedup::Index index;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration keying{};
  for (size_t i = 0; i < regs.size(); ++i) {
    const Generated& g = regs[i];
    const auto t0 = std::chrono::steady_clock::now();
    keys[i] = dedup::MakeKeys(secret, {g.name, g.phone, kDistrictNames[g.district], g.address});
    keying += std::chrono::steady_clock::now() - t0;
    const dedup::Classification c = index.Check(keys[i], static_cast<int64_t>(i));
    for (const dedup::Match& m : c.matches) {
      if (m.verdict.status == dedup::Likelihood::kLikely) {
        found.push_back({m.id, static_cast<int64_t>(i), m.verdict.basis});
      } else {
        ++possible;
        planted_as_possible += regs[static_cast<size_t>(m.id)].household == g.household;
      }
    }
    index.Add(static_cast<int64_t>(i), keys[i]);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int64_t true_found = 0;
  // Found pairs by basis (index: the Basis bits), true and false.
  int64_t by_basis[8][2] = {};
  for (const Found& f : found) {
    const bool same =
        regs[static_cast<size_t>(f.a)].household == regs[static_cast<size_t>(f.b)].household;
    true_found += same;
    ++by_basis[f.basis & 7][same ? 0 : 1];
  }

  // The check alone, per registration, against the full index: normalise,
  // key and look up (Check), not Add.
  std::vector<double> micros;
  micros.reserve(kCheckSamples);
  std::mt19937_64 pick(seed ^ 0x9e3779b97f4a7c15ULL);
  size_t sink = 0;
  for (int s = 0; s < kCheckSamples; ++s) {
    const size_t i = pick() % regs.size();
    const Generated& g = regs[i];
    const auto t0 = std::chrono::steady_clock::now();
    const dedup::Keys k =
        dedup::MakeKeys(secret, {g.name, g.phone, kDistrictNames[g.district], g.address});
    sink += index.Check(k, static_cast<int64_t>(i)).matches.size();
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const double precision =
      found.empty() ? 1.0 : static_cast<double>(true_found) / static_cast<double>(found.size());
  const double recall = planted == 0 ? 1.0 : static_cast<double>(true_found) / planted;
  std::printf("dedup: keys_seconds=%.3f index_seconds=%.3f\n",
              std::chrono::duration<double>(keying).count(),
              seconds - std::chrono::duration<double>(keying).count());
  std::printf("dedup: possible_pairs=%lld planted_as_possible=%lld sink=%zu\n",
              static_cast<long long>(possible), static_cast<long long>(planted_as_possible), sink);
  const auto by = [&](dedup::Basis b, int false_ones) {
    return static_cast<long long>(by_basis[b][false_ones]);
  };
  using dedup::kBasisAddress, dedup::kBasisName, dedup::kBasisPhone;
  std::printf(
      "dedup: likely by basis (true/false): phone+address+name=%lld/%lld phone+address=%lld/%lld "
      "address+name=%lld/%lld phone+name=%lld/%lld\n",
      by(kBasisPhone | kBasisAddress | kBasisName, 0),
      by(kBasisPhone | kBasisAddress | kBasisName, 1), by(kBasisPhone | kBasisAddress, 0),
      by(kBasisPhone | kBasisAddress, 1), by(kBasisAddress | kBasisName, 0),
      by(kBasisAddress | kBasisName, 1), by(kBasisPhone | kBasisName, 0),
      by(kBasisPhone | kBasisName, 1));
  std::printf("dedup: check_p50_us=%.1f check_p99_us=%.1f samples=%d peak_rss_mb=%ld\n",
              Percentile(micros, 0.50), Percentile(micros, 0.99), kCheckSamples,
              usage.ru_maxrss / 1024);
  std::printf(
      "dedup: requesters=%zu planted=%d found=%zu precision=%.3f recall=%.3f seconds=%.3f\n",
      regs.size(), planted, found.size(), precision, recall, seconds);
  return precision >= 0.95 && recall >= 0.95 ? 0 : 1;
}

}  // namespace aidlink::bench
