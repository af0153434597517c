// The cluster objects the seed makes by hand once the sample images are
// mirrored (§3.3.5–3.3.6), as a v1 List for `oc apply -f -`:
//
// - ConfigMap registry-config in openshift-config holding the mirror's CA
//   under "host..port" (or "host"), as `oc create configmap
//   --from-file=host..port=ca.crt` makes it;
// - image.config.openshift.io/cluster with spec.additionalTrustedCA.name;
// - samples.operator.openshift.io Config "cluster" with samplesRegistry set
//   to the mirror and skippedImagestreams listing every managed stream not
//   fully mirrored (a failed copy skips its streams instead of leaving the
//   operator Degraded two hours later);
// and, apart (create-only), an ImageStreamImport that re-imports
// openshift/must-gather (what `oc import-image is/must-gather -n openshift`
// does).
// Pure functions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "json/value.h"
#include "samples/image_streams.h"

namespace mk::samples {

struct ConfigOptions {
  std::string mirror;                 // MIRROR_ADDR
  std::optional<std::string> ca_pem;  // the mirror's CA certificate(s)
  // Results of blob-copy: dest -> copied (true) or failed (false). Without
  // results every selected image counts as mirrored.
  std::optional<std::map<std::string, bool>> results;
};

// blob-copy's result records (JSON lines) as dest -> mirrored: "copied" or
// "present" without an error. A dest seen twice is mirrored only if both were.
Result<std::map<std::string, bool>> ParseCopyResults(std::string_view jsonl, const std::string& name);

// The ConfigMap key for a mirror address: "host..port", or "host".
std::string TrustedCaKey(const std::string& mirror);

// Streams to list under skippedImagestreams.
std::set<std::string> SkippedStreams(const Selection& selection, const ConfigOptions& options);

Result<json::Value> ClusterObjects(const Selection& selection, const ConfigOptions& options);

// The ImageStreamImport that re-imports openshift/must-gather from its spec
// (what `oc import-image is/must-gather -n openshift` sends). It is a
// create-only resource, so it is not part of the List: `oc create -f -`.
Result<json::Value> MustGatherImport(const ImageStreams& streams);

}  // namespace mk::samples
