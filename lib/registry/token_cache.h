// Registry authorization (Docker registry token authentication, "token.md"
// and "oauth.md"): answers the Authorization header for a set of scopes.
//
// A registry's /v2/ challenge says Basic or Bearer. For Bearer, a token is
// requested from the challenge's realm with service and one `scope` per
// repository ("repository:ocp4/release:pull,push"), using Basic credentials
// or, with an identity token, the OAuth2 refresh-token grant; tokens are
// cached per scope set until shortly before they expire. Thread-safe; the
// transport must outlive the cache.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "base/status.h"
#include "http/challenge.h"
#include "http/transport.h"
#include "http/url.h"

namespace mk::registry {

struct Scope {
  std::string repository;
  std::string actions;  // "pull" or "pull,push"
  std::string String() const { return "repository:" + repository + ":" + actions; }
};

class TokenCache {
 public:
  TokenCache(http::Transport& client, bool verify_tls) : client_(client), verify_tls_(verify_tls) {}

  // The header value ("Bearer …" or "Basic …"), or "" for anonymous access.
  // force: ignore a cached token (the registry just refused it).
  Result<std::string> Authorization(const http::Challenge& challenge, const std::vector<Scope>& scopes,
                                    const std::optional<auth::Credential>& cred, bool force);

 private:
  Result<std::string> FetchToken(const http::Challenge& challenge, const std::vector<Scope>& scopes,
                                 const std::optional<auth::Credential>& cred, int* expires_in);

  http::Transport& client_;
  bool verify_tls_;
  std::mutex mu_;
  struct Entry {
    std::string header;
    std::chrono::steady_clock::time_point expires;
  };
  std::map<std::string, Entry> cache_;
};

}  // namespace mk::registry
