// `aidlink quota add|list|show|edit|disable` and `aidlink requester
// entitlements ID`: quotas (caps) and what a household may still receive
// under them. Labels in Chinese by default (--lang en for English).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <span>
#include <string>
#include <vector>

#include "commands.h"
#include "json_util.h"
#include "table.h"
#include "util/vocab.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

// The flags of a quota's fields; `required` for add (edit takes any).
void AddQuotaFlags(po::options_description& desc) {
  desc.add_options()("item-id", po::value<int64_t>(), "the item capped (or --category)")(
      "category", po::value<std::string>(),
      "every item of this category: ppe, food, medicine, hygiene, equipment, other")(
      "per", po::value<std::string>(), "household or person")(
      "amount", po::value<int64_t>(), "units per household (or person) per window")(
      "window", po::value<std::string>(), "calendar_week, calendar_month or rolling_days")(
      "days", po::value<int64_t>(), "rolling_days only: the window's length, 1..366")(
      "max-persons", po::value<int64_t>(), "per person only: persons counted at most")(
      "tag", po::value<std::vector<std::string>>()->composing(),
      "binds only requesters with this tag (repeat for several)")(
      "enforcement", po::value<std::string>(), "hard, or soft (exceeded only with leftover stock)")(
      "active-from", po::value<std::string>(), "YYYY-MM-DD")(
      "active-to", po::value<std::string>(), "YYYY-MM-DD")("note", po::value<std::string>(), "");
}

// The body the quota flags given describe.
json::object QuotaBody(const po::variables_map& vm) {
  json::object body;
  if (vm.count("item-id")) body["item_id"] = vm["item-id"].as<int64_t>();
  const std::pair<const char*, const char*> texts[] = {{"category", "category"},
                                                       {"per", "per"},
                                                       {"window", "window"},
                                                       {"enforcement", "enforcement"},
                                                       {"active-from", "active_from"},
                                                       {"active-to", "active_to"},
                                                       {"note", "note"}};
  for (const auto& [flag, field] : texts) {
    if (vm.count(flag)) body[field] = vm[flag].as<std::string>();
  }
  const std::pair<const char*, const char*> numbers[] = {
      {"amount", "amount"}, {"days", "days"}, {"max-persons", "max_persons"}};
  for (const auto& [flag, field] : numbers) {
    if (vm.count(flag)) body[field] = vm[flag].as<int64_t>();
  }
  if (vm.count("tag")) {
    json::array tags;
    for (const auto& t : vm["tag"].as<std::vector<std::string>>()) tags.emplace_back(t);
    body["tags"] = std::move(tags);
  }
  return body;
}

std::string Label(std::span<const vocab::Term> terms, const std::string& name, bool english) {
  return std::string(vocab::Label(terms, name, english));
}

// "食品 (food)" for a category quota, "#12" for an item's.
std::string Target(const json::value& q, bool english) {
  const std::string category = FieldText(q, "category");
  if (!category.empty()) return Label(vocab::kCategories, category, english);
  return "#" + FieldText(q, "item_id");
}

std::string WindowText(const json::value& q, bool english) {
  const std::string window = FieldText(q, "window");
  std::string out = Label(vocab::kQuotaWindows, window, english);
  if (window == "rolling_days") {
    out += " " + FieldText(q, "days") + (english ? " days" : " 天");
  }
  return out;
}

int QuotaAdd(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  AddQuotaFlags(desc);
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, {}, "quota add", &vm, &code)) return code;
  // The server checks every field and names the one that is wrong.
  auto reply = ctx.api.Post("/v1/quotas", QuotaBody(vm));
  return PrintAnswer(ctx, reply);
}

