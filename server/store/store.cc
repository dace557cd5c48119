#include "store/store.h"

#include <chrono>
#include <exception>
#include <future>

#include "store/repo.h"
#include "store/schema.h"
#include "util/date.h"
#include "util/logging.h"

namespace aidlink::store {
namespace {

// Expired idempotent answers deleted per commit: a few milliseconds at most,
// so that a backlog (a database upgraded with a year of keys) drains over
// many commits instead of stalling one.
constexpr int kPurgeBatch = 256;
// How often to look for expired answers once none is left.
constexpr auto kPurgeInterval = std::chrono::minutes(1);

}  // namespace

struct Store::PendingWrite {
  WriteFn fn;
  bool alone = false;
  DoneFn done;
};

StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store(options));
  StatusOr<std::unique_ptr<Database>> db =
      Database::Open(options.path, false, options.synchronous, options.busy_timeout);
  if (!db.ok()) return db.status();
  AIDLINK_RETURN_IF_ERROR(Migrate(**db));
  // A committed match run writes hundreds of thousands of rows in one
  // transaction; with SQLite's default 2 MiB cache it would spill dirty pages
  // to the WAL again and again. Up to 1 GiB (allocated only as used) keeps
  // such a transaction in memory.
  AIDLINK_RETURN_IF_ERROR((*db)->Exec("PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;"));
  if (options.background_checkpoint) {
    // Under a steady stream of commits a PASSIVE checkpoint never finds the
    // WAL quiet enough to let it start over; the writer's own checkpoint, at
    // ten times SQLite's default size, bounds it (40 MB of 4 KiB pages) and
    // finds most of it copied already, so it is rare and short.
    AIDLINK_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_autocheckpoint=10000"));
    auto checkpointer =
        Database::Open(options.path, false, options.synchronous, options.busy_timeout);
    if (!checkpointer.ok()) return checkpointer.status();
    store->checkpointer_ = std::move(*checkpointer);
    store->checkpoint_thread_ = std::thread([s = store.get()] { s->CheckpointLoop(); });
  }
  store->writer_ = std::move(*db);
  store->writer_thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  checkpoint_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  checkpointer_.reset();
  readers_.clear();
  if (writer_) {
    // Folds the WAL back into the main file so the database is one file at rest.
    (void)writer_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

namespace {

// Waits for an asynchronous write: for callers that may block.
Status WriteAndWait(Store& store, Store::WriteFn fn, bool alone) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  store.WriteAsync(std::move(fn), alone, [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

}  // namespace

Status Store::Write(WriteFn fn) { return WriteAndWait(*this, std::move(fn), false); }

Status Store::WriteAlone(WriteFn fn) { return WriteAndWait(*this, std::move(fn), true); }

void Store::WriteAsync(WriteFn fn, bool alone, DoneFn done) {
  auto pending = std::make_shared<PendingWrite>();
  pending->fn = std::move(fn);
  pending->alone = alone;
  pending->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) queue_.push_back(std::move(pending));  // leaves `pending` empty
  }
  if (pending != nullptr) {
    pending->done(Status(Code::kResourceExhausted, "server is shutting down"));
    return;
  }
  cv_.notify_one();
}

void Store::WriterLoop() {
  for (;;) {
    {
      std::vector<std::shared_ptr<PendingWrite>> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and every write is done
        const size_t limit = options_.group_commit ? static_cast<size_t>(options_.max_batch) : 1;
        // A write that must be alone ends the batch before it, or is a batch
        // of its own.
        while (!queue_.empty() && batch.size() < limit &&
               (batch.empty() || (!queue_.front()->alone && !batch.front()->alone))) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        committing_ = true;
      }
      CommitBatch(batch);
    }  // the batch is freed before the writer counts as idle
    {
      std::lock_guard<std::mutex> lock(mu_);
      committing_ = false;
      wal_dirty_ = true;
    }
    idle_cv_.notify_all();
    checkpoint_cv_.notify_one();
  }
}

void Store::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Asleep until a commit; then the commits of the next interval gather.
    checkpoint_cv_.wait(lock, [this] { return stopping_ || wal_dirty_; });
    checkpoint_cv_.wait_for(lock, options_.checkpoint_interval, [this] { return stopping_; });
    if (stopping_) return;  // the destructor truncates the WAL
    wal_dirty_ = false;
    lock.unlock();
    // A checkpoint that cannot copy every frame (a reader still on older
    // ones) is tried again next time; one that fails (a full disk) after
    // the next commit. The WAL keeps every frame meanwhile.
    bool again = false;
    auto st = checkpointer_->Prepare("PRAGMA wal_checkpoint(PASSIVE)");
    StatusOr<bool> row = st.ok() ? (*st)->Step() : StatusOr<bool>(st.status());
    if (!row.ok()) {
      log::Warn("wal_checkpoint_failed", {{"error", row.status().message()}});
    } else if (*row) {
      again = (*st)->Int(2) < (*st)->Int(1);  // checkpointed < frames in the WAL
    }
    if (st.ok()) (*st)->Reset();
    lock.lock();
    if (again) wal_dirty_ = true;
  }
}

