// HTTP details a client trips on (issue 14, defects 3 and 6; issue 10's
// lingering close): an answer has its own write deadline, HEAD answers carry
// no body, Expect: 100-continue is answered at once, a refused oversized body
// is read and dropped so the client reads the refusal, unknown transfer
// codings and duplicated Authorization headers are refused.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "support/db_rows.h"
#include "support/fixture.h"
#include "support/raw_socket.h"

namespace aidlink::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A raw TCP connection with a small receive buffer, or -1.
int ConnectSmallBuffer(uint16_t port) { return ConnectRaw(port, 16 << 10); }

// Reads until the peer closes, `want` bytes arrived, or `deadline`; slowly:
// at most `chunk` bytes per `pause`.
std::string ReadSlowly(int fd, size_t want, size_t chunk, std::chrono::milliseconds pause,
                       Clock::time_point deadline) {
  std::string got;
  std::vector<char> buf(chunk);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (got.size() < want && Clock::now() < deadline) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n == 0) break;
    if (n < 0) continue;  // the 1 s receive timeout; look at the deadline again
    got.append(buf.data(), static_cast<size_t>(n));
    std::this_thread::sleep_for(pause);
  }
  return got;
}

TEST_CASE("a 6 MB answer read slowly after an idle keep-alive wait is not cut short",
          "[net][protocol]") {
  TestServerOptions options;
  options.read_timeout_seconds = 2;
  TestServer server(options);
  Fixture f(server);
  const World w = MakeWorld(f);
  // 1,000 needs with 2,000-character notes: a list answer of about 6 MB.
  const std::string note = [] {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += "药";
    return s;
  }();
  for (int i = 0; i < 1000; ++i) {
    json::object need = SampleNeed(w.requester_a, w.item_id, 1, "normal");
    need["note"] = note;
    f.CreateNeed(w.dispatcher, need);
  }

  const int fd = ConnectSmallBuffer(server.port());
  REQUIRE(fd >= 0);
  // Most of the read timeout passes idle before the request comes.
  std::this_thread::sleep_for(1500ms);
  const std::string request =
      "GET /v1/needs?page_size=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Authorization: Bearer " +
      w.dispatcher + "\r\nConnection: close\r\n\r\n";
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  // About 1.3 MB/s: the transfer alone takes longer than the read timeout.
  const std::string raw = ReadSlowly(fd, 1 << 30, 64 << 10, 50ms, Clock::now() + 60s);
  close(fd);
  const std::vector<Response> answers = ParseResponses(raw);
  REQUIRE(answers.size() == 1);
  REQUIRE_STATUS(answers[0], 200);
  CHECK(answers[0].body.size() > 6'000'000);
  CHECK(answers[0].Json().at("items").as_array().size() == 1000);
}

