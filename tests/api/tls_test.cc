// HTTPS: the server with --tls-cert/--tls-key, a self-signed certificate made
// by the openssl CLI at test time, and curl as the HTTPS client.

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/http_client.h"
#include "support/test_server.h"

namespace aidlink::test {
namespace {

namespace fs = std::filesystem;

// Runs `command` through the shell; returns its stdout, and its exit status
// in *status.
std::string Run(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int raw = pclose(pipe);
  *status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

// A self-signed certificate for localhost and 127.0.0.1 in a fresh directory.
struct Certificate {
  Certificate() {
    char tmpl[] = "/tmp/aidlink-tls-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    int status = 0;
    Run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
        " -keyout " +
            key() + " -out " + cert() + " 2>&1",
        &status);
    REQUIRE(status == 0);
  }
  ~Certificate() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string cert() const { return dir + "/cert.pem"; }
  std::string key() const { return dir + "/key.pem"; }
  std::string dir;
};

TestServerOptions TlsOptions(const Certificate& c) {
  TestServerOptions o;
  o.extra_args = {"--tls-cert", c.cert(), "--tls-key", c.key()};
  return o;
}

// curl against the server: "-w" appends the status code on its own line.
std::string Curl(const std::string& args, int* status) {
  return Run("curl -sS --max-time 10 -w '\\n%{http_code}' " + args + " 2>&1", status);
}

TEST_CASE("HTTPS with a self-signed certificate serves the API", "[tls]") {
  Certificate c;
  TestServer server(TlsOptions(c));
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port());
  int status = 0;

  SECTION("healthz and an authenticated write and read over TLS") {
    std::string out = Curl("--cacert " + c.cert() + " " + base + "/healthz", &status);
    REQUIRE(status == 0);
    CHECK(out.substr(out.rfind('\n') + 1) == "200");

    const std::string auth = "-H 'Authorization: Bearer " + server.admin_token() + "'";
    out = Curl("--cacert " + c.cert() + " " + auth +
                   " -H 'Content-Type: application/json'"
                   " -d "
                   "'{\"code\":\"TLS-1\",\"name\":\"口罩\",\"category\":\"ppe\",\"unit\":\"piece\","
                   "\"pack_size\":1}'"
                   " " +
                   base + "/v1/items",
               &status);
    REQUIRE(status == 0);
    INFO(out);
    REQUIRE(out.substr(out.rfind('\n') + 1) == "201");
    const size_t at = out.find("\"id\":");
    REQUIRE(at != std::string::npos);
    const std::string id = out.substr(at + 5, out.find_first_not_of("0123456789", at + 5) - at - 5);

    out = Curl("--cacert " + c.cert() + " " + auth + " " + base + "/v1/items/" + id, &status);
    REQUIRE(status == 0);
    CHECK(out.substr(out.rfind('\n') + 1) == "200");
    CHECK(out.find("口罩") != std::string::npos);
  }

  SECTION("a login over TLS sets a Secure cookie, and our https Origin passes the CSRF rule") {
    const std::string ca = "--cacert " + c.cert() + " ";
    const std::string auth = "-H 'Authorization: Bearer " + server.admin_token() + "' ";
    std::string out = Curl(ca + auth +
                               "-H 'Content-Type: application/json' -d "
                               "'{\"username\":\"tls-desk\",\"password\":\"tls-password-1\","
                               "\"role\":\"dispatcher\",\"display_name\":\"TLS\"}' " +
                               base + "/v1/users",
                           &status);
    REQUIRE(status == 0);
    INFO(out);
    REQUIRE(out.substr(out.rfind('\n') + 1) == "201");
    out = Curl(ca +
                   "-i -H 'Content-Type: application/json' -d "
                   "'{\"username\":\"tls-desk\",\"password\":\"tls-password-1\"}' " +
                   base + "/v1/sessions",
               &status);
    REQUIRE(status == 0);
    INFO(out);
    REQUIRE(out.substr(out.rfind('\n') + 1) == "201");
    const size_t at = out.find("aidlink_session=");
    REQUIRE(at != std::string::npos);
    const std::string line = out.substr(at, out.find('\n', at) - at);
    CHECK(line.find("; Secure") != std::string::npos);
    CHECK(line.find("; HttpOnly") != std::string::npos);
    const std::string cookie = line.substr(0, line.find(';'));
    const std::string write = ca + "-H 'Cookie: " + cookie +
                              "' -H 'X-Aidlink-CSRF: 1' -H 'Content-Type: application/json' ";
    const std::string item =
        "-d '{\"code\":\"TLS-2\",\"name\":\"口罩\",\"category\":\"ppe\",\"unit\":\"piece\","
        "\"pack_size\":1}' ";
    out = Curl(write + "-H 'Origin: http://127.0.0.1:" + std::to_string(server.port()) + "' " +
                   item + base + "/v1/items",
               &status);
    CHECK(out.substr(out.rfind('\n') + 1) == "403");  // http:// is not this server's origin
    out = Curl(write + "-H 'Origin: " + base + "' " + item + base + "/v1/items", &status);
    CHECK(out.substr(out.rfind('\n') + 1) == "201");
  }

  SECTION("a client that does not trust the certificate is refused by its own check") {
    Curl(base + "/healthz", &status);
    CHECK(status != 0);  // curl: self-signed certificate
  }

  SECTION("plain HTTP to the TLS port gets a clear 400, and the server stays up") {
    HttpClient plain(server.port());
    Response r = plain.Get("/healthz");
    CHECK(r.status == 400);
    REQUIRE(r.IsJson());
    CHECK(r.Json().at("error").at("message").as_string().find("HTTPS") != std::string::npos);

    const std::string out = Curl("--cacert " + c.cert() + " " + base + "/healthz", &status);
    REQUIRE(status == 0);
    CHECK(out.substr(out.rfind('\n') + 1) == "200");
  }

  SECTION("garbage that is neither TLS nor HTTP is closed without harm") {
    HttpClient raw(server.port());
    bool closed = false;
    raw.SendRaw(std::string("\x16\x03\x01\x00\x05hello", 10), std::chrono::seconds(3), &closed);
    CHECK(closed);
    const std::string out = Curl("--cacert " + c.cert() + " " + base + "/healthz", &status);
    REQUIRE(status == 0);
    CHECK(out.substr(out.rfind('\n') + 1) == "200");
  }
}

TEST_CASE("The server refuses to start with a missing key or certificate", "[tls]") {
  Certificate c;
  TestServerOptions o;
  o.extra_args = {"--tls-cert", c.cert()};
  CHECK_THROWS(TestServer(o));
  o.extra_args = {"--tls-cert", c.dir + "/missing.pem", "--tls-key", c.key()};
  CHECK_THROWS(TestServer(o));
}

}  // namespace
}  // namespace aidlink::test
