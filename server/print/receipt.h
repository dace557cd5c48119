#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "print/manifest.h"

// The donation receipt (捐赠回执) a donor keeps: what was received, when and
// where, and where it has gone so far. It never holds household data: only
// districts and requester kinds. Pure rendering; thread-safe.
namespace aidlink::print {

// Where part of a lot went: one district and requester kind.
struct ReceiptBucket {
  std::string district;
  std::string requester_kind;  // household, community, institution, frontline_post
  int64_t allocated = 0, dispatched = 0, delivered = 0, returned = 0;
};

struct Receipt {
  int64_t lot_id = 0;
  std::string donor_name;
  std::string item_name, unit;
  int64_t quantity = 0;
  std::string received_on;  // YYYY-MM-DD
  std::string expires_on;   // YYYY-MM-DD or empty
  std::string depot_name, depot_district;
  std::string note;
  int64_t available = 0, allocated = 0, delivered = 0, written_off = 0;
  std::vector<ReceiptBucket> buckets;
};

// Renders the receipt as plain text (kTxt, aligned by display width) or a
// self-contained A4 html page (kHtml). kCsv renders as kTxt.
std::string RenderReceipt(const Receipt& receipt, Format format, Lang lang);

}  // namespace aidlink::print
