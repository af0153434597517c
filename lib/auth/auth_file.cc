#include "auth/auth_file.h"

#include <cstdlib>
#include <mutex>

#include "base/atomic_file.h"
#include "base/base64.h"
#include "base/strings.h"
#include "json/value.h"

namespace mk::auth {

std::string NormalizeAuthKey(std::string_view key) {
  std::string_view k = Trim(key);
  for (std::string_view scheme : {"https://", "http://"})
    if (k.size() >= scheme.size() && EqualsIgnoreCase(k.substr(0, scheme.size()), scheme))
      k.remove_prefix(scheme.size());
  while (!k.empty() && k.back() == '/') k.remove_suffix(1);
  for (std::string_view suffix : {"/v1", "/v2"})
    if (k.size() > suffix.size() && k.substr(k.size() - suffix.size()) == suffix) k.remove_suffix(suffix.size());
  // "r.io//v1" leaves "r.io/": a key no lookup could match (found by
  // tests/fuzz/auth_file_fuzz.cc).
  while (!k.empty() && k.back() == '/') k.remove_suffix(1);
  std::string out(k);
  size_t slash = out.find('/');
  std::string host = ToLower(out.substr(0, slash));
  std::string rest = slash == std::string::npos ? "" : out.substr(slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  return host + rest;
}

std::vector<std::string> DefaultAuthFiles() {
  std::vector<std::string> files;
  if (const char* f = std::getenv("REGISTRY_AUTH_FILE"); f && *f) files.emplace_back(f);
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x)
    files.push_back(std::string(x) + "/containers/auth.json");
  if (const char* h = std::getenv("HOME"); h && *h) files.push_back(std::string(h) + "/.docker/config.json");
  return files;
}

Result<AuthStore> AuthStore::Parse(std::string_view content, const std::string& source) {
  auto doc = json::Value::Parse(content);
  if (!doc.ok()) return InvalidArgument(source + ": " + doc.status().message());
  if (!doc->is_object()) return InvalidArgument(source + ": not a JSON object");
  AuthStore store;
  store.sources_.push_back(source);
  if (const json::Value* helpers = doc->Find("credHelpers"); helpers && !helpers->is_null()) {
    if (!helpers->is_object()) return InvalidArgument(source + ": \"credHelpers\" is not an object");
    for (const auto& [key, name] : helpers->members()) {
      std::string where = source + ": credHelpers[" + Quote(key) + "]";
      if (!name.is_string()) return InvalidArgument(where + " is not a string");
      if (!ValidHelperName(name.as_string())) return InvalidArgument(where + " is not a credential helper name");
      store.helpers_.push_back({0, NormalizeAuthKey(key), name.as_string()});
    }
  }
  if (const json::Value* def = doc->Find("credsStore"); def && !def->is_null()) {
    if (!def->is_string()) return InvalidArgument(source + ": \"credsStore\" is not a string");
    // docker writes "credsStore": "" to mean none.
    if (!def->as_string().empty()) {
      if (!ValidHelperName(def->as_string()))
        return InvalidArgument(source + ": \"credsStore\" is not a credential helper name");
      store.helpers_.push_back({0, "", def->as_string()});
    }
  }
  const json::Value* auths = doc->Find("auths");
  if (!auths) return store;  // a docker config with only credHelpers, say
  if (!auths->is_object()) return InvalidArgument(source + ": \"auths\" is not an object");
  for (const auto& [key, entry] : auths->members()) {
    std::string where = source + ": auths[" + Quote(key) + "]";
    if (!entry.is_object()) return InvalidArgument(where + " is not an object");
    // A credential field of another type would otherwise be skipped without
    // a word, and the registry's 401 would be the first sign of it.
    for (const char* field : {"auth", "username", "password", "identitytoken"})
      if (const json::Value* v = entry.Find(field); v && !v->is_string() && !v->is_null())
        return InvalidArgument(where + "." + field + " is not a string");
    Credential c;
    if (auto a = entry.GetString("auth"); a && !a->empty()) {
      auto decoded = Base64Decode(*a);
      if (!decoded.ok()) return InvalidArgument(where + ".auth is not valid base64");
      size_t colon = decoded->find(':');
      if (colon == std::string::npos) return InvalidArgument(where + ".auth does not decode to user:password");
      c.username = decoded->substr(0, colon);
      c.password = decoded->substr(colon + 1);
    } else {
      c.username = entry.GetString("username").value_or("");
      c.password = entry.GetString("password").value_or("");
    }
    c.identity_token = entry.GetString("identitytoken").value_or("");
    if (c.empty()) continue;
    store.entries_.push_back({0, NormalizeAuthKey(key), std::move(c)});
  }
  return store;
}

Result<AuthStore> AuthStore::Load(const std::string& explicit_path) {
  std::vector<std::string> files;
  bool must_exist = !explicit_path.empty();
  if (must_exist)
    files.push_back(explicit_path);
  else
    files = DefaultAuthFiles();
  AuthStore all;
  for (const auto& path : files) {
    auto content = ReadFileLimited(path, 16 << 20);
    if (!content.ok()) {
      if (!must_exist && content.status().code() == Code::kNotFound) continue;
      return Status(content.status().code(), "registry config: " + content.status().message());
    }
    MK_ASSIGN_OR_RETURN(AuthStore one, Parse(*content, path));
    size_t index = all.sources_.size();
    all.sources_.push_back(path);
    for (auto& e : one.entries_) {
      e.file = index;
      all.entries_.push_back(std::move(e));
    }
    for (auto& h : one.helpers_) {
      h.file = index;
      all.helpers_.push_back(std::move(h));
    }
  }
  return all;
}

struct AuthStore::HelperCache {
  // One slot per (helper, registry): the first caller runs the helper while
  // holding the slot's lock, the others wait for its answer, so copy
  // workers asking at once still run it once.
  struct Slot {
    std::mutex mu;
    std::optional<Result<std::optional<Credential>>> answer;
  };
  std::mutex mu;
  HelperOptions options;
  std::map<std::string, std::shared_ptr<Slot>> slots;
};

std::shared_ptr<AuthStore::HelperCache> AuthStore::NewCache() { return std::make_shared<HelperCache>(); }

void AuthStore::SetHelperOptions(const HelperOptions& options) {
  std::lock_guard<std::mutex> lock(cache_->mu);
  cache_->options = options;
}

Result<std::optional<Credential>> AuthStore::AskHelper(const HelperRule& rule, const std::string& host) const {
  std::shared_ptr<HelperCache::Slot> slot;
  HelperOptions options;
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    auto& s = cache_->slots[rule.name + '\n' + host];
    if (!s) s = std::make_shared<HelperCache::Slot>();
    slot = s;
    options = cache_->options;
  }
  std::lock_guard<std::mutex> lock(slot->mu);
  if (!slot->answer) {
    const std::string why =
        (rule.host.empty() ? "credsStore" : "credHelpers for " + host) + " in " + sources_[rule.file];
    // The server URL as containers/image passes it: the registry's host[:port].
    auto got = RunHelperGet(rule.name, host, why, options);
    if (!got.ok()) {
      slot->answer = Result<std::optional<Credential>>(got.status());
    } else if (!got->has_value()) {
      slot->answer = Result<std::optional<Credential>>(std::optional<Credential>());
    } else {
      Credential c;
      c.username = std::move((*got)->username);
      c.password = std::move((*got)->secret);
      c.identity_token = std::move((*got)->identity_token);
      slot->answer = Result<std::optional<Credential>>(std::optional<Credential>(std::move(c)));
    }
  }
  return *slot->answer;
}

