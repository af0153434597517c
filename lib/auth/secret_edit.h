// Editing pull secrets and auth files: the mirror procedure's step 3.3.3
// (add an `auths` entry for the mirror registry to the pull secret), as pure
// functions on a json::Value. The document is
//
//   {"auths": {KEY: {"auth": base64(user ":" password), "email": ...}
//                   | {"username", "password"} | {"identitytoken"}}, ...}
//
// with KEY a registry, host[:port], or a repository prefix
// ("quay.io/org/repo"), as containers-auth.json(5) allows. Two keys name the
// same registry when NormalizeAuthKey makes them equal (case, a scheme and a
// "/v1/" suffix aside); an entry is replaced in place, keeping its position
// and its key as written, so a pull secret written back keeps its keys in the
// order the user had them and a new registry goes last.
//
// No I/O: callers read the files and the password and write the result.
// Messages name the file and the `auths` key, never a password, an `auth`
// value or a token. Functions are pure and thread-safe on distinct values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace mk::auth {

// The `auth` field: base64(user ":" password), as
// `echo -n 'user:password' | base64 -w0` writes it.
std::string EncodeAuth(std::string_view username, std::string_view password);

// A registry name given on the command line (--registry, --remove):
//   registry := host [":" port] ["/" path-component]*
// with the grammar of ref/reference.h; the host has a '.' or a port, is
// "localhost" or a bracketed IPv6 address. No scheme, tag or digest.
Status ValidateRegistryName(std::string_view registry);

// A user name for an `auth` field: not empty, no ':' (the first ':' ends the
// user name), no control characters. The message never quotes the name (it
// may be "user:password" typed by mistake).
Status ValidateUsername(std::string_view username);

// The password as read from standard input: one trailing newline removed;
// empty, several lines or a NUL byte refused.
Result<std::string> PasswordFromInput(std::string raw);

// Parses and validates a pull secret, containers auth.json or docker
// config.json; source (a path, "standard input") names it in messages.
// Checks: a JSON object with an `auths` object (or, for a docker config, at
// least credHelpers or credsStore; or nothing at all: {}), each entry an
// object, `auth` valid base64 of user:password, the other credential fields
// strings. Unknown fields are kept.
Result<json::Value> ParsePullSecret(std::string_view content, const std::string& source);

// Credentials for one registry.
struct NewCredential {
  std::string registry;  // validated with ValidateRegistryName
  std::string username;
  std::string password;
  std::string email;  // empty: keep the email of the entry replaced, if any
};

// One document to merge: its auths entries go over the edited one.
struct MergeSource {
  std::string source;  // for messages
  json::Value doc;     // from ParsePullSecret
};

// What to do, in this order: merge every `merge` document (the later wins;
// with no_overwrite an entry that is already there stays), set `add`, remove
// every `remove` registry.
struct EditOptions {
  std::string source;  // names the edited document in messages
  std::vector<MergeSource> merge;
  std::optional<NewCredential> add;
  // The add is a pull-only account for the cluster's install pull secret:
  // every other entry for the same host:port, the bare host:port or any
  // repository prefix under it, is dropped so that no write credential for
  // the mirror stays behind (a longer prefix would win over the added entry).
  bool for_install = false;
  bool no_overwrite = false;  // applies to `merge` and `add`
  std::vector<std::string> remove;
};

struct EditReport {
  bool added = false;              // `add` was written (a new or replaced entry)
  std::vector<std::string> notes;  // for stderr: entries kept, skipped, dropped
};

// Applies options to doc (from ParsePullSecret). Fails, leaving doc in an
// unspecified state, when a registry to remove has no entry.
Result<EditReport> EditPullSecret(json::Value& doc, const EditOptions& options);

// Sets the entry for cred.registry: {"auth": EncodeAuth(..), "email": ..}.
// Other fields of a replaced entry (username, password, identitytoken) go:
// they would compete with the new `auth`. Returns the key written (an
// existing key naming the registry, else cred.registry), or nullopt when
// no_overwrite kept an existing entry.
std::optional<std::string> SetCredential(json::Value& doc, const NewCredential& cred, bool no_overwrite,
                                         std::vector<std::string>* notes);

// Merges from's auths entries into doc. Entries without any credential (a
// docker config that keeps them in a credential helper) are skipped.
void MergeAuths(json::Value& doc, const MergeSource& from, bool no_overwrite, std::vector<std::string>* notes);

// Removes every entry naming registry; NotFound when there is none.
Status RemoveRegistry(json::Value& doc, std::string_view registry, const std::string& source);

// Drops every entry whose key has the same host:port as registry (whatever
// its repository prefix) except the key keep.
void DropOtherEntriesForHost(json::Value& doc, std::string_view registry, std::string_view keep,
                             std::vector<std::string>* notes);

// The entries, for --list: the key as written and the user name (from
// `auth`, else `username`; empty for a token or a credential helper).
struct AuthEntryInfo {
  std::string registry;
  std::string username;
};
std::vector<AuthEntryInfo> ListEntries(const json::Value& doc);
// {"kind":"auth","registry":..,"username":..}: never a secret.
json::Value EntryRecord(const AuthEntryInfo& entry);

}  // namespace mk::auth
