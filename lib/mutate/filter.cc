// FilterPlatforms (manifest_rewrite.h): oc's --filter-by-os on an index.
#include "base/strings.h"
#include "mutate/manifest_json.h"
#include "mutate/manifest_rewrite.h"

namespace mk::mutate {

Result<Rewrite> FilterPlatforms(const oci::Manifest& index, const std::regex& pattern) {
  if (!index.is_index())
    return InvalidArgument("filtering by platform needs a manifest list or index; " + index.digest.str() + " is " +
                           (index.media_type.empty() ? std::string("an image manifest") : index.media_type));
  MK_ASSIGN_OR_RETURN(json::Value doc, internal::Document(index));
  const json::Value* list = doc.Find("manifests");
  // Manifest::Parse read the same array, so entries and descriptors pair up.
  if (!list || !list->is_array() || list->items().size() != index.manifests.size())
    return Internal("index " + index.digest.str() + ": manifests do not match its parsed descriptors");
  json::Value kept = json::Value::Array();
  std::vector<std::string> platforms;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const auto& platform = index.manifests[i].platform;
    std::string name = platform ? platform->String() : "(no platform)";
    platforms.push_back(name);
    if (platform && std::regex_match(name, pattern)) kept.Append(list->items()[i]);
  }
  if (kept.size() == 0)
    return NotFound("no platform of index " + index.digest.str() + " matches the filter (it has " +
                    (platforms.empty() ? std::string("none") : Join(platforms, ", ")) + ")");
  // Everything matches: the index itself, same bytes and digest.
  if (kept.size() == index.manifests.size()) return Rewrite{index, {}, {}};
  doc.Set("manifests", std::move(kept));
  MK_ASSIGN_OR_RETURN(oci::Manifest out, internal::Finish(doc, index.media_type));
  return Rewrite{std::move(out), {}, {}};
}

}  // namespace mk::mutate
