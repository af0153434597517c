// Fuzz target: registry auth files (lib/auth AuthStore::Parse), pull
// secrets and containers-auth.json(5) files a user hands us.
//
// Properties: an error is one bounded line and never holds a secret (no
// password, identity token, auth field or its decoding from the document);
// a file that parses finds a credential for each of its non-empty entries,
// under that entry's normalized key, and when keys are distinct it is the
// entry's own credential; lookups of any host and path never crash.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "base/base64.h"
#include "base/strings.h"
#include "fuzz_check.h"
#include "json/value.h"

namespace {

using mk::auth::AuthStore;
using mk::auth::Credential;

// Every string under a secret-bearing key, and base64 decodings, anywhere
// in the document: the error must hold none of them.
void CollectSecrets(const mk::json::Value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.members()) {
      if (child.is_string() && (k == "password" || k == "auth" || k == "identitytoken" || k == "registrytoken")) {
        out.push_back(child.as_string());
        if (auto d = mk::Base64Decode(child.as_string()); d.ok()) {
          out.push_back(*d);
          if (size_t colon = d->find(':'); colon != std::string::npos) out.push_back(d->substr(colon + 1));
        }
      }
      CollectSecrets(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.items()) CollectSecrets(item, out);
  }
}

std::vector<std::string> secrets_of(const mk::json::Value& doc) {
  std::vector<std::string> out;
  CollectSecrets(doc, out);
  return out;
}

void CollectQuotedKeys(const mk::json::Value& v, std::string& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.members()) {
      out += mk::Quote(k) + "\n";
      CollectQuotedKeys(child, out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.items()) CollectQuotedKeys(item, out);
  }
}

// The fixed words of AuthStore::Parse's messages (lib/auth/auth_file.cc).
const std::string kMessageWords =
    ": not a JSON object\n\"auths\" is not an object\n]: auths[ is not an object\n.auth is not valid base64\n"
    ".auth does not decode to user:password\n.username is not a string\n.password is not a string\n"
    ".identitytoken is not a string\n.auth is not a string\n\"credHelpers\" is not an object\n]: credHelpers[ is not a "
    "string\n is not a credential helper name\n\"credsStore\" is not a string\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view content(reinterpret_cast<const char*>(data), size);
  auto store = AuthStore::Parse(content, "auth.json");
  auto doc = mk::json::Value::Parse(content);
  if (!store.ok()) {
    const std::string& m = store.status().message();
    FUZZ_CHECK(m.find('\n') == std::string::npos && m.size() < 2048, m);
    FUZZ_CHECK(m.rfind("auth.json", 0) == 0, m);  // names the file first
    if (doc.ok()) {
      // What an error may hold that is not a secret: the file's name, the
      // entry's key (quoted) and the messages' own words. A secret that is
      // a substring of these is no leak (a key "indeDp5" holds the secret
      // "eDp5" of another entry by chance).
      std::string allowed = "auth.json";
      CollectQuotedKeys(*doc, allowed);
      for (const auto& s : secrets_of(*doc))
        if (s.size() >= 6 && allowed.find(s) == std::string::npos && kMessageWords.find(s) == std::string::npos)
          FUZZ_CHECK(m.find(s) == std::string::npos, "a secret in the error: " + m);
    }
    return 0;
  }
  FUZZ_CHECK(doc.ok(), "parsed an auth file that is not JSON");
  // Never a real docker-credential-* of this machine's PATH.
  mk::auth::HelperOptions no_helpers;
  no_helpers.search_path = "/nonexistent/mirrorkit-fuzz";
  store->SetHelperOptions(no_helpers);
  const mk::json::Value* auths = doc->Find("auths");
  if (!auths) return 0;
  // Normalized key -> the entry's credential, when the key is unique.
  std::map<std::string, std::vector<Credential>> by_key;
  for (const auto& [key, entry] : auths->members()) {
    Credential c;
    if (auto a = entry.GetString("auth"); a && !a->empty()) {
      auto decoded = mk::Base64Decode(*a);
      FUZZ_CHECK(decoded.ok(), "a bad auth field was accepted");
      size_t colon = decoded->find(':');
      FUZZ_CHECK(colon != std::string::npos, "an auth field without ':' was accepted");
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    } else {
      c.username = entry.GetString("username").value_or("");
      c.password = entry.GetString("password").value_or("");
    }
    c.identity_token = entry.GetString("identitytoken").value_or("");
    if (c.empty()) continue;
    by_key[mk::auth::NormalizeAuthKey(key)].push_back(c);
  }
  // A registry with a credHelpers entry asks its helper instead of auths
  // (containers/image's order); there is no such helper here.
  std::set<std::string> helper_hosts;
  if (const mk::json::Value* helpers = doc->Find("credHelpers"); helpers && helpers->is_object())
    for (const auto& [key, name] : helpers->members()) helper_hosts.insert(mk::auth::NormalizeAuthKey(key));
  for (const auto& [key, creds] : by_key) {
    size_t slash = key.find('/');
    std::string host = key.substr(0, slash);
    std::string path = slash == std::string::npos ? "" : key.substr(slash + 1);
    if (helper_hosts.count(host)) continue;
    auto found = store->Lookup(host, path);
    FUZZ_CHECK(found.has_value(), "no credential for key " + key);
    if (creds.size() == 1) {
      FUZZ_CHECK(found->username == creds[0].username && found->password == creds[0].password &&
                     found->identity_token == creds[0].identity_token,
                 "another entry's credential for key " + key);
    }
    // A repository below the key inherits it (or a longer key's).
    FUZZ_CHECK(store->Lookup(host, path.empty() ? "fuzz/repo" : path + "/fuzz").has_value(), key);
  }
  (void)store->Lookup(content.substr(0, 64), content.substr(content.size() / 2));
  return 0;
}
