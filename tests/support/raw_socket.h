#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Raw TCP sockets for the tests that speak HTTP byte by byte to the real
// server (tests/net): what a hostile or careless client does.
namespace aidlink::test {

// A blocking TCP connection to 127.0.0.1:port, or -1. A `receive_buffer`
// above 0 sets SO_RCVBUF first, so the server's writes cannot all land in
// kernel buffers at once.
int ConnectRaw(uint16_t port, int receive_buffer = 0);

// Sends all of `bytes` (blocking); false if the server cut the connection.
bool SendAll(int fd, std::string_view bytes);

// Raises this process's soft open-file limit to the hard limit and returns
// it, so that a test can hold thousands of sockets.
uint64_t RaiseFileLimit();

}  // namespace aidlink::test
