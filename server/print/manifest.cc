#include "print/manifest.h"

#include "print/internal.h"

namespace aidlink::print {

std::string RenderManifest(const Manifest& manifest, Format format, Lang lang, Layout layout) {
  switch (format) {
    case Format::kCsv:
      return internal::RenderCsv(manifest, lang);
    case Format::kHtml:
      return internal::RenderHtml(manifest, lang, layout);
    case Format::kTxt:
      break;
  }
  return internal::RenderTxt(manifest, lang, layout);
}

}  // namespace aidlink::print
