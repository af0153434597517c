#include "http/url.h"

#include <curl/curl.h>

#include <memory>

#include "base/strings.h"

namespace mk::http {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlString {
  char* p = nullptr;
  ~CurlString() { curl_free(p); }
};

// Parses an absolute http(s) URL; null when it is not one.
UrlHandle ParseAbsolute(std::string_view url) {
  UrlHandle h(curl_url());
  if (!h) return nullptr;
  if (curl_url_set(h.get(), CURLUPART_URL, std::string(url).c_str(), 0) != CURLUE_OK) return nullptr;
  return h;
}

std::string Part(CURLU* h, CURLUPart part, unsigned flags = 0) {
  CurlString s;
  if (curl_url_get(h, part, &s.p, flags) != CURLUE_OK || !s.p) return "";
  return s.p;
}

bool HttpScheme(const std::string& scheme) { return scheme == "http" || scheme == "https"; }

}  // namespace

Result<std::string> ResolveUrl(std::string_view base, std::string_view reference) {
  UrlHandle h = ParseAbsolute(base);
  if (!h) return InvalidArgument("not a URL: " + RedactUrl(base));
  // With a URL already set, CURLUPART_URL resolves a relative reference.
  if (curl_url_set(h.get(), CURLUPART_URL, std::string(reference).c_str(), 0) != CURLUE_OK)
    return InvalidArgument("cannot resolve " + RedactUrl(reference) + " against " + RedactUrl(base));
  std::string scheme = ToLower(Part(h.get(), CURLUPART_SCHEME));
  if (!HttpScheme(scheme)) return InvalidArgument("not an http(s) URL: " + RedactUrl(reference));
  std::string out = Part(h.get(), CURLUPART_URL);
  if (out.empty()) return InvalidArgument("cannot resolve " + RedactUrl(reference));
  return out;
}

std::string Origin(std::string_view url) {
  UrlHandle h = ParseAbsolute(url);
  if (!h) return "";
  std::string scheme = ToLower(Part(h.get(), CURLUPART_SCHEME));
  std::string host = ToLower(Part(h.get(), CURLUPART_HOST));
  std::string port = Part(h.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (scheme.empty() || host.empty() || port.empty()) return "";
  return scheme + "://" + host + ":" + port;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  std::string oa = Origin(a);
  return !oa.empty() && oa == Origin(b);
}

std::string Scheme(std::string_view url) {
  UrlHandle h = ParseAbsolute(url);
  return h ? ToLower(Part(h.get(), CURLUPART_SCHEME)) : "";
}

bool DowngradesTls(std::string_view from, std::string_view to) {
  return Scheme(from) == "https" && Scheme(to) != "https";
}

Result<std::string> AppendQuery(std::string_view url, std::string_view key, std::string_view value) {
  UrlHandle h = ParseAbsolute(url);
  if (!h) return InvalidArgument("not a URL: " + RedactUrl(url));
  std::string pair = std::string(key) + "=" + QueryEscape(value);
  if (curl_url_set(h.get(), CURLUPART_QUERY, pair.c_str(), CURLU_APPENDQUERY) != CURLUE_OK)
    return InvalidArgument("cannot add a query to " + RedactUrl(url));
  return Part(h.get(), CURLUPART_URL);
}

std::string QueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string RedactUrl(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  return std::string(url.substr(0, cut));
}

}  // namespace mk::http
