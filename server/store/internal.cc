#include "store/internal.h"

#include <charconv>

#include "store/repo.h"

namespace aidlink::store::internal {

std::string JoinList(const std::vector<std::string>& values, char sep) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += sep;
    out += values[i];
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& joined, char sep) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t end = joined.find(sep, start);
    out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string JoinIds(const std::vector<int64_t>& ids, char sep) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += sep;
    out += std::to_string(ids[i]);
  }
  return out;
}

std::vector<int64_t> SplitIds(const std::string& joined, char sep) {
  std::vector<int64_t> out;
  for (const std::string& part : SplitList(joined, sep)) {
    if (const std::optional<int64_t> id = ParseInt64(part)) out.push_back(*id);
  }
  return out;
}

Statement& BindEarmark(Statement* st, int first, const Earmark& earmark) {
  return st->Bind(first, JoinList(earmark.districts))
      .Bind(first + 1, JoinList(earmark.requester_kinds))
      .Bind(first + 2, JoinList(earmark.tags))
      .Bind(first + 3, JoinIds(earmark.station_ids));
}

Earmark ReadEarmark(const Statement& row, int first) {
  Earmark earmark;
  earmark.districts = SplitList(row.Text(first));
  earmark.requester_kinds = SplitList(row.Text(first + 1));
  earmark.tags = SplitList(row.Text(first + 2));
  earmark.station_ids = SplitIds(row.Text(first + 3));
  return earmark;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

Status MustExist(Database& db, const char* table, int64_t id, const char* field, const char* what) {
  AIDLINK_ASSIGN_STMT(st, db, std::string("SELECT 1 FROM ") + table + " WHERE id = ?");
  st->Bind(1, id);
  StatusOr<bool> found = Exists(st);
  if (!found.ok()) return found.status();
  if (!*found) return NotFound(std::string(what) + " " + std::to_string(id) + " not found", field);
  return Status::Ok();
}

Status InsertRow(Database& db, Statement* st, const Actor& actor, const char* entity, int64_t* id,
                 const std::string& detail) {
  AIDLINK_RETURN_IF_ERROR(st->Run());
  *id = db.LastInsertId();
  return AppendEvent(db, actor, std::string(entity) + "_created", entity, *id, detail);
}

Status ScopeMustExist(Database& db, const std::optional<int64_t>& station_id,
                      const std::optional<int64_t>& donor_id) {
  if (station_id)
    AIDLINK_RETURN_IF_ERROR(MustExist(db, "stations", *station_id, "station_id", "station"));
  if (donor_id) AIDLINK_RETURN_IF_ERROR(MustExist(db, "donors", *donor_id, "donor_id", "donor"));
  return Status::Ok();
}

}  // namespace aidlink::store::internal
