#include "mutate/plan_rewrite.h"

#include <fnmatch.h>

#include "base/strings.h"
#include "ref/reference.h"

namespace mk::mutate {
namespace {

// Characters after which a prefix ends at a path boundary: the next path
// component, the tag, or the digest.
bool AtBoundary(const std::string& s, size_t pos) {
  return pos == s.size() || s[pos] == '/' || s[pos] == ':' || s[pos] == '@';
}

constexpr const char* kTagFields[] = {"version", "arch", "name", "tag", "digest12"};

Result<std::string> FieldValue(const std::string& field, const TagFields& f) {
  if (field == "version") return f.version;
  if (field == "arch") return f.arch;
  if (field == "name") return f.name;
  if (field == "tag") return f.tag;
  if (field == "digest12") {
    auto colon = f.digest.find(':');
    if (colon == std::string::npos || f.digest.size() < colon + 1 + 12) return std::string();
    return f.digest.substr(colon + 1, 12);
  }
  std::string known;
  for (const char* k : kTagFields) known += std::string(known.empty() ? "" : ", ") + "{" + k + "}";
  return InvalidArgument("unknown tag template field {" + field + "} (known: " + known + ")");
}

// Expands tmpl; with check_only, fields are stand-ins and only the
// template's own syntax and characters are checked.
Result<std::string> Expand(const std::string& tmpl, const TagFields& fields, bool check_only) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    char c = tmpl[i];
    if (c == '}') return InvalidArgument("tag template " + tmpl + ": '}' without '{'");
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    size_t close = tmpl.find('}', i + 1);
    if (close == std::string::npos) return InvalidArgument("tag template " + tmpl + ": '{' without '}'");
    std::string field = tmpl.substr(i + 1, close - i - 1);
    MK_ASSIGN_OR_RETURN(std::string value, FieldValue(field, fields));
    if (check_only) value = "x";
    if (value.empty()) return InvalidArgument("tag template " + tmpl + ": {" + field + "} is empty for this image");
    out += value;
    i = close + 1;
  }
  if (check_only && out.size() > 128) out.resize(128);  // stand-ins are shorter than real values
  Status valid = ValidateTag(out);
  if (!valid.ok())
    return InvalidArgument("tag template " + tmpl + " gives " + Quote(out) + ", not a valid tag (" + valid.message() +
                           ")");
  return out;
}

}  // namespace

Result<DestMap> DestMap::Parse(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) return InvalidArgument("--map " + Quote(text) + ": expected SRC_PREFIX=DST_PREFIX");
  DestMap m{text.substr(0, eq), text.substr(eq + 1)};
  // "quay.io/a/" and "quay.io/a" name the same prefix.
  while (m.from.size() > 1 && m.from.back() == '/') m.from.pop_back();
  while (m.to.size() > 1 && m.to.back() == '/') m.to.pop_back();
  if (m.from.empty() || m.to.empty())
    return InvalidArgument("--map " + Quote(text) + ": both SRC_PREFIX and DST_PREFIX must be given");
  return m;
}

std::optional<std::string> MapDest(const std::vector<DestMap>& maps, const std::string& dest) {
  for (const auto& m : maps) {
    if (dest.compare(0, m.from.size(), m.from) == 0 && AtBoundary(dest, m.from.size()))
      return m.to + dest.substr(m.from.size());
  }
  return std::nullopt;
}

Status CheckTagTemplate(const std::string& tmpl) {
  if (tmpl.empty()) return InvalidArgument("empty tag template");
  auto r = Expand(tmpl, TagFields{}, true);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::string> ExpandTag(const std::string& tmpl, const TagFields& fields) { return Expand(tmpl, fields, false); }

bool Selection::Keeps(const std::string& name, const std::string& source) const {
  auto matches = [&](const std::string& pattern) {
    return fnmatch(pattern.c_str(), name.c_str(), 0) == 0 || fnmatch(pattern.c_str(), source.c_str(), 0) == 0;
  };
  bool included = include.empty();
  for (const auto& p : include) included = included || matches(p);
  if (!included) return false;
  for (const auto& p : exclude)
    if (matches(p)) return false;
  return true;
}

}  // namespace mk::mutate
