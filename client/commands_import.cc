// `aidlink import requesters|needs FILE.csv`: a station's spreadsheet in, one
// POST per good row with an Idempotency-Key derived from the row, so that a
// re-run (after a fix, a crash or a lost connection) imports nothing twice.

#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "commands.h"
#include "csv.h"
#include "import.h"
#include "json_util.h"
#include "url.h"
#include "util/text.h"

namespace aidlink::client {
namespace {

namespace json = boost::json;
namespace po = boost::program_options;

po::options_description Flags() {
  po::options_description desc("Flags");
  desc.add_options()("dry-run", po::bool_switch(), "check the file, send nothing");
  return desc;
}

std::string Help(ImportKind kind) {
  std::ostringstream out;
  std::string columns;
  for (const auto& c : ImportColumns(kind)) columns += (columns.empty() ? "" : ",") + c;
  out << "FILE.csv [--dry-run]\n"
      << "Imports " << ImportKindName(kind)
      << " from a CSV file (UTF-8, with or without BOM; Excel: save as \"CSV UTF-8\").\n"
      << "Header row: " << columns << "\n";
  if (kind == ImportKind::kRequesters) {
    out << "tags are separated by ';' or '|'; lat and lon may be left blank.\n";
  } else {
    out << "item_code may replace item_id (any letter case); requester_name and requester_phone\n"
           "may replace requester_id (a name and phone that fit no requester, or several, are\n"
           "reported by line); needed_by (YYYY-MM-DD) and note may be blank.\n";
  }
  out << "Every bad row is reported with its line number; good rows are imported once:\n"
         "running the same file again imports nothing twice (with the same token).\n\n"
      << Flags();
  return out.str();
}

// What the caller can already see, so that a replayed answer can be told
// apart from a fresh one (the server does not flag replays), and a household
// registered before (by hand, or with another token) is not registered twice.
// Best effort: a list the caller may not read gives nothing.
struct Existing {
  std::set<int64_t> ids;
  std::vector<json::value> objects;
  std::multimap<std::string, size_t> by_name;  // index into objects
};

Existing LoadExisting(Context& ctx, ImportKind kind, const ImportPlan& plan) {
  Existing existing;
  const char* path = kind == ImportKind::kRequesters ? "/v1/requesters" : "/v1/needs";
  const char* filter = kind == ImportKind::kRequesters ? "station_id" : "item_id";
  std::set<int64_t> scopes;
  for (const auto& row : plan.rows) {
    if (const auto v = AsInt64(row.body.at(filter))) scopes.insert(*v);
  }
  for (const int64_t scope : scopes) {
    auto list = ctx.api.List(path, {{filter, std::to_string(scope)}});
    if (!list.ok() || list->failure) continue;
    for (auto& item : list->items) {
      if (!item.is_object()) continue;
      if (const json::value* id = item.get_object().if_contains("id")) {
        if (const auto v = AsInt64(*id)) existing.ids.insert(*v);
      }
      existing.by_name.emplace(FieldText(item, "name"), existing.objects.size());
      existing.objects.push_back(std::move(item));
    }
  }
  return existing;
}

// The id of an existing requester identical to `row`, if any.
std::optional<int64_t> FindSameRequester(const Existing& existing, const ImportRow& row) {
  const auto [begin, end] = existing.by_name.equal_range(FieldText(row.body, "name"));
  for (auto it = begin; it != end; ++it) {
    const json::value& object = existing.objects[it->second];
    if (SameRequester(row.body, object)) {
      if (const json::value* id = object.get_object().if_contains("id")) return AsInt64(*id);
    }
  }
  return std::nullopt;
}

struct Outcome {
  int line = 0;
  std::string status;  // imported, already_present, duplicate, failed
  std::optional<int64_t> id;
  std::string message;
  std::string field;
};

// The whole of `file`, or nullopt after telling the caller it cannot be
// opened; warns when it is not UTF-8.
std::optional<std::string> ReadCsvFile(Context& ctx, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ctx.err << "aidlink: cannot open " << file << "\n";
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string content = buffer.str();
  if (!text::IsValidUtf8(text::StripBom(content))) {
    ctx.err << file
            << ": warning: the file is not valid UTF-8; if Excel saved it, choose "
               "\"CSV UTF-8\" (Excel's plain \"CSV\" is GBK on Chinese Windows)\n";
  }
  return content;
}

// Fills `codes` with the server's item codes; an exit code if it cannot.
std::optional<int> LoadItemCodes(Context& ctx, ItemCodes* codes) {
  auto items = ctx.api.List("/v1/items", {});
  if (!items.ok()) return Unreachable(ctx, items.status());
  if (items->failure) return ServerError(ctx, *items->failure);
  for (const auto& item : items->items) {
    if (!item.is_object() || !item.get_object().contains("id")) continue;
    if (const auto id = AsInt64(item.get_object().at("id")))
      (*codes)[FieldText(item, "code")] = *id;
  }
  return std::nullopt;
}

// Rows may name the household as the station's spreadsheet does (name and
// phone): fills `requesters` with the active requesters the caller can see;
// an exit code if it cannot.
std::optional<int> LoadRequesterDirectory(Context& ctx, RequesterDirectory* requesters) {
  auto list = ctx.api.List("/v1/requesters", {{"active", "true"}});
  if (!list.ok()) return Unreachable(ctx, list.status());
  if (list->failure) return ServerError(ctx, *list->failure);
  for (const auto& r : list->items) {
    if (!r.is_object() || !r.get_object().contains("id")) continue;
    if (const auto id = AsInt64(r.get_object().at("id"))) {
      requesters->push_back({*id, FieldText(r, "name"), FieldText(r, "phone")});
    }
  }
  return std::nullopt;
}

// What sending the plan's rows came to.
struct SendTally {
  int imported = 0, present = 0;
  bool connection_lost = false;
  Status lost;
};

// POSTs each row of `plan` (skipping requesters already registered),
// appending an outcome per row; stops at the first lost connection.
SendTally SendRows(Context& ctx, ImportKind kind, const ImportPlan& plan,
                   std::vector<Outcome>* outcomes) {
  SendTally tally;
  const Existing existing = LoadExisting(ctx, kind, plan);
  const std::string path = kind == ImportKind::kRequesters ? "/v1/requesters" : "/v1/needs";
  // Long files take a while: show progress when a person is watching.
  const bool progress = !ctx.json && isatty(STDERR_FILENO) && plan.rows.size() >= 50;
  size_t sent = 0;
  for (const auto& row : plan.rows) {
    if (progress && sent % 25 == 0) {
      ctx.err << "\r" << sent << "/" << plan.rows.size() << " rows sent" << std::flush;
    }
    ++sent;
    if (kind == ImportKind::kRequesters) {
      if (const auto same = FindSameRequester(existing, row)) {
        outcomes->push_back({row.line, "already_present", same, "", ""});
        ++tally.present;
        continue;
      }
    }
    auto reply = ctx.api.Post(path, row.body, row.idempotency_key);
    if (!reply.ok()) {
      tally.connection_lost = true;
      tally.lost = reply.status();
      break;
    }
    if (!reply->ok()) {
      outcomes->push_back(
          {row.line, "failed", {}, "server: " + reply->ErrorMessage(), reply->ErrorField()});
      continue;
    }
    Outcome o{row.line, "imported", {}, "", ""};
    if (reply->json.is_object()) {
      if (const json::value* id = reply->json.get_object().if_contains("id")) o.id = AsInt64(*id);
    }
    o.message = DuplicateNotice(reply->json, ctx.english);
    if (reply->replayed || (o.id && existing.ids.count(*o.id))) {
      o.status = "already_present";
      ++tally.present;
    } else {
      ++tally.imported;
    }
    outcomes->push_back(std::move(o));
  }
  return tally;
}

// The counts an import reports.
struct ImportSummary {
  std::string file;
  ImportKind kind;
  bool dry_run = false;
  int rows = 0, valid = 0, imported = 0, present = 0, duplicates = 0, failed = 0;
};

void PrintJsonSummary(Context& ctx, const ImportSummary& s, const std::vector<Outcome>& outcomes) {
  json::object summary;
  summary["file"] = s.file;
  summary["kind"] = ImportKindName(s.kind);
  summary["dry_run"] = s.dry_run;
  summary["rows"] = s.rows;
  summary["imported"] = s.imported;
  summary["already_present"] = s.present;
  summary["duplicates"] = s.duplicates;
  summary["failed"] = s.failed;
  if (s.dry_run) summary["valid"] = static_cast<size_t>(s.valid);
  json::array list;
  for (const auto& o : outcomes) {
    json::object r;
    r["line"] = o.line;
    r["status"] = o.status;
    if (o.id) r["id"] = *o.id;
    if (!o.message.empty()) r["message"] = o.message;
    if (!o.field.empty()) r["field"] = o.field;
    list.push_back(std::move(r));
  }
  summary["results"] = std::move(list);
  ctx.out << json::serialize(summary) << "\n";
}

void PrintTextSummary(Context& ctx, const ImportSummary& s, const std::vector<Outcome>& outcomes) {
  for (const auto& o : outcomes) {
    if (o.status == "failed") {
      ctx.err << s.file << ":" << o.line << ": " << o.message;
      if (!o.field.empty()) ctx.err << " (field " << o.field << ")";
      ctx.err << "\n";
    } else if (o.status == "duplicate") {
      ctx.err << s.file << ":" << o.line << ": note: " << o.message << ", imported once\n";
    } else if (o.status == "imported" && !o.message.empty()) {
      ctx.err << s.file << ":" << o.line << ": note: " << o.message << "\n";
    }
  }
  if (s.dry_run) {
    ctx.out << s.file << ": dry run: " << s.valid << " of " << s.rows
            << " rows are ready to import, " << s.failed << " have problems"
            << (s.duplicates ? ", " + std::to_string(s.duplicates) + " repeat earlier rows" : "")
            << "\n";
  } else {
    ctx.out << s.file << ": imported " << s.imported << ", already present " << s.present
            << ", failed " << s.failed << " (" << s.rows << " rows"
            << (s.duplicates ? ", " + std::to_string(s.duplicates) + " repeated in the file" : "")
            << ")\n";
  }
}

int RunImport(Context& ctx, ImportKind kind, const std::vector<std::string>& args) {
  const std::string command = std::string("import ") + ImportKindName(kind);
  po::options_description desc = Flags();
  desc.add_options()("file", po::value<std::string>()->required(), "CSV file");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::required_option&) {
    return UsageError(ctx, command + " needs a FILE.csv", command);
  } catch (const po::error& e) {
    return UsageError(ctx, e.what(), command);
  }
  const std::string file = vm["file"].as<std::string>();
  const bool dry_run = vm["dry-run"].as<bool>();

