// aidlink-crash: kill -9 the real server under a concurrent writer load and
// check that every acknowledged write survived.
//
// Each round starts aidlink-server on the same database file (fresh at the
// start of the run), runs client threads doing a seeded random mix of writes
// (lots, needs, cancels, write-offs, expiry, committed match runs, delivery
// dispatch/deliver/fail/cancel, some under an Idempotency-Key) and records
// every 2xx answer; after a random delay it sends SIGKILL. Requests in flight
// at that moment are unknown. With the server dead it runs PRAGMA
// integrity_check on the file, restarts the server on it, retries the
// unknown keyed writes as a client would, and checks that every
// acknowledged write is reflected, that keyed writes replay and act once,
// and that GET /v1/reports/ledger says ok.
//
//   aidlink-crash [--rounds N] [--seed S] [--workers W] [--max-kill-ms MS] [--self-check]
//
// --self-check proves the checks can fail: after the kill it deletes an
// acknowledged lot and run, undoes an acknowledged cancel and reverts an
// acknowledged delivery outcome in the file, and succeeds only if
// verification reports each of the four lost. The last line is
//   crash: rounds=N acknowledged=A lost=L integrity_ok=I ledger_ok=K
// and the exit status is 0 only if nothing was lost, duplicated or failed.

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "crash/journal.h"
#include "support/test_server.h"

namespace aidlink::crash {
namespace {

struct Flags {
  int rounds = 20;
  uint64_t seed = 0;
  bool seed_given = false;
  int workers = 4;
  int min_kill_ms = 50;
  int max_kill_ms = 1500;
  bool self_check = false;
};

int Usage() {
  std::cerr << "usage: aidlink-crash [--rounds N] [--seed S] [--workers W] [--max-kill-ms MS] "
               "[--self-check]\n";
  return 2;
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](long long lo, long long hi, long long* out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      *out = std::strtoll(argv[++i], &end, 10);
      return *end == '\0' && *out >= lo && *out <= hi;
    };
    long long v = 0;
    if (a == "--rounds") {
      if (!next(1, 100000, &v)) return false;
      f->rounds = static_cast<int>(v);
    } else if (a == "--seed") {
      if (!next(0, (1LL << 62), &v)) return false;
      f->seed = static_cast<uint64_t>(v);
      f->seed_given = true;
    } else if (a == "--workers") {
      if (!next(1, 64, &v)) return false;
      f->workers = static_cast<int>(v);
    } else if (a == "--max-kill-ms") {
      if (!next(f->min_kill_ms, 600000, &v)) return false;
      f->max_kill_ms = static_cast<int>(v);
    } else if (a == "--self-check") {
      f->self_check = true;
    } else {
      return false;
    }
  }
  if (f->self_check) {
    // Long enough for every kind of write to be acknowledged at least once.
    f->min_kill_ms = std::max(f->min_kill_ms, 1500);
    f->max_kill_ms = std::max(f->max_kill_ms, f->min_kill_ms);
  }
  return true;
}

