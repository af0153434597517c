// The catalog model from a sqlite index database (operator-registry's
// registry/sqlite schema: package, channel, channel_entry, operatorbundle,
// related_image), opened read-only with libsqlite3.
//
// Channels: per channel, one entry per bundle it holds (its channel_entry
// rows that name an operatorbundle row: opm also writes rows for the names a
// bundle replaces or skips, which need not exist), head first (by depth),
// with replaces, skips (the comma-separated operatorbundle.skips column) and
// skipRange from the bundle's operatorbundle row; on schemas from before
// those columns, replaces and skips come from the channel_entry rows' links.
// Bundles: operatorbundle rows (the image is bundlepath, the version the
// version column), their package the one of their channel_entry rows (a
// bundle in no channel has none and is left out), with their related_image
// rows (duplicates once; names empty: the table has none). Bundles in the
// same order as FbcBuilder::Finish. Retains only the model: the csv and
// bundle columns (whole manifests) are never read.
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
