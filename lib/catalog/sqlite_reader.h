// The catalog model from a sqlite index database (operator-registry's
// registry/sqlite schema: package, channel, channel_entry, operatorbundle,
// related_image), opened read-only with libsqlite3.
//
// Channels: per channel, one entry per bundle it holds (channel_entry rows),
// with replaces, skips (the comma-separated operatorbundle.skips column) and
// skipRange from the bundle's operatorbundle row, as opm's own migration to
// file-based configs does. Bundles: operatorbundle rows (the image is
// bundlepath, the version the version column) with their related_image rows.
// The same order as FbcBuilder::Finish. Retains only the model.
// Thread-safe (each call opens its own connection).
#pragma once

#include <string>

#include "catalog/image_content.h"
#include "catalog/model.h"

namespace mk::catalog {

// root of the result is left empty; ReadSqliteImage sets it.
Result<Catalog> ReadSqlite(const std::string& db_path);

// ExtractDatabase, then ReadSqlite; the temporary is gone on return.
Result<Catalog> ReadSqliteImage(store::Store& store, const CatalogImage& image);

// Either reader, by image.format.
Result<Catalog> ReadCatalog(store::Store& store, const CatalogImage& image);

}  // namespace mk::catalog
