#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

#include "api/auth.h"
#include "api/context.h"
#include "api/http.h"
#include "api/validate.h"

// The endpoint handlers of API.md. Each starts with its route contract.
// They run on the server's blocking pool, never on the I/O threads.
namespace aidlink::api {

// Narrows a list's station (donor) filter to the caller's own station
// (donor) when the caller is a station (donor): naming another one is
// kNotFound, as for any out-of-scope object. Staff filters pass unchanged.
Status NarrowToOwnStation(const Principal& p, std::optional<int64_t>& station_id);
Status NarrowToOwnDonor(const Principal& p, std::optional<int64_t>& donor_id);

// Decodes the request body into `msg` and checks it with its Validate
// (api/validate.h).
template <typename Message>
Status DecodeValid(Context& ctx, Message* msg) {
  AIDLINK_RETURN_IF_ERROR(ctx.Decode(msg));
  return Validate(*msg);
}

Response CreateToken(Context& ctx);

Response CreateUser(Context& ctx);
Response ListUsers(Context& ctx);
Response DisableUser(Context& ctx);
Response SetUserPassword(Context& ctx);
Response Login(Context& ctx);
Response Logout(Context& ctx);
Response Me(Context& ctx);

Response CreateItem(Context& ctx);
Response ListItems(Context& ctx);
Response GetItem(Context& ctx);
Response CreateDonor(Context& ctx);
Response ListDonors(Context& ctx);
Response GetDonor(Context& ctx);
Response CreateDepot(Context& ctx);
Response ListDepots(Context& ctx);
Response GetDepot(Context& ctx);
Response CreateStation(Context& ctx);
Response ListStations(Context& ctx);
Response GetStation(Context& ctx);

Response CreateRequester(Context& ctx);
Response ListRequesters(Context& ctx);
Response GetRequester(Context& ctx);
Response CreateNeed(Context& ctx);
Response ListNeeds(Context& ctx);
Response GetNeed(Context& ctx);
Response CancelNeed(Context& ctx);

// Duplicate cases (duplicate_handlers.cc).
Response ListDuplicates(Context& ctx);
Response GetDuplicate(Context& ctx);
Response ResolveDuplicate(Context& ctx);
Response ReopenDuplicate(Context& ctx);

Response CreateLot(Context& ctx);
Response ListLots(Context& ctx);
Response GetLot(Context& ctx);
Response WriteOffLot(Context& ctx);
Response ReceiveLot(Context& ctx);

Response CreateMatchRun(Context& ctx);
Response GetMatchRun(Context& ctx);

Response CreateRoute(Context& ctx);
Response GetRoute(Context& ctx);
Response DispatchRoute(Context& ctx);
Response AssignRoute(Context& ctx);
Response GetManifest(Context& ctx);
Response ListDeliveries(Context& ctx);
Response GetDelivery(Context& ctx);
Response DispatchDelivery(Context& ctx);
Response DeliverDelivery(Context& ctx);
Response FailDelivery(Context& ctx);
Response CorrectDelivery(Context& ctx);
Response CancelDelivery(Context& ctx);
Response ExpireLots(Context& ctx);
Response GetDonorTrace(Context& ctx);
Response GetLedgerReport(Context& ctx);
Response GetLotReceipt(Context& ctx);

// Edits (patch_handlers.cc): merge-patch bodies, If-Match versions.
Response PatchItem(Context& ctx);
Response PatchDonor(Context& ctx);
Response PatchDepot(Context& ctx);
Response PatchStation(Context& ctx);
Response PatchRequester(Context& ctx);
Response PatchLot(Context& ctx);
Response PatchNeed(Context& ctx);
Response DeactivateRequester(Context& ctx);
Response ListRoutes(Context& ctx);
Response ListMatchRuns(Context& ctx);

}  // namespace aidlink::api
