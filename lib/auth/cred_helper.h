// Docker credential helpers: `docker-credential-NAME get`, as docker, podman
// and skopeo run them for the credHelpers and credsStore of an auth file
// (auth_file.h says which helper is asked when). The protocol
// (github.com/docker/docker-credential-helpers): the server URL on stdin,
// one JSON object {"ServerURL", "Username", "Secret"} on stdout, exit 0. A
// helper that has nothing for the server exits non-zero and prints
// "credentials not found in native keychain": that is no credential (an
// anonymous pull), not an error. A Username of "<token>" means Secret is an
// identity token (an OAuth2 refresh token), as containers/image reads it.
//
// The helper is found on PATH (never a shell, never a path from the file:
// a NAME with '/' is refused). Its output may hold a secret, so no message
// here quotes it; its stderr is the user's, as from a shell. Bounded: at
// most max_output bytes read, killed after timeout. Stateless; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "base/status.h"

namespace mk::auth {

struct HelperOptions {
  std::chrono::milliseconds timeout{30000};
  size_t max_output = 64 << 10;
  // ':'-separated directories searched for docker-credential-NAME; empty:
  // $PATH (a seam for tests).
  std::string search_path;
};

struct HelperAnswer {
  std::string username;        // empty when identity_token is set
  std::string secret;          // the password
  std::string identity_token;  // Username "<token>": Secret is a refresh token
};

// A helper name is what follows "docker-credential-": non-empty, no '/',
// no NUL, not "." or "..".
bool ValidHelperName(const std::string& name);

// The executable docker-credential-NAME in the search path. NotFound with
// "docker-credential-NAME not found on PATH (WHY)" when there is none.
Result<std::string> FindHelper(const std::string& name, const std::string& why, const HelperOptions& options);

// Runs `docker-credential-NAME get` with server on stdin. nullopt: the
// helper has no credentials for server. why ("credHelpers for HOST in FILE")
// ends every error message, which names the helper and the server but
// never its output.
Result<std::optional<HelperAnswer>> RunHelperGet(const std::string& name, const std::string& server,
                                                 const std::string& why, const HelperOptions& options);

// Reads a helper's stdout (exposed for tests). Errors never quote it.
Result<HelperAnswer> ParseHelperOutput(const std::string& out, const std::string& helper);

}  // namespace mk::auth
