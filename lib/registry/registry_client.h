// RegistryClient: the Docker Registry HTTP API V2 / OCI distribution spec for
// one registry host (scheme, authentication and all endpoints we use).
//
// The first request pings /v2/ to learn the scheme (https; for a registry
// the user named --insecure, https without verification and then plain
// http) and the authentication challenge. Every call names its repository so
// the right token scope is asked for; cross-repository mounts ask for pull on
// the source repository too. Blob bodies stream through a sink and are never
// held in memory; verification of digests is the caller's (store/) job, so
// that every store verifies the same way.
//
// Credentials go only to the origin they were issued for: a `Location` (upload
// session, mount cancel, pagination) that names another scheme://host:port is
// followed without Authorization, and one that drops from https to plain http
// is refused unless the registry was named --insecure (a TLS-terminating
// proxy that hands out its backend's http:// address must not get the
// password in cleartext).
//
// Thread-safe: one client per host is shared by all workers. The transport
// and the auth store must outlive it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "base/status.h"
#include "digest/digest.h"
#include "http/challenge.h"
#include "http/transport.h"
#include "oci/manifest.h"
#include "registry/token_cache.h"

namespace mk::registry {

struct RegistryOptions {
  bool insecure = false;              // skip TLS verification / allow http
  uint64_t chunk_size = 64ull << 20;  // blobs larger than this upload in PATCH chunks
};

class RegistryClient {
 public:
  RegistryClient(std::string host, http::Transport& client, const auth::AuthStore& auth, RegistryOptions options);

  const std::string& host() const { return host_; }

  // GET a manifest by tag or digest; the result's digest is the sha256 of
  // the bytes. When ref is a digest the bytes must match it.
  Result<oci::Manifest> GetManifest(const std::string& repo, const std::string& ref);
  // HEAD a manifest: its digest, or nullopt when it does not exist; its
  // Content-Type into media_type when asked.
  Result<std::optional<Digest>> HeadManifest(const std::string& repo, const std::string& ref,
                                             std::string* media_type = nullptr);
  // PUT a manifest's exact bytes under a tag or its digest.
  Status PutManifest(const std::string& repo, const std::string& ref, const oci::Manifest& manifest);

  Result<bool> HasBlob(const std::string& repo, const Digest& digest);
  // Streams the blob's bytes (unverified) to sink, from byte offset on (a
  // Range request; a registry that ignores Range fails the call).
  Status GetBlob(const std::string& repo, const Digest& digest, const http::BodySink& sink, uint64_t offset = 0);
  // Uploads size bytes from source as digest: one POST then a monolithic PUT,
  // or PATCH chunks then a closing PUT when size exceeds the chunk size.
  Status PushBlob(const std::string& repo, const Digest& digest, uint64_t size, const http::BodySource& source);
  // Cross-repository mount; false when the registry started an upload
  // instead (the session is cancelled) or refused.
  Result<bool> MountBlob(const std::string& repo, const Digest& digest, const std::string& from_repo);

  // All tags, following Link pagination (bounded to 1000 pages); page_size
  // > 0 asks for pages of that many (`?n=`), else the registry's default.
  Result<std::vector<std::string>> ListTags(const std::string& repo, int page_size = 0);
  // Every repository the registry lists (GET /v2/_catalog, paginated the
  // same way). Registries may limit the catalog to administrators.
  Result<std::vector<std::string>> ListRepositories(int page_size = 0);
  // DELETE a manifest by digest (the registry drops every tag naming it in
  // repo; its blobs stay until the registry's garbage collection). A 404 is
  // kNotFound; a registry that does not allow deleting (docker-registry
  // without storage.delete.enabled: 405) is kUnsupported, saying so.
  Status DeleteManifest(const std::string& repo, const Digest& digest);

 private:
  struct Call {
    std::vector<Scope> scopes;
    std::string what;  // for messages: "manifest quay.io/a/b:tag"
  };
  Status Ping();
  Result<http::Response> Send(http::Request req, const Call& call, const http::BodySink& sink = {});
  Status ErrorFor(const http::Response& resp, const Call& call) const;
  // The strings of list key in every page from url on (Link pagination,
  // bounded to 1000 pages): tags/list and _catalog.
  Result<std::vector<std::string>> ListPages(std::string url, const char* key, const Call& call);
  // A Location header's URL, resolved against the registry; refused when it
  // drops to plain http from a TLS registry not named --insecure.
  Result<std::string> FollowLocation(const http::Response& resp, const std::string& location, const Call& call) const;
  std::optional<http::Challenge> CurrentChallenge();

  std::string host_;
  http::Transport& client_;
  const auth::AuthStore& auth_;
  RegistryOptions options_;
  TokenCache tokens_;

  std::mutex ping_mu_;  // held for the whole first ping
  bool pinged_ = false;
  std::string base_url_;     // set once by Ping, read-only after
  std::string base_origin_;  // http::Origin of base_url_, likewise
  bool verify_tls_ = true;
  std::mutex challenge_mu_;  // a 401 with a new challenge replaces it while others read it
  std::optional<http::Challenge> challenge_;
};

}  // namespace mk::registry
