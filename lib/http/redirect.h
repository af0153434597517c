// Following one redirect: the next request, or why it must not be sent.
// A pure function of the request and the Location, so the rules are tested
// on their own (lib/http/http_test.cc):
//   - the Location is resolved against the request's URL (url.h);
//   - https -> plain http is refused unless the request allows it (a
//     registry the user named --insecure): integrity would hold (digests are
//     checked), confidentiality would not;
//   - Authorization is dropped whenever the origin changes (the OCI
//     distribution spec: never forward credentials to another host; blob
//     storage redirects carry their own signature in the URL);
//   - 303 turns the method into GET.
#pragma once

#include <string_view>

#include "base/status.h"
#include "http/transport.h"

namespace mk::http {

Result<Request> FollowRedirect(const Request& request, long status, std::string_view location);

}  // namespace mk::http
