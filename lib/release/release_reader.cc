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

Result<ReleaseImage> ReadRelease(store::Store& store, const Reference& ref, const std::string& go_arch) {
  const std::string what = "release " + ref.String();
  auto top = store.GetManifest(ref);
  if (!top.ok()) return top.status();
  oci::Manifest manifest = std::move(top).value();
  const Digest top_digest = manifest.digest;
  if (manifest.is_index()) {
    const oci::Descriptor* pick = nullptr;
    std::string seen;
    for (const auto& d : manifest.manifests) {
      if (!d.platform) continue;
      seen += (seen.empty() ? "" : ", ") + d.platform->String();
      if (d.platform->architecture == go_arch && (d.platform->os.empty() || d.platform->os == "linux")) {
        pick = &d;
        break;
      }
    }
    if (!pick) return NotFound(what + ": no " + go_arch + " image in the manifest list (has " + seen + ")");
    auto child = store.GetManifest(ref.WithDigest(pick->digest));
    if (!child.ok()) return child.status();
    manifest = std::move(child).value();
    if (manifest.is_index()) return InvalidArgument(what + ": nested manifest lists are not a release image");
  }
  ReleaseImage out;
  out.requested = ref;
  out.pinned = ref.WithDigest(manifest.digest);
  out.top_digest = top_digest;
  Reference repo = ref.RepositoryOnly();
  auto config_raw = store::ReadBlobToString(store, repo, manifest.config, 8 << 20);
  if (!config_raw.ok()) return config_raw.status().WithContext(what + ": config");
  auto config = oci::ImageConfig::Parse(*config_raw);
  if (!config.ok()) return config.status().WithContext(what + ": config");
  out.go_arch = config->platform.architecture.empty() ? go_arch : config->platform.architecture;
  out.arch = oci::OpenShiftArch(out.go_arch);
  if (auto it = config->labels.find("io.openshift.release"); it != config->labels.end()) out.label_version = it->second;

  std::optional<std::string> references, metadata;
  for (auto layer = manifest.layers.rbegin(); layer != manifest.layers.rend() && !references; ++layer) {
    Status s = WalkLayerFromStore(
        store, repo, *layer, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (e.type != archive::Entry::Type::kFile) return archive::Visit::kContinue;
          if (e.path == kImageReferencesPath) {
            MK_ASSIGN_OR_RETURN(references, content.ReadAll(16 << 20));
          } else if (e.path == kReleaseMetadataPath) {
            MK_ASSIGN_OR_RETURN(metadata, content.ReadAll(1 << 20));
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
