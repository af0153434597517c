// Plans the mirror of an Operator catalog, as `oc adm catalog mirror` and
// oc-mirror do, and renders it as records (man/mirrorkit-records.7) that
// blob-copy and ics-gen take as they take release-list's:
//
//   {"kind":"catalog","name","from","source","digest","format","packages","channels","bundles","images"}
//   {"kind":"image","name","source","digest","dest","role":"bundle"|"related","packages":[...],"bundle"}
//
// ListCatalog reads the catalog image (registry or dir:), its model, the
// selection (selection.h), and the images of the selected bundles: each
// bundle image and each related image (operands), one record per image
// deduplicated by repository and digest (a related image shared between
// packages is one record naming both). Every source is pinned by digest:
// an image the catalog names by tag is resolved through the store at
// planning time; a tag that does not resolve is an error record naming it
// (the rest is still planned; failed counts them). With --to REPO, dest
// keeps the source's repository path under REPO
// (quay.io/org/op@sha256:… → REPO/org/op@sha256:…); with --to-dir DIR,
// dir:DIR:<source> (pinned; an image the catalog names by tag keeps that
// tag as its name there). A catalog read from a directory gives
// dir:DIR:<reference> sources, its tags resolved in that directory.
//
// Memory follows the catalog model and the selection (fbc_reader.h), never
// the catalog's bytes: the plan keeps a few words per image (its pinned
// reference and indexes into the model) and builds each record only when it
// is written (WriteRecords). The resolver must outlive the listing (store
// points into it); the listing is plain data otherwise. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/image_content.h"
#include "catalog/model.h"
#include "catalog/selection.h"
#include "json/value.h"
#include "records/failures.h"
#include "ref/reference.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::catalog {

inline constexpr const char kCatalogKind[] = "catalog";

struct ListOptions {
  std::vector<PackageSelector> selectors;  // none: everything
  std::optional<Reference> to;             // a repository
  std::string to_dir;                      // an OCI directory
};

// One image of the plan, in a few words: the record is built from it and
// the model when it is written.
struct PlannedImage {
  std::string pinned;    // repository@digest
  std::string dir_name;  // --to-dir: the name in the directory when not pinned (a tag the catalog uses)
  uint32_t bundle = 0;   // index into Catalog::bundles: the first selected bundle that names it
  int32_t related = -1;  // index into that bundle's related_images; -1: the bundle image itself
  std::vector<std::string> more_packages;  // selected packages beyond the bundle's that need it
};

struct CatalogListing {
  store::Store* store = nullptr;  // where the catalog image is (owned by the resolver)
  store::Location location;       // the catalog as asked for
  ListOptions options;
  CatalogImage image;
  Catalog catalog;
  Selection selection;
  json::Value catalog_record;
  std::vector<PlannedImage> planned;                   // in plan order
  std::vector<std::pair<size_t, json::Value>> errors;  // error records, each written before planned[first]
  size_t bundles = 0;                                  // selected
  size_t images = 0;                                   // image records (planned.size())
  int failed = 0;                                      // error records
  records::FailureSet failures;                        // their codes: failures.Exit() is the exit status

  // The records in order, the catalog record first, each built when it is
  // handed to write; stops when write returns false.
  void WriteRecords(const std::function<bool(const json::Value&)>& write) const;
  // The image record of planned[i].
  json::Value ImageRecord(size_t i) const;
};

// Errors: the catalog cannot be read (kInvalidArgument for an image that is
// no catalog, a malformed document, a bad selection: unknown package or
// channel, a broken channel), or the store fails.
Result<CatalogListing> ListCatalog(store::StoreResolver& stores, const store::Location& catalog,
                                   const ListOptions& options);

// The dest of an image under --to REPO: REPO/<source path>@digest.
std::string MirrorDest(const Reference& to, const Reference& source, const Digest& digest);

// "file-based" or "sqlite", as the catalog record writes the format.
const char* FormatName(Format format);

// Sets dest and pruned_digest on a catalog record (after --catalog-to).
void SetPruned(json::Value& catalog_record, const std::string& dest, const Digest& digest);

}  // namespace mk::catalog
