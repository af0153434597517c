#include "store/location.h"

#include "base/strings.h"

namespace mk::store {

Result<Location> Location::Parse(std::string_view text) {
  Location loc;
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
  return "dir:" + dir + (name.empty() ? "" : ":" + name);
}

std::string CanonicalName(const Location& location) { return location.name; }

}  // namespace mk::store
