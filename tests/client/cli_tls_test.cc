// The CLI over HTTPS (issue 10): `--server https://...` with `--cacert FILE`
// against the real server serving TLS with a self-signed certificate the
// openssl CLI makes at test time.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "support/test_server.h"

namespace aidlink::test {
namespace {

namespace fs = std::filesystem;

// A self-signed certificate for localhost and 127.0.0.1 in a fresh directory.
struct SelfSigned {
  SelfSigned() {
    char tmpl[] = "/tmp/aidlink-cli-tls-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        key() + " -out " + cert() + " > /dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  ~SelfSigned() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string cert() const { return dir + "/cert.pem"; }
  std::string key() const { return dir + "/key.pem"; }
  std::string dir;
};

TEST_CASE("the CLI speaks HTTPS to a server it trusts with --cacert, and only then", "[cli][tls]") {
  const SelfSigned c;
  TestServerOptions options;
  options.extra_args = {"--tls-cert", c.cert(), "--tls-key", c.key()};
  TestServer server(options);
  const std::string url = "https://localhost:" + std::to_string(server.port());
  const std::vector<std::pair<std::string, std::string>> env = {
      {"AIDLINK_TOKEN", server.admin_token()}};

  const CliRun ok =
      RunAidlink({"--server", url, "--cacert", c.cert(), "item", "add", "--code", "MASK-TLS",
                  "--name", "口罩", "--unit", "piece", "--pack-size", "10", "--category", "ppe"},
                 env);
  INFO(ok.Describe());
  REQUIRE(ok.exit_code == 0);
  const CliRun listed =
      RunAidlink({"--server", url, "--cacert", c.cert(), "--json", "item", "list"}, env);
  INFO(listed.Describe());
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find("MASK-TLS") != std::string::npos);

  // Without --cacert the self-signed certificate is not trusted: exit 3,
  // saying why, and nothing sent.
  const CliRun untrusted = RunAidlink({"--server", url, "item", "list"}, env);
  INFO(untrusted.Describe());
  CHECK(untrusted.exit_code == 3);
  CHECK(untrusted.err.find("--cacert") != std::string::npos);
}

}  // namespace
}  // namespace aidlink::test
