// `aidlink duplicates list|show|resolve|reopen`: the duplicate cases of
// issue 13, and the note a requester write prints when the server flags it
// as a possible duplicate. Chinese labels by default, English with --lang en.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <sstream>

#include "commands.h"
#include "json_util.h"
#include "table.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

struct Label {
  const char* name;
  const char* zh;
};

constexpr Label kLabels[] = {
    {"none", "无"},
    {"possible", "可能重复"},
    {"likely", "很可能重复"},
    {"phone", "电话"},
    {"address", "地址"},
    {"name", "姓名"},
    {"open", "待核实"},
    {"resolved", "已处理"},
    {"same_household", "同一户"},
    {"different_households", "不同户"},
};

std::string LabelOf(const std::string& name, bool english) {
  if (english) return name;
  for (const Label& l : kLabels) {
    if (name == l.name) return l.zh;
  }
  return name;
}

std::string Basis(const json::value& obj, bool english) {
  std::string out;
  if (!obj.is_object()) return out;
  const json::value* basis = obj.get_object().if_contains("basis");
  if (basis == nullptr || !basis->is_array()) return out;
  for (const auto& b : basis->get_array()) {
    if (!b.is_string()) continue;
    if (!out.empty()) out += english ? ", " : "、";
    out += LabelOf(std::string(b.get_string()), english);
  }
  return out;
}

std::string CaseText(const json::value& c, bool english) {
  std::ostringstream out;
  out << (english ? "case " : "案件 ") << FieldText(c, "id") << "  "
      << LabelOf(FieldText(c, "status"), english) << "  "
      << LabelOf(FieldText(c, "likelihood"), english) << "  " << (english ? "basis: " : "依据：")
      << Basis(c, english) << "\n";
  if (!FieldText(c, "decision").empty()) {
    out << (english ? "decision: " : "结论：") << LabelOf(FieldText(c, "decision"), english);
    if (!FieldText(c, "primary_id").empty() && FieldText(c, "primary_id") != "0")
      out << (english ? ", primary " : "，主登记 ") << FieldText(c, "primary_id");
    if (!FieldText(c, "reason").empty()) out << " (" << FieldText(c, "reason") << ")";
    out << "\n";
  }
  if (!FieldText(c, "hold_until").empty() && FieldText(c, "status") == "open")
    out << (english ? "newer registration held until " : "新登记的需求暂缓至 ")
        << FieldText(c, "hold_until") << "\n";
  Table t(english ? std::vector<std::string>{"id", "station", "name", "phone", "address",
                                             "needs (item:outstanding/quantity)"}
                  : std::vector<std::string>{"编号", "社工站", "姓名", "电话", "地址",
                                             "需求（物资:未满足/数量）"});
  const json::value* sides = c.get_object().if_contains("sides");
  if (sides != nullptr && sides->is_array()) {
    for (const auto& s : sides->get_array()) {
      if (!s.is_object()) continue;
      const json::value* r = s.get_object().if_contains("requester");
      if (r == nullptr) continue;
      std::string needs;
      if (const json::value* ns = s.get_object().if_contains("needs"); ns && ns->is_array()) {
        for (const auto& n : ns->get_array()) {
          if (!needs.empty()) needs += " ";
          needs += FieldText(n, "item_id") + ":" +
                   (FieldText(n, "outstanding").empty() ? "0" : FieldText(n, "outstanding")) + "/" +
                   FieldText(n, "quantity");
          if (FieldText(n, "cancel_reason") == "duplicate_household")
            needs += english ? "(cancelled: duplicate)" : "（重复户已取消）";
        }
      }
      std::string id = FieldText(*r, "id");
      if (s.get_object().if_contains("primary") && FieldText(s, "primary") == "yes") id += "*";
      t.AddRow({id, FieldText(s, "station_name"), FieldText(*r, "name"), FieldText(*r, "phone"),
                FieldText(*r, "address"), needs});
    }
  }
  out << t.Render();
  if (!FieldText(c, "note").empty()) out << FieldText(c, "note") << "\n";
  return out.str();
}

int Reply(Context& ctx, const StatusOr<ApiReply>& reply) {
  if (!reply.ok()) return Unreachable(ctx, reply.status());
  if (!reply->ok()) return ServerError(ctx, *reply);
  if (ctx.json) {
    ctx.out << reply->raw << "\n";
  } else {
    ctx.out << CaseText(reply->json, ctx.english);
  }
  return kExitOk;
}

