// The web UI as aidlink-server serves it (issue 16): a fixed web root made
// here, so the test does not depend on the node build. Security and caching
// headers, ETag revalidation, pre-compressed variants, client-side routes,
// and traversal attempts that must never reach a file outside the list.

#include <filesystem>
#include <fstream>

#include "support/fixture.h"

namespace aidlink::test {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "<!doctype html><title>aidlink</title>INDEX-MARKER";
constexpr std::string_view kJs = "console.log('JS-IDENTITY')";
constexpr std::string_view kSecret = "SECRET-OUTSIDE-ROOT";

void WriteFile(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

// <tmp>/site/{index.html,assets/app-ABCD1234.js(.gz,.br)} and a secret file
// beside the root (a sibling, and what "/../secret.txt" would name).
struct Site {
  Site() : dir(fs::temp_directory_path() / Unique("aidlink-web-site-")) {
    WriteFile(dir / "site/index.html", kIndex);
    WriteFile(dir / "site/assets/app-ABCD1234.js", kJs);
    WriteFile(dir / "site/assets/app-ABCD1234.js.gz", "GZIP-BYTES");
    WriteFile(dir / "site/assets/app-ABCD1234.js.br", "BROTLI-BYTES");
    WriteFile(dir / "secret.txt", kSecret);
    WriteFile(dir / "CMakeLists.txt", kSecret);
  }
  ~Site() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string root() const { return (dir / "site").string(); }
  fs::path dir;
};

TestServerOptions WithRoot(const std::string& root) {
  TestServerOptions o;
  o.extra_args = {"--web-root", root};
  return o;
}

void CheckSecurityHeaders(const Response& r) {
  CHECK(r.Header("Content-Security-Policy") == "default-src 'self'; frame-ancestors 'none'");
  CHECK(r.Header("X-Content-Type-Options") == "nosniff");
  CHECK(r.Header("Referrer-Policy") == "no-referrer");
}

TEST_CASE("index.html: no-cache with an ETag, 304 when it matches, security headers", "[web]") {
  Site site;
  TestServer server(WithRoot(site.root()));
  HttpClient http(server.port());
  const Response r = http.Get("/");
  REQUIRE_STATUS(r, 200);
  CHECK(r.body == kIndex);
  CHECK(r.Header("Content-Type") == "text/html; charset=utf-8");
  CHECK(r.Header("Cache-Control") == "no-cache");
  CheckSecurityHeaders(r);
  const std::string etag = r.Header("ETag");
  REQUIRE_FALSE(etag.empty());

  const Response again = http.Get("/", "", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.Header("ETag") == etag);
  CHECK(http.Get("/", "", {{"If-None-Match", "\"other\""}}).status == 200);

  // Connection: close, so everything after the header would be the body.
  const std::string head = http.SendRaw("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  INFO(head);
  REQUIRE(head.rfind("HTTP/1.1 200", 0) == 0);
  const size_t end = head.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  CHECK(head.size() == end + 4);  // no body
  CHECK(head.find("Content-Length: " + std::to_string(kIndex.size()) + "\r\n") !=
        std::string::npos);
}

TEST_CASE("client-side routes answer index.html, API paths stay the API's with no-store", "[web]") {
  Site site;
  TestServer server(WithRoot(site.root()));
  HttpClient http(server.port());
  for (const char* path : {"/station/households", "/station/households/12?q=x", "/nope.js",
                           "/assets/missing-XXXX.js"}) {
    INFO(path);
    const Response r = http.Get(path);
    REQUIRE_STATUS(r, 200);
    CHECK(r.body == kIndex);
    CHECK(r.Header("Cache-Control") == "no-cache");
  }
  const Response me = http.Get("/v1/me");
  CHECK(me.status == 401);
  CHECK(me.IsJson());
  CHECK(me.Header("Cache-Control") == "no-store");
  CHECK(me.Header("X-Content-Type-Options") == "nosniff");
  const Response health = http.Get("/healthz");
  REQUIRE_STATUS(health, 200);
  CHECK(health.Header("Cache-Control") == "no-store");
  CHECK(http.Get("/v1/no-such-thing").status == 404);
  // A write to a UI path is not the UI's: the router answers.
  CHECK(http.PostRaw("/station/households", "{}").status >= 400);
}

TEST_CASE("hashed assets: immutable, and .br/.gz chosen by Accept-Encoding with Vary", "[web]") {
  Site site;
  TestServer server(WithRoot(site.root()));
  HttpClient http(server.port());
  const std::string path = "/assets/app-ABCD1234.js";

  const Response br = http.Get(path, "", {{"Accept-Encoding", "gzip, deflate, br"}});
  REQUIRE_STATUS(br, 200);
  CHECK(br.body == "BROTLI-BYTES");
  CHECK(br.Header("Content-Encoding") == "br");
  CHECK(br.Header("Vary") == "Accept-Encoding");
  CHECK(br.Header("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(br.Header("Content-Type") == "text/javascript; charset=utf-8");
  CheckSecurityHeaders(br);

  const Response gz = http.Get(path, "", {{"Accept-Encoding", "gzip"}});
  CHECK(gz.body == "GZIP-BYTES");
  CHECK(gz.Header("Content-Encoding") == "gzip");

  const Response no_br = http.Get(path, "", {{"Accept-Encoding", "br;q=0, gzip;q=0.5"}});
  CHECK(no_br.body == "GZIP-BYTES");

  const Response plain = http.Get(path, "", {{"Accept-Encoding", "identity"}});
  CHECK(plain.body == kJs);
  CHECK(plain.Header("Content-Encoding").empty());
  CHECK(plain.Header("Vary") == "Accept-Encoding");

  // The compressed siblings are variants, not URLs of their own.
  CHECK(http.Get(path + ".br").body == kIndex);
}

TEST_CASE("traversal attempts never leave the allow-list", "[web]") {
  Site site;
  TestServer server(WithRoot(site.root()));
  HttpClient http(server.port());
  for (const char* target :
       {"/../CMakeLists.txt", "/%2e%2e/", "/%2e%2e/secret.txt", "/index.html%00",
        "/index.html%00.js", "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
        "//secret.txt", "/..%2fsecret.txt", "/assets/..\\..\\secret.txt", "/./index.html"}) {
    INFO(target);
    bool closed = false;
    const std::string raw = http.SendRaw(
        std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        std::chrono::seconds(5), &closed);
    CHECK(raw.find(kSecret) == std::string::npos);
    const std::vector<Response> answers = ParseResponses(raw);
    REQUIRE(answers.size() == 1);
    // Either index.html (a client-side route) or a refusal; never a file.
    CHECK((answers[0].body == kIndex || answers[0].status >= 400));
  }
}

TEST_CASE("without a web root the UI is off with a clear log line", "[web]") {
  TestServer server(WithRoot("/nonexistent/aidlink-web"));
  HttpClient http(server.port());
  const Response r = http.Get("/");
  CHECK(r.status == 404);
  CHECK(r.IsJson());
  CHECK(server.ReadLog().find("web_ui_off") != std::string::npos);
}

}  // namespace
}  // namespace aidlink::test
