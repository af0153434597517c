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
// Secrets never appear in any message this module returns. An AuthStore is
// immutable after Load and safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

  // The credential for a repository "domain/path" (or a bare domain).
  std::optional<Credential> Lookup(std::string_view domain, std::string_view path) const;
  // The files that were read, for --verbose diagnostics.
  const std::vector<std::string>& sources() const { return sources_; }

 private:
  struct Entry {
    size_t file;      // index into sources_: lower is searched first
    std::string key;  // normalized: host[:port][/path]
    Credential cred;
  };
  std::vector<Entry> entries_;
  std::vector<std::string> sources_;
};

// Normalizes an auths key: drops a URL scheme and a trailing "/v1/"-style
// suffix, maps Docker Hub's aliases to docker.io.
std::string NormalizeAuthKey(std::string_view key);

// The default search list, given the environment (for tests).
std::vector<std::string> DefaultAuthFiles();

}  // namespace mk::auth
