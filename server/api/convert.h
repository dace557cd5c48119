#pragma once

#include "aidlink/v1/accounts.pb.h"
#include "aidlink/v1/quotas.pb.h"
#include "aidlink/v1/resources.pb.h"
#include "aidlink/v1/responses.pb.h"
#include "match/engine.h"
#include "store/accounts.h"
#include "store/dispatch.h"
#include "store/matching.h"
#include "store/model.h"
#include "store/quotas.h"

// Domain records <-> wire messages. Pure field copies, no validation.
namespace aidlink::api {

v1::Item ToProto(const store::Item& in);
v1::Donor ToProto(const store::Donor& in);
v1::Depot ToProto(const store::Depot& in);
v1::Station ToProto(const store::Station& in);
v1::Requester ToProto(const store::Requester& in);
v1::Lot ToProto(const store::Lot& in);
v1::Need ToProto(const store::Need& in);
v1::User ToProto(const store::UserRecord& in);  // never the password hash
v1::Quota ToProto(const store::Quota& q);

v1::Delivery ToProto(const store::Delivery& d);
// The route with its stops' item totals (in item id order) and volunteers;
// the stops' recipients and requested quantities are the handler's to add.
v1::Route ToProto(const store::Route& r);
v1::LotTrace ToProto(const store::LotTrace& t);
// A committed run's id, as_of, min_shelf_days, item_ids, created_at and
// stats; not its allocations or unmet needs.
v1::MatchRun ToProto(const store::RunRecord& run);

void FillStats(v1::MatchStats* out, const store::RunStats& s);
// The run as the API shows it, from the engine's plan.
void FillPlan(v1::MatchRun* out, const match::Plan& plan);

store::Item FromProto(const v1::Item& in);
store::Donor FromProto(const v1::Donor& in);
store::Depot FromProto(const v1::Depot& in);
store::Station FromProto(const v1::Station& in);
store::Requester FromProto(const v1::Requester& in);
store::Lot FromProto(const v1::Lot& in);
store::Need FromProto(const v1::Need& in);
store::Quota FromProto(const v1::Quota& in);  // the fields a desk sets

}  // namespace aidlink::api
