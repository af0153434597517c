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
// Retries: GET and HEAD are retried on connection failures, 429 and 5xx,
// with bounded exponential backoff; a streamed GET that already delivered N
// bytes resumes with `Range: bytes=N-` and accepts only a 206 whose
// Content-Range starts at N. Other methods are never retried here. A request
// with an offset starts as such a resumed GET.
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
#include "http/transport.h"
#include "http/url.h"

namespace mk::http {

struct ClientOptions {
  std::string ca_file;  // extra CA bundle; empty: the system's
  std::string ca_path;  // CA directory also trusted (the system's with ca_file)
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // abort when no byte moves for this long
  int max_attempts = 3;       // for retryable requests
  long backoff_ms = 200;      // first retry delay, doubled each time
  std::string user_agent = "mirrorkit/0.1";
};

class Client : public Transport {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs the request. A response with any status is a value; only a
  // transport failure (DNS, refused, TLS, timeout, sink error) is an error.
  Result<Response> Do(const Request& request, const BodySink& sink = {}) override;

  const ClientOptions& options() const { return options_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> h);
  Result<Response> Once(const Request& request, const BodySink& sink, uint64_t resume_from, uint64_t* delivered);

  ClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> pool_;
};

}  // namespace mk::http
