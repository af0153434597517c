// ReadFileBased: the builder fed from a catalog image's layers. Kept apart
// from the builder (fbc_reader.cc) so that the pure half links without the
// store and the layer walk (the fuzz target builds models from bytes).
#include "catalog/fbc_reader.h"

namespace mk::catalog {

Result<Catalog> ReadFileBased(store::Store& store, const CatalogImage& image) {
  FbcBuilder builder;
  MK_RETURN_IF_ERROR(
      WalkConfigDocuments(store, image, [&](const std::string& path, const json::Value& doc) -> Result<archive::Visit> {
        MK_RETURN_IF_ERROR(builder.Add(path, doc));
        return archive::Visit::kContinue;
      }));
  MK_ASSIGN_OR_RETURN(Catalog c, std::move(builder).Finish());
  c.format = Format::kFileBased;
  c.root = image.root;
  return c;
}

}  // namespace mk::catalog
