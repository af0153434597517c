#include "mutate/manifest_json.h"

#include <algorithm>

namespace mk::mutate::internal {

Result<json::Value> Document(const oci::Manifest& m) {
  MK_ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(m.raw));
  if (!doc.is_object()) return InvalidArgument("manifest " + m.digest.str() + " is not a JSON object");
  return doc;
}

Result<oci::Manifest> Finish(const json::Value& doc, std::string_view media_type) {
  auto m = oci::Manifest::Parse(doc.Serialize(), media_type);
  if (!m.ok()) return Internal("rewritten manifest does not parse: " + m.status().message());
  return m;
}

json::Value WithMediaType(const json::Value& doc, std::string_view media_type) {
  if (doc.Find("mediaType")) {
    json::Value out = doc;
    out.Set("mediaType", json::Value::String(std::string(media_type)));
    return out;
  }
  json::Value out = json::Value::Object();
  bool placed = false;
  for (const auto& [key, value] : doc.members()) {
    out.Set(key, value);
    if (key == "schemaVersion") {
      out.Set("mediaType", json::Value::String(std::string(media_type)));
      placed = true;
    }
  }
  if (!placed) out.Set("mediaType", json::Value::String(std::string(media_type)));
  return out;
}

json::Value SortedObject(const json::Value& object) {
  std::vector<json::Value::Member> members = object.members();
  std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::Value out = json::Value::Object();
  for (auto& [key, value] : members) out.Set(key, std::move(value));
  return out;
}

json::Value DescriptorJson(std::string_view media_type, int64_t size, const Digest& digest) {
  json::Value d = json::Value::Object();
  d.Set("mediaType", json::Value::String(std::string(media_type)));
  d.Set("size", json::Value::Number(size));
  d.Set("digest", json::Value::String(digest.str()));
  return d;
}

}  // namespace mk::mutate::internal
