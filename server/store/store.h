#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dedup/keys.h"
#include "store/database.h"
#include "util/histogram.h"
#include "util/status.h"
#include "util/time_zone.h"

namespace aidlink::store {

class Store;

// One read transaction on a reader connection, opened by the first Run and
// held until End (or destruction): every Run in between sees the same
// snapshot and pays for the connection and BEGIN once. Not thread-safe; it
// may move between threads between calls. Hold it only while working, not
// across a wait: an open read transaction keeps the WAL from being
// checkpointed past its snapshot.
class ReadSession {
 public:
  explicit ReadSession(Store& store) : store_(store) {}
  ~ReadSession() { End(); }
  ReadSession(const ReadSession&) = delete;
  ReadSession& operator=(const ReadSession&) = delete;

  // Runs `fn` in the session's transaction, opening it first if needed.
  template <typename Fn>
  auto Run(Fn&& fn) -> decltype(fn(std::declval<Database&>())) {
    if (!db_ && !Begin()) return Internal("cannot open a reader connection");
    return fn(*db_);
  }

  // Ends the transaction and hands the connection back; a later Run opens
  // a new one.
  void End();

 private:
  bool Begin();

  Store& store_;
  std::unique_ptr<Database> db_;
};

struct StoreOptions {
  std::string path;
  // One transaction (and one fsync) shared by all writes waiting at once.
  bool group_commit = true;
  // Most writes one group commit takes.
  int max_batch = 512;
  // "FULL": an acknowledged write survives power loss; "NORMAL": a crash.
  std::string synchronous = "FULL";
  // How long a saved idempotent answer replays (API.md: at least 24 hours).
  // Older ones act as new and are deleted by the writer, a few per commit.
  std::chrono::seconds idempotency_retention = std::chrono::hours(48);
  // How long a write or read waits for a lock another process holds before
  // answering kUnavailable (503).
  std::chrono::milliseconds busy_timeout = std::chrono::seconds(10);
  // How long after a delivery's outcome a dispatcher may still correct it.
  std::chrono::seconds outcome_correction = std::chrono::hours(72);
  // Duplicate detection (issue 13): the HMAC key of the dedup keys (never
  // stored in the database, never logged), and how long a likely case holds
  // the newer registration's needs (0: never).
  dedup::Secret dedup_secret;
  std::chrono::seconds duplicate_hold = std::chrono::hours(48);
  // The IANA zone whose calendar days quota windows and a match run's
  // default as_of are counted in (--time-zone; util/time_zone.h).
  std::string time_zone = tz::kDefaultTimeZone;
  // WAL checkpoints on a connection and thread of their own (PASSIVE: never
  // blocking the writer, at most every checkpoint_interval after a commit),
  // so that no commit pays for copying the WAL into the database file and
  // syncing it. false: SQLite's automatic checkpoint inside the commit that
  // takes the WAL past 1,000 pages.
  bool background_checkpoint = true;
  std::chrono::milliseconds checkpoint_interval{200};
};

// Counters for /metrics, updated by the writer thread under mu_ once per
// committed batch; stats() returns a copy.
struct StoreStats {
  uint64_t commits = 0;
  uint64_t writes = 0;
  uint64_t max_batch = 0;
  // Writes refused because another process held the database (503).
  uint64_t busy = 0;
  // Writes per transaction (batch.size()), observed once per batch.
  Histogram batch_size{Histogram::SizeBounds()};
  // Seconds from BEGIN to the end of COMMIT (the fsync included), once per
  // batch.
  Histogram commit_seconds{Histogram::LatencyBounds()};
};

// The SQLite store: one writer connection on its own thread, several reader
// connections. Writes are closures run on the writer thread; with group
// commit, every write waiting at that moment runs in one transaction, each
// inside its own savepoint, so one failing write rolls back alone and the
// rest share a single COMMIT. Thread-safe.
class Store {
 public:
  // Opens or creates the database at options.path, migrates it to the newest
  // schema and starts the writer thread.
  static StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  // Finishes queued writes, stops the writer and closes every connection.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  using WriteFn = std::function<Status(Database&)>;

  // Runs `fn` on the writer connection inside a transaction and returns once
  // its effects are durable (committed), or its error. `fn` may run at the
  // same time as no other write; what it computes is valid only if the
  // returned status is ok. Blocks the calling thread: call it off the I/O
  // threads.
  Status Write(WriteFn fn);

  // As Write, but `fn` runs in a transaction of its own, never grouped with
  // other writes. For very large writes (a committed match run): inside a
  // group commit each statement would also pay for the write's savepoint,
  // and that cost grows with the size of the transaction.
  Status WriteAlone(WriteFn fn);

  // As Write (or WriteAlone), without blocking: `done` gets the status once
  // the write is durable or has failed. `done` runs on the writer thread
  // (after the COMMIT), or on the calling thread if the store is shutting
  // down; it must be quick and must not write to this store.
  using DoneFn = std::function<void(Status)>;
  void WriteAsync(WriteFn fn, bool alone, DoneFn done);

  // Runs `fn` on a reader connection (a consistent snapshot for the
  // duration of one read transaction) and returns its result.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Database&>())) {
    ReadSession session(*this);
    return session.Run(std::forward<Fn>(fn));
  }

  // Returns once the writer has nothing queued and has finished the last
  // batch, its answer callbacks included (they run before the batch's own
  // memory is freed). For harnesses that must see no work in flight, such
  // as the fuzzer's leak check between inputs.
  void WaitIdle();

  StoreStats stats() const;
  const std::string& path() const { return options_.path; }
  std::chrono::seconds outcome_correction() const { return options_.outcome_correction; }
  const dedup::Secret& dedup_secret() const { return options_.dedup_secret; }
  std::chrono::seconds duplicate_hold() const { return options_.duplicate_hold; }
  const std::string& time_zone() const { return options_.time_zone; }

  // The `expired_before` for FindSavedResponse: now minus the retention.
  std::string IdempotencyCutoff() const;

 private:
  struct PendingWrite;

  explicit Store(StoreOptions options) : options_(std::move(options)) {}

  friend class ReadSession;

  std::unique_ptr<Database> AcquireReader();
  void ReleaseReader(std::unique_ptr<Database> db);
  void WriterLoop();
  void CheckpointLoop();
  void CommitBatch(std::vector<std::shared_ptr<PendingWrite>>& batch);
  // Deletes a few expired idempotent answers inside the batch's transaction
  // (no fsync of its own), if one is due. Writer thread only.
  void PurgeExpiredResponses();

  // Immutable after construction.
  const StoreOptions options_;
  std::unique_ptr<Database> writer_;  // used only by writer_thread_
  // Used only by writer_thread_: when the next purge is due.
  std::chrono::steady_clock::time_point next_purge_{};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;  // signalled when the writer finishes a batch
  // Guarded by mu_.
  std::deque<std::shared_ptr<PendingWrite>> queue_;
  bool stopping_ = false;
  bool committing_ = false;  // the writer is working on a batch
  bool wal_dirty_ = false;   // a commit since the last checkpoint
  StoreStats stats_;
  std::condition_variable checkpoint_cv_;  // signalled by a commit and when stopping

  // The idle reader connections, under a mutex of their own: every request
  // takes and returns one, and should not wait on the writer's queue.
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Database>> readers_;  // guarded by readers_mu_

  std::thread writer_thread_;
  std::unique_ptr<Database> checkpointer_;  // used only by checkpoint_thread_
  std::thread checkpoint_thread_;
};

}  // namespace aidlink::store
