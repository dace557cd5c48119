#pragma once

// The operator's subcommands of aidlink-server, run against a database file
// (while a server may be serving it):
//   aidlink-server token list --db PATH
//   aidlink-server token revoke --db PATH ID
//   aidlink-server user add|list|disable|set-password --db PATH ...
//   aidlink-server backup --db PATH --to FILE [--force]
namespace aidlink {

// True if argv[1] names a subcommand (then RunCommand handles the call).
bool IsCommand(int argc, char** argv);

// Runs the subcommand in argv[1]; returns the process exit code: 0 on
// success, 1 if it failed (message on stderr), 2 for bad usage.
int RunCommand(int argc, char** argv);

}  // namespace aidlink
