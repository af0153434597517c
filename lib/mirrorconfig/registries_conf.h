// registries.conf for podman, CRI-O, skopeo and buildah hosts: a
// containers-registries.conf(5) version 2 file (TOML) with one [[registry]]
// per source repository and one [[registry.mirror]] per mirror, meant for
// /etc/containers/registries.conf.d/. Stateless and thread-safe.
#pragma once

#include <string>

#include "mirrorconfig/mirror_set.h"

namespace mk::mirrorconfig {

// For each source, sorted:
//   [[registry]]
//   prefix = "SOURCE"
//   location = "SOURCE"
//   mirror-by-digest-only = true
//
//   [[registry.mirror]]
//   location = "MIRROR"
// mirror-by-digest-only is false only when every mirror of the source holds
// its images under the source's tags (set.tag_groups()); the setting is per
// [[registry]], so one mirror by digest makes the whole entry digest-only.
std::string RenderRegistriesConf(const MirrorSet& set);

}  // namespace mk::mirrorconfig