TEST_CASE("a write held up 2.5 s by a locked database still answers under --read-timeout 2",
          "[net][protocol]") {
  TestServerOptions options;
  options.read_timeout_seconds = 2;
  TestServer server(options);
  Fixture f(server);
  const World w = MakeWorld(f);

  // Another process holds the write lock for 2.5 s (less than the 10 s busy
  // timeout): the write waits, commits, and its answer must arrive whole.
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(server.db_path().c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(2500ms);
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  HttpClient http(server.port());
  const auto start = Clock::now();
  const Response r = http.Post("/v1/needs", SampleNeed(w.requester_a, w.item_id), w.dispatcher);
  release.join();
  sqlite3_close(other);
  CHECK(Clock::now() - start >= 2s);
  REQUIRE_STATUS(r, 201);
  const int64_t id = r.Json().at("id").to_number<int64_t>();
  // The same keep-alive connection goes on: the old single deadline had
  // expired during the wait and closed it right after the answer.
  REQUIRE_STATUS(http.Get("/v1/needs/" + std::to_string(id), w.dispatcher), 200);
  CHECK(http.connections_opened() == 1);
}

TEST_CASE("HEAD answers as GET would, without the body, wherever GET works", "[net][protocol]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const Response get = f.http().Get("/v1/items", w.dispatcher);
  REQUIRE_STATUS(get, 200);

  // Connection: close, so everything after the header would be the body.
  const std::string raw =
      f.http().SendRaw("HEAD /v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                       w.dispatcher + "\r\nConnection: close\r\n\r\n");
  INFO(raw);
  REQUIRE(raw.rfind("HTTP/1.1 200", 0) == 0);
  const size_t end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  CHECK(raw.size() == end + 4);  // no body
  CHECK(raw.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n") !=
        std::string::npos);

  // HEAD is listed with GET in Allow, and an unauthenticated HEAD is refused.
  const Response post = f.http().Request("PUT", "/v1/items", "{}", {{"Authorization", "Bearer x"}});
  REQUIRE_STATUS(post, 405);
  CHECK(post.Header("Allow") == "POST, GET, HEAD");
  const std::string anon =
      f.http().SendRaw("HEAD /v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(anon.rfind("HTTP/1.1 401", 0) == 0);
}

TEST_CASE("Expect: 100-continue is answered at once: 100, or the final refusal",
          "[net][protocol]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const std::string body = json::serialize(SampleNeed(w.requester_a, w.item_id));
  const std::string head = "POST /v1/needs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                           w.dispatcher +
                           "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                           "Connection: close\r\n";

  // Only the header is sent: the server must say 100 without waiting.
  const auto start = Clock::now();
  const std::string interim =
      f.http().SendRaw(head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n", 1s);
  CHECK(interim.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  CHECK(Clock::now() - start < 1500ms);

  // Header and body: 100, then the answer.
  const std::string full = f.http().SendRaw(
      head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body, 5s);
  INFO(full);
  REQUIRE(full.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
  const std::vector<Response> answers = ParseResponses(full.substr(full.find("\r\n\r\n") + 4));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 201);

  // A body over the limit is refused at once, without a 100.
  const std::string big =
      f.http().SendRaw(head + "Content-Length: " + std::to_string(64 << 20) + "\r\n\r\n", 5s);
  CHECK(big.rfind("HTTP/1.1 413", 0) == 0);
}

TEST_CASE("a client that sends a whole 5 MiB body before reading still reads the 413",
          "[net][protocol]") {
  // As Python's urllib and browser uploads do. Closing with the body unread
  // sends a reset, which used to destroy the answer (or fail the send).
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  for (const bool announced : {true, false}) {
    INFO((announced ? "Content-Length" : "chunked"));
    const int fd = ConnectSmallBuffer(server.port());
    REQUIRE(fd >= 0);
    const std::string body(5 << 20, 'x');
    std::string request =
        "POST /v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer " +
        w.dispatcher + "\r\n";
    if (announced) {
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    } else {
      std::ostringstream chunked;
      for (size_t at = 0; at < body.size(); at += 64 << 10) {
        chunked << std::hex << (64 << 10) << "\r\n" << body.substr(at, 64 << 10) << "\r\n";
      }
      chunked << "0\r\n\r\n";
      request += "Transfer-Encoding: chunked\r\n\r\n" + chunked.str();
    }
    CHECK(SendAll(fd, request));
    const std::string answer = ReadSlowly(fd, 1 << 20, 64 << 10, 0ms, Clock::now() + 15s);
    close(fd);
    CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(answer.find("\"payload_too_large\"") != std::string::npos);
  }
  // The server is still up.
  CHECK(f.http().Get("/v1/items", w.dispatcher).status == 200);
}

TEST_CASE("transfer codings other than plain chunked are 501; two Authorization headers are 400",
          "[net][protocol]") {
  TestServer server;
  Fixture f(server);
  const World w = MakeWorld(f);
  const std::string auth = "Authorization: Bearer " + w.dispatcher + "\r\n";
  const std::string start =
      "POST /v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\n";

  std::vector<Response> answers = ParseResponses(
      f.http().SendRaw(start + auth + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"));
  REQUIRE(answers.size() == 1);
  REQUIRE_ERROR(answers[0], 501, "");

  const std::string item = json::serialize(SampleItem("CHUNKED-1"));
  std::ostringstream chunked;
  chunked << std::hex << item.size() << "\r\n" << item << "\r\n0\r\n\r\n";
  answers = ParseResponses(
      f.http().SendRaw(start + auth + "Transfer-Encoding: chunked\r\n\r\n" + chunked.str()));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 201);

  answers = ParseResponses(f.http().SendRaw(
      start + auth + auth + "Content-Length: " + std::to_string(item.size()) + "\r\n\r\n" + item));
  REQUIRE(answers.size() == 1);
  REQUIRE_ERROR(answers[0], 400, "Authorization");
}

TEST_CASE("a database another process holds past the busy timeout answers 503, retry-safe",
          "[net][protocol][trust]") {
  TestServerOptions options;
  options.extra_args = {"--busy-timeout-ms", "300"};
  TestServer server(options);
  Fixture f(server);
  const World w = MakeWorld(f);
  const Headers key = {{"Idempotency-Key", "busy-retry-1"}};

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(server.db_path().c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const Response busy = f.http().Post("/v1/items", SampleItem("BUSY-1"), w.dispatcher, key);
  REQUIRE_ERROR(busy, 503, "");
  CHECK(busy.Json().at("error").at("code") == "unavailable");
  CHECK_FALSE(busy.Header("Retry-After").empty());
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  const Response metrics = f.http().Get("/metrics");
  CHECK(metrics.body.find("aidlink_store_busy_total 1\n") != std::string::npos);
  // Nothing was written, so the same key runs the request now, once.
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM items WHERE code='BUSY-1'") == 0);
  const Response done = f.http().Post("/v1/items", SampleItem("BUSY-1"), w.dispatcher, key);
  REQUIRE_STATUS(done, 201);
  CHECK(done.Header("Idempotent-Replayed").empty());
  const Response again = f.http().Post("/v1/items", SampleItem("BUSY-1"), w.dispatcher, key);
  REQUIRE_STATUS(again, 201);
  CHECK(again.Header("Idempotent-Replayed") == "true");
  CHECK(QueryInt(server.db_path(), "SELECT count(*) FROM items WHERE code='BUSY-1'") == 1);
}

}  // namespace
}  // namespace aidlink::test
