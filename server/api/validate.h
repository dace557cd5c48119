#pragma once

#include <google/protobuf/repeated_field.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "aidlink/v1/requests.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "util/status.h"
#include "util/vocab.h"

// Field checks with the limits of API.md. Each returns kInvalidArgument
// naming the field, with a message a social worker can act on.
namespace aidlink::api {

using vocab::kMaxHouseholdSize;
using vocab::kMaxListEntries;
using vocab::kMaxNote;
using vocab::kMaxQuantity;
using vocab::kMaxShortText;

// Single-line text of `min`..200 characters (code points) of valid UTF-8.
Status CheckText(const std::string& value, const char* field, size_t min = 1);
// Multi-line text of 0..2000 characters of valid UTF-8.
Status CheckNote(const std::string& value, const char* field);
// 1..kMaxQuantity.
Status CheckQuantity(int64_t value, const char* field);
// A positive id.
Status CheckId(int64_t value, const char* field);
// One of `allowed`, exactly (a vocabulary list of util/vocab.h, or a
// handler's own short list such as print formats).
Status CheckEnum(const std::string& value, const char* field,
                 std::span<const std::string_view> allowed);
Status CheckEnum(const std::string& value, const char* field, std::span<const vocab::Term> allowed);
// A list filter: empty (no filter), or one of `allowed`.
Status CheckOptionalEnum(const std::string& value, const char* field,
                         std::span<const std::string_view> allowed);
Status CheckOptionalEnum(const std::string& value, const char* field,
                         std::span<const vocab::Term> allowed);
// A real calendar date YYYY-MM-DD; empty is allowed when `optional`.
Status CheckDate(const std::string& value, const char* field, bool optional);
// At most kMaxListEntries entries.
Status CheckListSize(int size, const char* field);
// lat and lon both or neither, each in range.
Status CheckLatLon(bool has_lat, double lat, bool has_lon, double lon);

// The rules for a whole object, as created and as edited (a PATCH checks the
// object it would leave behind, so an edit obeys exactly the create rules),
// and for each request body: one Validate per message (handlers.h's
// DecodeValid decodes and calls the right one).
Status Validate(const v1::Item& item);
Status Validate(const v1::Donor& donor);
Status Validate(const v1::Depot& depot);
Status Validate(const v1::Station& station);
Status Validate(const v1::Requester& requester);
Status Validate(const v1::Lot& lot);
Status Validate(const v1::Need& need);
Status Validate(const v1::Token& req);  // POST /v1/tokens
Status Validate(const v1::WriteOffRequest& req);
Status Validate(const v1::CancelRequest& req);
Status Validate(const v1::ReceiveRequest& req);
Status Validate(const v1::AssignRequest& req);  // exactly one of user_id and token_id
Status Validate(const v1::MatchRunRequest& req);
Status Validate(const v1::RouteRequest& req);
Status Validate(const v1::DeliverRequest& req);  // lines: see TakenOf
Status Validate(const v1::CorrectRequest& req);  // lines: see TakenOf
Status Validate(const v1::FailRequest& req);
Status Validate(const v1::ExpireRequest& req);
Status Validate(const v1::DeactivateRequest& req);

}  // namespace aidlink::api
