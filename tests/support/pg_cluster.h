#pragma once

#include <string>
#include <string_view>

namespace aidlink::test {

// A throwaway PostgreSQL 15 cluster for one test: `initdb` into a fresh
// temporary directory, then `postgres` listening only on a Unix socket in
// that directory (no TCP port to collide on). Run as root (CI), the cluster
// runs as the `postgres` user, since PostgreSQL refuses root. The binaries
// are PostgreSQL 15's (/usr/lib/postgresql/15/bin, or AIDLINK_PG_BIN).
// The constructor throws std::runtime_error (with the log's tail) if the
// cluster does not start; the destructor stops it (immediate) and removes the
// directory unless AIDLINK_KEEP_TEST_DIR is set. Not thread-safe.
class PgCluster {
 public:
  PgCluster();
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // A libpq URI of `database` on this cluster (user `aidlink`, trusted).
  std::string Uri(std::string_view database = "postgres") const;
  // CREATE DATABASE `name` (an identifier: letters, digits, _).
  void CreateDatabase(std::string_view name);

  // pg_ctl stop in `mode` ("fast", "immediate": a crash, as kill -9 of the
  // postmaster would be) and start again; waits until it accepts.
  void Stop(std::string_view mode = "fast");
  void Start();
  const std::string& dir() const { return dir_; }

 private:
  // Runs `command` (a PostgreSQL tool and its arguments, shell-quoted by the
  // caller) as the cluster's user; throws with the log on failure.
  void RunTool(const std::string& command, const std::string& log) const;

  std::string dir_;
  std::string bin_;
  bool as_postgres_ = false;
  bool running_ = false;
};

}  // namespace aidlink::test
