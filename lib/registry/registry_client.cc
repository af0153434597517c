#include "registry/registry_client.h"

#include <chrono>
#include <optional>
#include <thread>

#include "base/signals.h"
#include "base/strings.h"
#include "json/value.h"
#include "oci/media_types.h"

namespace mk::registry {
namespace {

// How often a manifest PUT refused with DIGEST_INVALID is sent again
// (after 0.05, 0.2, 0.8 s): see PutManifest.
constexpr int kManifestRaceRetries = 3;

std::vector<Scope> Pull(const std::string& repo) { return {{repo, "pull"}}; }
std::vector<Scope> Push(const std::string& repo) { return {{repo, "pull,push"}}; }

// The first "errors[0]" of a registry error body, or null.
std::optional<json::Value> FirstRegistryError(const std::string& body) {
  auto doc = json::Value::Parse(body);
  if (!doc.ok()) return std::nullopt;
  const json::Value* errors = doc->Find("errors");
  if (!errors || !errors->is_array() || errors->items().empty()) return std::nullopt;
  return errors->items()[0];
}

// The first error of a registry error body, as "CODE: message".
std::string RegistryErrorText(const std::string& body) {
  auto first = FirstRegistryError(body);
  if (!first) return "";
  const json::Value& e = *first;
  std::string code = e.GetString("code").value_or("");
  std::string message = e.GetString("message").value_or("");
  std::string text = code.empty() ? message : code + (message.empty() ? "" : ": " + message);
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

}  // namespace

RegistryClient::RegistryClient(std::string host, http::Transport& client, const auth::AuthStore& auth,
                               RegistryOptions options)
    : host_(std::move(host)), client_(client), auth_(auth), options_(options), tokens_(client, !options.insecure) {}

Status RegistryClient::Ping() {
  std::lock_guard<std::mutex> lock(ping_mu_);
  if (pinged_) return Status::Ok();
  std::vector<std::pair<std::string, bool>> tries = {{"https://", true}};
  if (options_.insecure) tries = {{"https://", false}, {"http://", false}};
  Status last;
  for (const auto& [scheme, verify] : tries) {
    http::Request req;
    req.url = scheme + host_ + "/v2/";
    req.verify_tls = verify;
    // Probing https on an --insecure registry that speaks plain http fails
    // at the TLS hello: a protocol mismatch, not a transient error to retry
    // with backoff before http is tried.
    if (options_.insecure && scheme == std::string("https://")) req.max_attempts = 1;
    auto resp = client_.Do(req);
    if (!resp.ok()) {
      last = resp.status();
      continue;
    }
    if (resp->status == 401) {
      auto header = resp->Header("WWW-Authenticate");
      if (!header) return PermissionDenied(host_ + ": 401 without a WWW-Authenticate challenge");
      auto challenges = http::ParseChallenges(*header);
      if (!challenges.ok()) return challenges.status().WithContext(host_);
      // Prefer Bearer when both are offered.
      http::Challenge chosen = challenges->front();
      for (const auto& c : *challenges)
        if (c.scheme == "bearer") chosen = c;
      std::lock_guard<std::mutex> challenge_lock(challenge_mu_);
      challenge_ = std::move(chosen);
    } else if (resp->status == 400 && scheme == std::string("https://") && options_.insecure) {
      // A plain-HTTP server answered our TLS hello with a 400: try http.
      last = Unavailable(host_ + ": not speaking TLS");
      continue;
    } else if (resp->status != 200) {
      // A 5xx/429 the Client retried to the end is the registry being down
      // (transient); anything else says this is no registry we can use.
      const std::string what = host_ + ": /v2/ answered HTTP " + std::to_string(resp->status);
      if (!resp->retry_note.empty()) return Unavailable(what + " (" + resp->retry_note + ")");
      return Unsupported(what + "; is this a container registry?");
    }
    base_url_ = scheme + host_;
    base_origin_ = http::Origin(base_url_ + "/v2/");
    verify_tls_ = verify;
    pinged_ = true;
    return Status::Ok();
  }
  std::string hint = options_.insecure ? "" : " (for a registry without valid TLS, name it with --insecure)";
  return Status(last.code(), "cannot reach registry " + host_ + ": " + last.message() + hint);
}

Result<std::string> RegistryClient::FollowLocation(const http::Response& resp, const std::string& location,
                                                   const Call& call) const {
  // Relative to the request that answered (RFC 9110 section 10.2.2).
  auto url = http::ResolveUrl(resp.url.empty() ? base_url_ + "/v2/" : resp.url, location);
  if (!url.ok()) return Unavailable(call.what + ": registry gave a bad Location: " + url.status().message());
  return url;
}

std::optional<http::Challenge> RegistryClient::CurrentChallenge() {
  std::lock_guard<std::mutex> lock(challenge_mu_);
  return challenge_;
}

Result<http::Response> RegistryClient::Send(http::Request req, const Call& call, const http::BodySink& sink) {
  MK_RETURN_IF_ERROR(Ping());
  req.verify_tls = verify_tls_;
  req.allow_plain_http = options_.insecure;
  if (req.url.empty() || req.url[0] == '/') req.url = base_url_ + req.url;
  // Every URL the registry hands us (upload sessions, mounts, pagination)
  // comes through here: no plain http from a TLS registry unless the user
  // said --insecure, and credentials only for the registry's own origin.
  // One parse per request (this is every blob's path); the registry's own
  // origin was worked out once, by Ping.
  const std::string origin = http::Origin(req.url);
  const bool drops_tls = base_origin_.rfind("https://", 0) == 0 && origin.rfind("https://", 0) != 0;
  if (drops_tls && !options_.insecure)
    return PermissionDenied(call.what + ": registry " + host_ + " sent us to plain " + http::RedactUrl(req.url) +
                            "; refused (name the registry with --insecure to allow)");
  const bool own_origin = !origin.empty() && origin == base_origin_;
  // A credential helper that fails fails the call (never an anonymous try
  // that would end in a puzzling 401).
  MK_ASSIGN_OR_RETURN(std::optional<auth::Credential> cred,
                      auth_.Resolve(host_, call.scopes.empty() ? "" : call.scopes.front().repository));
  const bool replayable = !req.source;  // a streamed body cannot be sent twice
  for (int attempt = 0; attempt < 2; ++attempt) {
    http::Request r = req;
    std::optional<http::Challenge> challenge = CurrentChallenge();
    if (challenge && own_origin) {
      MK_ASSIGN_OR_RETURN(std::string authz, tokens_.Authorization(*challenge, call.scopes, cred, attempt > 0));
      if (!authz.empty()) r.headers.emplace_back("Authorization", std::move(authz));
    }
    MK_ASSIGN_OR_RETURN(http::Response resp, client_.Do(r, sink));
    if (resp.status != 401 || attempt > 0 || !replayable || !own_origin) return resp;
    // The registry refused: learn its (possibly new) challenge and retry once
    // with a fresh token.
    if (auto header = resp.Header("WWW-Authenticate")) {
      auto challenges = http::ParseChallenges(*header);
      if (challenges.ok()) {
        std::lock_guard<std::mutex> lock(challenge_mu_);
        challenge_ = challenges->front();
      }
    }
    if (!CurrentChallenge()) return resp;
  }
  return Internal("unreachable");
}

Status RegistryClient::ErrorFor(const http::Response& resp, const Call& call) const {
  std::string detail = RegistryErrorText(resp.body);
  std::string msg = call.what + ": HTTP " + std::to_string(resp.status) + (detail.empty() ? "" : " " + detail) +
                    (resp.retry_note.empty() ? "" : " (" + resp.retry_note + ")");
  switch (resp.status) {
    case 401: {
      // A valid login without the rights asked for (Bearer error
      // "insufficient_scope") is not a password problem.
      if (auto h = resp.Header("WWW-Authenticate"); h && h->find("insufficient_scope") != std::string::npos) {
        std::string actions = call.scopes.empty() ? "access" : call.scopes.front().actions;
        return PermissionDenied(msg + " (access denied: the credentials do not grant " + actions + ")");
      }
      bool have = auth_.Lookup(host_, call.scopes.empty() ? "" : call.scopes.front().repository).has_value();
      return PermissionDenied(msg + (have ? " (credentials refused)" : " (no credentials for " + host_ + ")"));
    }
    case 403:
      return PermissionDenied(msg + " (access denied)");
    case 404:
      return NotFound(msg);
    case 400:
    case 405:
    case 413:
    case 415:
      return InvalidArgument(msg);
    // The statuses a retry may change (http/client.h): transient.
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return Unavailable(msg);
    // The server will not do it (501 Not Implemented, 505 HTTP Version Not
    // Supported): no re-run changes that.
    case 501:
    case 505:
      return Unsupported(msg);
    default:
      // Other 5xx (507 out of space, 508, ...) need the registry's owner,
      // not a retry; an unexpected 2xx/3xx/4xx is a protocol problem.
      return Status(resp.status >= 500 ? Code::kInternal : Code::kInvalidArgument, msg);
  }
}

Result<oci::Manifest> RegistryClient::GetManifest(const std::string& repo, const std::string& ref) {
  Call call{Pull(repo), "manifest " + host_ + "/" + repo + (ref.find(':') != std::string::npos ? "@" : ":") + ref};
  http::Request req;
  req.url = "/v2/" + repo + "/manifests/" + ref;
  req.headers.emplace_back("Accept", oci::ManifestAcceptHeader());
  req.max_body = oci::kMaxManifestBytes;
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  if (resp.status != 200) return ErrorFor(resp, call);
  auto manifest = oci::Manifest::Parse(std::move(resp.body), resp.Header("Content-Type").value_or(""));
  if (!manifest.ok()) return manifest.status().WithContext(call.what);
  if (ref.find(':') != std::string::npos) {
    if (manifest->digest.str() != ref)
      return DataLoss(call.what + ": content does not match its digest (got " + manifest->digest.str() + ")");
  } else if (auto header = resp.Header("Docker-Content-Digest")) {
    auto d = Digest::Parse(*header);
    if (d.ok() && d->algorithm() == "sha256" && *d != manifest->digest)
      return DataLoss(call.what + ": registry says digest " + d->str() + " but the bytes hash to " +
                      manifest->digest.str());
  }
  return manifest;
}

Result<std::optional<Digest>> RegistryClient::HeadManifest(const std::string& repo, const std::string& ref,
                                                           std::string* media_type) {
  Call call{Pull(repo), "manifest " + host_ + "/" + repo + (ref.find(':') != std::string::npos ? "@" : ":") + ref};
  http::Request req;
  req.method = "HEAD";
  req.url = "/v2/" + repo + "/manifests/" + ref;
  req.headers.emplace_back("Accept", oci::ManifestAcceptHeader());
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  if (resp.status == 404) return std::optional<Digest>();
  if (resp.status != 200) return ErrorFor(resp, call);
  if (media_type) *media_type = resp.Header("Content-Type").value_or("");
  if (auto header = resp.Header("Docker-Content-Digest")) {
    auto d = Digest::Parse(*header);
    if (d.ok()) return std::optional<Digest>(*d);
  }
  // No digest header: fall back to GET, which hashes the bytes.
  MK_ASSIGN_OR_RETURN(oci::Manifest m, GetManifest(repo, ref));
  if (media_type) *media_type = m.media_type;
  return std::optional<Digest>(m.digest);
}

Status RegistryClient::PutManifest(const std::string& repo, const std::string& ref, const oci::Manifest& manifest) {
  Call call{Push(repo), "put manifest " + host_ + "/" + repo + (ref.find(':') != std::string::npos ? "@" : ":") + ref};
  http::Request req;
  req.method = "PUT";
  req.url = "/v2/" + repo + "/manifests/" + ref;
  req.headers.emplace_back("Content-Type", manifest.media_type);
  req.body = manifest.raw;
  req.idempotent = true;  // the same bytes under the same name: a repeat changes nothing
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  // docker/distribution's filesystem driver rewrites a blob's link file in
  // place (truncate, then write) each time any client commits that blob to
  // the repository; a manifest PUT that reads the link meanwhile sees an
  // empty digest and answers 400 DIGEST_INVALID. Parallel copies into one
  // repository (GNU parallel, several blob-copy processes) meet it; the
  // bytes we send hash to their digest, so the PUT is sent again, a few
  // times, after short pauses.
  for (int again = 0; again < kManifestRaceRetries && resp.status == 400 && !Interrupted(); ++again) {
    auto first = FirstRegistryError(resp.body);
    if (!first || first->GetString("code").value_or("") != "DIGEST_INVALID") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50) * (1 << (2 * again)));
    MK_ASSIGN_OR_RETURN(resp, Send(req, call));
  }
  if (resp.status != 201 && resp.status != 200 && resp.status != 202) return ErrorFor(resp, call);
  if (auto header = resp.Header("Docker-Content-Digest"))
    if (*header != manifest.digest.str())
      return DataLoss(call.what + ": registry stored digest " + *header + ", expected " + manifest.digest.str());
  return Status::Ok();
}

