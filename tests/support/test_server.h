#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aidlink::test {

// Extra flags for the server under test; unset members are not passed.
struct TestServerOptions {
  std::optional<int> threads = 2;
  std::optional<int64_t> max_body_bytes;
  std::optional<int> read_timeout_seconds;
  std::optional<bool> group_commit;
  // The --listen value; the port written to the port file is what counts.
  std::string listen = "127.0.0.1:0";
  // If non-empty, written to the admin token file before the first start
  // (the server must then use it as the admin token).
  std::string preset_admin_token;
  // If non-empty, this database file (a backup, say) is copied to db_path()
  // before the first start, so the server serves a copy of it.
  std::string initial_db;
  // If non-empty, the database lives here instead of in the temporary
  // directory (on a small file system, say); the caller removes it.
  std::string db_path;
  // Appended verbatim after the flags above.
  std::vector<std::string> extra_args;
  // When set, the destructor records a Catch2 failure (with the log's tail)
  // if the server does not exit 0 on SIGTERM: a crash, a sanitizer report or
  // an unclean shutdown anywhere in a test is then caught.
  bool expect_clean_exit = true;
  // How long to wait for the port file after spawning.
  std::chrono::milliseconds start_deadline{10'000};
};

// Runs the real `aidlink-server` binary (AIDLINK_SERVER_BIN) as a child
// process on 127.0.0.1 with an ephemeral port, a database and an admin token
// file in a fresh temporary directory, and its stderr/stdout in log_path().
// The constructor returns once the server listens; it throws
// std::runtime_error (with the log's tail) if the server exits or does not
// listen before the deadline. The destructor stops the server (SIGTERM, then
// SIGKILL after a deadline), checks that it exited 0 (see
// TestServerOptions::expect_clean_exit) and removes the directory, unless the
// environment variable AIDLINK_KEEP_TEST_DIR is set.
// Not thread-safe: drive it from the test's main thread.
class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // The port the running server listens on (changes across restarts).
  uint16_t port() const { return port_; }
  // The admin token read from the token file (stable across restarts).
  const std::string& admin_token() const { return admin_token_; }
  const std::string& dir() const { return dir_; }
  std::string db_path() const {
    return options_.db_path.empty() ? dir_ + "/aidlink.db" : options_.db_path;
  }
  std::string token_file_path() const { return dir_ + "/admin.token"; }
  std::string port_file_path() const { return dir_ + "/port"; }
  // Everything the server wrote to stderr and stdout, across restarts.
  std::string log_path() const { return dir_ + "/server.log"; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and waits (10 s deadline, then SIGKILL). Returns the exit
  // code if the server exited, or -signal if a signal ended it (-9 after the
  // deadline). REQUIRES: running().
  int Stop() { return StopWith(SIGTERM); }
  // Like Stop(), with another signal (SIGINT).
  int StopWith(int signal);
  // Sends SIGKILL and reaps the process. REQUIRES: running().
  void Kill();
  // Starts the server again on the same database and token file (stopping it
  // first with Stop() if it runs). Throws like the constructor.
  void Restart();

  // The log file's contents.
  std::string ReadLog() const;

 private:
  void Start();
  // Waits for the child to exit until `deadline`; returns the raw wait status
  // or nullopt on timeout.
  std::optional<int> WaitFor(std::chrono::steady_clock::time_point deadline);
  std::string LogTail(size_t max_bytes = 4000) const;

  TestServerOptions options_;
  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string admin_token_;
};

// Decodes a waitpid status the way Stop() reports it.
int DecodeWaitStatus(int wait_status);

// What a run of the server binary that is expected to end by itself
// produced: its exit code (as Stop() reports it; -9 if it had to be killed
// at the deadline) and its stdout and stderr together.
struct ServerRun {
  int exit_code = 0;
  std::string output;
};
// Runs AIDLINK_SERVER_BIN with `args` (argv[0] excluded; "{dir}" in an
// argument becomes a fresh temporary directory, removed afterwards) and waits
// up to `deadline` for it to exit.
ServerRun RunServerToExit(const std::vector<std::string>& args,
                          std::chrono::milliseconds deadline = std::chrono::seconds(10));

}  // namespace aidlink::test
