// Test support (header-only): an http::Transport whose server is a function
// of the test's, so that a hostile or broken registry is a few lines in a
// unit test. Every request is logged (method, URL, headers, body) for the
// test to inspect; a 2xx body goes to the sink as a real transport would.
// Thread-safe; the handler is called under the log's lock.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "base/strings.h"
#include "http/transport.h"

namespace mk::fixtures {

class FakeTransport : public http::Transport {
 public:
  using Handler = std::function<http::Response(const http::Request&)>;
  struct Seen {
    std::string method, url, body;
    http::Headers headers;
    bool Has(std::string_view name) const {
      for (const auto& h : headers)
        if (EqualsIgnoreCase(h.first, name)) return true;
      return false;
    }
  };

  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<http::Response> Do(const http::Request& request, const http::BodySink& sink = {}) override {
    std::lock_guard<std::mutex> lock(mu_);
    Seen seen{request.method, request.url, request.body, request.headers};
    if (request.source) {
      char buf[4096];
      for (int i = 0; i < 1 << 20; ++i) {
        auto n = request.source(buf, sizeof buf);
        if (!n.ok()) return n.status();
        if (*n == 0) break;
        seen.body.append(buf, *n);
      }
    }
    log_.push_back(seen);
    http::Response resp = handler_(request);
    resp.url = request.url;
    if (resp.status >= 200 && resp.status < 300 && sink) {
      MK_RETURN_IF_ERROR(sink(resp.body.data(), resp.body.size()));
      resp.body.clear();
    }
    return resp;
  }

  std::vector<Seen> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

  static http::Response Reply(long status, http::Headers headers = {}, std::string body = "") {
    http::Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return r;
  }

 private:
  Handler handler_;
  std::mutex mu_;
  std::vector<Seen> log_;
};

}  // namespace mk::fixtures
