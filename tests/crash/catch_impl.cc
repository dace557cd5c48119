// tests/support's TestServer reports through Catch2 when used inside a test;
// the crash driver has its own main, so it links Catch2's implementation
// without Catch2's main (and sets TestServerOptions::expect_clean_exit to
// false, so that nothing reports through it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
