// The catalog model from a file-based catalog's documents (the declarative
// config of operator-registry: olm.package, olm.channel, olm.bundle).
//
// FbcBuilder is the pure half: it takes documents one at a time and keeps
// only what the model needs (names, channel entries, a bundle's image,
// version and related images) — never a document — so memory follows the
// number of bundles and images, not the catalog's bytes. olm.deprecations
// and schemas it does not know are skipped, as are documents without a
// string schema field. A document of a known schema missing a
// required field, or with a field of the wrong type, is an error naming the
// file ("configs/etcd/catalog.json: olm.bundle without name").
//
// Finish sorts packages by name, channels by (package, name) and bundles by
// (package, name) so a catalog reads the same whatever its files' order; a
// package, channel or bundle defined twice is an error. Not thread-safe.
#pragma once

#include <string>

#include "catalog/image_content.h"
#include "catalog/model.h"
#include "json/value.h"

namespace mk::catalog {

class FbcBuilder {
 public:
  // path names the document's file in messages.
  Status Add(const std::string& path, const json::Value& doc);
  Result<Catalog> Finish() &&;

 private:
  Catalog catalog_;
};

// Streams the image's documents through an FbcBuilder; root and format set
// from the image.
Result<Catalog> ReadFileBased(store::Store& store, const CatalogImage& image);

}  // namespace mk::catalog
