// CatalogSource: the object OLM reads an Operator catalog from
// (operators.coreos.com/v1alpha1, namespace openshift-marketplace,
// sourceType grpc), one per catalog a mirror holds, from catalog-list's
// "catalog" records (man/mirrorkit-records.7). Not a MirrorSet format: the
// image is the mirror's own catalog, named by digest (a pruned catalog has
// a digest of its own, which no source digest mirror could serve).
//
// A catalog record is taken when it has a dest: the image is the dest's
// repository @ its "pruned_digest". A dest without that digest, or in a
// directory (dir:, no registry a cluster can pull from), is an error naming
// the record; a catalog record without a dest is not for a CatalogSource
// (a listing that wrote no catalog). Plain data; not synchronized.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "json/value.h"

namespace mk::mirrorconfig {

class CatalogSourceInput {
 public:
  // true when it took the record; false for records of another kind or a
  // catalog record without a dest.
  Result<bool> AddRecord(const json::Value& record);

  // image (repository@digest) -> the catalog's name (its source
  // repository's last path component).
  const std::map<std::string, std::string>& catalogs() const { return catalogs_; }

 private:
  std::map<std::string, std::string> catalogs_;
};

// A DNS-1123 label from a repository name: lower case, every other
// character than [a-z0-9-] turned into '-', no '-' at either end, at most
// 63 characters; "catalog" when nothing is left.
std::string CatalogSourceName(std::string_view name);

// One CatalogSource document per catalog, sorted by name, separated by
// "---" lines; names made unique with -2, -3, ... kInvalidArgument when no
// catalog was read.
Result<std::string> RenderCatalogSources(const CatalogSourceInput& input);

}  // namespace mk::mirrorconfig
