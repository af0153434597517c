// Location: where an image is, as tools and records write it.
//
//   location := "dir:" PATH [ ":" NAME ]
//             | "oci-archive:" FILE [ ":" NAME ]
//             | SCHEME "::" ADDRESS [ ":" NAME ]
//             | REFERENCE
//
// A REFERENCE names an image in a registry. "dir:PATH" is an OCI image
// layout directory (removable media); NAME selects an image in it by the
// full original reference it was stored under (index.json's
// org.opencontainers.image.ref.name), by a shorter suffix such as a tag, or
// by a glob. PATH may not contain ':' (as with skopeo's oci: transport).
//
// The other forms are served by a storage plugin, mirrorkit-storage-SCHEME
// ADDRESS (store/plugin_store.h, man/mirrorkit-storage.7), NAME as for
// dir:. "SCHEME:x" has the shape of a Docker Hub reference "name:tag", so
// the rule is fixed by the text alone, never by which plugins happen to be
// installed: "oci-archive:" (the plugin mirrorkit ships) is always a plugin
// location; any other plugin is named with git's explicit "SCHEME::" (no
// reference contains "::"); everything else is a reference, so
// "ubuntu:22.04" stays docker.io/library/ubuntu:22.04. SCHEME is a plugin
// name ([a-z0-9][a-z0-9._-]*); ADDRESS may not contain ':'.
// Plain data; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::store {

struct Location {
  std::string dir;     // non-empty for a directory, or a plugin's ADDRESS
  std::string name;    // the reference (registry) or NAME in the directory; may be empty for "dir:PATH"
  std::string scheme;  // non-empty for a storage plugin's location ("oci-archive")

  static Result<Location> Parse(std::string_view text);
  // A store that keeps images by name, as a directory does: an OCI
  // directory, or a storage plugin's store (is_plugin). Not a registry.
  bool is_dir() const { return !dir.empty(); }
  bool is_plugin() const { return !scheme.empty(); }
  std::string String() const;
  Location WithName(std::string n) const { return Location{dir, std::move(n), scheme}; }
};

// The image's own name, for imageContentSources: a directory location's NAME,
// or the reference itself.
std::string CanonicalName(const Location& location);

}  // namespace mk::store
