// HTTP client over libcurl: the project's only curl user.
//
// One Client serves every thread: it keeps a pool of curl easy handles, and a
// handle returned to the pool keeps its open connections, so requests to a
// registry reuse connections and TLS sessions. TLS is verified unless a
// request says otherwise (the registry layer decides, from --insecure).
//
// Redirects are followed here, not by curl, so that Authorization is dropped
// whenever a redirect leaves the original scheme://host:port (the OCI
// distribution spec: clients MUST NOT forward Authorization across hosts;
// blob storage redirects carry their own signature), and a redirect from
// https to plain http is refused unless the request allows it (--insecure). Error messages name the
// host and path but never a query string (pre-signed URLs hold secrets) and
// never a header value.
//
// Retries (retry_policy.h: budget, deadline, backoff, per-origin waits):
// GET, HEAD and requests marked idempotent (a manifest PUT) are tried again
// after a transient failure — a connection error, a reset, a timeout or a
// stall (kUnavailable), or HTTP 408, 429, 500, 502, 503 or 504. Other
// statuses are answers, not accidents: 501 and 505 say the server will not
// do it, 507 that it is out of space, and no retry changes that. A streamed
// upload is never retried here (its source cannot be replayed); the copy
// above starts the blob over. A streamed GET that already delivered N bytes
// resumes with `Range: bytes=N-` and accepts only a 206 whose Content-Range
// (content_range.h) starts at N. A request with an offset starts as such a
// resumed GET. A streamed upload that failed on the wire before a byte of
// its body was taken from the source (a pooled connection the server had
// closed) is sent again: nothing of it reached the server. When retrying stops, the error (or the final response's
// retry_note) says why: attempts, budget, deadline, or a Retry-After longer
// than we wait.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "http/retry_policy.h"
#include "http/transport.h"
#include "http/url.h"

namespace mk::http {

struct ClientOptions {
  std::string ca_file;  // extra CA bundle; empty: the system's
  std::string ca_path;  // CA directory also trusted (the system's with ca_file)
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // abort when no byte moves for this long
  RetryOptions retry;         // attempts, budget, deadline, backoff
  std::string user_agent = "mirrorkit/0.1";
};

class Client : public Transport {
 public:
  // wire: where single attempts go instead of libcurl (the seam unit tests
  // use to script a server under the real retry loop); clock: the retry
  // policy's. Both, when given, must outlive the client.
  explicit Client(ClientOptions options, Transport* wire = nullptr, RetryClock* clock = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs the request. A response with any status is a value; only a
  // transport failure (DNS, refused, TLS, timeout, sink error) is an error.
  Result<Response> Do(const Request& request, const BodySink& sink = {}) override;

  const ClientOptions& options() const { return options_; }
  // The run's retry budget, deadline and per-origin waits, for retries
  // above HTTP (copy/: a blob copy started over) to share.
  RetryPolicy& retry_policy() { return retry_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> h);
  // One attempt. *delivered: body bytes handed to the sink; *body_read:
  // whether any byte of a streamed request body was taken from its source.
  Result<Response> Once(const Request& request, const BodySink& sink, uint64_t resume_from, uint64_t* delivered,
                        bool* body_read);
  Result<Response> OnceOverWire(const Request& request, const BodySink& sink, uint64_t resume_from, uint64_t* delivered,
                                bool* body_read);

  ClientOptions options_;
  Transport* wire_;
  RetryPolicy retry_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> pool_;
};

}  // namespace mk::http
