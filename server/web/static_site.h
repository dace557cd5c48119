#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace aidlink::web {

// One answer of the static site.
struct WebAnswer {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The web UI's files, listed and read once at start: an allow-list keyed by
// URL path ("/index.html", "/assets/app-3FQ2K7LM.js"). A URL is only ever
// looked up in it, never turned into a file path. Files under /assets/ carry
// content hashes in their names and are cached for a year; everything else
// (index.html) is revalidated with its ETag. A file's pre-compressed
// siblings (NAME.br, NAME.gz, made by the web build) are served in its place
// when the client accepts them. Immutable after Load: thread-safe.
class StaticSite {
 public:
  // Reads every regular file under `root`; kNotFound if `root` is not a
  // directory or holds no index.html.
  static StatusOr<std::unique_ptr<StaticSite>> Load(const std::string& root);

  // Whether a GET/HEAD of `path` (without its query) is the UI's: anything
  // but /v1/..., /healthz and /metrics.
  static bool IsUiPath(std::string_view path);

  // The answer to a GET of `target` (query ignored): the file it names, or
  // index.html for any other path (client-side routes).
  WebAnswer Serve(std::string_view target, std::string_view accept_encoding,
                  std::string_view if_none_match) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string etag;
    bool immutable = false;
    std::string identity, gzip, brotli;
    bool has_gzip = false, has_brotli = false;
  };
  StaticSite() = default;
  std::map<std::string, File, std::less<>> files_;
};

// The security headers of every UI answer (CSP, nosniff, no referrer).
std::vector<std::pair<std::string, std::string>> SecurityHeaders();

// Whether `accept_encoding` accepts `coding` (q=0 refuses it).
bool Accepts(std::string_view accept_encoding, std::string_view coding);

}  // namespace aidlink::web
