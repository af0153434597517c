// Reads a release image: reads the config (label io.openshift.release,
// architecture) and streams layers from the last to the first until
// release-manifests/image-references is found (oc reads only the last
// layer; searching further costs nothing when the last layer has it, and
// tolerates re-layered payloads).
//
// A release named by a manifest list or OCI index (OpenShift's `-multi`
// payloads, since 4.11) is either kept whole — planned and mirrored as the
// list, arch "multi", image-references read from its linux/amd64 child or
// the first child when it has none (every child of a real multi payload
// names the same component lists) — or resolved to one platform's child,
// a single-architecture release, when one is asked for. Pure over the
// store; thread-safe when the store is.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "oci/manifest.h"
#include "ref/reference.h"
#include "release/release_contents.h"
#include "store/store.h"

namespace mk::release {

// The architecture name of a release kept whole as its manifest list, in
// records, tags and --arch.
inline constexpr char kMultiArch[] = "multi";

struct ReleaseImage {
  Reference requested;  // as the user named it
  // repository@digest of what a mirror copies: the list for a release kept
  // whole, else the platform manifest.
  Reference pinned;
  Digest top_digest;  // of what ref named: the list for a multi-arch release
  // ref named a manifest list / OCI index (whole or resolved to a child):
  bool from_list = false;
  Digest list_digest;           // == top_digest when from_list
  std::string list_media_type;  // the list's own media type
  bool multi = false;           // kept whole as the list (arch "multi")
  oci::Manifest manifest;       // the platform manifest image-references was read from
  std::string go_arch;          // of that manifest: "amd64"
  std::string arch;             // OpenShift's name: "x86_64"; "multi" when kept whole
  std::string label_version;    // io.openshift.release, "" when absent
  ReleaseContents contents;
  // Every child of the list, in its order (from_list).
  std::vector<Digest> list_children;
  std::string version() const;
  // The digest a mirror plans for: the list's when multi, else the child's.
  const Digest& digest() const { return multi ? list_digest : manifest.digest; }
};

// go_arch: "" — a list is kept whole and a single-architecture image read
// as it is; kMultiArch — the same, but a single-architecture image is
// kInvalidArgument (it is not a multi-arch release); a Go architecture name
// ("amd64", "arm64") — that platform's child of a list (kNotFound when it
// has none), and a single-architecture image read as it is (the caller
// decides whether its architecture must match: session::ReadReleaseAt).
Result<ReleaseImage> ReadRelease(store::Store& store, const Reference& ref, const std::string& go_arch);

}  // namespace mk::release