int List(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("status", po::value<std::string>(), "open or resolved (default: both)");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, {}, "duplicates list", &vm, &code)) return code;
  std::vector<std::pair<std::string, std::string>> query;
  if (vm.count("status")) query.emplace_back("status", vm["status"].as<std::string>());
  auto list = ctx.api.List("/v1/duplicates", query);
  if (!list.ok()) return Unreachable(ctx, list.status());
  if (list->failure) return ServerError(ctx, *list->failure);
  if (ctx.json) {
    json::array items(list->items.begin(), list->items.end());
    ctx.out << json::serialize(json::object{{"items", std::move(items)}}) << "\n";
    return kExitOk;
  }
  const bool en = ctx.english;
  Table t(en ? std::vector<std::string>{"id", "status", "likelihood", "basis", "registrations",
                                        "decision"}
             : std::vector<std::string>{"编号", "状态", "判断", "依据", "登记", "结论"});
  for (const auto& c : list->items) {
    size_t sides = 0;
    if (const json::value* s = c.get_object().if_contains("sides"); s && s->is_array())
      sides = s->get_array().size();
    std::string seen = std::to_string(sides);
    if (FieldText(c, "other_sides_hidden") == "yes") seen += en ? " (+ elsewhere)" : "（另有他站）";
    t.AddRow({FieldText(c, "id"), LabelOf(FieldText(c, "status"), en),
              LabelOf(FieldText(c, "likelihood"), en), Basis(c, en), seen,
              LabelOf(FieldText(c, "decision"), en)});
  }
  ctx.out << t.Render();
  return kExitOk;
}

po::positional_options_description IdPosition() {
  po::positional_options_description pos;
  pos.add("id", 1);
  return pos;
}

int Show(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("id", po::value<int64_t>()->required(), "the case");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, IdPosition(), "duplicates show", &vm, &code)) return code;
  const std::string lang = ctx.english ? "?lang=en" : "";
  return Reply(ctx, ctx.api.Get("/v1/duplicates/" + std::to_string(vm["id"].as<int64_t>()) + lang));
}

int Resolve(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("id", po::value<int64_t>()->required(), "the case")(
      "decision", po::value<std::string>()->required(), "same_household or different_households")(
      "primary-id", po::value<int64_t>(), "same_household: the registration whose needs stand")(
      "reason", po::value<std::string>(), "why, e.g. 电话核实为同一户");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, IdPosition(), "duplicates resolve", &vm, &code)) return code;
  json::object body{{"decision", vm["decision"].as<std::string>()}};
  if (vm.count("primary-id")) body["primary_id"] = vm["primary-id"].as<int64_t>();
  if (vm.count("reason")) body["reason"] = vm["reason"].as<std::string>();
  const std::string lang = ctx.english ? "?lang=en" : "";
  return Reply(ctx, ctx.api.Post("/v1/duplicates/" + std::to_string(vm["id"].as<int64_t>()) +
                                     ":resolve" + lang,
                                 body));
}

int Reopen(Context& ctx, const std::vector<std::string>& args) {
  po::options_description desc("Flags");
  desc.add_options()("id", po::value<int64_t>()->required(), "the case")(
      "reason", po::value<std::string>(), "why it is reopened");
  po::variables_map vm;
  int code = 0;
  if (!ParseFlags(ctx, args, desc, IdPosition(), "duplicates reopen", &vm, &code)) return code;
  json::object body;
  if (vm.count("reason")) body["reason"] = vm["reason"].as<std::string>();
  const std::string lang = ctx.english ? "?lang=en" : "";
  return Reply(ctx, ctx.api.Post("/v1/duplicates/" + std::to_string(vm["id"].as<int64_t>()) +
                                     ":reopen" + lang,
                                 body));
}

Command Make(std::string verb, std::string summary,
             int (*run)(Context&, const std::vector<std::string>&), std::string help) {
  return MakeCommand("duplicates", std::move(verb), std::move(summary), run, std::move(help));
}

}  // namespace

std::string DuplicateNotice(const boost::json::value& answer, bool english) {
  if (!answer.is_object()) return "";
  const json::value* d = answer.get_object().if_contains("duplicate");
  if (d == nullptr || !d->is_object()) return "";
  const std::string status = FieldText(*d, "status");
  if (status.empty() || status == "none") return "";
  if (english) {
    return status + " duplicate (basis: " + Basis(*d, true) +
           "): may already be registered at another station; case " + FieldText(*d, "case_id");
  }
  return LabelOf(status, false) + "（依据：" + Basis(*d, false) +
         "）：可能已在辖区其他站登记，案件 " + FieldText(*d, "case_id");
}

std::vector<Command> DuplicateCommands() {
  return {
      Make("list", "list duplicate cases (a station: those of its own registrations)", List,
           "[--status open|resolved]\n"),
      Make("show", "show a case: both sides for the desk, its own side for a station", Show,
           "ID\n"),
      Make("resolve", "resolve a case: same_household links, different_households remembers",
           Resolve,
           "ID --decision same_household|different_households [--primary-id N] [--reason "
           "TEXT]\n"
           "same_household: the other registrations' open needs for the primary's items are\n"
           "cancelled (duplicate_household); reopen restores them.\n"),
      Make("reopen", "reopen a resolved case; undoes what its resolution did", Reopen,
           "ID [--reason TEXT]\n"),
  };
}

}  // namespace aidlink::client
