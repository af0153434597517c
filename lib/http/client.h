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
// blob storage redirects carry their own signature). Error messages name the
// host and path but never a query string (pre-signed URLs hold secrets) and
// never a header value.
//
// Retries: GET and HEAD are retried on connection failures, 429 and 5xx,
// with bounded exponential backoff; a streamed GET that already delivered N
// bytes resumes with `Range: bytes=N-` and accepts only a 206 whose
// Content-Range starts at N. Other methods are never retried here.
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
  std::string body;               // used when source is empty
  BodySource source;              // streamed body of source_size bytes
  int64_t source_size = -1;
  bool verify_tls = true;
  bool follow_redirects = true;
  size_t max_body = 8 << 20;      // cap for bodies kept in memory
};

struct Response {
  long status = 0;
  Headers headers;   // of the final response; names as sent
  std::string body;  // non-2xx bodies and 2xx bodies without a sink
  std::string url;   // the final URL after redirects
  std::optional<std::string> Header(std::string_view name) const;
};

struct ClientOptions {
  std::string ca_file;        // extra CA bundle; empty: the system's
  std::string ca_path;        // CA directory also trusted (the system's with ca_file)
  long connect_timeout_s = 30;
  long stall_timeout_s = 60;  // abort when no byte moves for this long
  int max_attempts = 3;       // for retryable requests
  long backoff_ms = 200;      // first retry delay, doubled each time
  std::string user_agent = "mirrorkit/0.1";
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Performs the request. A response with any status is a value; only a
  // transport failure (DNS, refused, TLS, timeout, sink error) is an error.
  Result<Response> Do(const Request& request, const BodySink& sink = {});

  const ClientOptions& options() const { return options_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> h);
  Result<Response> Once(const Request& request, const BodySink& sink, uint64_t resume_from,
                        uint64_t* delivered);

  ClientOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> pool_;
};

// "https://host:port/path" without query or fragment, for messages.
std::string RedactUrl(std::string_view url);
// scheme://host:port of a URL, lower-cased, for same-origin checks.
std::string Origin(std::string_view url);

}  // namespace mk::http
