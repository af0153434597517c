#include "catalog/image_content.h"

namespace mk::catalog {

Result<CatalogImage> OpenCatalogImage(store::Store&, const Reference&) { return Unsupported("not implemented yet"); }
Status WalkConfigDocuments(store::Store&, const CatalogImage&, const DocumentVisitor&) { return Unsupported("not implemented yet"); }
Status ParseConfigFile(const std::string&, std::string_view, const DocumentVisitor&) { return Unsupported("not implemented yet"); }
bool IsConfigFile(std::string_view, std::string_view) { return false; }
TempDatabase::~TempDatabase() {}
TempDatabase& TempDatabase::operator=(TempDatabase&& o) noexcept { path_ = std::exchange(o.path_, std::string()); return *this; }
Result<TempDatabase> ExtractDatabase(store::Store&, const CatalogImage&) { return Unsupported("not implemented yet"); }

}  // namespace mk::catalog