Result<std::optional<Credential>> AuthStore::Resolve(std::string_view domain, std::string_view path) const {
  std::string host = ToLower(domain);
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  std::string repo = host;
  if (!path.empty()) repo += "/" + std::string(path);
  for (size_t file = 0; file < sources_.size(); ++file) {
    const HelperRule* rule = nullptr;
    for (const auto& h : helpers_)
      if (h.file == file && !h.host.empty() && h.host == host) rule = &h;
    if (rule) {
      MK_ASSIGN_OR_RETURN(std::optional<Credential> c, AskHelper(*rule, host));
      if (c) return c;
      continue;  // nothing stored: the next file may have some
    }
    const Entry* best = nullptr;
    for (const auto& e : entries_) {
      if (e.file != file) continue;
      // The key must equal the repository or be a prefix of it ending at '/'.
      bool match = e.key == repo || (repo.size() > e.key.size() && repo.compare(0, e.key.size(), e.key) == 0 &&
                                     repo[e.key.size()] == '/');
      if (match && (!best || e.key.size() > best->key.size())) best = &e;
    }
    if (best) return std::optional<Credential>(best->cred);
  }
  for (const auto& h : helpers_)
    if (h.host.empty()) return AskHelper(h, host);  // the first file's credsStore
  return std::optional<Credential>();
}

std::optional<Credential> AuthStore::Lookup(std::string_view domain, std::string_view path) const {
  auto c = Resolve(domain, path);
  if (!c.ok()) return std::nullopt;
  return *c;
}

}  // namespace mk::auth
