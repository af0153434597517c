#include "catalog/semver.h"

namespace mk::catalog {

Result<Version> Version::Parse(std::string_view) { return Unsupported("not implemented yet"); }
std::string Version::String() const { return ""; }
int Compare(const Version&, const Version&) { return 0; }
Result<Range> Range::Parse(std::string_view) { return Unsupported("not implemented yet"); }
bool Range::Contains(const Version&) const { return false; }

}  // namespace mk::catalog