Result<bool> RegistryClient::HasBlob(const std::string& repo, const Digest& digest) {
  Call call{Pull(repo), "blob " + host_ + "/" + repo + "@" + digest.str()};
  http::Request req;
  req.method = "HEAD";
  req.url = "/v2/" + repo + "/blobs/" + digest.str();
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  if (resp.status == 200) return true;
  if (resp.status == 404) return false;
  return ErrorFor(resp, call);
}

Status RegistryClient::GetBlob(const std::string& repo, const Digest& digest, const http::BodySink& sink,
                               uint64_t offset) {
  Call call{Pull(repo), "blob " + host_ + "/" + repo + "@" + digest.str()};
  http::Request req;
  req.url = "/v2/" + repo + "/blobs/" + digest.str();
  req.offset = offset;
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call, sink));
  if (resp.status != 200 && resp.status != 206) return ErrorFor(resp, call);
  return Status::Ok();
}

Result<bool> RegistryClient::MountBlob(const std::string& repo, const Digest& digest, const std::string& from_repo) {
  Call call{{{repo, "pull,push"}, {from_repo, "pull"}},
            "mount " + digest.str() + " from " + from_repo + " into " + host_ + "/" + repo};
  http::Request req;
  req.method = "POST";
  req.url = "/v2/" + repo + "/blobs/uploads/?mount=" + http::QueryEscape(digest.str()) +
            "&from=" + http::QueryEscape(from_repo);
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  if (resp.status == 201) return true;
  if (resp.status == 202) {
    // The registry opened an upload session instead; close it politely.
    if (auto location = resp.Header("Location")) {
      http::Request del;
      del.method = "DELETE";
      Call cancel{Push(repo), "cancel upload"};
      if (auto url = FollowLocation(resp, *location, cancel); url.ok()) {
        del.url = *url;
        (void)Send(del, cancel);
      }
    }
    return false;
  }
  if (resp.status == 401 || resp.status == 403 || resp.status == 404) return false;
  return ErrorFor(resp, call);
}

