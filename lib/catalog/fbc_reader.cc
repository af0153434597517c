#include "catalog/fbc_reader.h"

namespace mk::catalog {

Status FbcBuilder::Add(const std::string&, const json::Value&) { return Unsupported("not implemented yet"); }
Result<Catalog> FbcBuilder::Finish() && { return Unsupported("not implemented yet"); }
Result<Catalog> ReadFileBased(store::Store&, const CatalogImage&) { return Unsupported("not implemented yet"); }

}  // namespace mk::catalog
