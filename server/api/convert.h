#pragma once

#include "aidlink/v1/resources.pb.h"
#include "store/model.h"

// Domain records <-> wire messages. Pure field copies, no validation.
namespace aidlink::api {

v1::Item ToProto(const store::Item& in);
v1::Donor ToProto(const store::Donor& in);
v1::Depot ToProto(const store::Depot& in);
v1::Station ToProto(const store::Station& in);
v1::Requester ToProto(const store::Requester& in);
v1::Lot ToProto(const store::Lot& in);
v1::Need ToProto(const store::Need& in);

store::Item FromProto(const v1::Item& in);
store::Donor FromProto(const v1::Donor& in);
store::Depot FromProto(const v1::Depot& in);
store::Station FromProto(const v1::Station& in);
store::Requester FromProto(const v1::Requester& in);
store::Lot FromProto(const v1::Lot& in);
store::Need FromProto(const v1::Need& in);

}  // namespace aidlink::api