  const std::optional<std::string> content = ReadCsvFile(ctx, file);
  if (!content) return kExitFailed;
  const CsvDocument doc = ParseCsv(*content);
  ItemCodes codes;
  if (kind == ImportKind::kNeeds && UsesItemCodes(doc)) {
    if (const auto exit = LoadItemCodes(ctx, &codes)) return *exit;
  }
  RequesterDirectory requesters;
  if (kind == ImportKind::kNeeds && UsesRequesterNames(doc)) {
    if (const auto exit = LoadRequesterDirectory(ctx, &requesters)) return *exit;
  }
  auto plan = PlanImport(kind, doc, codes, requesters);
  if (!plan.ok()) {
    ctx.err << file << ": " << plan.status().message() << "\n";
    return kExitFailed;
  }

  std::vector<Outcome> outcomes;
  for (const auto& p : plan->problems) outcomes.push_back({p.line, "failed", {}, p.message, ""});
  for (const auto& d : plan->duplicates) {
    outcomes.push_back(
        {d.line, "duplicate", {}, "same as line " + std::to_string(d.first_line), ""});
  }
  SendTally tally;
  if (!dry_run && !plan->rows.empty()) tally = SendRows(ctx, kind, *plan, &outcomes);
  if (!ctx.json && isatty(STDERR_FILENO) && plan->rows.size() >= 50) ctx.err << "\r\033[K";
  std::stable_sort(outcomes.begin(), outcomes.end(),
                   [](const Outcome& a, const Outcome& b) { return a.line < b.line; });

