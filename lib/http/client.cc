#include "http/client.h"

#include <curl/curl.h>

#include <chrono>
#include <thread>

#include "base/signals.h"
#include "base/strings.h"
#include "http/content_range.h"
#include "http/redirect.h"
#include "http/retry_after.h"
#include "http/url.h"

namespace mk::http {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

void EnsureCurlGlobal() { static CurlGlobal global; }

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// State shared with curl's callbacks during one transfer.
struct Transfer {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  const BodySink* sink = nullptr;
  Response* response = nullptr;
  uint64_t delivered = 0;    // body bytes handed to the sink
  uint64_t resume_from = 0;  // a Range request's first byte, 0 if none
  bool resume_checked = false;
  Status sink_status;
  Status source_status;
  bool source_read = false;  // a byte of the request body was taken
  bool body_too_large = false;
  RetryPolicy* retry = nullptr;  // its deadline cuts the transfer
};

// Whether a 206 holds the body from byte offset on: a well-formed
// Content-Range (content_range.h) whose first byte is offset.
bool ResumesAt(const Response& resp, uint64_t offset) {
  auto header = resp.Header("Content-Range");
  if (!header) return false;
  auto range = ParseContentRange(*header);
  return range.ok() && range->first == offset;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers.clear();  // a new response (after 100 Continue)
  } else {
    size_t colon = line.find(':');
    if (colon != std::string_view::npos)
      t->response->headers.emplace_back(std::string(Trim(line.substr(0, colon))),
                                        std::string(Trim(line.substr(colon + 1))));
  }
  return size * n;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
  bool success = code >= 200 && code < 300;
  if (success && t->sink && *t->sink) {
    if (t->resume_from > 0 && !t->resume_checked) {
      // The sink already holds the first resume_from bytes: only a 206 for
      // exactly the rest may follow, or the blob would be spliced wrong.
      if (code != 206 || !ResumesAt(*t->response, t->resume_from)) {
        t->sink_status = Unavailable(t->request->method + " " + RedactUrl(t->request->url) +
                                     ": server did not resume at byte " + std::to_string(t->resume_from));
        return 0;
      }
      t->resume_checked = true;
    }
    Status s = (*t->sink)(data, len);
    if (!s.ok()) {
      t->sink_status = s;
      return 0;  // aborts the transfer
    }
    t->delivered += len;
    return size * n;
  }
  if (code >= 300 && code < 400) return size * n;  // redirect bodies are noise
  size_t cap = success ? t->request->max_body : size_t{64} << 10;
  if (t->response->body.size() + len > cap) {
    if (success) {
      t->body_too_large = true;
      return 0;
    }
    len = cap - std::min(cap, t->response->body.size());
  }
  t->response->body.append(data, len);
  return size * n;
}

size_t OnRead(char* out, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->source_read = true;
  auto got = t->request->source(out, size * n);
  if (!got.ok()) {
    t->source_status = got.status();
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return Interrupted() || t->retry->DeadlinePassed() ? 1 : 0;
}

constexpr long kBlobBufferBytes = 256 << 10;

// The statuses a retry can change (see client.h for the ones it cannot).
bool Retryable(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// err with the reason retrying stopped, unless it says so already.
Status WithNote(const Status& err, const std::string& note) {
  if (note.empty() || err.message().find(note) != std::string::npos) return err;
  return Status(err.code(), err.message() + " (" + note + ")");
}

}  // namespace

struct Client::Handle {
  CURL* curl = nullptr;
  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (EqualsIgnoreCase(k, name)) return v;
  return std::nullopt;
}

Client::Client(ClientOptions options, Transport* wire, RetryClock* clock)
    : options_(std::move(options)), wire_(wire), retry_(options_.retry, clock ? *clock : RetryClock::Real()) {
  EnsureCurlGlobal();
}
Client::~Client() = default;

std::unique_ptr<Client::Handle> Client::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pool_.empty()) {
      auto h = std::move(pool_.back());
      pool_.pop_back();
      curl_easy_reset(h->curl);  // keeps live connections and the session cache
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  if (!h->curl) return nullptr;
  return h;
}

void Client::Release(std::unique_ptr<Handle> h) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pool_.size() < 32) pool_.push_back(std::move(h));
}

Result<Response> Client::OnceOverWire(const Request& req, const BodySink& sink, uint64_t resume_from,
                                      uint64_t* delivered, bool* body_read) {
  *body_read = static_cast<bool>(req.source);  // a wire may read it: never replayed
  Request r = req;
  r.offset = 0;
  if (resume_from > 0) r.headers.emplace_back("Range", "bytes=" + std::to_string(resume_from) + "-");
  BodySink counting;
  if (sink)
    counting = [&](const char* data, size_t n) {
      MK_RETURN_IF_ERROR(sink(data, n));
      *delivered += n;
      return Status::Ok();
    };
  return wire_->Do(r, counting);
}