int QuotaList(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("item-id", po::value<int64_t>(), "only this item's quotas")(
      "category", po::value<std::string>(), "only this category's quotas")(
      "disabled", po::value<std::string>(), "true or false");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, {}, "quota list", &vm, &code)) return code;
  std::vector<std::pair<std::string, std::string>> query;
  if (vm.count("item-id"))
    query.emplace_back("item_id", std::to_string(vm["item-id"].as<int64_t>()));
  if (vm.count("category")) query.emplace_back("category", vm["category"].as<std::string>());
  if (vm.count("disabled")) query.emplace_back("disabled", vm["disabled"].as<std::string>());
  auto list = ctx.api.List("/v1/quotas", query);
  if (!list.ok()) return Unreachable(ctx, list.status());
  if (list->failure) return ServerError(ctx, *list->failure);
  if (ctx.json) {
    json::array items(list->items.begin(), list->items.end());
    ctx.out << json::serialize(json::object{{"items", items}}) << "\n";
    return kExitOk;
  }
  const bool en = ctx.english;
  Table table(en ? std::vector<std::string>{"id", "item/category", "per", "amount", "window",
                                            "enforcement", "active", "status"}
                 : std::vector<std::string>{"编号", "物品/类别", "计量", "额度", "周期", "执行",
                                            "有效期", "状态"});
  table.SetAlign(0, Align::kRight);
  table.SetAlign(3, Align::kRight);
  for (const json::value& q : list->items) {
    const std::string from = FieldText(q, "active_from"), to = FieldText(q, "active_to");
    const bool disabled = q.is_object() && q.as_object().contains("disabled") &&
                          q.at("disabled").is_bool() && q.at("disabled").as_bool();
    table.AddRow({FieldText(q, "id"), Target(q, en),
                  Label(vocab::kQuotaPer, FieldText(q, "per"), en), FieldText(q, "amount"),
                  WindowText(q, en),
                  Label(vocab::kQuotaEnforcements, FieldText(q, "enforcement"), en),
                  from.empty() && to.empty() ? "" : from + "~" + to,
                  disabled ? (en ? "disabled" : "已停用") : (en ? "enabled" : "启用")});
  }
  ctx.out << table.Render();
  return kExitOk;
}

// The ID of `command ID`; false (usage printed) if it is missing.
bool TakeId(Context& ctx, const std::vector<std::string>& args, const std::string& command,
            std::string* id, std::vector<std::string>* rest, int* code) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') {
    *code = UsageError(ctx, command + " needs an ID", command);
    return false;
  }
  *id = args[0];
  rest->assign(args.begin() + 1, args.end());
  return true;
}

int QuotaShow(Context& ctx, const std::vector<std::string>& args) {
  std::string id;
  std::vector<std::string> rest;
  int code = 0;
  if (!TakeId(ctx, args, "quota show", &id, &rest, &code)) return code;
  if (!rest.empty()) return UsageError(ctx, "quota show takes only an ID", "quota show");
  auto reply = ctx.api.Get("/v1/quotas/" + id);
  return PrintAnswer(ctx, reply);
}

int QuotaEdit(Context& ctx, const std::vector<std::string>& args) {
  std::string id;
  std::vector<std::string> rest;
  int code = 0;
  if (!TakeId(ctx, args, "quota edit", &id, &rest, &code)) return code;
  po::options_description desc("Flags");
  AddQuotaFlags(desc);
  desc.add_options()("if-match", po::value<std::string>(),
                     "the version last read: refused (409) if someone changed it since");
  po::variables_map vm;
  if (!ParseFlags(ctx, rest, desc, {}, "quota edit", &vm, &code)) return code;
  json::object body = QuotaBody(vm);
  if (body.empty()) return UsageError(ctx, "quota edit: give at least one field", "quota edit");
  // Naming the other of item and category replaces it.
  if (body.contains("item_id")) body["category"] = nullptr;
  if (body.contains("category") && !body["category"].is_null()) body["item_id"] = nullptr;
  const std::string if_match = vm.count("if-match") ? vm["if-match"].as<std::string>() : "";
  auto reply = ctx.api.Patch("/v1/quotas/" + id, body, if_match);
  return PrintAnswer(ctx, reply);
}