// True if the server process ended by itself (it is left unreaped, for
// TestServer to reap).
bool ExitedOnItsOwn(pid_t pid) {
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// The self-check's simulated lost writes: an acknowledged lot of this round
// deleted, an acknowledged cancel undone, an acknowledged delivery outcome
// reverted and an acknowledged run deleted, in the file of the killed
// server. Returns the names Verify must report lost.
std::vector<std::string> TamperWithAcknowledgedWrites(const std::string& db_path,
                                                      Journal& journal) {
  std::lock_guard lock(journal.mu);
  std::vector<std::pair<std::string, std::string>> edits;
  if (!journal.round_lots.empty()) {
    const std::string id = std::to_string(journal.round_lots.back());
    edits.emplace_back("lot " + id, "DELETE FROM lots WHERE id = " + id);
  }
  for (auto it = journal.need_cancelled.rbegin(); it != journal.need_cancelled.rend(); ++it) {
    if (it->second == 0) continue;
    const std::string id = std::to_string(it->first);
    edits.emplace_back("need " + id,
                       "UPDATE needs SET outstanding = outstanding + cancelled, cancelled = 0, "
                       "status = 'open' WHERE id = " +
                           id);
    break;
  }
  for (auto it = journal.deliveries.rbegin(); it != journal.deliveries.rend(); ++it) {
    if (it->second.rank < 2) continue;
    const std::string id = std::to_string(it->first);
    edits.emplace_back("delivery " + id,
                       "UPDATE deliveries SET status = 'dispatched' WHERE id = " + id);
    break;
  }
  if (!journal.runs.empty()) {
    const std::string id = std::to_string(journal.runs.rbegin()->first);
    edits.emplace_back("run " + id, "DELETE FROM match_runs WHERE id = " + id);
  }
  std::vector<std::string> names;
  for (const auto& [name, sql] : edits) {
    Tamper(db_path, sql);
    std::cout << "crash: self-check: " << sql << std::endl;
    names.push_back(name);
  }
  return names;
}

int Run(const Flags& flags) {
  const uint64_t seed = flags.seed_given ? flags.seed : std::random_device{}() & 0xFFFFFFFF;
  std::mt19937_64 rng(seed);
  std::cout << "crash: seed=" << seed << " rounds=" << flags.rounds << " workers=" << flags.workers
            << (flags.self_check ? " self-check" : "") << std::endl;

  test::TestServerOptions options;
  options.threads = 2;
  options.expect_clean_exit = false;
  test::TestServer server(options);
  std::cout << "crash: database " << server.db_path() << std::endl;

  Setup setup;
  {
    test::HttpClient http(server.port());
    setup = CreateSetup(http, server.admin_token());
  }

  Journal journal;
  Findings last;
  std::vector<std::string> tampered;
  int64_t acknowledged = 0, lost = 0, duplicates = 0;
  int rounds_run = 0, integrity_ok = 0, ledger_ok = 0, failed_rounds = 0;
  for (int round = 1; round <= flags.rounds; ++round) {
    journal.StartRound();
    ++rounds_run;
    const auto kill_after = std::chrono::milliseconds(
        std::uniform_int_distribution<int>(flags.min_kill_ms, flags.max_kill_ms)(rng));
    std::atomic<bool> stop{false};
    std::thread load(
        [&] { RunLoad(server.port(), setup, journal, flags.workers, seed, round, stop); });
    std::this_thread::sleep_for(kill_after);
    const bool died = ExitedOnItsOwn(server.pid());
    stop = true;
    server.Kill();
    load.join();

    std::string problem_lines;
    bool round_failed = false;
    if (died) {
      round_failed = true;
      problem_lines += "\n  server exited on its own before the kill";
    }
    const std::string integrity = CheckIntegrity(server.db_path());
    if (integrity.empty()) {
      ++integrity_ok;
    } else {
      round_failed = true;
      problem_lines += "\n  " + integrity;
    }
    if (flags.self_check) tampered = TamperWithAcknowledgedWrites(server.db_path(), journal);

    Findings& f = last;
    f = Findings{};
    try {
      server.Restart();
      test::HttpClient http(server.port());
      RetryUnknownKeyed(http, journal);
      f = Verify(http, setup, journal);
    } catch (const std::exception& e) {
      round_failed = true;
      problem_lines += std::string("\n  restart or verification failed: ") + e.what();
    }
    if (f.ledger_ok) ++ledger_ok;
    if (journal.server_errors > 0) round_failed = true;
    for (const auto& e : journal.error_samples) problem_lines += "\n  " + e;
    for (const auto& p : f.problems) problem_lines += "\n  " + p;
    round_failed = round_failed || f.lost > 0 || f.duplicates > 0 || !f.ledger_ok;
    failed_rounds += round_failed;
    acknowledged += journal.acknowledged;
    lost += f.lost;
    duplicates += f.duplicates;
    std::cout << "round " << round << "/" << flags.rounds << ": kill after " << kill_after.count()
              << " ms, acknowledged=" << journal.acknowledged << " unknown=" << journal.unknown
              << " retried=" << journal.retried << " rejected=" << journal.rejected
              << " server_errors=" << journal.server_errors << " lots=" << journal.lots.size()
              << " needs=" << journal.needs.size() << " runs=" << journal.runs.size()
              << " routes=" << journal.routes.size() << " deliveries=" << journal.deliveries.size()
              << " lost=" << f.lost << " duplicates=" << f.duplicates
              << " integrity=" << (integrity.empty() ? "ok" : "FAILED")
              << " ledger=" << (f.ledger_ok ? "ok" : "FAILED") << problem_lines << std::endl;
    if (!server.running()) break;
  }

  // The last start recovered a killed database too: it must also shut down
  // cleanly (and, in a sanitizer build, without a report).
  if (server.running()) {
    const int code = server.Stop();
    if (code != 0) {
      ++failed_rounds;
      std::cout << "crash: the server exited with " << code << " on SIGTERM after the last round"
                << std::endl;
    }
  }
  std::cout << "crash: acknowledged (rejected) by kind:";
  for (const auto& [kind, n] : journal.acked_by_kind) {
    std::cout << " " << kind << "=" << n << " (" << journal.rejected_by_kind[kind] << ")";
  }
  std::cout << std::endl;

  int exit_code = 0;
  if (flags.self_check) {
    int missed = 0;
    for (const auto& name : tampered) {
      const bool seen = last.lost_objects.contains(name);
      missed += !seen;
      std::cout << "crash: self-check: " << name << (seen ? " reported lost" : " NOT reported")
                << std::endl;
    }
    exit_code = missed == 0 && tampered.size() == 4 ? 0 : 1;
    std::cout << "crash: self-check " << (exit_code == 0 ? "ok" : "FAILED") << std::endl;
  } else {
    exit_code =
        rounds_run == flags.rounds && failed_rounds == 0 && lost == 0 && duplicates == 0 ? 0 : 1;
  }
  if (exit_code != 0) {
    setenv("AIDLINK_KEEP_TEST_DIR", "1", 1);
    std::cout << "crash: kept " << server.dir() << " (database and server.log)" << std::endl;
  }
  std::cout << "crash: rounds=" << rounds_run << " acknowledged=" << acknowledged
            << " lost=" << lost << " integrity_ok=" << integrity_ok << " ledger_ok=" << ledger_ok
            << std::endl;
  return exit_code;
}

}  // namespace
}  // namespace aidlink::crash

int main(int argc, char** argv) {
  aidlink::crash::Flags flags;
  if (!aidlink::crash::ParseFlags(argc, argv, &flags)) return aidlink::crash::Usage();
  try {
    return aidlink::crash::Run(flags);
  } catch (const std::exception& e) {
    std::cerr << "aidlink-crash: " << e.what() << "\n";
    return 1;
  }
}
