#include "mirrorconfig/cluster_config.h"

#include "mirrorconfig/yaml_writer.h"

namespace mk::mirrorconfig {
namespace {

using Groups = std::map<std::string, std::set<std::string>>;

// A sequence of {mirrors, source}: the shape every format here shares.
void EmitMirrors(YamlWriter& w, const Groups& groups) {
  auto& e = w.emitter();
  e << YAML::BeginSeq;
  for (const auto& [source, mirrors] : groups) {
    e << YAML::BeginMap << YAML::Key << "mirrors" << YAML::Value << YAML::BeginSeq;
    for (const auto& m : mirrors) w.String(m);
    e << YAML::EndSeq << YAML::Key << "source" << YAML::Value;
    w.String(source);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

Result<std::string> InstallConfigKey(const char* key, const Groups& groups) {
  YamlWriter w;
  w.emitter() << YAML::BeginMap << YAML::Key << key << YAML::Value;
  EmitMirrors(w, groups);
  w.emitter() << YAML::EndMap;
  return w.Text();
}

Result<std::string> Object(const char* api_version, const char* kind, const std::string& name, const char* list_key,
                           const Groups& groups) {
  YamlWriter w;
  auto& e = w.emitter();
  e << YAML::BeginMap;
  e << YAML::Key << "apiVersion" << YAML::Value << api_version;
  e << YAML::Key << "kind" << YAML::Value << kind;
  e << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
  w.String(name);
  e << YAML::EndMap;
  e << YAML::Key << "spec" << YAML::Value << YAML::BeginMap << YAML::Key << list_key << YAML::Value;
  EmitMirrors(w, groups);
  e << YAML::EndMap << YAML::EndMap;
  return w.Text();
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
