// Location: where an image is, as tools and records write it.
//
//   location := "dir:" PATH [ ":" NAME ] | REFERENCE
//
// A REFERENCE names an image in a registry. "dir:PATH" is an OCI image
// layout directory (removable media); NAME selects an image in it by the
// full original reference it was stored under (index.json's
// org.opencontainers.image.ref.name), by a shorter suffix such as a tag, or
// by a glob. PATH may not contain ':' (as with skopeo's oci: transport).
// Plain data; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::store {

struct Location {
  std::string dir;   // non-empty for a directory
  std::string name;  // the reference (registry) or NAME in the directory; may be empty for "dir:PATH"

  static Result<Location> Parse(std::string_view text);
  bool is_dir() const { return !dir.empty(); }
  std::string String() const;
  Location WithName(std::string n) const { return Location{dir, std::move(n)}; }
};

// The image's own name, for imageContentSources: a directory location's NAME,
// or the reference itself.
std::string CanonicalName(const Location& location);

}  // namespace mk::store
