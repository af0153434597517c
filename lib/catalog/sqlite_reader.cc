#include "catalog/sqlite_reader.h"

namespace mk::catalog {

Result<Catalog> ReadSqlite(const std::string&) { return Unsupported("not implemented yet"); }
Result<Catalog> ReadSqliteImage(store::Store&, const CatalogImage&) { return Unsupported("not implemented yet"); }
Result<Catalog> ReadCatalog(store::Store&, const CatalogImage&) { return Unsupported("not implemented yet"); }

}  // namespace mk::catalog
