#include "release/release_plan.h"

namespace mk::release {

Result<std::string> ComponentTag(const std::string& version, const std::string& arch, const std::string& name) {
  std::string tag = version + "-" + arch + (name.empty() ? "" : "-" + name);
  Status s = ValidateTag(tag);
  if (!s.ok()) return s.WithContext("planned tag for " + (name.empty() ? std::string("the release") : name));
  return tag;
}

Result<std::vector<json::Value>> PlanRecords(const ReleaseImage& release, const PlanOptions& options) {
  const std::string version = release.version();
  if (version.empty()) return InvalidArgument("release " + release.requested.String() + " names no version");
  std::vector<json::Value> out;
  auto located = [&](const std::string& name) {
    return options.from_dir.empty() ? name : "dir:" + options.from_dir + ":" + name;
  };
  auto to_dir = [&](const std::string& name) { return "dir:" + options.to_dir + ":" + name; };

  json::Value rel = json::Value::Object();
  rel.Set("kind", json::Value::String("release"));
  rel.Set("name", json::Value::String(version));
  rel.Set("version", json::Value::String(version));
  rel.Set("arch", json::Value::String(release.arch));
  rel.Set("from", json::Value::String(release.requested.String()));
  rel.Set("source", json::Value::String(located(release.pinned.String())));
  rel.Set("digest", json::Value::String(release.manifest.digest.str()));
  rel.Set("components", json::Value::Number(static_cast<int64_t>(release.contents.components.size())));
  if (!options.to_dir.empty()) {
    // The tag the user asked for, so the restricted side can select it.
    Reference named = release.requested.digest() && release.requested.tag().empty()
                          ? release.pinned : release.requested.WithTag(release.requested.tag());
    rel.Set("dest", json::Value::String(to_dir(named.String())));
  } else if (options.to_release_image) {
    rel.Set("dest", json::Value::String(options.to_release_image->String()));
  } else if (options.to) {
    MK_ASSIGN_OR_RETURN(std::string tag, ComponentTag(version, release.arch, ""));
    rel.Set("dest", json::Value::String(options.to->WithTag(tag).String()));
  }
  out.push_back(std::move(rel));

  for (const auto& c : release.contents.components) {
    json::Value rec = json::Value::Object();
    rec.Set("kind", json::Value::String("image"));
    rec.Set("name", json::Value::String(c.name));
    rec.Set("release", json::Value::String(version));
    rec.Set("source", json::Value::String(located(c.source.String())));
    rec.Set("digest", json::Value::String(c.source.digest()->str()));
    if (!options.to_dir.empty()) {
      rec.Set("dest", json::Value::String(to_dir(c.source.String())));
    } else if (options.to) {
      MK_ASSIGN_OR_RETURN(std::string tag, ComponentTag(version, release.arch, c.name));
      rec.Set("dest", json::Value::String(options.to->WithTag(tag).String()));
    }
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace mk::release
