#include "api/patch.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "api/codec.h"

namespace aidlink::api {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const Message& SetOf(const Message& patch) {
  return patch.GetReflection()->GetMessage(patch, patch.GetDescriptor()->FindFieldByName("set"));
}

// The mask's names in order, each once.
std::vector<std::string> MaskOf(const Message& patch) {
  const auto* mask = patch.GetDescriptor()->FindFieldByName("update_mask");
  const auto* r = patch.GetReflection();
  std::vector<std::string> out;
  for (int i = 0; i < r->FieldSize(patch, mask); ++i) {
    std::string name = r->GetRepeatedString(patch, mask, i);
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace

Status CheckMask(const Message& patch, const PatchRules& rules) {
  const auto* resource = SetOf(patch).GetDescriptor();
  for (const std::string& name : MaskOf(patch)) {
    if (Contains(rules.editable, name)) continue;
    if (resource->FindFieldByName(name) != nullptr) {
      return InvalidArgument(name + " is read-only", name);
    }
    return InvalidArgument("unknown field " + name, name);
  }
  return Status::Ok();
}

void ApplyPatch(const Message& patch, Message* target) {
  const Message& set = SetOf(patch);
  std::unique_ptr<Message> source(set.New());
  source->CopyFrom(set);
  std::vector<const FieldDescriptor*> fields;
  for (const std::string& name : MaskOf(patch)) {
    const FieldDescriptor* fd = target->GetDescriptor()->FindFieldByName(name);
    if (fd != nullptr) fields.push_back(fd);
  }
  // Swapping moves each named field, set or not, from the copy of `set`.
  target->GetReflection()->SwapFields(target, source.get(), fields);
}

store::FieldChanges Changes(const Message& before, const Message& after, const Message& patch,
                            const PatchRules& rules) {
  std::vector<const FieldDescriptor*> shown;
  std::string names;
  for (const std::string& name : MaskOf(patch)) {
    const FieldDescriptor* fd = before.GetDescriptor()->FindFieldByName(name);
    if (fd == nullptr || EncodeJsonFields(before, {fd}) == EncodeJsonFields(after, {fd})) continue;
    names += (names.empty() ? "\"" : ",\"") + name + "\"";
    if (!Contains(rules.personal, name)) shown.push_back(fd);
  }
  store::FieldChanges out;
  out.fields = "[" + names + "]";
  out.before = EncodeJsonFields(before, shown);
  out.after = EncodeJsonFields(after, shown);
  return out;
}

}  // namespace aidlink::api
