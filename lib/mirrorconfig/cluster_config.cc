#include "mirrorconfig/cluster_config.h"

#include "mirrorconfig/yaml_writer.h"

namespace mk::mirrorconfig {
namespace {

using Groups = std::map<std::string, std::set<std::string>>;
using json::Value;

// A sequence of {mirrors, source}: the shape every format here shares, keys
// in alphabetical order as oc prints them.
Value MirrorList(const Groups& groups) {
  Value list = Value::Array();
  for (const auto& [source, mirrors] : groups) {
    Value entry = Value::Object();
    Value ms = Value::Array();
    for (const auto& m : mirrors) ms.Append(Value::String(m));
    entry.Set("mirrors", std::move(ms));
    entry.Set("source", Value::String(source));
    list.Append(std::move(entry));
  }
  return list;
}

Result<std::string> InstallConfigKey(const char* key, const Groups& groups) {
  Value doc = Value::Object();
  doc.Set(key, MirrorList(groups));
  return ToYaml(doc);
}

Result<std::string> Object(const char* api_version, const char* kind, const std::string& name, const char* list_key,
                           const Groups& groups) {
  Value metadata = Value::Object();
  metadata.Set("name", Value::String(name));
  Value spec = Value::Object();
  spec.Set(list_key, MirrorList(groups));
  Value doc = Value::Object();
  doc.Set("apiVersion", Value::String(api_version));
  doc.Set("kind", Value::String(kind));
  doc.Set("metadata", std::move(metadata));
  doc.Set("spec", std::move(spec));
  return ToYaml(doc);
}

}  // namespace

Result<std::string> RenderImageContentSources(const MirrorSet& set) {
  return InstallConfigKey("imageContentSources", set.groups());
}

Result<std::string> RenderImageDigestSources(const MirrorSet& set) {
  return InstallConfigKey("imageDigestSources", set.groups());
}

Result<std::string> RenderImageContentSourcePolicy(const MirrorSet& set, const std::string& name) {
  return Object("operator.openshift.io/v1alpha1", "ImageContentSourcePolicy", name, "repositoryDigestMirrors",
                set.groups());
}

Result<std::string> RenderImageDigestMirrorSet(const MirrorSet& set, const std::string& name) {
  return Object("config.openshift.io/v1", "ImageDigestMirrorSet", name, "imageDigestMirrors", set.groups());
}

Result<std::string> RenderImageTagMirrorSet(const MirrorSet& set, const std::string& name) {
  if (set.tag_groups().empty())
    return NotFound(
        "no record maps a tag to the same tag in its mirror, so no mirror can answer pulls by tag "
        "(an ImageTagMirrorSet needs records such as stream-mirror's; release-list maps digests)");
  return Object("config.openshift.io/v1", "ImageTagMirrorSet", name, "imageTagMirrors", set.tag_groups());
}

}  // namespace mk::mirrorconfig
