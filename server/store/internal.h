#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/database.h"
#include "store/model.h"
#include "util/status.h"

// Declares `Statement* var` prepared from `sql` on `db`, returning the
// error from the enclosing function if preparing fails.
#define AIDLINK_ASSIGN_STMT(var, db, sql)            \
  StatusOr<Statement*> var##_or = (db).Prepare(sql); \
  if (!var##_or.ok()) return var##_or.status();      \
  Statement* var = *var##_or

// Shared by the store's repositories; not part of aidlink::store's API.
namespace aidlink::store::internal {

// Lists (tags, earmarks) are stored as text joined with U+001F, which
// validation keeps out of every short text field.
inline constexpr char kListSep = '\x1f';

std::string JoinList(const std::vector<std::string>& values, char sep = kListSep);
std::vector<std::string> SplitList(const std::string& joined, char sep = kListSep);
// Ids joined with `sep`, and back; SplitIds skips what is not a number.
std::string JoinIds(const std::vector<int64_t>& ids, char sep = kListSep);
std::vector<int64_t> SplitIds(const std::string& joined, char sep = kListSep);
// A lot's earmark is four columns: earmark_districts, earmark_kinds,
// earmark_tags, earmark_stations. BindEarmark binds them as parameters
// `first` to `first` + 3 and returns `*st`; ReadEarmark reads them from
// column `first` on.
Statement& BindEarmark(Statement* st, int first, const Earmark& earmark);
Earmark ReadEarmark(const Statement& row, int first);
// Binds `values` as parameters 1, 2, ... in their order: a bool as 0/1, a
// list joined as above, an empty optional as NULL. Returns `*st`.
template <typename... T>
Statement& BindAll(Statement* st, const T&... values);
// Reads columns 0, 1, ... into `fields` in their order, each by its type:
// int64_t, int, double, bool (non-zero), std::string (NULL is ""), optional
// (NULL is empty) and list (split as above). ReadColumnsFrom starts at
// column `first`.
template <typename... T>
void ReadColumnsFrom(const Statement& row, int first, T&... fields);
template <typename... T>
void ReadColumns(const Statement& row, T&... fields) {
  ReadColumnsFrom(row, 0, fields...);
}
// A whole decimal int64, or nullopt (no exceptions, unlike std::stoll).
std::optional<int64_t> ParseInt64(std::string_view text);

// The row helpers of every repository. Each steps `st` to its end (or its
// first row) and resets it, so the cached statement is ready again.

// Runs a statement that must return one row, converting it with `read`;
// kNotFound "<what> not found" naming `field` if there is none.
template <typename T, typename Read>
StatusOr<T> One(Statement* st, Read read, const char* what, const char* field) {
  StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return NotFound(std::string(what) + " not found", field);
  T value = read(*st);
  st->Reset();
  return value;
}

// The first row converted with `read`, or nullopt if there is none.
template <typename T, typename Read>
StatusOr<std::optional<T>> MaybeOne(Statement* st, Read read) {
  StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  std::optional<T> out;
  if (*row) out = read(*st);
  st->Reset();
  return out;
}

// Every row, converted with `read`.
template <typename T, typename Read>
StatusOr<std::vector<T>> Many(Statement* st, Read read) {
  std::vector<T> out;
  for (;;) {
    StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read(*st));
  }
  st->Reset();
  return out;
}

// A page of `table`: SELECT <cols> FROM <table> WHERE id > ? ORDER BY id
// LIMIT ?, each row converted with `read`.
template <typename T, typename Read>
StatusOr<std::vector<T>> ListTable(Database& db, const char* cols, const char* table,
                                   const Page& page, Read read) {
  AIDLINK_ASSIGN_STMT(
      st, db,
      std::string("SELECT ") + cols + " FROM " + table + " WHERE id > ? ORDER BY id LIMIT ?");
  st->Bind(1, page.after_id).Bind(2, page.limit);
  return Many<T>(st, read);
}

// The row of `table` with this id; kNotFound "<what> not found" naming id.
template <typename T, typename Read>
StatusOr<T> GetById(Database& db, const char* cols, const char* table, int64_t id, Read read,
                    const char* what) {
  AIDLINK_ASSIGN_STMT(st, db, std::string("SELECT ") + cols + " FROM " + table + " WHERE id = ?");
  st->Bind(1, id);
  return One<T>(st, read, what, "id");
}

// True if the statement returns a row ("SELECT 1 ... LIMIT 1").
inline StatusOr<bool> Exists(Statement* st) {
  StatusOr<bool> row = st->Step();
  st->Reset();
  return row;
}

// The first column, for lists of ids: Many<int64_t>(st, ReadId).
inline int64_t ReadId(const Statement& row) { return row.Int(0); }

// Calls `fn(const Statement&)` on every row.
template <typename Fn>
Status ForEachRow(Statement* st, Fn fn) {
  for (;;) {
    StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    fn(static_cast<const Statement&>(*st));
  }
  st->Reset();
  return Status::Ok();
}

// Every row of a list read a page at a time by `list(const Page&)`, which
// returns rows with an `id` by increasing id, so that no one statement holds
// a huge result.
template <typename T, typename List>
StatusOr<std::vector<T>> AllPages(List list) {
  std::vector<T> out;
  Page page{0, 1000};
  for (;;) {
    StatusOr<std::vector<T>> rows = list(page);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    page.after_id = rows->back().id;
    for (T& row : *rows) out.push_back(std::move(row));
  }
  return out;
}

// Moves a need's outstanding quantity to cancelled with `reason`, bumps its
// version and appends a need_cancelled event. REQUIRES: `need` was read in
// this transaction.
StatusOr<Need> CancelOutstanding(Database& db, Need need, const std::string& reason,
                                 const Actor& actor);
// Fails with kNotFound naming `field` ("station 7 not found") unless a row
// with this id exists in `table`.
Status MustExist(Database& db, const char* table, int64_t id, const char* field, const char* what);
// Runs the INSERT `st`, sets `*id` to the new row's id and appends the
// event "<entity>_created" with `detail`.
Status InsertRow(Database& db, Statement* st, const Actor& actor, const char* entity, int64_t* id,
                 const std::string& detail = "{}");
// MustExist for the station and the donor a token or an account is bound
// to, where set (fields station_id, donor_id).
Status ScopeMustExist(Database& db, const std::optional<int64_t>& station_id,
                      const std::optional<int64_t>& donor_id);
// InvalidArgument naming expires_on if `lot` has none and its item is
// perishable (vegetables without a date cannot be given out first-expiry-
// first-out, nor kept from going off).
Status CheckPerishableExpiry(Database& db, const Lot& lot);

// How BindAll and ReadColumns treat each type.
namespace column {
template <typename T>
void Bind(Statement& st, int index, const T& value) {
  st.Bind(index, value);
}
inline void Bind(Statement& st, int index, bool value) { st.Bind(index, value ? 1 : 0); }
inline void Bind(Statement& st, int index, const std::vector<std::string>& values) {
  st.Bind(index, JoinList(values));
}
inline void Read(const Statement& row, int column, int64_t& out) { out = row.Int(column); }
inline void Read(const Statement& row, int column, int& out) {
  out = static_cast<int>(row.Int(column));
}
inline void Read(const Statement& row, int column, double& out) { out = row.Double(column); }
inline void Read(const Statement& row, int column, bool& out) { out = row.Int(column) != 0; }
inline void Read(const Statement& row, int column, std::string& out) { out = row.Text(column); }
inline void Read(const Statement& row, int column, std::optional<int64_t>& out) {
  out = row.OptInt(column);
}
inline void Read(const Statement& row, int column, std::optional<double>& out) {
  out = row.OptDouble(column);
}
inline void Read(const Statement& row, int column, std::vector<std::string>& out) {
  out = SplitList(row.Text(column));
}
}  // namespace column

template <typename... T>
Statement& BindAll(Statement* st, const T&... values) {
  int index = 0;
  (column::Bind(*st, ++index, values), ...);
  return *st;
}

template <typename... T>
void ReadColumnsFrom(const Statement& row, int first, T&... fields) {
  int index = first;
  (column::Read(row, index++, fields), ...);
}

}  // namespace aidlink::store::internal
