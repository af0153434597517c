#include "release/release_reader.h"

#include <optional>

#include "oci/image_config.h"
#include "release/stored_layer.h"
#include "store/blob_stream.h"

namespace mk::release {

std::string ReleaseImage::version() const {
  if (!contents.metadata_version.empty()) return contents.metadata_version;
  if (!label_version.empty()) return label_version;
  return contents.name;
}

namespace {

bool IsLinux(const oci::Platform& p) { return p.os.empty() || p.os == "linux"; }

// The child of a list a release is read from: go_arch's, or for a list
// kept whole linux/amd64's, else the first (a child without a platform
// included: a list kept whole is copied whole, whatever its entries say).
Result<const oci::Descriptor*> PickChild(const oci::Manifest& list, const std::string& go_arch,
                                         const std::string& what) {
  const bool whole = go_arch.empty() || go_arch == kMultiArch;
  const std::string want = whole ? "amd64" : go_arch;
  std::string seen;
  for (const auto& d : list.manifests) {
    if (!d.platform) continue;
    seen += (seen.empty() ? "" : ", ") + d.platform->String();
    if (d.platform->architecture == want && IsLinux(*d.platform)) return &d;
  }
  if (whole && !list.manifests.empty()) return &list.manifests.front();
  if (whole) return InvalidArgument(what + ": the manifest list is empty");
  return NotFound(what + ": no " + go_arch + " image in the manifest list (has " + (seen.empty() ? "none" : seen) +
                  ")");
}

}  // namespace

Result<ReleaseImage> ReadRelease(store::Store& store, const Reference& ref, const std::string& go_arch) {
  const std::string what = "release " + ref.String();
  auto top = store.GetManifest(ref);
  if (!top.ok()) return top.status();
  oci::Manifest manifest = std::move(top).value();
  ReleaseImage out;
  out.requested = ref;
  out.top_digest = manifest.digest;
  if (manifest.is_index()) {
    out.from_list = true;
    out.list_digest = manifest.digest;
    out.list_media_type = manifest.media_type;
    for (const auto& d : manifest.manifests) out.list_children.push_back(d.digest);
    out.multi = go_arch.empty() || go_arch == kMultiArch;
    MK_ASSIGN_OR_RETURN(const oci::Descriptor* pick, PickChild(manifest, go_arch, what));
    auto child = store.GetManifest(ref.WithDigest(pick->digest));
    if (!child.ok()) return child.status().WithContext(what + ": child " + pick->digest.str());
    manifest = std::move(child).value();
    if (manifest.is_index()) return InvalidArgument(what + ": nested manifest lists are not a release image");
  }
  if (manifest.is_schema1()) return Unsupported(what + " is a Docker schema 1 image, not a release image");
  out.pinned = ref.WithDigest(out.multi ? out.list_digest : manifest.digest);
  Reference repo = ref.RepositoryOnly();
  auto config_raw = store::ReadBlobToString(store, repo, manifest.config, 8 << 20);
  if (!config_raw.ok()) return config_raw.status().WithContext(what + ": config");
  auto config = oci::ImageConfig::Parse(*config_raw);
  if (!config.ok()) return config.status().WithContext(what + ": config");
  if (!config->platform.architecture.empty())
    out.go_arch = config->platform.architecture;
  else if (!go_arch.empty() && go_arch != kMultiArch)
    out.go_arch = go_arch;
  else
    out.go_arch = "amd64";  // what a config without an architecture means to a runtime
  out.arch = out.multi ? kMultiArch : oci::OpenShiftArch(out.go_arch);
  if (go_arch == kMultiArch && !out.from_list)
    return InvalidArgument(what + " is a single-architecture image (" + out.go_arch +
                           "), not a manifest list; it cannot be mirrored as multi");
  if (auto it = config->labels.find("io.openshift.release"); it != config->labels.end()) out.label_version = it->second;

  std::optional<std::string> references, metadata;
  for (auto layer = manifest.layers.rbegin(); layer != manifest.layers.rend() && !references; ++layer) {
    Status s = WalkLayerFromStore(
        store, repo, *layer, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (e.type != archive::Entry::Type::kFile) return archive::Visit::kContinue;
          // Capped: a hostile layer may claim any size; the error names the entry.
          if (e.path == kImageReferencesPath) {
            auto text = content.ReadAll(16 << 20);
            if (!text.ok()) return text.status().WithContext(e.path);
            references = std::move(text).value();
          } else if (e.path == kReleaseMetadataPath) {
            auto text = content.ReadAll(1 << 20);
            if (!text.ok()) return text.status().WithContext(e.path);
            metadata = std::move(text).value();
          }
          return references && metadata ? archive::Visit::kStop : archive::Visit::kContinue;
        });
    if (!s.ok()) return s.WithContext(what);
  }
  if (!references)
    return NotFound(what + ": no " + std::string(kImageReferencesPath) + " in any layer; is this a release image?");
  auto contents = ParseImageReferences(*references);
  if (!contents.ok()) return contents.status().WithContext(what);
  out.contents = std::move(contents).value();
  if (metadata) {
    Status s = ParseReleaseMetadata(*metadata, out.contents);
    if (!s.ok()) return s.WithContext(what);
  }
  out.manifest = std::move(manifest);
  return out;
}

}  // namespace mk::release
