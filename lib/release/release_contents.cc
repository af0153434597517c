#include "release/release_contents.h"

#include <set>

#include "base/strings.h"
#include "json/value.h"

namespace mk::release {

Result<ReleaseContents> ParseImageReferences(std::string_view text) {
  auto doc = json::Value::Parse(text);
  if (!doc.ok()) return doc.status().WithContext("image-references");
  if (!doc->is_object()) return InvalidArgument("image-references: not a JSON object");
  if (doc->GetString("kind").value_or("") != "ImageStream")
    return InvalidArgument("image-references: kind is " + Quote(doc->GetString("kind").value_or("")) +
                           ", want ImageStream");
  ReleaseContents out;
  if (const json::Value* meta = doc->Find("metadata")) out.name = meta->GetString("name").value_or("");
  const json::Value* spec = doc->Find("spec");
  const json::Value* tags = spec ? spec->Find("tags") : nullptr;
  if (!tags || !tags->is_array()) return InvalidArgument("image-references: no spec.tags array");
  std::set<std::string> seen;
  for (size_t i = 0; i < tags->items().size(); ++i) {
    const json::Value& tag = tags->items()[i];
    std::string where = "image-references: spec.tags[" + std::to_string(i) + "]";
    auto name = tag.GetString("name");
    if (!name || name->empty()) return InvalidArgument(where + " has no name");
    if (ValidateTag(*name).ok() == false)
      return InvalidArgument(where + ": component name " + Quote(*name) + " is not a valid tag");
    if (!seen.insert(*name).second) return InvalidArgument(where + ": component " + Quote(*name) + " listed twice");
    const json::Value* from = tag.Find("from");
    if (!from || !from->is_object()) return InvalidArgument(where + " (" + *name + ") has no from");
    std::string kind = from->GetString("kind").value_or("");
    if (kind != "DockerImage")
      return InvalidArgument(where + " (" + *name + "): from.kind " + Quote(kind) + ", want DockerImage");
    auto pullspec = from->GetString("name");
    if (!pullspec) return InvalidArgument(where + " (" + *name + ") has no from.name");
    auto ref = Reference::Parse(*pullspec);
    if (!ref.ok()) return ref.status().WithContext(where + " (" + *name + ")");
    if (!ref->digest())
      return InvalidArgument(where + " (" + *name + "): " + Quote(*pullspec) + " is not pinned by digest");
    out.components.push_back({*name, ref->WithDigest(*ref->digest())});
  }
  if (out.components.empty()) return InvalidArgument("image-references: no components");
  return out;
}

Status ParseReleaseMetadata(std::string_view text, ReleaseContents& contents) {
  auto doc = json::Value::Parse(text);
  if (!doc.ok()) return doc.status().WithContext("release-metadata");
  if (!doc->is_object()) return InvalidArgument("release-metadata: not a JSON object");
  contents.metadata_version = doc->GetString("version").value_or("");
  auto list = [&](const char* key, std::vector<std::string>& out) {
    if (const json::Value* v = doc->Find(key); v && v->is_array())
      for (const auto& item : v->items())
        if (item.is_string()) out.push_back(item.as_string());
  };
  list("previous", contents.previous);
  list("next", contents.next);
  return Status::Ok();
}

}  // namespace mk::release
