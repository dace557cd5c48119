#pragma once

#include "print/manifest.h"

namespace aidlink::print::testing {

// A three-stop route out of 城东物资仓: 金老伯 (elderly, alone, with
// hypertension: blood-pressure pills and masks), 李阿姨 (quarantined; fewer
// eggs than asked) and a sealed compound's committee.
inline Manifest ThreeStopRoute() {
  Manifest m;
  m.route_id = 17;
  m.depot_name = "城东物资仓";
  m.depot_address = "东湖区东湖路88号";
  m.date = "2026-11-23";
  m.driver = "王师傅";
  m.picks = {
      {"医用外科口罩", "个", 10, 125},
      {"降压药（硝苯地平缓释片）", "盒", 1, 2},
      {"新鲜蔬菜", "份", 1, 3},
      {"鸡蛋", "个", 10, 30},
  };
  m.stops = {
      {1,
       1042,
       "金老伯",
       "金小华",
       "13800138000",
       "幸福里3幢201",
       "东湖街道",
       {"chronic_illness", "elderly_alone"},
       {{"降压药（硝苯地平缓释片）", "盒", 2, 2}, {"医用外科口罩", "个", 50, 50}},
       "降压药仅剩四天"},
      {2,
       1043,
       "李阿姨",
       "李阿姨",
       "13900139000",
       "幸福里12幢503",
       "东湖街道",
       {"quarantined"},
       {{"新鲜蔬菜", "份", 2, 2}, {"鸡蛋", "个", 30, 20}, {"医用外科口罩", "个", 50, 45}},
       ""},
      {3,
       1050,
       "阳光社区居委会",
       "赵主任",
       "027-88886666",
       "阳光路7号",
       "阳光街道",
       {},
       {{"医用外科口罩", "个", 30, 30}, {"新鲜蔬菜", "份", 1, 1}, {"鸡蛋", "个", 10, 10}},
       "封控小区，放门岗"},
  };
  return m;
}

}  // namespace aidlink::print::testing