int QuotaDisable(Context& ctx, const std::vector<std::string>& args) {
  std::string id;
  std::vector<std::string> rest;
  int code = 0;
  if (!TakeId(ctx, args, "quota disable", &id, &rest, &code)) return code;
  if (!rest.empty()) return UsageError(ctx, "quota disable takes only an ID", "quota disable");
  auto reply = ctx.api.Post("/v1/quotas/" + id + ":disable", json::object{});
  return PrintAnswer(ctx, reply);
}

int Entitlements(Context& ctx, const std::vector<std::string>& args) {
  std::string id;
  std::vector<std::string> rest;
  int code = 0;
  if (!TakeId(ctx, args, "requester entitlements", &id, &rest, &code)) return code;
  po::options_description desc("Flags");
  desc.add_options()("as-of", po::value<std::string>(),
                     "YYYY-MM-DD: the day the windows contain (default today, server's zone)");
  po::variables_map vm;
  if (!ParseFlags(ctx, rest, desc, {}, "requester entitlements", &vm, &code)) return code;
  std::string target = "/v1/requesters/" + id + "/entitlements";
  if (vm.count("as-of")) target += "?as_of=" + vm["as-of"].as<std::string>();
  auto reply = ctx.api.Get(target);
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  if (ctx.json) {
    ctx.out << reply->raw << "\n";
    return kExitOk;
  }
  const bool en = ctx.english;
  ctx.out << (en ? "requester " : "申领人 ") << FieldText(reply->json, "requester_id")
          << (en ? ", as of " : "，日期 ") << FieldText(reply->json, "as_of") << " ("
          << FieldText(reply->json, "time_zone") << ")\n";
  Table table(
      en ? std::vector<std::string>{"quota", "item/category", "cap", "used", "remaining", "window",
                                    "enforcement"}
         : std::vector<std::string>{"配额", "物品/类别", "上限", "已领", "剩余", "周期", "执行"});
  for (size_t c : {0, 2, 3, 4}) table.SetAlign(c, Align::kRight);
  const json::value* items =
      reply->json.is_object() ? reply->json.as_object().if_contains("items") : nullptr;
  if (items != nullptr && items->is_array()) {
    for (const json::value& e : items->as_array()) {
      table.AddRow({FieldText(e, "quota_id"), Target(e, en), FieldText(e, "cap"),
                    FieldText(e, "used"), FieldText(e, "remaining"),
                    FieldText(e, "window_start") + "~" + FieldText(e, "window_end"),
                    Label(vocab::kQuotaEnforcements, FieldText(e, "enforcement"), en)});
    }
  }
  if (table.row_count() == 0) {
    ctx.out << (en ? "No quota applies.\n" : "没有适用的配额。\n");
    return kExitOk;
  }
  ctx.out << table.Render();
  return kExitOk;
}

constexpr const char* kQuotaFlagsHelp =
    "(--item-id N | --category C) --per household|person --amount N\n"
    "    --window calendar_week|calendar_month|rolling_days [--days N] [--max-persons N]\n"
    "    [--tag T ...] --enforcement hard|soft [--active-from D] [--active-to D] [--note T]\n"
    "calendar_week is Monday to Sunday, in the server's time zone (--time-zone).\n";

}  // namespace

std::vector<Command> QuotaCommands() {
  return {
      MakeCommand("quota", "add",
                  "cap what a household (or person) receives per window (dispatcher)", QuotaAdd,
                  kQuotaFlagsHelp),
      MakeCommand("quota", "list", "list quotas", QuotaList,
                  "[--item-id N] [--category C] [--disabled true|false]\n"),
      MakeCommand("quota", "show", "show one quota", QuotaShow, "ID\n"),
      MakeCommand("quota", "edit", "change a quota's fields (merge-patch)", QuotaEdit,
                  std::string("ID [--if-match VERSION] and any of:\n") + kQuotaFlagsHelp),
      MakeCommand("quota", "disable", "stop applying a quota (it stays readable)", QuotaDisable,
                  "ID\n"),
      MakeCommand("requester", "entitlements",
                  "per quota: a household's cap, what it used and what remains in the window",
                  Entitlements, "ID [--as-of YYYY-MM-DD]\n"),
  };
}

}  // namespace aidlink::client
