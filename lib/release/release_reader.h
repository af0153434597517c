// Reads a release image: resolves a manifest list to one architecture, reads
// the config (label io.openshift.release, architecture), and streams layers
// from the last to the first until release-manifests/image-references is
// found (oc reads only the last layer; searching further costs nothing when
// the last layer has it, and tolerates re-layered payloads).
#pragma once

#include <string>

#include "base/status.h"
#include "oci/manifest.h"
#include "ref/reference.h"
#include "release/release_contents.h"
#include "store/store.h"

namespace mk::release {

struct ReleaseImage {
  Reference requested;        // as the user named it
  Reference pinned;           // repository@digest of the platform manifest
  Digest top_digest;          // of what ref named: the list for a multi-arch release
  oci::Manifest manifest;     // the platform manifest
  std::string go_arch;        // "amd64"
  std::string arch;           // OpenShift's name: "x86_64"
  std::string label_version;  // io.openshift.release, "" when absent
  ReleaseContents contents;
  std::string version() const;
};

// go_arch: the platform to pick from a manifest list ("amd64", "arm64").
Result<ReleaseImage> ReadRelease(store::Store& store, const Reference& ref, const std::string& go_arch);

}  // namespace mk::release
