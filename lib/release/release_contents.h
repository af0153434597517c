// The two files that describe an OpenShift release payload, found under
// release-manifests/ in the release image's top layer:
//
// image-references: an image.openshift.io/v1 ImageStream; metadata.name is
//   the version, each spec.tags[] names a component and its
//   from: {kind: DockerImage, name: <repo>@sha256:…}. As oc does, a tag or a
//   missing digest is refused: a release pins every component by digest.
// release-metadata: {"kind": "cincinnati-metadata-v0", "version", "previous",
//   "next", "metadata"}; optional.
// Pure parsing, plain data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ref/reference.h"

namespace mk::release {

struct Component {
  std::string name;  // "cli", "installer", …
  Reference source;  // always digest-pinned
};

struct ReleaseContents {
  std::string name;                   // ImageStream metadata.name
  std::vector<Component> components;  // in the order of spec.tags
  std::string metadata_version;       // release-metadata "version", "" when absent
  std::vector<std::string> previous;
  std::vector<std::string> next;
  std::string version() const { return metadata_version.empty() ? name : metadata_version; }
};

// Parses image-references into contents (metadata fields left empty).
Result<ReleaseContents> ParseImageReferences(std::string_view json);
// Adds release-metadata to contents.
Status ParseReleaseMetadata(std::string_view json, ReleaseContents& contents);

inline constexpr std::string_view kImageReferencesPath = "release-manifests/image-references";
inline constexpr std::string_view kReleaseMetadataPath = "release-manifests/release-metadata";

}  // namespace mk::release
