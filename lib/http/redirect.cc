#include "http/redirect.h"

#include "base/strings.h"
#include "http/url.h"

namespace mk::http {

Result<Request> FollowRedirect(const Request& request, long status, std::string_view location) {
  const std::string where = request.method + " " + RedactUrl(request.url);
  auto next = ResolveUrl(request.url, location);
  if (!next.ok()) return Unavailable(where + ": bad redirect: " + next.status().message());
  if (DowngradesTls(request.url, *next) && !request.allow_plain_http)
    return PermissionDenied(where + ": redirected from https to plain " + RedactUrl(*next) +
                            "; refused (name the registry with --insecure to allow)");
  Request out = request;
  if (!SameOrigin(*next, request.url)) {
    out.headers.clear();
    for (const auto& h : request.headers)
      if (!EqualsIgnoreCase(h.first, "Authorization")) out.headers.push_back(h);
  }
  if (status == 303) out.method = "GET";
  out.url = *next;
  return out;
}

}  // namespace mk::http
