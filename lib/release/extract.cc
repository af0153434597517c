#include "release/extract.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "base/atomic_file.h"
#include "base/signals.h"
#include "oci/image_config.h"
#include "release/stored_layer.h"

namespace mk::release {
namespace {

// What a whiteout entry does to path: ".wh.NAME" removes NAME (a file, or a
// parent directory with all below it), also when NAME came earlier in the
// same layer; ".wh..wh..opq" empties its directory of what lower layers
// hold, but keeps what its own layer adds (containerd's apply does both).
enum class Whiteout { kNone, kRemoves, kOpaque };
Whiteout WhiteoutOf(const std::string& entry, const std::string& path) {
  size_t slash = entry.rfind('/');
  std::string dir = slash == std::string::npos ? "" : entry.substr(0, slash);
  std::string base = slash == std::string::npos ? entry : entry.substr(slash + 1);
  if (base.rfind(".wh.", 0) != 0) return Whiteout::kNone;
  std::string prefix = dir.empty() ? "" : dir + "/";
  if (base == ".wh..wh..opq") return path.rfind(prefix, 0) == 0 ? Whiteout::kOpaque : Whiteout::kNone;
  std::string hidden = prefix + base.substr(4);
  return path == hidden || path.rfind(hidden + "/", 0) == 0 ? Whiteout::kRemoves : Whiteout::kNone;
}

const char* KindOf(archive::Entry::Type type) {
  switch (type) {
    case archive::Entry::Type::kSymlink:
      return "symlink";
    case archive::Entry::Type::kHardlink:
      return "hard link";
    case archive::Entry::Type::kDirectory:
      return "directory";
    default:
      return "special file";
  }
}

Result<oci::Manifest> ComponentManifest(store::Store& store, const Reference& ref, const std::string& go_arch) {
  MK_ASSIGN_OR_RETURN(oci::Manifest m, store.GetManifest(ref));
  if (m.is_schema1())
    return Unsupported("component " + ref.String() +
                       " is a Docker schema 1 image; convert it with manifest-rewrite --convert docker");
  if (!m.is_index()) return m;
  for (const auto& d : m.manifests)
    if (d.platform && d.platform->architecture == go_arch && (d.platform->os.empty() || d.platform->os == "linux"))
      return store.GetManifest(ref.WithDigest(d.digest));
  return NotFound("component " + ref.String() + " has no " + go_arch + " image");
}

}  // namespace

Result<CommandSpec> CommandFor(const std::string& command) {
  if (command == "openshift-install")
    return CommandSpec{"installer", "usr/bin/openshift-install", "openshift-install", true};
  if (command == "openshift-install-mac")
    return CommandSpec{"installer-artifacts", "usr/share/openshift/mac/openshift-install", "openshift-install", true};
  if (command == "openshift-baremetal-install")
    return CommandSpec{"baremetal-installer", "usr/bin/openshift-install", "openshift-baremetal-install", true};
  if (command == "oc") return CommandSpec{"cli", "usr/bin/oc", "oc", false};
  return InvalidArgument("unknown command " + command +
                         " (openshift-install, openshift-install-mac, openshift-baremetal-install, oc)");
}

const Placeholder& ImagePlaceholder() {
  static const Placeholder p{"_RELEASE_IMAGE_LOCATION_", 300};
  return p;
}
const Placeholder& VersionPlaceholder() {
  static const Placeholder p{"_RELEASE_VERSION_LOCATION_", 64};
  return p;
}
const Placeholder& ArchitecturePlaceholder() {
  static const Placeholder p{"_RELEASE_ARCHITECTURE_LOCATION_", 64};
  return p;
}

Result<int> WritePlaceholder(int fd, const Placeholder& placeholder, const std::string& value) {
  const std::string needle = placeholder.Bytes();
  if (value.size() > needle.size() - 1)
    return InvalidArgument("value for " + placeholder.marker + " is " + std::to_string(value.size()) +
                           " bytes; the placeholder holds at most " + std::to_string(needle.size() - 1));
  std::vector<off_t> hits;
  std::vector<char> buf(1 << 20);
  std::string window;  // the tail of the previous chunk, so matches may straddle
  off_t window_start = 0;
  for (off_t offset = 0;;) {
    // A 2 GiB installer takes seconds per placeholder: Ctrl-C must stop it.
    if (Interrupted()) return Cancelled("interrupted");
    ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(std::string("cannot read the extracted file: ") + std::strerror(errno));
    }
    if (n == 0) break;
    window.append(buf.data(), static_cast<size_t>(n));
    offset += n;
    for (size_t pos = window.find(needle); pos != std::string::npos; pos = window.find(needle, pos + needle.size()))
      hits.push_back(window_start + static_cast<off_t>(pos));
    size_t keep = std::min(window.size(), needle.size() - 1);
    window_start += static_cast<off_t>(window.size() - keep);
    window.erase(0, window.size() - keep);
  }
  std::string replacement = value + std::string(1, '\0');
  for (off_t at : hits) {
    if (::pwrite(fd, replacement.data(), replacement.size(), at) != static_cast<ssize_t>(replacement.size()))
      return IoError(std::string("cannot write the extracted file: ") + std::strerror(errno));
  }
  return static_cast<int>(hits.size());
}

