#include "net/request.h"

#include <string>
#include <utility>

namespace aidlink::net {

namespace http = boost::beast::http;

api::Request ToApiRequest(http::request<http::string_body>&& req, bool from_loopback,
                          std::string peer, bool tls) {
  api::Request request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.authorization = std::string(req[http::field::authorization]);
  request.content_type = std::string(req[http::field::content_type]);
  request.accept = std::string(req[http::field::accept]);
  request.idempotency_key = std::string(req["Idempotency-Key"]);
  request.if_match = std::string(req[http::field::if_match]);
  request.body = std::move(req.body());
  request.from_loopback = from_loopback;
  request.cookie = std::string(req[http::field::cookie]);
  request.csrf = std::string(req["X-Aidlink-CSRF"]);
  request.origin = std::string(req[http::field::origin]);
  request.host = std::string(req[http::field::host]);
  request.peer = std::move(peer);
  request.tls = tls;
  return request;
}

}  // namespace aidlink::net
