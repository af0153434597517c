#include "store/location.h"

#include "base/strings.h"

namespace mk::store {

namespace {

constexpr std::string_view kArchiveScheme = "oci-archive";

// The scheme of a plugin location ("" for none): "oci-archive:" or
// "SCHEME::"; *rest is what follows the colon(s).
std::string PluginScheme(std::string_view text, std::string_view* rest) {
  if (text.substr(0, kArchiveScheme.size() + 1) == std::string(kArchiveScheme) + ":" &&
      text.substr(kArchiveScheme.size() + 1, 1) != ":") {
    *rest = text.substr(kArchiveScheme.size() + 1);
    return std::string(kArchiveScheme);
  }
  size_t mark = text.find("::");
  if (mark == std::string_view::npos || mark == 0) return "";
  std::string_view scheme = text.substr(0, mark);
  if (!((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= '0' && scheme[0] <= '9'))) return "";
  for (char c : scheme)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) return "";
  *rest = text.substr(mark + 2);
  return std::string(scheme);
}

}  // namespace

Result<Location> Location::Parse(std::string_view text) {
  Location loc;
  std::string_view plugin_rest;
  if (std::string scheme = PluginScheme(text, &plugin_rest); !scheme.empty()) {
    if (scheme == "dir") return InvalidArgument("location " + Quote(text) + ": a directory is dir:PATH");
    size_t colon = plugin_rest.find(':');
    loc.scheme = scheme;
    loc.dir = std::string(plugin_rest.substr(0, colon));
    if (colon != std::string_view::npos) loc.name = std::string(plugin_rest.substr(colon + 1));
    if (loc.dir.empty()) return InvalidArgument("location " + Quote(text) + " names no address for " + scheme);
    return loc;
  }
  if (text.substr(0, 4) != "dir:") {
    if (text.empty()) return InvalidArgument("empty image location");
    loc.name = std::string(text);
    return loc;
  }
  std::string_view rest = text.substr(4);
  size_t colon = rest.find(':');
  loc.dir = std::string(rest.substr(0, colon));
  if (colon != std::string_view::npos) loc.name = std::string(rest.substr(colon + 1));
  if (loc.dir.empty()) return InvalidArgument("location " + Quote(text) + " names no directory");
  while (loc.dir.size() > 1 && loc.dir.back() == '/') loc.dir.pop_back();
  return loc;
}

std::string Location::String() const {
  if (!is_dir()) return name;
  std::string prefix = !is_plugin() ? "dir:" : scheme == kArchiveScheme ? scheme + ":" : scheme + "::";
  return prefix + dir + (name.empty() ? "" : ":" + name);
}

std::string CanonicalName(const Location& location) { return location.name; }

}  // namespace mk::store
