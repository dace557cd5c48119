#include "support/test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef AIDLINK_SERVER_BIN
#error "AIDLINK_SERVER_BIN must name the aidlink-server binary"
#endif

extern char** environ;

namespace aidlink::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(5);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/aidlink-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  return std::string(buf.data());
}

// The process ignores SIGPIPE so that a server closing a socket under a write
// fails the write instead of killing the test binary.
void IgnoreSigpipeOnce() {
  static const bool done = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

// Starts `args` as a child with stdin from /dev/null and stdout and stderr
// appended to `output_path`; returns its pid. Throws on failure.
pid_t Spawn(const std::vector<std::string>& args_in, const std::string& output_path) {
  std::vector<std::string> args = args_in;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  // The child must not inherit our client sockets or other descriptors.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw std::runtime_error("posix_spawn " + args[0] + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace

int DecodeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return -1000;
}

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  IgnoreSigpipeOnce();
  dir_ = MakeTempDir();
  if (!options_.preset_admin_token.empty()) {
    std::ofstream(token_file_path()) << options_.preset_admin_token << "\n";
  }
  if (!options_.initial_db.empty()) {
    std::filesystem::copy_file(options_.initial_db, db_path());
  }
  try {
    Start();
  } catch (...) {
    if (pid_ > 0) Kill();
    if (!std::getenv("AIDLINK_KEEP_TEST_DIR")) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
    throw;
  }
}

TestServer::~TestServer() {
  if (pid_ > 0) {
    int code = Stop();
    if (code != 0 && options_.expect_clean_exit && std::uncaught_exceptions() == 0) {
      FAIL_CHECK("aidlink-server exited with " << code
                                               << " on SIGTERM at the end of the test; log:\n"
                                               << LogTail());
    }
  }
  if (!std::getenv("AIDLINK_KEEP_TEST_DIR")) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void TestServer::Start() {
  std::error_code ec;
  std::filesystem::remove(port_file_path(), ec);
  std::filesystem::remove(port_file_path() + ".tmp", ec);

  std::vector<std::string> args = {
      AIDLINK_SERVER_BIN, "--db",          db_path(),
      "--listen",         options_.listen, "--admin-token-file",
      token_file_path(),  "--port-file",   port_file_path(),
  };
  if (options_.threads) {
    args.push_back("--threads");
    args.push_back(std::to_string(*options_.threads));
  }
  if (options_.max_body_bytes) {
    args.push_back("--max-body");
    args.push_back(std::to_string(*options_.max_body_bytes));
  }
  if (options_.read_timeout_seconds) {
    args.push_back("--read-timeout");
    args.push_back(std::to_string(*options_.read_timeout_seconds));
  }
  if (options_.group_commit) {
    args.push_back("--group-commit");
    args.push_back(*options_.group_commit ? "on" : "off");
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  pid_ = Spawn(args, log_path());

  const auto deadline = Clock::now() + options_.start_deadline;
  for (;;) {
    int status = 0;
    pid_t w = waitpid(pid_, &status, WNOHANG);
    if (w == pid_) {
      pid_ = -1;
      throw std::runtime_error("aidlink-server exited during start-up with status " +
                               std::to_string(DecodeWaitStatus(status)) + "; log:\n" + LogTail());
    }
    std::string text = ReadFile(port_file_path());
    if (!text.empty() && text.back() == '\n') {
      port_ = static_cast<uint16_t>(std::stoi(text));
      break;
    }
    if (Clock::now() > deadline) {
      throw std::runtime_error("aidlink-server did not write its port file within " +
                               std::to_string(options_.start_deadline.count()) + " ms; log:\n" +
                               LogTail());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  std::string token(ReadFile(token_file_path()));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty()) {
    throw std::runtime_error("admin token file is empty after start-up; log:\n" + LogTail());
  }
  admin_token_ = token;
}

std::optional<int> TestServer::WaitFor(Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t w = waitpid(pid_, &status, WNOHANG);
    if (w == pid_) return status;
    if (w < 0 && errno != EINTR) return 0;  // Already reaped: nothing to wait for.
    if (Clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

int TestServer::StopWith(int signal) {
  if (pid_ <= 0) throw std::logic_error("TestServer::Stop: server is not running");
  kill(pid_, signal);
  std::optional<int> status = WaitFor(Clock::now() + std::chrono::seconds(10));
  if (!status) {
    kill(pid_, SIGKILL);
    status = WaitFor(Clock::now() + std::chrono::seconds(10));
    pid_ = -1;
    return -SIGKILL;
  }
  pid_ = -1;
  return DecodeWaitStatus(*status);
}

void TestServer::Kill() {
  if (pid_ <= 0) throw std::logic_error("TestServer::Kill: server is not running");
  kill(pid_, SIGKILL);
  (void)WaitFor(Clock::now() + std::chrono::seconds(10));
  pid_ = -1;
}

void TestServer::Restart() {
  if (pid_ > 0) {
    int code = Stop();
    if (code != 0) {
      throw std::runtime_error("aidlink-server exited with " + std::to_string(code) +
                               " on SIGTERM before restart; log:\n" + LogTail());
    }
  }
  port_ = 0;
  Start();
}

ServerRun RunServerToExit(const std::vector<std::string>& args,
                          std::chrono::milliseconds deadline) {
  std::string dir = MakeTempDir();
  std::string output_path = dir + "/output";
  std::vector<std::string> argv = {AIDLINK_SERVER_BIN};
  for (std::string arg : args) {
    for (size_t at; (at = arg.find("{dir}")) != std::string::npos;) arg.replace(at, 5, dir);
    argv.push_back(arg);
  }
  ServerRun run;
  pid_t pid = Spawn(argv, output_path);
  const auto until = Clock::now() + deadline;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      run.exit_code = DecodeWaitStatus(status);
      break;
    }
    if (Clock::now() > until) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      run.exit_code = -SIGKILL;
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  run.output = ReadFile(output_path);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return run;
}

std::string TestServer::ReadLog() const { return ReadFile(log_path()); }

std::string TestServer::LogTail(size_t max_bytes) const {
  std::string log = ReadLog();
  if (log.size() > max_bytes) log = "..." + log.substr(log.size() - max_bytes);
  return log;
}

}  // namespace aidlink::test