void Store::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !committing_; });
}

void Store::CommitBatch(std::vector<std::shared_ptr<PendingWrite>>& batch) {
  std::vector<Status> results(batch.size());
  Status tx_status;
  const auto started = std::chrono::steady_clock::now();
  {
    Transaction tx(*writer_);
    tx_status = tx.Begin();
    // A single write needs no savepoint: if it fails, the transaction is
    // rolled back whole (by ~Transaction).
    const bool savepoints = batch.size() > 1;
    bool any_ok = false;
    for (size_t i = 0; i < batch.size() && tx_status.ok(); ++i) {
      if (savepoints) tx_status = writer_->Exec("SAVEPOINT w");
      if (!tx_status.ok()) break;
      try {
        results[i] = batch[i]->fn(*writer_);
      } catch (const std::exception& e) {
        log::Error("write_exception", {{"what", e.what()}});
        results[i] = Internal("internal error");
      }
      any_ok = any_ok || results[i].ok();
      if (savepoints && !results[i].ok()) tx_status = writer_->Exec("ROLLBACK TO w");
      if (savepoints && tx_status.ok()) tx_status = writer_->Exec("RELEASE w");
    }
    // Only batches that commit anyway carry the purge: it never costs an
    // fsync of its own, and a match run's transaction is left alone.
    if (tx_status.ok() && any_ok && !batch.front()->alone) PurgeExpiredResponses();
    if (tx_status.ok() && any_ok) tx_status = tx.Commit();
  }
  if (!tx_status.ok()) {
    log::Error("commit_failed", {{"status", tx_status.ToString()}});
    // Busy and disk-full keep their codes (503, 507: the client may retry,
    // and nothing was written); anything else is internal.
    const bool retryable =
        tx_status.code() == Code::kUnavailable || tx_status.code() == Code::kInsufficientStorage;
    for (auto& r : results) r = retryable ? tx_status : Internal("could not commit the write");
  }
  uint64_t busy = 0;
  for (const Status& r : results) busy += r.code() == Code::kUnavailable ? 1 : 0;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.batch_size.Observe(static_cast<double>(batch.size()));
    stats_.commit_seconds.Observe(seconds);
    stats_.commits++;
    stats_.writes += batch.size();
    if (batch.size() > stats_.max_batch) stats_.max_batch = batch.size();
    stats_.busy += busy;
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i]->done(std::move(results[i]));
}

std::string Store::IdempotencyCutoff() const {
  return date::Rfc3339(std::chrono::system_clock::now() - options_.idempotency_retention);
}

void Store::PurgeExpiredResponses() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_purge_) return;
  next_purge_ = now + kPurgeInterval;
  // In a savepoint of its own: if it fails, the batch's writes still commit.
  if (!writer_->Exec("SAVEPOINT purge").ok()) return;
  StatusOr<int> deleted = DeleteExpiredResponses(*writer_, IdempotencyCutoff(), kPurgeBatch);
  if (!deleted.ok()) {
    log::Warn("idempotency_purge_failed", {{"status", deleted.status().ToString()}});
    (void)writer_->Exec("ROLLBACK TO purge");
  } else if (*deleted == kPurgeBatch) {
    next_purge_ = now;  // more are left: the next commit takes another batch
  }
  (void)writer_->Exec("RELEASE purge");
}

std::unique_ptr<Database> Store::AcquireReader() {
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    if (!readers_.empty()) {
      std::unique_ptr<Database> db = std::move(readers_.back());
      readers_.pop_back();
      return db;
    }
  }
  StatusOr<std::unique_ptr<Database>> db =
      Database::Open(options_.path, true, "FULL", options_.busy_timeout);
  if (!db.ok()) {
    log::Error("reader_open_failed", {{"status", db.status().ToString()}});
    return nullptr;
  }
  return std::move(*db);
}

void Store::ReleaseReader(std::unique_ptr<Database> db) {
  std::lock_guard<std::mutex> lock(readers_mu_);
  readers_.push_back(std::move(db));
}

bool ReadSession::Begin() {
  db_ = store_.AcquireReader();
  if (!db_) return false;
  // A deferred transaction gives every statement after it the same snapshot.
  if (db_->Exec("BEGIN").ok()) return true;
  db_.reset();  // closes a connection that cannot start a transaction
  return false;
}

void ReadSession::End() {
  if (!db_) return;
  // A connection whose transaction does not end cleanly is closed, not
  // pooled: the next reader must not inherit an old snapshot.
  if (db_->Exec("COMMIT").ok()) store_.ReleaseReader(std::move(db_));
  db_.reset();
}

StoreStats Store::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace aidlink::store
