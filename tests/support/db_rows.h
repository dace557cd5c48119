#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aidlink::test {

// The tables of the aidlink schema that the API tests watch.
const std::vector<std::string>& AllTables();

// `SELECT count(*) FROM table` on the SQLite file at `db_path`, opened
// read-only (the running server keeps writing it in WAL mode). Throws
// std::runtime_error if the file or table cannot be read.
int64_t CountRows(const std::string& db_path, const std::string& table);

// CountRows for every table of AllTables(), in one read transaction.
std::map<std::string, int64_t> CountAllRows(const std::string& db_path);

// The first column of the first row of `sql` (a query returning one integer),
// run read-only on `db_path`. Throws std::runtime_error on any error or if
// there is no row.
int64_t QueryInt(const std::string& db_path, const std::string& sql);

// Runs `sql` (any statements) read-write on `db_path`. For a stopped server's
// file only: to age rows, say. Throws std::runtime_error on any error.
void ExecSql(const std::string& db_path, const std::string& sql);

// "tokens=3 items=1 ..." for failure messages.
std::string FormatCounts(const std::map<std::string, int64_t>& counts);

}  // namespace aidlink::test
