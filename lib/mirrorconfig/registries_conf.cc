#include "mirrorconfig/registries_conf.h"

#include "mirrorconfig/toml_writer.h"

namespace mk::mirrorconfig {

std::string RenderRegistriesConf(const MirrorSet& set) {
  TomlWriter w;
  for (const auto& [source, mirrors] : set.groups()) {
    auto by_tag = set.tag_groups().find(source);
    bool all_by_tag = by_tag != set.tag_groups().end() && by_tag->second == mirrors;
    w.ArrayTable({"registry"});
    w.String("prefix", source);
    w.String("location", source);
    w.Bool("mirror-by-digest-only", !all_by_tag);
    for (const auto& m : mirrors) {
      w.ArrayTable({"registry", "mirror"});
      w.String("location", m);
    }
  }
  return w.text();
}

}  // namespace mk::mirrorconfig
