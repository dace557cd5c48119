#pragma once

#include <cstdint>

// A test-only SQLite VFS shim over the platform's default VFS, after the way
// SQLite tests itself: once armed, the N-th call of one kind of file
// operation (write, sync or read; on any file: database, WAL, journal) fails
// with SQLITE_IOERR_*. Everything else passes through unchanged. Registered
// by the tests as the default VFS, never in production code.
// Thread-safe: the counters are atomic (the store's writer and readers run
// on several threads).
namespace aidlink::test::fault {

enum class Op { kWrite, kSync, kRead };

const char* OpName(Op op);

// Registers the shim as SQLite's default VFS (idempotent).
void Install();

// From now on, the `n`-th (1-based) operation of kind `op` fails; with
// `persistent`, every one after it fails too until Disarm().
void Arm(Op op, int64_t n, bool persistent = false);

// No more failures; counting stops.
void Disarm();

// Operations of the armed kind seen since Arm(), and failures injected.
int64_t Seen();
int64_t Injected();

}  // namespace aidlink::test::fault
