#include "auth/secret_edit.h"

#include "auth/auth_file.h"
#include "base/base64.h"
#include "base/strings.h"
#include "records/records.h"

namespace mk::auth {
namespace {

// Fields that hold credentials or go with them; each must be a string.
constexpr std::string_view kStringFields[] = {"auth",          "username",      "password",
                                              "identitytoken", "registrytoken", "email"};

std::string Where(const std::string& source, std::string_view key) { return source + ": auths[" + Quote(key) + "]"; }

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool ValidDomainComponent(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!(IsAlnumLower(c) || (c >= 'A' && c <= 'Z') || c == '-')) return false;
  return true;
}

// path-component := alnum ( separator alnum )*, separator := "." | "_" | "__" | "-"+
bool ValidPathComponent(std::string_view c) {
  if (c.empty() || !IsAlnumLower(c.front()) || !IsAlnumLower(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (IsAlnumLower(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsAlnumLower(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    if (!(sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos))
      return false;
    i = j;
  }
  return true;
}

// The host[:port] of a normalized key.
std::string_view DomainOf(std::string_view normalized) { return normalized.substr(0, normalized.find('/')); }

// The keys of auths that name the same registry as normalized, in order.
std::vector<std::string> MatchingKeys(const json::Value& auths, const std::string& normalized) {
  std::vector<std::string> keys;
  for (const auto& [key, entry] : auths.members())
    if (NormalizeAuthKey(key) == normalized) keys.push_back(key);
  return keys;
}

json::Value& AuthsOf(json::Value& doc) {
  if (json::Value* auths = doc.Find("auths"); auths && auths->is_object()) return *auths;
  doc.Set("auths", json::Value::Object());
  return *doc.Find("auths");
}

bool HasCredential(const json::Value& entry) {
  for (std::string_view field : {"auth", "username", "password", "identitytoken", "registrytoken"})
    if (!entry.GetString(field).value_or("").empty()) return true;
  return false;
}

// Keeps the first of keys and removes the others, which name the same registry.
void DropDuplicates(json::Value& auths, const std::vector<std::string>& keys, std::vector<std::string>* notes) {
  for (size_t i = 1; i < keys.size(); ++i) {
    auths.Erase(keys[i]);
    if (notes)
      notes->push_back("removed auths[" + Quote(keys[i]) + "]: it names the same registry as auths[" + Quote(keys[0]) +
                       "]");
  }
}

Status ValidateEntry(const std::string& source, std::string_view key, const json::Value& entry) {
  std::string where = Where(source, key);
  if (key.empty()) return InvalidArgument(where + ": empty registry key");
  if (!entry.is_object()) return InvalidArgument(where + " is not an object");
  for (std::string_view field : kStringFields) {
    const json::Value* v = entry.Find(field);
    if (v && !v->is_string()) return InvalidArgument(where + "." + std::string(field) + " is not a string");
  }
  std::string auth = entry.GetString("auth").value_or("");
  if (auth.empty()) return Status::Ok();
  auto decoded = Base64Decode(auth);
  if (!decoded.ok()) return InvalidArgument(where + ".auth is not valid base64 (as `base64 -w0` writes it)");
  if (decoded->find(':') == std::string::npos) return InvalidArgument(where + ".auth does not decode to user:password");
  return Status::Ok();
}

}  // namespace

std::string EncodeAuth(std::string_view username, std::string_view password) {
  std::string plain;
  plain.reserve(username.size() + 1 + password.size());
  plain.append(username).append(":").append(password);
  std::string out = Base64Encode(plain);
  plain.assign(plain.size(), '\0');  // do not leave the password in freed memory
  return out;
}

Status ValidateRegistryName(std::string_view registry) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid registry " + Quote(registry) + ": " + why);
  };
  if (registry.empty()) return InvalidArgument("empty registry name");
  if (registry.find("://") != std::string_view::npos)
    return bad("give it without a scheme, as host[:port] (mirror.example.com:5000)");
  if (registry.find('@') != std::string_view::npos) return bad("a registry has no digest");
  size_t slash = registry.find('/');
  std::string_view domain = registry.substr(0, slash);
  std::string_view host = domain, port;
  bool has_port = false;
  bool bracketed = !domain.empty() && domain.front() == '[';
  if (bracketed) {
    size_t close = domain.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    host = domain.substr(0, close + 1);
    std::string_view inside = host.substr(1, host.size() - 2);
    if (inside.empty() || inside.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return bad("bad IPv6 address");
    std::string_view rest = domain.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad("unexpected text after ']'");
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else {
    size_t colon = domain.find(':');
    has_port = colon != std::string_view::npos;
    if (has_port) {
      host = domain.substr(0, colon);
      port = domain.substr(colon + 1);
    }
    if (host.empty()) return bad("no host");
    for (const auto& comp : Split(host, '.'))
      if (!ValidDomainComponent(comp)) return bad("bad host " + Quote(host));
    if (!has_port && host.find('.') == std::string_view::npos && host != "localhost")
      return bad("not a registry host (a registry name has a '.' or a ':port', or is localhost)");
  }
  if (has_port && (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
                   std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535))
    return bad("bad port " + Quote(port) + " (1-65535)");
  if (slash == std::string_view::npos) return Status::Ok();
  std::string_view path = registry.substr(slash + 1);
  if (path.find(':') != std::string_view::npos) return bad("an auths key names a registry or repository, not a tag");
  for (const auto& comp : Split(path, '/'))
    if (!ValidPathComponent(comp)) return bad("bad repository path component " + Quote(comp));
  return Status::Ok();
}

Status ValidateUsername(std::string_view username) {
  if (username.empty()) return InvalidArgument("empty user name");
  if (username.find(':') != std::string_view::npos)
    return InvalidArgument("the user name contains ':' (auth is user:password, split at the first ':')");
  for (char c : username)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return InvalidArgument("the user name contains a control character");
  return Status::Ok();
}

Result<std::string> PasswordFromInput(std::string raw) {
  if (!raw.empty() && raw.back() == '\n') raw.pop_back();
  if (raw.empty()) return InvalidArgument("the password on standard input is empty");
  if (raw.find('\n') != std::string::npos)
    return InvalidArgument("the password on standard input has more than one line");
  if (raw.find('\0') != std::string::npos) return InvalidArgument("the password on standard input holds a NUL byte");
  return raw;
}

Result<json::Value> ParsePullSecret(std::string_view content, const std::string& source) {
  if (Trim(content).empty()) return InvalidArgument(source + ": empty, not a pull secret");
  auto doc = json::Value::Parse(content);
  if (!doc.ok()) return InvalidArgument(source + ": " + doc.status().message());
  if (!doc->is_object()) return InvalidArgument(source + ": not a JSON object");
  const json::Value* auths = doc->Find("auths");
  if (!auths) {
    if (doc->size() == 0 || doc->Find("credHelpers") || doc->Find("credsStore")) return doc;
    return InvalidArgument(source + ": no \"auths\" object: not a pull secret or auth file");
  }
  if (!auths->is_object()) return InvalidArgument(source + ": \"auths\" is not an object");
  for (const auto& [key, entry] : auths->members()) MK_RETURN_IF_ERROR(ValidateEntry(source, key, entry));
  return doc;
}

std::optional<std::string> SetCredential(json::Value& doc, const NewCredential& cred, bool no_overwrite,
                                         std::vector<std::string>* notes) {
  json::Value& auths = AuthsOf(doc);
  std::vector<std::string> keys = MatchingKeys(auths, NormalizeAuthKey(cred.registry));
  if (!keys.empty() && no_overwrite) {
    if (notes) notes->push_back("kept auths[" + Quote(keys[0]) + "]: an entry is already there (--no-overwrite)");
    return std::nullopt;
  }
  json::Value entry = json::Value::Object();
  entry.Set("auth", json::Value::String(EncodeAuth(cred.username, cred.password)));
  std::string email = cred.email;
  if (email.empty() && !keys.empty()) email = auths.Find(keys[0])->GetString("email").value_or("");
  if (!email.empty()) entry.Set("email", json::Value::String(email));
  if (keys.empty()) {
    auths.Set(cred.registry, std::move(entry));
    return cred.registry;
  }
  auths.Set(keys[0], std::move(entry));
  DropDuplicates(auths, keys, notes);
  return keys[0];
}

void MergeAuths(json::Value& doc, const MergeSource& from, bool no_overwrite, std::vector<std::string>* notes) {
  const json::Value* from_auths = from.doc.Find("auths");
  if (!from_auths || !from_auths->is_object() || from_auths->size() == 0) {
    if (notes) notes->push_back(from.source + ": no auths entries to merge");
    return;
  }
  json::Value& auths = AuthsOf(doc);
  for (const auto& [key, entry] : from_auths->members()) {
    if (!HasCredential(entry)) {
      if (notes)
        notes->push_back(Where(from.source, key) + " holds no credentials (a credential helper's?); not merged");
      continue;
    }
    std::vector<std::string> keys = MatchingKeys(auths, NormalizeAuthKey(key));
    if (keys.empty()) {
      auths.Set(key, entry);
      continue;
    }
    if (no_overwrite) {
      if (notes)
        notes->push_back("kept auths[" + Quote(keys[0]) + "]: " + Where(from.source, key) +
                         " is not merged (--no-overwrite)");
      continue;
    }
    auths.Set(keys[0], entry);
    DropDuplicates(auths, keys, notes);
  }
}

Status RemoveRegistry(json::Value& doc, std::string_view registry, const std::string& source) {
  json::Value* auths = doc.Find("auths");
  std::vector<std::string> keys;
  if (auths && auths->is_object()) keys = MatchingKeys(*auths, NormalizeAuthKey(registry));
  if (keys.empty()) return NotFound(source + ": no auths entry for " + Quote(registry));
  for (const auto& key : keys) auths->Erase(key);
  return Status::Ok();
}

void DropOtherEntriesForHost(json::Value& doc, std::string_view registry, std::string_view keep,
                             std::vector<std::string>* notes) {
  json::Value* auths = doc.Find("auths");
  if (!auths || !auths->is_object()) return;
  std::string normalized = NormalizeAuthKey(registry);
  std::string_view domain = DomainOf(normalized);
  std::vector<std::string> drop;
  for (const auto& [key, entry] : auths->members()) {
    if (key == keep) continue;
    std::string other = NormalizeAuthKey(key);
    if (DomainOf(other) == domain) drop.push_back(key);
  }
  for (const auto& key : drop) {
    auths->Erase(key);
    if (notes)
      notes->push_back("removed auths[" + Quote(key) + "]: --for-install keeps only the pull-only credential for " +
                       std::string(domain));
  }
}

Result<EditReport> EditPullSecret(json::Value& doc, const EditOptions& options) {
  EditReport report;
  for (const auto& m : options.merge) MergeAuths(doc, m, options.no_overwrite, &report.notes);
  if (options.add) {
    const NewCredential& cred = *options.add;
    MK_RETURN_IF_ERROR(ValidateRegistryName(cred.registry));
    MK_RETURN_IF_ERROR(ValidateUsername(cred.username));
    if (cred.password.empty()) return InvalidArgument("empty password");
    // An install pull secret must end up with the pull-only account, whatever was there.
    bool no_overwrite = options.no_overwrite && !options.for_install;
    auto key = SetCredential(doc, cred, no_overwrite, &report.notes);
    report.added = key.has_value();
    if (key && options.for_install) DropOtherEntriesForHost(doc, cred.registry, *key, &report.notes);
  }
  for (const auto& r : options.remove) {
    MK_RETURN_IF_ERROR(ValidateRegistryName(r));
    MK_RETURN_IF_ERROR(RemoveRegistry(doc, r, options.source));
  }
  return report;
}

std::vector<AuthEntryInfo> ListEntries(const json::Value& doc) {
  std::vector<AuthEntryInfo> out;
  const json::Value* auths = doc.Find("auths");
  if (!auths || !auths->is_object()) return out;
  for (const auto& [key, entry] : auths->members()) {
    AuthEntryInfo info{key, ""};
    std::string auth = entry.GetString("auth").value_or("");
    if (auto decoded = Base64Decode(auth); !auth.empty() && decoded.ok() && decoded->find(':') != std::string::npos) {
      info.username = decoded->substr(0, decoded->find(':'));
      decoded->assign(decoded->size(), '\0');
    } else {
      info.username = entry.GetString("username").value_or("");
    }
    out.push_back(std::move(info));
  }
  return out;
}

json::Value EntryRecord(const AuthEntryInfo& entry) { return records::Auth(entry.registry, entry.username); }

}  // namespace mk::auth
