// Inventory: what one side of an air gap already holds — the manifest and
// blob digests of an OCI layout directory, or of images in a mirror
// registry — written small enough to carry back on the media, so the other
// side packs only what is missing (oci-dir have; pack --exclude-from).
//
// The file is text, one digest a line, sorted, manifests first (about 74
// bytes a digest: 100,000 digests take 7.4 MB, some 4 MB gzipped):
//
//   inventory = header *( comment / blank / entry )
//   header    = "# mirrorkit-inventory 1" LF
//   comment   = "#" *CHAR LF                ; ignored (source, counts)
//   entry     = ( "m" / "b" ) SP digest LF  ; m: a manifest or index,
//                                           ; b: any other blob
// A line of any other shape makes the whole file invalid (naming the line):
// a wrong file must not quietly exclude nothing, or everything.
//
// What "holds" means is presence, not proof: a directory's blob counts when
// it is a regular file under its digest's name of the size its descriptor
// gives (no hashing: `have` stays fast; `oci-dir verify` proves content,
// and unpack verifies what it completes); a registry's when a manifest
// naming it is there (a registry refuses a manifest whose blobs it lacks).
// An inventory that lacks a digest is never wrong, only makes a delta
// larger. Plain values and functions; thread-compatible.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "json/lines.h"
#include "store/oci_dir_store.h"
#include "store/resolver.h"

namespace mk::layout {

struct Inventory {
  std::set<Digest> manifests;
  std::set<Digest> blobs;
  bool Has(const Digest& d) const { return blobs.count(d) != 0 || manifests.count(d) != 0; }
  size_t size() const { return manifests.size() + blobs.size(); }
};

inline constexpr std::string_view kInventoryHeader = "# mirrorkit-inventory 1";
// Inventories larger than this are refused (some 900,000 digests).
inline constexpr size_t kMaxInventoryBytes = 64 << 20;

// The file's text; source goes into a comment line ("dir:/srv/mirror").
std::string FormatInventory(const Inventory& inventory, const std::string& source);
Result<Inventory> ParseInventory(std::string_view text);
// path "-" reads standard input (`zcat inv.gz | oci-dir pack --exclude-from -`).
Result<Inventory> ReadInventory(const std::string& path);
// Written atomically (base/atomic_file.h), mode 0644.
Status WriteInventory(const std::string& path, const Inventory& inventory, const std::string& source);

struct HaveSummary {
  int images = 0;            // named images walked
  int blobs_missing = 0;     // referenced, not there (left out)
  int blobs_wrong_size = 0;  // referenced, another size (left out: a delta brings it again)
  int manifests_unreadable = 0;
};

// What an OCI layout holds: every manifest reachable from index.json (read
// and verified: they are small and must be parsed anyway), every blob those
// manifests reference that is present with its size, and every other
// regular file under blobs/sha256 named by a digest (unreferenced content,
// such as blobs a refused delta left, is content the directory has).
// problem gets one line per blob left out for its size or an unreadable
// manifest (a missing blob is only counted: an incomplete image is normal).
Result<Inventory> DirectoryInventory(store::OciDirStore& dir, HaveSummary& summary,
                                     const std::function<void(const std::string&)>& problem);

// What a mirror registry holds of the given images (each pinned by digest
// or tag): the manifests read through the registry API, the children of
// indexes, and the config and layers of each image manifest. An image that
// cannot be read is reported to failed and left out (its blobs then travel
// again); the others are listed.
// The images a record stream names in registries (what blob-copy or
// release-list --to printed): each record's dest, pinned by its digest when
// it has one; a record whose status is neither copied nor present (a failed
// copy), and one without a dest, are skipped. A line that is no record, or
// a dest that is not a registry reference (a dir: location: use the
// directory form), is reported to problem with its line number and
// skipped. Duplicates are dropped.
Result<std::vector<Reference>> ImagesFromRecords(json::LineReader& reader,
                                                 const std::function<void(size_t line, const Status&)>& problem);

Inventory RegistryInventory(store::StoreResolver& stores, const std::vector<Reference>& images,
                            const std::function<void(const Reference&, const Status&)>& failed);

}  // namespace mk::layout
