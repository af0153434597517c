// Transport: the seam between the registry protocol and the wire. Client is
// the real one (libcurl); unit tests give RegistryClient and TokenCache a
// scripted one, so that a hostile or broken server is a table in a test, not
// a process. Implementations are thread-safe: one transport serves every
// worker, and must outlive everything that holds a reference to it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace mk::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Receives the body of a successful (2xx) response as it arrives.
using BodySink = std::function<Status(const char* data, size_t n)>;
// Supplies a request body: bytes read, 0 at the end, or an error to abort.
using BodySource = std::function<Result<size_t>(char* out, size_t n)>;

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;   // used when source is empty
  BodySource source;  // streamed body of source_size bytes
  int64_t source_size = -1;
  bool verify_tls = true;
  bool follow_redirects = true;
  // Whether a redirect from https may lead to plain http (only for a
  // registry the user named --insecure); refused otherwise.
  bool allow_plain_http = false;
  int max_attempts = 0;  // for retryable requests; 0: the client's
  // A request whose repeat does no more than the first (a manifest PUT: the
  // same bytes under the same digest), retried like a GET. Ignored for a
  // streamed body, which cannot be sent twice.
  bool idempotent = false;
  // A GET of the body from this byte on (`Range: bytes=N-`): only a 206
  // starting there is accepted (resuming a partial blob).
  uint64_t offset = 0;
  size_t max_body = 8 << 20;  // cap for bodies kept in memory
};

struct Response {
  long status = 0;
  Headers headers;   // of the final response; names as sent
  std::string body;  // non-2xx bodies and 2xx bodies without a sink
  std::string url;   // the final URL after redirects
  // Why a transient failure (429, 503, ...) was not retried further: "gave
  // up after 5 attempts", "retry budget of 200 spent", a deadline; empty
  // when it was never retried. For the caller's error message.
  std::string retry_note;
  std::optional<std::string> Header(std::string_view name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Performs the request. A response with any status is a value; only a
  // transport failure (DNS, refused, TLS, timeout, sink error) is an error.
  virtual Result<Response> Do(const Request& request, const BodySink& sink = {}) = 0;
};

}  // namespace mk::http
