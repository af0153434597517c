// Extracting a command from a release, pinned to it (seed §3.3.4, last
// step; `oc adm release extract --command`).
//
// The command lives in a component image of the release: openshift-install
// in `installer` (usr/bin/openshift-install), the macOS build in
// `installer-artifacts`, the bare-metal one in `baremetal-installer`, oc in
// `cli` (usr/bin/oc). The component is looked up in the release's own
// repository first (a mirror holds every component there, by digest), then
// at its original pullspec. Its layers are read from the last to the first;
// the first that has the path decides (a whiteout there means it is gone).
// Within a layer the last entry decides, as tar and container runtimes
// apply one: a later entry of the same path replaces an earlier one, a
// later whiteout removes it (an opaque one hides only lower layers).
//
// SIGINT/SIGTERM stop the work at the next chunk — streaming, or rewriting
// the placeholders — with kCancelled, and the temporary file goes: nothing
// is left under the final name or a temporary one. Temporaries a SIGKILL
// left in DIR for the command are removed by the next run.
//
// A multi-arch release (a manifest list) is given resolved to one child
// (session::ReadReleaseForArch): the command is that architecture's, taken
// from the child's image-references, while the pin names the LIST digest —
// what a cluster pulls, whatever its nodes' architectures — and the
// architecture placeholder says "multi (linux/ARCH)", as oc writes it.
//
// Safety: nothing in the layer chooses where we write — only the one file,
// to DIR/<command>, through a temporary file renamed after the layer's
// digest checked out and the pin was written; the entry must be a regular
// file (a symlink or hard link is refused, never followed); a size cap
// stops decompression bombs. The installer's placeholders are rewritten as
// oc does: at the first byte of "\0_RELEASE_IMAGE_LOCATION_\0" + 300 × 'X' +
// "\0" (327 bytes) the value and a NUL are written, every other byte is kept;
// a value over 326 bytes or a missing placeholder is refused.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "release/release_reader.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::release {

struct CommandSpec {
  std::string component;  // "installer"
  std::string path;       // "usr/bin/openshift-install"
  std::string file_name;  // "openshift-install"
  bool pin = false;       // carries the release placeholders
};

// openshift-install, openshift-install-mac, openshift-baremetal-install, oc.
Result<CommandSpec> CommandFor(const std::string& command);

struct Placeholder {
  std::string marker;  // "_RELEASE_IMAGE_LOCATION_"
  size_t xs;           // how many 'X' follow it
  std::string Bytes() const {
    return std::string(1, '\0') + marker + std::string(1, '\0') + std::string(xs, 'X') + std::string(1, '\0');
  }
};
const Placeholder& ImagePlaceholder();
const Placeholder& VersionPlaceholder();
const Placeholder& ArchitecturePlaceholder();

// Rewrites every occurrence of the placeholder in the file at fd (read in
// chunks; matches across chunk boundaries). Returns how many were written.
Result<int> WritePlaceholder(int fd, const Placeholder& placeholder, const std::string& value);

struct ExtractOptions {
  std::string command;  // "openshift-install" or "oc"
  std::string to_dir = ".";
  uint64_t max_bytes = 2ull << 30;
};

struct ExtractResult {
  std::string path;  // where the command was written
  uint64_t size = 0;
  std::string component;  // the image it came from (a reference)
  std::string pinned_to;  // the release pullspec written into it, "" for oc
};

// release_location: what the user named (a registry reference or a dir:
// location), for finding the component next to the release.
Result<ExtractResult> ExtractCommand(store::StoreResolver& stores, const store::Location& release_location,
                                     const ReleaseImage& release, const ExtractOptions& options);

}  // namespace mk::release
