#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "api/http.h"

namespace aidlink::net {

// The router's view of a parsed HTTP request: method, target, the headers
// the API reads (Authorization, Content-Type, Accept, Idempotency-Key) and
// the body, moved out of `req`. `from_loopback` says whether the peer is on
// 127.0.0.0/8 or ::1, `peer` is its address and `tls` whether the
// connection is HTTPS. Pure: the server's sessions and the HTTP fuzzer share
// it, so both exercise the same conversion.
api::Request ToApiRequest(boost::beast::http::request<boost::beast::http::string_body>&& req,
                          bool from_loopback, std::string peer = "", bool tls = false);

}  // namespace aidlink::net
