#include "web/static_site.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace aidlink::web {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kAssetsPrefix = "/assets/";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string ContentType(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(path, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

// FNV-1a, 64 bits: a strong enough validator for files that change only
// with a new build.
std::string Etag(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

StatusOr<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every regular file below `root` by URL path ("/" + its relative path).
StatusOr<std::map<std::string, std::string>> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto bytes = ReadWhole(it->path());
    if (!bytes.ok()) return bytes.status();
    out["/" + fs::relative(it->path(), root).generic_string()] = std::move(*bytes);
  }
  if (ec) return Internal("cannot list " + root.string() + ": " + ec.message());
  return out;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

bool Accepts(std::string_view accept_encoding, std::string_view coding) {
  size_t pos = 0;
  while (pos <= accept_encoding.size()) {
    size_t end = accept_encoding.find(',', pos);
    if (end == std::string_view::npos) end = accept_encoding.size();
    std::string_view item = accept_encoding.substr(pos, end - pos);
    pos = end + 1;
    const size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding && name != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    const size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    const std::string value(params.substr(q + 2));
    return std::strtod(value.c_str(), nullptr) > 0;
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {{"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"Referrer-Policy", "no-referrer"}};
}

bool StaticSite::IsUiPath(std::string_view path) {
  const size_t q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  if (path == "/v1" || path.starts_with("/v1/")) return false;
  return path != "/healthz" && path != "/metrics";
}

StatusOr<std::unique_ptr<StaticSite>> StaticSite::Load(const std::string& root) {
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return NotFound("no directory " + root);
  auto tree = ReadTree(root);
  if (!tree.ok()) return tree.status();
  if (!tree->contains("/index.html")) return NotFound("no index.html in " + root);
  std::unique_ptr<StaticSite> site(new StaticSite());
  for (auto& [path, bytes] : *tree) {
    if (EndsWith(path, ".gz") || EndsWith(path, ".br")) continue;
    File f;
    f.content_type = ContentType(path);
    f.etag = Etag(bytes);
    f.immutable = path.starts_with(kAssetsPrefix);
    if (auto gz = tree->find(path + ".gz"); gz != tree->end()) {
      f.gzip = gz->second;
      f.has_gzip = true;
    }
    if (auto br = tree->find(path + ".br"); br != tree->end()) {
      f.brotli = br->second;
      f.has_brotli = true;
    }
    f.identity = std::move(bytes);
    site->files_.emplace(path, std::move(f));
  }
  return site;
}

WebAnswer StaticSite::Serve(std::string_view target, std::string_view accept_encoding,
                            std::string_view if_none_match) const {
  const size_t q = target.find('?');
  const std::string_view path = q == std::string_view::npos ? target : target.substr(0, q);
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.find(std::string_view("/index.html"));
  const File& f = it->second;
  WebAnswer a;
  a.content_type = f.content_type;
  a.headers = SecurityHeaders();
  a.headers.emplace_back("Cache-Control",
                         f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  a.headers.emplace_back("ETag", f.etag);
  a.headers.emplace_back("Vary", "Accept-Encoding");
  if (EtagMatches(if_none_match, f.etag)) {
    a.status = 304;
    return a;
  }
  if (f.has_brotli && Accepts(accept_encoding, "br")) {
    a.headers.emplace_back("Content-Encoding", "br");
    a.body = f.brotli;
  } else if (f.has_gzip && Accepts(accept_encoding, "gzip")) {
    a.headers.emplace_back("Content-Encoding", "gzip");
    a.body = f.gzip;
  } else {
    a.body = f.identity;
  }
  return a;
}

}  // namespace aidlink::web
