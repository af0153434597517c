#include "catalog/selection.h"

namespace mk::catalog {

Result<PackageSelector> PackageSelector::Parse(std::string_view) { return Unsupported("not implemented yet"); }
std::string PackageSelector::String() const { return package; }
std::vector<size_t> Selection::AllBundles() const { return {}; }
Result<Selection> Select(const Catalog&, const std::vector<PackageSelector>&) { return Unsupported("not implemented yet"); }
Result<size_t> ChannelHead(const Channel&) { return Unsupported("not implemented yet"); }

}  // namespace mk::catalog