Result<Response> Client::Once(const Request& req, const BodySink& sink, uint64_t resume_from, uint64_t* delivered,
                              bool* body_read) {
  if (wire_) return OnceOverWire(req, sink, resume_from, delivered, body_read);
  auto handle = Acquire();
  if (!handle) return Internal("cannot create a curl handle");
  CURL* c = handle->curl;
  Response resp;
  Transfer t;
  t.curl = c;
  t.request = &req;
  t.sink = &sink;
  t.response = &resp;
  t.resume_from = resume_from;
  t.retry = &retry_;

  curl_slist* raw_list = nullptr;
  for (const auto& [k, v] : req.headers) raw_list = curl_slist_append(raw_list, (k + ": " + v).c_str());
  raw_list = curl_slist_append(raw_list, "Expect:");  // no 100-continue round trip
  if (resume_from > 0)
    raw_list = curl_slist_append(raw_list, ("Range: bytes=" + std::to_string(resume_from) + "-").c_str());
  Slist headers(raw_list);

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  // The deadline bounds even a transfer that never calls back.
  if (auto left = retry_.TimeLeft()) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left->count()) + 1);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.ca_path.empty()) curl_easy_setopt(c, CURLOPT_CAPATH, options_.ca_path.c_str());
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);

  // Blob bodies: larger buffers than curl's 16 KiB mean fewer callbacks
  // and, for a directory destination, fewer write(2) calls; a few hundred
  // KiB per transfer keeps memory well under the 64 MiB budget at 64 jobs.
  if (sink) curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kBlobBufferBytes);
  if (req.source) curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, kBlobBufferBytes);

  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (req.source) {
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_READFUNCTION, OnRead);
      curl_easy_setopt(c, CURLOPT_READDATA, &t);
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.source_size));
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
  }

  CURLcode rc = curl_easy_perform(c);
  *delivered = t.delivered;
  *body_read = t.source_read;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.url = req.url;
  Release(std::move(handle));

  std::string where = req.method + " " + RedactUrl(req.url);
  if (!t.sink_status.ok()) return t.sink_status;
  if (!t.source_status.ok()) return t.source_status;
  if (t.body_too_large)
    return InvalidArgument(where + ": response body larger than " + std::to_string(req.max_body) + " bytes");
  if (rc == CURLE_ABORTED_BY_CALLBACK && Interrupted()) return Cancelled("interrupted");
  if (rc != CURLE_OK && retry_.DeadlinePassed()) return Unavailable(where + ": " + retry_.DeadlineMessage());
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    Code code = Code::kUnavailable;
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) code = Code::kPermissionDenied;
    return Status(code, where + ": " + detail);
  }
  return resp;
}

Result<Response> Client::Do(const Request& request, const BodySink& sink) {
  const bool retryable_method =
      request.method == "GET" || request.method == "HEAD" || (request.idempotent && !request.source);
  Request req = request;
  // Bytes the sink holds already: those the caller asked to skip
  // (request.offset), then those delivered by earlier attempts.
  uint64_t total_delivered = request.offset;
  // A sink that refuses bytes is the caller's own failure (a consumer that
  // stopped, a disk that filled): final, never retried, never annotated as
  // this request's — another attempt would only be refused again, and a
  // "gave up" note would stop the caller's own retry of its consumer.
  bool sink_failed = false;
  BodySink guarded;
  if (sink)
    guarded = [&](const char* data, size_t n) {
      Status s = sink(data, n);
      if (!s.ok()) sink_failed = true;
      return s;
    };
  for (int redirects = 0;; ++redirects) {
    if (redirects > 10) return Unavailable(req.method + " " + RedactUrl(request.url) + ": too many redirects");
    // The origin keys the per-registry waits; it is worked out (a URL parse)
    // only once some registry has asked for a wait or this request failed,
    // not on every request.
    std::string origin;
    auto origin_of = [&]() -> const std::string& {
      if (origin.empty()) origin = Origin(req.url);
      return origin;
    };
    const std::string where = req.method + " " + RedactUrl(req.url);
    const int max_retries = req.max_attempts > 0 ? req.max_attempts - 1 : retry_.options().retries;
    Result<Response> resp = Internal("no attempt made");
    for (int retries = 0;; ++retries) {
      MK_RETURN_IF_ERROR(retry_.BeforeAttempt(retry_.AnyWaits() ? origin_of() : origin, where));
      uint64_t delivered = 0;
      bool body_read = false;
      resp = Once(req, guarded, total_delivered, &delivered, &body_read);
      if (sink_failed) return resp;
      // A resumed GET must answer 206 from the right offset, else start over
      // is impossible (the sink has the first bytes already).
      if (resp.ok() && total_delivered > 0 && resp->status >= 200 && resp->status < 300) {
        if (resp->status != 206 || !ResumesAt(*resp, total_delivered))
          return Unavailable(where + ": server did not resume at byte " + std::to_string(total_delivered));
      }
      total_delivered += delivered;
      const bool transient = !resp.ok() ? resp.status().code() == Code::kUnavailable : Retryable(resp->status);
      if (!transient || Interrupted()) break;
      // An upload whose body never left its source failed before the
      // server saw it (a connection that died in the pool): safe to send.
      const bool unsent_upload = req.source && !body_read && !resp.ok();
      if (!retryable_method && !unsent_upload) break;
      std::optional<std::chrono::milliseconds> retry_after;
      if (resp.ok())
        if (auto ra = resp->Header("Retry-After")) retry_after = ParseRetryAfter(*ra, std::chrono::system_clock::now());
      RetryPolicy::Decision next = retry_.AfterFailure(origin_of(), retries, retry_after, max_retries);
      Status slept = next.retry ? retry_.Sleep(next.delay, where) : Status::Ok();
      if (slept.code() == Code::kCancelled) return slept;
      if (!next.retry || !slept.ok()) {
        std::string note = next.retry ? retry_.DeadlineMessage() : next.reason;
        if (!resp.ok()) return WithNote(resp.status(), note);
        resp->retry_note = note;
        break;
      }
    }
    if (!resp.ok()) return resp;
    long s = resp->status;
    if (!req.follow_redirects || !(s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) return resp;
    auto location = resp->Header("Location");
    if (!location || location->empty()) return resp;
    MK_ASSIGN_OR_RETURN(req, FollowRedirect(req, s, *location));
  }
}

}  // namespace mk::http
