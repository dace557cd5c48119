#pragma once

#include <google/protobuf/message.h>

#include <span>
#include <string_view>

#include "store/repo.h"
#include "util/status.h"

// Merge-patch by reflection over the *Patch messages of requests.proto
// (update_mask + set). Pure functions of their arguments.
namespace aidlink::api {

// One resource's PATCH rules: the fields a patch may change, and those of
// them that hold personal data (a household's name, phone, address,
// location, a need's note), which the ledger lists by name only.
struct PatchRules {
  std::span<const std::string_view> editable;
  std::span<const std::string_view> personal;
};

// Ok if every field named in the patch's mask is editable; otherwise
// kInvalidArgument naming the first other one: "X is read-only" for a field
// of the resource, "unknown field X" for any other name.
Status CheckMask(const google::protobuf::Message& patch, const PatchRules& rules);

// Copies the mask's fields of the patch's `set` onto `target` (a message of
// set's type). A field named but unset in `set` (JSON null; a protobuf
// field left out) is cleared.
void ApplyPatch(const google::protobuf::Message& patch, google::protobuf::Message* target);

// The mask's fields whose value differs between `before` and `after`, with
// their values (personal fields by name only). fields is "[]" if none.
store::FieldChanges Changes(const google::protobuf::Message& before,
                            const google::protobuf::Message& after,
                            const google::protobuf::Message& patch, const PatchRules& rules);

}  // namespace aidlink::api
