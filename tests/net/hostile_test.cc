// Hostile clients: idle and slowly trickling connections, oversized headers,
// more connections than the cap, pipelined requests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "support/fixture.h"
#include "support/raw_socket.h"

namespace aidlink::test {
namespace {

using Clock = std::chrono::steady_clock;

// Owns a set of raw sockets; closes them on destruction.
struct Sockets {
  std::vector<int> fds;
  ~Sockets() {
    for (int fd : fds) close(fd);
  }
};

TEST_CASE("2,000 idle and slowly trickling connections do not delay a normal client past 1 s",
          "[net][hostile]") {
  constexpr int kPerKind = 500;  // four kinds: 2,000 connections
  REQUIRE(RaiseFileLimit() > 4 * kPerKind + 200);
  TestServer server;
  Fixture f(server);
  const int64_t item = f.CreateItem(f.admin(), "SLOW-LORIS");

  Sockets idle, partial, trickle_headers, trickle_body;
  for (int k = 0; k < kPerKind; ++k) {
    for (Sockets* s : {&idle, &partial, &trickle_headers, &trickle_body}) {
      const int fd = ConnectRaw(server.port());
      REQUIRE(fd >= 0);
      s->fds.push_back(fd);
    }
    // Partial headers: a request line and one header, then silence.
    REQUIRE(SendAll(partial.fds.back(), "GET /healthz HTTP/1.1\r\nHost: t\r\n"));
    REQUIRE(SendAll(trickle_headers.fds.back(), "GET /healthz HTTP/1.1\r\nX-Slow: "));
    // Complete headers announcing a body that arrives a byte at a time.
    REQUIRE(SendAll(trickle_body.fds.back(),
                    "POST /v1/stations HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                        server.admin_token() +
                        "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"));
  }
  // One byte every ~100 ms on each trickling connection, until told to stop.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> trickled{0};
  std::jthread trickler([&] {
    while (!stop) {
      const auto next = Clock::now() + std::chrono::milliseconds(100);
      for (Sockets* s : {&trickle_headers, &trickle_body}) {
        for (int fd : s->fds) {
          if (send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) trickled++;
        }
      }
      std::this_thread::sleep_until(next);
    }
  });

  // A normal client: keep-alive and fresh connections, reads and writes.
  HttpClient keep_alive(server.port());
  std::vector<double> latencies_ms;
  const auto until = Clock::now() + std::chrono::seconds(5);
  for (int k = 0; Clock::now() < until; ++k) {
    const auto start = Clock::now();
    Response r;
    switch (k % 4) {
      case 0:
        r = keep_alive.Get("/healthz");
        break;
      case 1:
        r = keep_alive.Get("/v1/items/" + std::to_string(item), f.admin());
        break;
      case 2:
        r = HttpClient(server.port()).Get("/v1/items", f.admin());
        break;
      case 3:
        r = keep_alive.Post("/v1/stations", SampleStation("正常社工站" + std::to_string(k)),
                            f.admin());
        break;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    latencies_ms.push_back(ms);
    INFO("request " << k << " took " << ms << " ms: " << r.Describe());
    REQUIRE(r.status < 300);
    CHECK(ms < 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  trickler.join();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double p50 = latencies_ms[latencies_ms.size() / 2];
  const double max = latencies_ms.back();
  WARN(latencies_ms.size() << " requests beside 2,000 hostile connections: p50 " << p50
                           << " ms, max " << max << " ms; " << trickled.load()
                           << " bytes trickled");
  CHECK(latencies_ms.size() >= 50);
  CHECK(trickled.load() > 2 * kPerKind * 20);  // the slow clients really were trickling

  // The slow clients were held, not dropped: a trickled body still completes.
  const int fd = trickle_body.fds.front();
  // The body so far is "{" plus trickled 'a's: not JSON, so a 400 must come
  // back once the announced length is reached.
  std::string filler(100000, ' ');
  const bool sent = SendAll(fd, filler);
  CHECK(sent);
  char buf[512] = {};
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("headers over 8 KiB get 431 with the error JSON; just under is served", "[net][http]") {
  TestServer server;
  HttpClient http(server.port());
  bool closed = false;
  const std::string big =
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9 * 1024, 'a') + "\r\n\r\n";
  std::vector<Response> answers =
      ParseResponses(http.SendRaw(big, std::chrono::seconds(5), &closed));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 431);
  REQUIRE(answers[0].IsJson());
  const json::value body = answers[0].Json();
  const json::object& e = body.at("error").as_object();
  CHECK_FALSE(Str(e.at("code")).empty());
  CHECK_FALSE(Str(e.at("message")).empty());
  CHECK(closed);
  // Many headers adding up past 8 KiB count too.
  std::string many = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
  for (int k = 0; k < 200; ++k)
    many += "X-H" + std::to_string(k) + ": " + std::string(50, 'b') + "\r\n";
  answers = ParseResponses(http.SendRaw(many + "\r\n", std::chrono::seconds(5)));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 431);
  const std::string fits =
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(7 * 1024, 'a') +
      "\r\nConnection: close\r\n\r\n";
  answers = ParseResponses(http.SendRaw(fits, std::chrono::seconds(5)));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 200);
}

TEST_CASE("past --max-connections a new connection gets a clear 503; those under it are served",
          "[net][http]") {
  TestServerOptions options;
  options.extra_args = {"--max-connections", "20"};
  TestServer server(options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int k = 0; k < 20; ++k) {
    held.push_back(std::make_unique<HttpClient>(server.port()));
    REQUIRE_STATUS(held.back()->Get("/healthz"), 200);  // the session exists
  }
  HttpClient extra(server.port());
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool closed = false;
    std::vector<Response> answers = ParseResponses(extra.SendRaw(
        "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", std::chrono::seconds(5), &closed));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 503);
    CHECK(answers[0].Header("retry-after") == "1");
    REQUIRE(answers[0].IsJson());
    CHECK(Str(answers[0].Json().at("error").at("code")) == "resource_exhausted");
    CHECK(Str(answers[0].Json().at("error").at("message")).find("too many connections") !=
          std::string::npos);
    CHECK(closed);
  }
  // Those under the cap are still served, on their own connections.
  for (auto& c : held) CHECK_STATUS(c->Get("/healthz"), 200);
  for (auto& c : held) CHECK(c->connections_opened() == 1);
  // Free five places: new connections are served again.
  for (int k = 0; k < 5; ++k) held[static_cast<size_t>(k)]->Close();
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (Clock::now() < deadline) {
    std::vector<Response> answers = ParseResponses(extra.SendRaw(
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", std::chrono::seconds(5)));
    status = answers.empty() ? 0 : answers[0].status;
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(status == 200);
}

TEST_CASE("pipelined requests are answered in order, whole or split at any byte", "[net][http]") {
  TestServer server;
  Fixture f(server);
  std::vector<int64_t> items;
  for (int k = 0; k < 8; ++k) items.push_back(f.CreateItem(f.admin(), "PIPE-" + std::to_string(k)));
  const std::string auth = "Authorization: Bearer " + f.admin() + "\r\n";
  std::string batch;
  std::vector<std::string> expect;
  for (int round = 0; round < 3; ++round) {
    for (size_t k = 0; k < items.size(); ++k) {
      const size_t index = (k * 3 + static_cast<size_t>(round)) % items.size();
      batch += "GET /v1/items/" + std::to_string(items[index]) + " HTTP/1.1\r\nHost: t\r\n" + auth +
               "\r\n";
      expect.push_back("\"PIPE-" + std::to_string(index) + "\"");
    }
    const std::string body =
        R"({"name":"流水线站)" + std::to_string(round) + R"(","district":"江汉区"})";
    batch += "POST /v1/stations HTTP/1.1\r\nHost: t\r\n" + auth +
             "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body;
    expect.push_back("流水线站" + std::to_string(round) + "\"");
  }
  batch += "GET /v1/nothing HTTP/1.1\r\nHost: t\r\n" + auth + "Connection: close\r\n\r\n";
  expect.push_back("not_found");

  auto check = [&](const std::vector<Response>& answers) {
    REQUIRE(answers.size() == expect.size());
    for (size_t k = 0; k < expect.size(); ++k) {
      INFO("answer " << k << ": " << answers[k].Describe() << "\nmust contain " << expect[k]);
      CHECK(BodyContains(answers[k], expect[k]));
    }
  };
  SECTION("in one write") {
    check(ParseResponses(f.http().SendRaw(batch, std::chrono::seconds(10))));
  }
  SECTION("in 7-byte pieces") {
    const int fd = ConnectRaw(server.port());
    REQUIRE(fd >= 0);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (size_t at = 0; at < batch.size(); at += 7) {
      REQUIRE(SendAll(fd, std::string_view(batch).substr(at, 7)));
    }
    std::string raw;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
      raw.append(buf, static_cast<size_t>(n));
    close(fd);
    check(ParseResponses(raw));
  }
}

}  // namespace
}  // namespace aidlink::test
