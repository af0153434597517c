// Registry credentials from pull secrets, containers-auth.json(5) files and
// docker config.json: {"auths": {KEY: {"auth": base64(user:pass)} |
// {"username", "password"} | {"identitytoken"}}}.
//
// Where they come from, in order: the file named with -a/--registry-config
// (then only that file); else $REGISTRY_AUTH_FILE,
// ${XDG_RUNTIME_DIR}/containers/auth.json and ~/.docker/config.json, each
// file searched in turn, the first with a match winning. Within a file a key
// may be a host[:port] or a repository prefix ("quay.io/org/repo"); the
// longest matching repository prefix wins over the bare host. Keys written as
// URLs ("https://index.docker.io/v1/") are normalized.
//
// Credential helpers (cred_helper.h), as containers/image orders them: in
// each file in turn, a "credHelpers" entry for the registry (host[:port],
// exact) runs docker-credential-NAME and its answer is the file's (the
// file's "auths" are not read for that registry); else the file's "auths"
// entry. A helper with nothing stored sends the search on to the next file.
// Last, when no file had credentials, the "credsStore" helper of the first
// file naming one (docker's default helper; containers/image reads none,
// docker asks it before "auths": docker writes empty "auths" entries beside
// a credsStore, which this order skips). A helper runs at most once per
// registry for the life of the store: its answer, or its failure, is kept.
//
// Secrets never appear in any message this module returns. An AuthStore is
// immutable after Load (its helper cache aside, which is locked) and safe
// to share between threads; copies share the cache.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/cred_helper.h"
#include "base/status.h"

namespace mk::auth {

struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;  // OAuth2 refresh token, used for Bearer
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

class AuthStore {
 public:
  AuthStore() = default;
  // Loads the explicit file (which must exist) or the default search list
  // (missing files skipped).
  static Result<AuthStore> Load(const std::string& explicit_path);
  // Parses one file's content; source names it in errors.
  static Result<AuthStore> Parse(std::string_view content, const std::string& source);

  // The credential for a repository "domain/path" (or a bare domain):
  // nullopt for none (anonymous), an error when a credential helper failed
  // (it names the helper, the registry and the file).
  Result<std::optional<Credential>> Resolve(std::string_view domain, std::string_view path) const;
  // Resolve, with a helper's failure taken as no credential (for messages
  // that only ask whether there is one; the failure itself was reported by
  // Resolve).
  std::optional<Credential> Lookup(std::string_view domain, std::string_view path) const;
  // How helpers run (timeout, output limit, where they are looked for).
  void SetHelperOptions(const HelperOptions& options);
  // The files that were read, for --verbose diagnostics.
  const std::vector<std::string>& sources() const { return sources_; }

 private:
  struct Entry {
    size_t file;      // index into sources_: lower is searched first
    std::string key;  // normalized: host[:port][/path]
    Credential cred;
  };
  struct HelperRule {
    size_t file;       // as Entry::file
    std::string host;  // normalized credHelpers key; "" for the file's credsStore
    std::string name;  // NAME of docker-credential-NAME
  };
  struct HelperCache;  // auth_file.cc: the answers of helpers run so far
  Result<std::optional<Credential>> AskHelper(const HelperRule& rule, const std::string& host) const;

  std::vector<Entry> entries_;
  std::vector<HelperRule> helpers_;
  std::vector<std::string> sources_;
  std::shared_ptr<HelperCache> cache_ = NewCache();
  static std::shared_ptr<HelperCache> NewCache();
};

// Normalizes an auths key: drops a URL scheme and a trailing "/v1/"-style
// suffix, maps Docker Hub's aliases to docker.io.
std::string NormalizeAuthKey(std::string_view key);

// The default search list, given the environment (for tests).
std::vector<std::string> DefaultAuthFiles();

}  // namespace mk::auth
