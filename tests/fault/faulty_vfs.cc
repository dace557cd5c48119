#include "fault/faulty_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>

namespace aidlink::test::fault {
namespace {

std::atomic<bool> armed{false};
std::atomic<int> armed_op{0};
std::atomic<int64_t> fail_at{0};
std::atomic<bool> keep_failing{false};
std::atomic<int64_t> seen{0};
std::atomic<int64_t> injected{0};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
sqlite3_io_methods shim_methods[3];  // for the real file's iVersion 1, 2, 3

// Our file: the shim's header, then the real VFS's file object.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

// True if this operation of kind `op` is to fail.
bool Fails(Op op) {
  if (!armed.load() || armed_op.load() != static_cast<int>(op)) return false;
  const int64_t n = ++seen;
  const bool fail = n == fail_at.load() || (keep_failing.load() && n > fail_at.load());
  if (fail) ++injected;
  return fail;
}

int Close(sqlite3_file* f) {
  const int rc = Real(f)->pMethods->xClose(Real(f));
  f->pMethods = nullptr;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  if (Fails(Op::kRead)) return SQLITE_IOERR_READ;
  return Real(f)->pMethods->xRead(Real(f), buf, amount, offset);
}
int Write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (Fails(Op::kWrite)) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), buf, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Fails(Op::kSync)) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
// Memory-mapped reads would bypass xRead: while reads are the armed kind,
// SQLite is told no mapping is available, and falls back to xRead.
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (armed.load() && armed_op.load() == static_cast<int>(Op::kRead)) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  shim->base.pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  if (shim->real->pMethods != nullptr) {
    const int version = shim->real->pMethods->iVersion;
    shim->base.pMethods = &shim_methods[version < 1 ? 0 : (version > 3 ? 2 : version - 1)];
  }
  return rc;
}

void Build() {
  real_vfs = sqlite3_vfs_find(nullptr);
  shim_vfs = *real_vfs;
  shim_vfs.zName = "aidlink-faulty";
  shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
  shim_vfs.xOpen = Open;
  shim_vfs.pNext = nullptr;
  for (int v = 1; v <= 3; ++v) {
    sqlite3_io_methods& m = shim_methods[v - 1];
    m = sqlite3_io_methods{};
    m.iVersion = v;
    m.xClose = Close;
    m.xRead = Read;
    m.xWrite = Write;
    m.xTruncate = Truncate;
    m.xSync = Sync;
    m.xFileSize = FileSize;
    m.xLock = Lock;
    m.xUnlock = Unlock;
    m.xCheckReservedLock = CheckReservedLock;
    m.xFileControl = FileControl;
    m.xSectorSize = SectorSize;
    m.xDeviceCharacteristics = DeviceCharacteristics;
    if (v >= 2) {
      m.xShmMap = ShmMap;
      m.xShmLock = ShmLock;
      m.xShmBarrier = ShmBarrier;
      m.xShmUnmap = ShmUnmap;
    }
    if (v >= 3) {
      m.xFetch = Fetch;
      m.xUnfetch = Unfetch;
    }
  }
  sqlite3_vfs_register(&shim_vfs, /*makeDflt=*/1);
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kWrite:
      return "write";
    case Op::kSync:
      return "sync";
    case Op::kRead:
      return "read";
  }
  return "?";
}

void Install() {
  static std::once_flag once;
  std::call_once(once, Build);
}

void Arm(Op op, int64_t n, bool persistent) {
  armed = false;
  seen = 0;
  injected = 0;
  armed_op = static_cast<int>(op);
  fail_at = n;
  keep_failing = persistent;
  armed = true;
}

void Disarm() { armed = false; }

int64_t Seen() { return seen.load(); }
int64_t Injected() { return injected.load(); }

}  // namespace aidlink::test::fault
