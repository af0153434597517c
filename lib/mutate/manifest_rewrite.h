// Manifest rewrites: new manifests made on purpose from old ones, as pure
// functions (no I/O; whatever a rewrite needs from a store is a parameter).
// manifest-rewrite(1) plumbs records through them; blob-copy pushes what
// they make (man/mirrorkit-records.7, "rewritten images").
//
// Every rewrite keeps blob bytes as they are; only manifests (and, for a
// schema 1 conversion, a new config blob) are new. A rewrite that changes
// nothing returns the input manifest itself (same bytes, same digest), so a
// caller can tell "rewritten" from "already so" by comparing digests.
// New manifests are serialized compactly with fields in the order the spec
// documents them, and parsed back through oci::Manifest::Parse, so a
// Rewrite's manifests are always valid ones with digests that match bytes.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"
#include "oci/manifest.h"

namespace mk::mutate {

struct NewBlob {
  oci::Descriptor descriptor;  // media type, digest and size of data
  std::string data;
};

struct Rewrite {
  oci::Manifest manifest;               // the new top manifest
  std::vector<oci::Manifest> children;  // new manifests the top references (pushed before it)
  std::vector<NewBlob> blobs;           // new blobs (a converted schema 1 image's config)
};

// A child manifest of the image being rewritten, by digest (an index's
// children are not in the index itself).
using ManifestGetter = std::function<Result<oci::Manifest>(const Digest& digest)>;

// Keeps the entries of an index (OCI index or Docker manifest list) whose
// platform "os/architecture[/variant]" matches pattern as a whole (oc's
// --filter-by-os); children are referenced unchanged (same digests). An
// entry without a platform never matches. kNotFound when nothing matches
// (naming the platforms there are); kInvalidArgument for a non-index.
Result<Rewrite> FilterPlatforms(const oci::Manifest& index, const std::regex& pattern);

enum class Format { kOci, kDocker };

// Docker schema 2 <-> OCI: the media types of the manifest, its config and
// its layers (gzip/zstd/uncompressed/foreign layers mapped one to one; the
// Docker spec names only gzip and foreign gzip, the uncompressed and zstd
// Docker types are containerd's), blob bytes unchanged. An index converts
// each child through get_child and references the new children
// (Rewrite::children, grandchildren before children). A manifest already in
// the target format with nothing to change is returned unchanged. A layer
// media type with no counterpart (nondistributable zstd, encrypted layers)
// or a config that is not an image config is kUnsupported naming it.
// OCI -> Docker drops what Docker schema 2 has no field for (annotations;
// a descriptor's data and artifactType) and refuses (kUnsupported) what
// would change meaning if dropped: subject, a top-level artifactType, an
// index entry without a platform, an index nested in an index. Fields
// neither spec defines are kept. A schema 1 manifest is kInvalidArgument
// (Schema1ToSchema2 converts it); get_child errors come back with context.
Result<Rewrite> Convert(const oci::Manifest& manifest, Format to, const ManifestGetter& get_child);

// Docker schema 1 (signed or not) to Docker schema 2, the config built from
// the v1 history ("v1Compatibility" entries) as `docker` does: rootfs.diff_ids
// from diff_ids, one history entry per schema 1 entry (empty_layer for the
// throwaway ones), the newest entry's container config. Layers are listed
// oldest first (schema 1 lists them newest first) without the throwaway
// layers, as gzip layers; a blob that is several entries' layer is listed
// each time. The new config is Rewrite::blobs[0]. Details and deviations
// from docker: schema1.cc. kInvalidArgument for a broken v1 chain (parent
// ids) or when layers does not describe exactly Schema1Layers' blobs.
struct Schema1Layer {
  Digest blob;     // the fsLayers blobSum (compressed)
  int64_t size;    // its size in bytes (the registry's, from a HEAD)
  Digest diff_id;  // sha256 of its uncompressed bytes
};
// The distinct blobs of a schema 1 manifest that are real layers (the ones
// whose size and diff_id the caller must find), oldest first.
Result<std::vector<Digest>> Schema1Layers(const oci::Manifest& schema1);
// layers: one entry per digest Schema1Layers returned, in that order.
Result<Rewrite> Schema1ToSchema2(const oci::Manifest& schema1, const std::vector<Schema1Layer>& layers);

}  // namespace mk::mutate
