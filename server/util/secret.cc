#include "util/secret.h"

#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

namespace aidlink::secret {
namespace {

void TrimLineEnd(std::string& line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
}

}  // namespace

StatusOr<std::string> ReadFromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path, "password-file");
  std::string line;
  std::getline(in, line);
  TrimLineEnd(line);
  if (line.empty()) return InvalidArgument(path + " holds no password", "password-file");
  return line;
}

StatusOr<std::string> ReadFromStdin(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!got) return InvalidArgument("no password given", "password");
  TrimLineEnd(line);
  return line;
}

}  // namespace aidlink::secret