Status RegistryClient::PushBlob(const std::string& repo, const Digest& digest, uint64_t size,
                                const http::BodySource& source) {
  Call call{Push(repo), "upload " + digest.str() + " to " + host_ + "/" + repo};
  http::Request start;
  start.method = "POST";
  start.url = "/v2/" + repo + "/blobs/uploads/";
  MK_ASSIGN_OR_RETURN(http::Response started, Send(start, call));
  if (started.status != 202) return ErrorFor(started, call);
  auto location = started.Header("Location");
  if (!location) return Unavailable(call.what + ": upload started without a Location");
  MK_ASSIGN_OR_RETURN(std::string url, FollowLocation(started, *location, call));
  auto with_digest = [&](const std::string& u) { return http::AppendQuery(u, "digest", digest.str()); };

  if (size <= options_.chunk_size) {
    http::Request put;
    put.method = "PUT";
    MK_ASSIGN_OR_RETURN(put.url, with_digest(url));
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    put.source = source;
    put.source_size = static_cast<int64_t>(size);
    MK_ASSIGN_OR_RETURN(http::Response done, Send(put, call));
    if (done.status != 201) return ErrorFor(done, call);
    return Status::Ok();
  }

  uint64_t offset = 0;
  while (offset < size) {
    uint64_t n = std::min<uint64_t>(options_.chunk_size, size - offset);
    uint64_t left = n;
    http::Request patch;
    patch.method = "PATCH";
    patch.url = url;
    patch.headers.emplace_back("Content-Type", "application/octet-stream");
    patch.headers.emplace_back("Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1));
    patch.source = [&left, &source](char* out, size_t cap) -> Result<size_t> {
      if (left == 0) return size_t{0};
      MK_ASSIGN_OR_RETURN(size_t got, source(out, static_cast<size_t>(std::min<uint64_t>(cap, left))));
      if (got == 0) return DataLoss("blob ended early");
      left -= got;
      return got;
    };
    patch.source_size = static_cast<int64_t>(n);
    MK_ASSIGN_OR_RETURN(http::Response resp, Send(patch, call));
    if (resp.status != 202) return ErrorFor(resp, call);
    if (auto next = resp.Header("Location")) {
      MK_ASSIGN_OR_RETURN(url, FollowLocation(resp, *next, call));
    }
    offset += n;
  }
  // Everything is sent; the source must now confirm the end (this is where
  // a digest mismatch upstream surfaces, before the upload is committed).
  char probe;
  MK_ASSIGN_OR_RETURN(size_t extra, source(&probe, 1));
  if (extra != 0) return DataLoss(call.what + ": blob is longer than its descriptor says");
  http::Request put;
  put.method = "PUT";
  MK_ASSIGN_OR_RETURN(put.url, with_digest(url));
  put.headers.emplace_back("Content-Type", "application/octet-stream");
  MK_ASSIGN_OR_RETURN(http::Response done, Send(put, call));
  if (done.status != 201) return ErrorFor(done, call);
  return Status::Ok();
}

Result<std::vector<std::string>> RegistryClient::ListTags(const std::string& repo, int page_size) {
  Call call{Pull(repo), "tags of " + host_ + "/" + repo};
  std::string url = "/v2/" + repo + "/tags/list";
  if (page_size > 0) url += "?n=" + std::to_string(page_size);
  return ListPages(url, "tags", call);
}

Result<std::vector<std::string>> RegistryClient::ListRepositories(int page_size) {
  // The catalog has no repository scope (a token server would want
  // "registry:catalog:*"); credentials for the host are used as they are.
  Call call{{}, "repository catalog of " + host_};
  std::string url = "/v2/_catalog";
  if (page_size > 0) url += "?n=" + std::to_string(page_size);
  return ListPages(url, "repositories", call);
}

Result<std::vector<std::string>> RegistryClient::ListPages(std::string url, const char* key, const Call& call) {
  std::vector<std::string> out;
  for (int page = 0; page < 1000; ++page) {
    http::Request req;
    req.url = url;
    MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
    if (resp.status != 200) return ErrorFor(resp, call);
    auto doc = json::Value::Parse(resp.body);
    if (!doc.ok()) return doc.status().WithContext(call.what);
    if (const json::Value* list = doc->Find(key); list && list->is_array())
      for (const auto& t : list->items())
        if (t.is_string()) out.push_back(t.as_string());
    // Link: </v2/repo/tags/list?n=100&last=x>; rel="next"
    auto link = resp.Header("Link");
    if (!link) return out;
    size_t lt = link->find('<'), gt = link->find('>');
    if (lt == std::string::npos || gt == std::string::npos || gt < lt ||
        link->find("rel=\"next\"") == std::string::npos)
      return out;
    MK_ASSIGN_OR_RETURN(url, FollowLocation(resp, link->substr(lt + 1, gt - lt - 1), call));
    if (http::Origin(url) != base_origin_) return Unavailable(call.what + ": pagination link leaves the registry");
  }
  return Unavailable(call.what + ": more than 1000 pages");
}

Status RegistryClient::DeleteManifest(const std::string& repo, const Digest& digest) {
  // docker/distribution asks for the "delete" action; other registries
  // take push rights: ask for all three, a token server grants its subset.
  Call call{{{repo, "pull,push,delete"}}, "delete manifest " + host_ + "/" + repo + "@" + digest.str()};
  http::Request req;
  req.method = "DELETE";
  req.url = "/v2/" + repo + "/manifests/" + digest.str();
  req.idempotent = true;  // deleting twice leaves the same state (a 404 the second time)
  MK_ASSIGN_OR_RETURN(http::Response resp, Send(req, call));
  if (resp.status == 202 || resp.status == 200 || resp.status == 204) return Status::Ok();
  if (resp.status == 405)
    return Unsupported(call.what +
                       ": HTTP 405: the registry does not allow deleting manifests (docker-registry: "
                       "set storage.delete.enabled: true in its configuration and restart it)");
  return ErrorFor(resp, call);
}

}  // namespace mk::registry
