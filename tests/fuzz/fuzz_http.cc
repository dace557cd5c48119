// fuzz_http: raw bytes -> Beast's request parser with the server's limits ->
// net::ToApiRequest -> api::Router::Handle on a real Store (a SQLite file
// seeded with a small registry and four known tokens), in process.
//
// Properties, besides "no crash, leak or undefined behaviour":
//  - the router never answers 500 (an unexpected error or a thrown
//    exception: every bad request must be a 4xx);
//  - every status is one API.md lists;
//  - a JSON answer parses, and an error answer has the API.md error shape;
//  - every answer that is not protobuf binary is valid UTF-8.
//
// The input is what a client would send on one connection: up to
// kMaxRequests pipelined requests are parsed and answered in turn, as the
// server's session does. Parser errors end the input (the server answers
// 400/413/431 and closes).
#include <openssl/crypto.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "api/auth.h"
#include "api/router.h"
#include "fuzz/fuzz.h"
#include "fuzz/http_world.h"
#include "net/request.h"
#include "net/server.h"
#include "util/text.h"

namespace aidlink::fuzz {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

constexpr int kMaxRequests = 4;
// The world is rebuilt from scratch this often, so that what fuzzed
// requests create cannot slow every later input down.
constexpr int kInputsPerWorld = 2000;

bool KnownStatus(int status) {
  switch (status) {
    case 200:
    case 201:
    case 400:
    case 401:
    case 403:
    case 404:
    case 405:
    case 409:
    case 413:
    case 422:
    case 429:
      return true;
    default:
      return false;
  }
}

void CheckResponse(const api::Request& request, const api::Response& response) {
  const std::string where = request.method + " " + request.target + " -> " +
                            std::to_string(response.status) + " " + response.body;
  AIDLINK_FUZZ_CHECK(response.status != 500, "the router answered 500", where);
  AIDLINK_FUZZ_CHECK(KnownStatus(response.status), "a status API.md does not list", where);
  if (response.content_type == "application/x-protobuf") return;
  AIDLINK_FUZZ_CHECK(text::IsValidUtf8(response.body), "an answer that is not valid UTF-8", where);
  if (response.content_type != "application/json") return;
  boost::system::error_code ec;
  const json::value v = json::parse(response.body, ec);
  AIDLINK_FUZZ_CHECK(!ec && v.is_object(), "a JSON answer that is not a JSON object", where);
  if (response.status < 400) return;
  const json::object* error =
      v.as_object().if_contains("error") ? v.as_object().at("error").if_object() : nullptr;
  AIDLINK_FUZZ_CHECK(error != nullptr, "an error answer without an error object", where);
  for (const char* key : {"code", "message", "field"}) {
    AIDLINK_FUZZ_CHECK(error->contains(key) && error->at(key).is_string(),
                       "an error object without a string code, message and field", where);
  }
  AIDLINK_FUZZ_CHECK(!error->at("message").as_string().empty(), "an error with an empty message",
                     where);
}

}  // namespace

void FuzzOneInput(const uint8_t* data, size_t size) {
  // OpenSSL first, so that its clean-up at exit (registered by the first
  // initialisation that asks for something: options 0 return early) runs
  // after the world's destructor. The world's writer thread holds OpenSSL
  // state (duplicate checks use HMAC) that is freed when the thread ends,
  // which must happen while OpenSSL still knows the thread.
  static const bool crypto_ready = OPENSSL_init_crypto(OPENSSL_INIT_ADD_ALL_DIGESTS, nullptr) == 1;
  AIDLINK_FUZZ_CHECK(crypto_ready, "OpenSSL did not initialise", "start");
  static std::unique_ptr<HttpWorld> world;
  static int inputs = 0;
  if (!world || ++inputs > kInputsPerWorld) {
    world.reset();  // the old world's files go before the new one's are made
    world = HttpWorld::Create();
    inputs = 1;
  }

  const net::ServerOptions limits;  // the server's defaults
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  // The first byte says whether the peer is on loopback (as /metrics cares).
  const bool from_loopback = !rest.empty() && (static_cast<unsigned char>(rest[0]) & 1);
  if (!rest.empty()) rest.remove_prefix(1);

  for (int n = 0; n < kMaxRequests && !rest.empty(); ++n) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser.eager(true);
    beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    // All the bytes there are were offered: needing more means the peer
    // closed mid-message.
    if (ec == http::error::need_more) parser.put_eof(ec);
    if (ec || !parser.is_done()) return;

    const api::Request request = net::ToApiRequest(parser.release(), from_loopback);
    const api::Response response = world->router().Handle(request);
    // The answer to a write comes from inside the writer's batch; let the
    // writer finish it, so that nothing is in flight on another thread when
    // libFuzzer checks this input for leaks.
    world->store().WaitIdle();
    // AIDLINK_FUZZ_VERBOSE=1 shows what each input reached (for seeding).
    static const bool verbose = std::getenv("AIDLINK_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
      std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(), request.target.c_str(),
                   response.status, response.body.substr(0, 160).c_str());
    }
    CheckResponse(request, response);
  }
}

}  // namespace aidlink::fuzz
