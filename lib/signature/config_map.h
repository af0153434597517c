// The ConfigMap the cluster-version operator reads release signatures from,
// written the way `oc adm release mirror --release-image-signature-to-dir`
// writes it, so the same `oc apply -f` procedure works: a v1 ConfigMap in
// openshift-config-managed named sha256-<hex>, labelled
// release.openshift.io/verification-signatures: "", binaryData keys
// sha256-<hex>-N holding each signature's exact bytes (base64), one file
// signature-sha256-<first 16 hex>.json per release, mode 0640. Pure apart
// from WriteConfigMap; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace mk::signature {

// "sha256:<64 hex>" → "<64 hex>"; anything else is kInvalidArgument.
Result<std::string> Sha256Hex(const std::string& digest);

// The ConfigMap as JSON (pretty, one member per line, ending in a newline).
std::string ConfigMapJson(const std::string& hex, const std::vector<std::string>& signatures);

// "signature-sha256-<first 16 hex>.json".
std::string ConfigMapFileName(const std::string& hex);

// Writes the ConfigMap into dir (made when missing), atomically, mode 0640;
// returns the path written.
Result<std::string> WriteConfigMap(const std::string& dir, const std::string& hex,
                                   const std::vector<std::string>& signatures);

}  // namespace mk::signature
