#include "url.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "json_util.h"

using namespace aidlink::client;

TEST_CASE("server URLs name host, port and an optional base path", "[client][url]") {
  auto url = ParseServerUrl("http://127.0.0.1:8080");
  REQUIRE(url.ok());
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == "8080");
  CHECK(url->base_path == "");

  url = ParseServerUrl("http://aid.example.org/api/");
  REQUIRE(url.ok());
  CHECK(url->host == "aid.example.org");
  CHECK(url->port == "80");
  CHECK(url->base_path == "/api");

  url = ParseServerUrl("http://[::1]:9000");
  REQUIRE(url.ok());
  CHECK(url->host == "::1");
  CHECK(url->port == "9000");
  CHECK_FALSE(url->tls);

  url = ParseServerUrl("https://aid.example.org/api");
  REQUIRE(url.ok());
  CHECK(url->tls);
  CHECK(url->port == "443");
  CHECK(url->ToString() == "https://aid.example.org:443/api");
}

TEST_CASE("unusable server URLs are refused with a reason", "[client][url]") {
  CHECK_FALSE(ParseServerUrl("ftp://x").ok());
  CHECK_FALSE(ParseServerUrl("https://:443").ok());
  CHECK_FALSE(ParseServerUrl("127.0.0.1:8080").ok());
  CHECK_FALSE(ParseServerUrl("http://:8080").ok());
  CHECK_FALSE(ParseServerUrl("http://host:0").ok());
  CHECK_FALSE(ParseServerUrl("http://host:99999").ok());
  CHECK_FALSE(ParseServerUrl("http://host:80x").ok());
}

TEST_CASE("query values are percent-encoded and empty ones left out", "[client][url]") {
  CHECK(WithQuery("/v1/needs", {{"status", "open"}, {"page_token", ""}}) ==
        "/v1/needs?status=open");
  CHECK(WithQuery("/v1/x", {{"q", "和平 区&"}}) == "/v1/x?q=%E5%92%8C%E5%B9%B3%20%E5%8C%BA%26");
  CHECK(WithQuery("/v1/items", {}) == "/v1/items");
}

TEST_CASE("ids are read whether the server sends numbers or strings", "[client][json]") {
  const auto v = boost::json::parse(R"({"a":12,"b":"34","c":"x","d":5.0,"e":5.5,"f":"-3"})");
  const auto& o = v.get_object();
  CHECK(AsInt64(o.at("a")) == 12);
  CHECK(AsInt64(o.at("b")) == 34);
  CHECK_FALSE(AsInt64(o.at("c")));
  CHECK(AsInt64(o.at("d")) == 5);
  CHECK_FALSE(AsInt64(o.at("e")));
  CHECK(AsInt64(o.at("f")) == -3);
  CHECK(AsInt64(boost::json::parse("9223372036854775807")) == INT64_MAX);
}

TEST_CASE("JSON values read naturally in table cells", "[client][json]") {
  const auto v = boost::json::parse(
      R"({"tags":["elderly_alone","chronic_illness"],"perishable":true,"lat":null,"n":"7",)"
      R"("earmark":{"districts":["和平区"]}})");
  CHECK(FieldText(v, "tags") == "elderly_alone,chronic_illness");
  CHECK(FieldText(v, "perishable") == "yes");
  CHECK(FieldText(v, "lat") == "");
  CHECK(FieldText(v, "n") == "7");
  CHECK(FieldText(v, "missing") == "");
  CHECK(CellText(boost::json::parse("39.12")) == "39.12");
  CHECK(CellText(boost::json::parse("-90.0")) == "-90");
  CHECK(FormatNumber(117.2) == "117.2");
  const auto flat = Flatten(v);
  CHECK(flat.back() == std::pair<std::string, std::string>{"earmark.districts", "和平区"});
}