  ImportSummary summary{file, kind, dry_run};
  summary.failed =
      static_cast<int>(plan->problems.size()) +
      static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) {
        return o.status == "failed" && o.message.rfind("server: ", 0) == 0;
      }));
  summary.duplicates = static_cast<int>(plan->duplicates.size());
  summary.rows = static_cast<int>(doc.records.size()) - 1 + static_cast<int>(doc.errors.size());
  summary.valid = static_cast<int>(plan->rows.size());
  summary.imported = tally.imported;
  summary.present = tally.present;
  if (ctx.json) {
    PrintJsonSummary(ctx, summary, outcomes);
  } else {
    PrintTextSummary(ctx, summary, outcomes);
  }
  if (tally.connection_lost) {
    ctx.err << "aidlink: " << tally.lost.message()
            << "\nThe import stopped; run the same command again to finish it: rows already "
               "imported will not be imported twice.\n";
    return kExitUnreachable;
  }
  return summary.failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace

std::vector<Command> ImportCommands() {
  std::vector<Command> out;
  for (const ImportKind kind : {ImportKind::kRequesters, ImportKind::kNeeds}) {
    out.push_back({"import", ImportKindName(kind),
                   std::string("import ") + ImportKindName(kind) + " from a station's CSV file",
                   [kind](Context& ctx, const std::vector<std::string>& args) {
                     return RunImport(ctx, kind, args);
                   },
                   [kind] { return Help(kind); }});
  }
  return out;
}

}  // namespace aidlink::client
