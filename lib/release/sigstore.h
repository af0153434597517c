// Sigstore signatures of a planned release (release-list --signatures).
//
// Cosign, and the ClusterImagePolicy `openshift` from 4.21 on, keep the
// signature of the image sha256:<hex> at the tag "sha256-<hex>.sig" in the
// repository that serves that image; for a manifest list the list and
// each child are signed. A mirror must carry those tags beside the images
// or clusters that verify cannot update. Planning therefore looks each tag
// up in the source (a manifest HEAD, several at once, bounded by jobs) and
// adds one "sigstore" mapping record per tag found, into the repository
// the image's own record maps to; a tag the source lacks is a "skipped"
// record naming the digest, never a failure (most images are unsigned).
// A lookup that fails for another reason is an "error" record.
//
// Thread-safe when the resolver and its stores are.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"
#include "json/value.h"
#include "release/release_reader.h"
#include "store/resolver.h"

namespace mk::release {

// "sha256-<hex>.sig": the tag cosign signs a digest under.
std::string SigstoreTag(const Digest& digest);

// One signature to look for: source and dest as in the signed image's
// record, their tag or digest replaced by the signature tag.
struct SignatureTarget {
  std::string name;     // the signed image's record name
  std::string release;  // version
  Digest signs;
  std::string source;  // location of the signature tag
  std::string dest;    // "" when the plan has no destination
};

// The signatures of planned (PlanRecords' release and image records, in
// their order): the release digest, each child of a release kept whole as
// its list, and each component digest. Pure.
Result<std::vector<SignatureTarget>> SignatureTargets(const ReleaseImage& release,
                                                      const std::vector<json::Value>& planned);

// Looks every target up, jobs at a time, and returns one record per
// target, in the targets' order. *failed counts the lookups that failed
// (error records), *worst is the code of the first.
std::vector<json::Value> PlanSignatures(store::StoreResolver& stores, const std::vector<SignatureTarget>& targets,
                                        int jobs, int* failed, Code* worst);

}  // namespace mk::release
