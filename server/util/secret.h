#pragma once

#include <string>

#include "util/status.h"

// Reading a password for the command-line tools (`aidlink login`,
// `aidlink-server user add`) without putting it on the command line, where
// other users could see it in the process list. Not thread-safe (they touch
// the terminal).
namespace aidlink::secret {

// The first line of the file at `path`, without its line ending.
// kNotFound if the file cannot be read, kInvalidArgument if it is empty.
StatusOr<std::string> ReadFromFile(const std::string& path);

// One line from standard input: on a terminal after printing `prompt` to
// standard error, with echo off; otherwise (a pipe) the line as is.
// kInvalidArgument if input ended before a line.
StatusOr<std::string> ReadFromStdin(const std::string& prompt);

}  // namespace aidlink::secret
