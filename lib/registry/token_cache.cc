#include "registry/token_cache.h"

#include "base/base64.h"
#include "base/strings.h"
#include "json/value.h"

namespace mk::registry {

Result<std::string> TokenCache::FetchToken(const http::Challenge& ch, const std::vector<Scope>& scopes,
                                           const std::optional<auth::Credential>& cred, int* expires_in) {
  std::string realm = ch.Param("realm");
  if (realm.empty()) return PermissionDenied("bearer challenge without a realm");
  const std::string scheme = http::Scheme(realm);
  if (scheme != "https" && scheme != "http")
    return PermissionDenied("bearer realm is not an http(s) URL: " + http::RedactUrl(realm));
  // A registry reached over verified TLS must not downgrade our password to
  // plain HTTP through its challenge; --insecure registries may.
  bool sends_secret = cred && (!cred->identity_token.empty() || !cred->username.empty());
  if (sends_secret && verify_tls_ && scheme == "http")
    return PermissionDenied(
        "token realm " + http::RedactUrl(realm) +
        " is plain HTTP; refusing to send credentials there (name the registry with --insecure to allow)");
  std::string service = ch.Param("service");
  http::Request req;
  req.verify_tls = verify_tls_;
  std::string query;
  auto add = [&query](std::string_view k, std::string_view v) {
    query += query.empty() ? "" : "&";
    query += std::string(k) + "=" + http::QueryEscape(v);
  };
  if (cred && !cred->identity_token.empty()) {
    // OAuth2 refresh-token grant (docker's "oauth.md").
    req.method = "POST";
    req.url = realm;
    add("grant_type", "refresh_token");
    if (!service.empty()) add("service", service);
    add("client_id", "mirrorkit");
    add("refresh_token", cred->identity_token);
    std::string scope_list;
    for (const auto& s : scopes) scope_list += (scope_list.empty() ? "" : " ") + s.String();
    if (!scope_list.empty()) add("scope", scope_list);
    req.body = query;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  } else {
    // The realm may carry a query of its own: the URL routine appends.
    req.url = realm;
    if (!service.empty()) {
      MK_ASSIGN_OR_RETURN(req.url, http::AppendQuery(req.url, "service", service));
    }
    for (const auto& s : scopes) {
      MK_ASSIGN_OR_RETURN(req.url, http::AppendQuery(req.url, "scope", s.String()));
    }
    if (cred && !cred->username.empty())
      req.headers.emplace_back("Authorization", "Basic " + Base64Encode(cred->username + ":" + cred->password));
  }
  MK_ASSIGN_OR_RETURN(http::Response resp, client_.Do(req));
  if (resp.status == 401 || resp.status == 403)
    return PermissionDenied("token request to " + http::RedactUrl(realm) + " refused (HTTP " +
                            std::to_string(resp.status) + "): check the credentials");
  if (resp.status != 200)
    return Unavailable("token request to " + http::RedactUrl(realm) + " failed (HTTP " + std::to_string(resp.status) +
                       ")");
  auto doc = json::Value::Parse(resp.body);
  if (!doc.ok() || !doc->is_object())
    return Unavailable("token response from " + http::RedactUrl(realm) + " is not JSON");
  std::string token = doc->GetString("token").value_or(doc->GetString("access_token").value_or(""));
  if (token.empty()) return Unavailable("token response from " + http::RedactUrl(realm) + " has no token");
  *expires_in = static_cast<int>(doc->GetInt("expires_in").value_or(60));
  return "Bearer " + token;
}

Result<std::string> TokenCache::Authorization(const http::Challenge& ch, const std::vector<Scope>& scopes,
                                              const std::optional<auth::Credential>& cred, bool force) {
  if (ch.scheme == "basic") {
    if (!cred || cred->username.empty()) return std::string();
    return "Basic " + Base64Encode(cred->username + ":" + cred->password);
  }
  if (ch.scheme != "bearer") return Unsupported("unsupported authentication scheme " + Quote(ch.scheme));
  std::string key;
  for (const auto& s : scopes) key += s.String() + " ";
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (!force && it != cache_.end() && it->second.expires > now) return it->second.header;
  }
  int expires_in = 60;
  MK_ASSIGN_OR_RETURN(std::string header, FetchToken(ch, scopes, cred, &expires_in));
  // Renew a little early; the spec's minimum lifetime is 60 s.
  int life = std::max(expires_in, 60) - 10;
  std::lock_guard<std::mutex> lock(mu_);
  cache_[key] = Entry{header, now + std::chrono::seconds(life)};
  return header;
}

}  // namespace mk::registry
