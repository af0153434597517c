// URLs: the one place that parses, resolves and compares them, on libcurl's
// URL API (CURLU), so that a relative `Location`, a scheme-relative
// "//host/path", percent-escapes and default ports are read the way curl
// itself will send the request.
//
// Used for redirects, upload-session locations, pagination links and token
// realms: every decision "may this URL get our credentials" is
// SameOrigin(issued_for, target) here. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::http {

// reference resolved against base (RFC 3986 section 5): absolute URLs are
// taken as they are, "/path", "path", "?q" and "//host/path" relative to
// base. Only http and https results are accepted.
Result<std::string> ResolveUrl(std::string_view base, std::string_view reference);

// "scheme://host:port", lower-cased, the port always explicit (443/80 for
// the defaults); "" for a URL that does not parse.
std::string Origin(std::string_view url);
// Whether a and b are the same origin; never true for a URL that does not
// parse.
bool SameOrigin(std::string_view a, std::string_view b);
// The URL's scheme lower-cased ("https"), "" when it does not parse.
std::string Scheme(std::string_view url);

// Whether moving from `from` to `to` drops TLS (https -> http).
bool DowngradesTls(std::string_view from, std::string_view to);

// url with "key=value" appended to its query, value percent-encoded.
Result<std::string> AppendQuery(std::string_view url, std::string_view key, std::string_view value);

// application/x-www-form-urlencoded / query escaping: everything but
// unreserved characters (RFC 3986 section 2.3) as %XX.
std::string QueryEscape(std::string_view s);

// "https://host:port/path" without query or fragment, for messages
// (pre-signed URLs carry secrets in the query). Never fails.
std::string RedactUrl(std::string_view url);

}  // namespace mk::http
