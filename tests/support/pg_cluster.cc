#include "support/pg_cluster.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace aidlink::test {
namespace {

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

}  // namespace

PgCluster::PgCluster() {
  const char* bin = std::getenv("AIDLINK_PG_BIN");
  bin_ = bin != nullptr ? bin : "/usr/lib/postgresql/15/bin";
  std::string pattern = (std::filesystem::temp_directory_path() / "aidlink-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  as_postgres_ = geteuid() == 0;
  if (as_postgres_) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("no postgres user (install postgresql-15)");
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + dir_);
    }
  }
  RunTool(
      bin_ + "/initdb -D " + dir_ + "/data -U aidlink -A trust -E UTF8 --locale=C.UTF-8 --no-sync",
      dir_ + "/initdb.log");
  // Durable like production (fsync, synchronous_commit on), small and local.
  std::ofstream conf(dir_ + "/data/postgresql.conf", std::ios::app);
  conf << "listen_addresses = ''\nunix_socket_directories = '" << dir_
       << "'\nport = 5432\nmax_connections = 100\nshared_buffers = 32MB\n"
       << "fsync = on\nsynchronous_commit = on\nlogging_collector = off\n";
  conf.close();
  Start();
}

PgCluster::~PgCluster() {
  try {
    if (running_) Stop("immediate");
  } catch (const std::exception&) {
    // Best effort: a test's own failure is the one to report.
  }
  if (std::getenv("AIDLINK_KEEP_TEST_DIR") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PgCluster::Uri(std::string_view database) const {
  return "postgresql:///" + std::string(database) + "?host=" + dir_ + "&port=5432&user=aidlink";
}

void PgCluster::CreateDatabase(std::string_view name) {
  RunTool(bin_ + "/createdb -h " + dir_ + " -p 5432 -U aidlink " + std::string(name),
          dir_ + "/createdb.log");
}

void PgCluster::Stop(std::string_view mode) {
  RunTool(bin_ + "/pg_ctl -D " + dir_ + "/data -m " + std::string(mode) + " -w stop",
          dir_ + "/pg_ctl.log");
  running_ = false;
}

void PgCluster::Start() {
  RunTool(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 start",
          dir_ + "/pg_ctl.log");
  running_ = true;
}

void PgCluster::RunTool(const std::string& command, const std::string& log) const {
  const std::string line =
      (as_postgres_ ? "runuser -u postgres -- " : "") + command + " > " + log + " 2>&1";
  if (std::system(line.c_str()) != 0) {
    throw std::runtime_error("PostgreSQL tool failed: " + command + "\n" + Tail(log) +
                             "\nserver log:\n" + Tail(dir_ + "/server.log"));
  }
}

}  // namespace aidlink::test