Result<ExtractResult> ExtractCommand(store::StoreResolver& stores, const store::Location& release_location,
                                     const ReleaseImage& release, const ExtractOptions& options) {
  MK_ASSIGN_OR_RETURN(CommandSpec spec, CommandFor(options.command));
  const Component* component = nullptr;
  for (const auto& c : release.contents.components)
    if (c.name == spec.component) component = &c;
  if (!component) return NotFound("release " + release.version() + " has no " + spec.component + " component");

  // Next to the release first (a mirror), then where the release says.
  MK_ASSIGN_OR_RETURN(auto where, stores.ForLocation(release_location, false));
  store::Store* store = where.store;
  Reference image = release.requested.WithDigest(*component->source.digest());
  if (release_location.is_dir()) image = component->source;
  auto manifest = ComponentManifest(*store, image, release.go_arch);
  if (!manifest.ok() && manifest.status().code() == Code::kNotFound && !release_location.is_dir()) {
    image = component->source;
    store = &stores.ForReference(image);
    manifest = ComponentManifest(*store, image, release.go_arch);
  }
  if (!manifest.ok()) return manifest.status().WithContext("component " + spec.component);

  MK_RETURN_IF_ERROR(MakeDirectories(options.to_dir));
  // The temporaries of earlier runs killed with SIGKILL (only those no
  // live writer holds: base/atomic_file.h). Housekeeping: a directory we
  // cannot clean fails below, at the write, with the clearer error.
  (void)RemoveStaleTemps(options.to_dir, spec.file_name);
  std::string final_path = options.to_dir + "/" + spec.file_name;
  MK_ASSIGN_OR_RETURN(AtomicFile out, AtomicFile::Create(final_path, 0755));
  // Within a layer the last entry for the path decides, as tar and container
  // runtimes apply a layer: a later entry replaces an earlier one (the
  // temporary is emptied and written again), a later whiteout removes it.
  // The first layer from the top that decides anything ends the search.
  enum class State { kAbsent, kFile, kNotRegular, kRemoved };
  State state = State::kAbsent;
  const char* not_regular = "";
  uint64_t size = 0;
  bool written = false;  // the temporary holds an earlier entry's bytes
  Reference repo = image.RepositoryOnly();
  for (auto layer = manifest->layers.rbegin(); layer != manifest->layers.rend() && state == State::kAbsent; ++layer) {
    if (Interrupted()) return Cancelled("interrupted");
    Status s = WalkLayerFromStore(
        *store, repo, *layer, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (Interrupted()) return Cancelled("interrupted");
          Whiteout w = WhiteoutOf(e.path, spec.path);
          if (w == Whiteout::kRemoves || (w == Whiteout::kOpaque && state == State::kAbsent)) state = State::kRemoved;
          if (w != Whiteout::kNone || e.path != spec.path) return archive::Visit::kContinue;
          if (written) {
            MK_RETURN_IF_ERROR(out.Truncate());
            size = 0;
            written = false;
          }
          if (e.type != archive::Entry::Type::kFile) {
            state = State::kNotRegular;
            not_regular = KindOf(e.type);
            return archive::Visit::kContinue;
          }
          if (e.size < 0 || static_cast<uint64_t>(e.size) > options.max_bytes)
            return InvalidArgument(spec.path + " is larger than " + std::to_string(options.max_bytes) +
                                   " bytes; refused");
          std::vector<char> buf(1 << 20);
          written = true;
          for (;;) {
            if (Interrupted()) return Cancelled("interrupted");
            MK_ASSIGN_OR_RETURN(size_t n, content.Read(buf.data(), buf.size()));
            if (n == 0) break;
            size += n;
            if (size > options.max_bytes) return InvalidArgument(spec.path + " grew past the size cap; refused");
            MK_RETURN_IF_ERROR(out.Write(std::string_view(buf.data(), n)));
          }
          state = State::kFile;
          return archive::Visit::kContinue;  // a later entry may still replace it
        });
    if (!s.ok()) return s;
  }
  if (state == State::kNotRegular)
    return PermissionDenied(spec.path + " in the " + spec.component + " image is not a regular file (a " + not_regular +
                            "); refused");
  if (state != State::kFile)
    return NotFound(spec.path + " is not in the " + spec.component + " image " + image.String());

  ExtractResult result;
  result.path = final_path;
  result.size = size;
  result.component = image.String();
  if (spec.pin) {
    // What oc writes: the release as the user named it, tag dropped, by
    // the digest of what that name resolved to (the list, if multi-arch).
    result.pinned_to = release.requested.WithDigest(release.top_digest).String();
    MK_ASSIGN_OR_RETURN(int n, WritePlaceholder(out.fd(), ImagePlaceholder(), result.pinned_to));
    if (n == 0)
      return NotFound(spec.path + " has no release image placeholder; refusing to write an unpinned installer");
    MK_RETURN_IF_ERROR(WritePlaceholder(out.fd(), VersionPlaceholder(), release.version()).status());
    // oc writes "multi (linux/ARCH)" for a list, which the installer reads
    // as a multi-arch payload (installer pkg/version cleanArch).
    const std::string arch = release.from_list ? "multi (linux/" + release.go_arch + ")" : release.go_arch;
    MK_RETURN_IF_ERROR(WritePlaceholder(out.fd(), ArchitecturePlaceholder(), arch).status());
  }
  // The last moment an interrupt can still leave nothing behind.
  if (Interrupted()) return Cancelled("interrupted");
  MK_RETURN_IF_ERROR(out.Commit());
  return result;
}

}  // namespace mk::release
