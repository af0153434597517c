#include "release/release_plan.h"

#include "records/records.h"
#include "store/location.h"

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
    return options.from_dir.empty() ? name : store::Location{options.from_dir, name, options.from_scheme}.String();
  };
  auto to_dir = [&](const std::string& name) { return "dir:" + options.to_dir + ":" + name; };

  records::ReleaseRecord rel;
  rel.version = version;
  rel.arch = release.arch;
  rel.from = release.requested.String();
  rel.source = located(release.pinned.String());
  rel.digest = release.digest().str();
  rel.components = static_cast<int64_t>(release.contents.components.size());
  if (!options.to_dir.empty()) {
    // The tag the user asked for, so the restricted side can select it.
    Reference named = release.requested.digest() && release.requested.tag().empty()
                          ? release.pinned
                          : release.requested.WithTag(release.requested.tag());
    rel.dest = to_dir(named.String());
  } else if (options.to_release_image) {
    rel.dest = options.to_release_image->String();
  } else if (options.to) {
    MK_ASSIGN_OR_RETURN(std::string tag, ComponentTag(version, release.arch, ""));
    rel.dest = options.to->WithTag(tag).String();
  }
  out.push_back(records::Release(rel));

  for (const auto& c : release.contents.components) {
    records::ImageRecord rec;
    rec.name = c.name;
    rec.release = version;
    rec.source = located(c.source.String());
    rec.digest = c.source.digest()->str();
    if (!options.to_dir.empty()) {
      rec.dest = to_dir(c.source.String());
    } else if (options.to) {
      MK_ASSIGN_OR_RETURN(std::string tag, ComponentTag(version, release.arch, c.name));
      rec.dest = options.to->WithTag(tag).String();
    }
    out.push_back(records::Image(rec));
  }
  return out;
}

}  // namespace mk::release
