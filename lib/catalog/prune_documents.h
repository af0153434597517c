// What a pruned file-based catalog keeps of each document of the original,
// given the selection (selection.h), and where opm serve keeps its cache.
//
// Kept, per selected package:
//   olm.package       its defaultChannel set to the selection's (the
//                     original default when kept, else a kept channel);
//   olm.channel       a kept channel, its entries restricted to the kept
//                     bundles of that channel; a "replaces" naming a bundle
//                     the channel no longer holds is removed (every kept
//                     replaces then names an entry, which every reader and
//                     opm's validation accept), "skips" are kept as written
//                     (OLM allows skipping a bundle the catalog lacks);
//   olm.bundle        a kept bundle, verbatim (every property);
//   olm.deprecations  with the entries that name the package, a kept
//                     channel or a kept bundle (dropped when none is left);
//   other schemas     of a kept package, verbatim; documents of no package,
//                     verbatim.
// Documents without a schema are dropped (opm ignores them).
// The filter holds names only (the selection's size). Thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "catalog/model.h"
#include "catalog/selection.h"
#include "json/value.h"

namespace mk::catalog {

class DocumentFilter {
 public:
  DocumentFilter(const Catalog& catalog, const Selection& selection);

  // The document to write (changed or as it was), or nullopt to drop it.
  std::optional<json::Value> Filter(const json::Value& doc) const;
  // The package a document belongs to ("" for none): olm.package's name,
  // else its "package".
  static std::string PackageOf(const json::Value& doc);

 private:
  std::map<std::string, std::string> default_channel_;                             // kept package -> default
  std::map<std::pair<std::string, std::string>, std::set<std::string>> channels_;  // (package, channel) -> bundles
  std::set<std::pair<std::string, std::string>> bundles_;                          // (package, bundle)
};

// The cache directory opm serve reads at start, from the image config's
// Entrypoint and Cmd ("--cache-dir=PATH" or "--cache-dir PATH"), without a
// leading '/'; "tmp/cache" when neither names one (what opm's generated
// Dockerfiles use). Empty when the config names an empty one.
std::string CacheDir(std::string_view config_raw);

// A directory name for a package's documents in the new layer: the package
// name when it is a safe single path component, else "package-<n>".
std::string PackageDirName(const std::string& package, size_t n);

}  // namespace mk::catalog
