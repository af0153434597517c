// Reading an Operator catalog image's content straight from a Store (a
// registry, an OCI directory), by streaming its layers through
// release::WalkLayerFromStore (size and digest verified as they pass):
// nothing is unpacked to disk except, for a sqlite index image, the one
// index.db file, into a private temporary removed when its owner goes.
//
// OpenCatalogImage reads the manifest (a list's linux/amd64 child, else its
// first), the config and its labels, and tells the format:
//   operators.operatorframework.io.index.configs.v1  -> file-based (root = the configs directory)
//   operators.operatorframework.io.index.database.v1 -> sqlite (root = the index.db path)
// (when both are present the configs label wins: opm's images carrying both
// serve the file-based content).
//
// WalkConfigDocuments visits the documents of a file-based catalog, one file
// at a time (memory: one file's bytes and its parsed documents, never the
// whole catalog). Layers are walked from last to first so that a later
// layer's file replaces an earlier one of the same path and a whiteout
// (.wh.NAME, .wh..wh..opq) hides what is below it, as a container runtime
// would show the file system. Files *.json, *.yaml, *.yml under root; a
// JSON file may hold several concatenated documents (opm writes them so), a
// YAML file several "---" documents; every document reaches the visitor as
// a json::Value (YAML converted: scalars that YAML would resolve as null,
// bool or number become those JSON types, others strings).
//
// Thread-safety: functions are reentrant; a CatalogImage is plain data; a
// TempDatabase is owned by one thread at a time.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "archive/tar.h"
#include "catalog/model.h"
#include "json/value.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "ref/reference.h"
#include "store/store.h"

namespace mk::catalog {

struct CatalogImage {
  Reference requested;     // as the caller named it (tag or digest)
  Reference pinned;        // repository @ the digest of `manifest` below (the child when a list was named)
  Digest top_digest;       // what `requested` resolved to (the list's digest when it names a list)
  bool from_list = false;  // requested named a manifest list / OCI index
  oci::Manifest manifest;  // the image manifest read
  std::string config_raw;  // the config blob, exactly as stored
  oci::ImageConfig config;
  Format format = Format::kFileBased;
  std::string root;  // the label's value without its leading '/' ("configs", "database/index.db")
};

// kInvalidArgument "REF: not an Operator catalog image (...)" when neither
// label is present.
Result<CatalogImage> OpenCatalogImage(store::Store& store, const Reference& ref);

// path: the file's path in the image ("configs/etcd/catalog.json"). Return
// archive::Visit::kStop to end the walk early (the walk still reads the
// current layer to its end to verify it), an error to abort with it.
// Documents reach the visitor as the layer streams, before its digest is
// checked at its end: what a visitor gathers counts only once the walk
// returned ok (a corrupt layer fails it with kDataLoss).
using DocumentVisitor = std::function<Result<archive::Visit>(const std::string& path, const json::Value& doc)>;

// For a file-based image (kInvalidArgument for a sqlite one). A malformed
// file is an error naming it ("configs/etcd/catalog.json: ...").
Status WalkConfigDocuments(store::Store& store, const CatalogImage& image, const DocumentVisitor& visit);

// The documents of one file's content, by its name's extension (.json, or
// .yaml/.yml); other names hold no documents. Errors name path. Pure: the
// unit of WalkConfigDocuments that tests can drive without a store.
Status ParseConfigFile(const std::string& path, std::string_view content, const DocumentVisitor& visit);

// Whether path is a catalog document file under root (root itself may be a
// file), by name.
bool IsConfigFile(std::string_view root, std::string_view path);

// A private temporary file (mkstemp under $TMPDIR or /tmp, mode 0600),
// removed when the object goes away, on every path. Movable.
class TempDatabase {
 public:
  TempDatabase() = default;
  explicit TempDatabase(std::string path) : path_(std::move(path)) {}
  ~TempDatabase();
  TempDatabase(TempDatabase&& o) noexcept : path_(std::exchange(o.path_, std::string())) {}
  TempDatabase& operator=(TempDatabase&& o) noexcept;
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// For a sqlite image: the root entry (the topmost layer that has it, unless
// a later layer whited it out) streamed into a TempDatabase. kNotFound
// naming the image and root when no layer holds it.
Result<TempDatabase> ExtractDatabase(store::Store& store, const CatalogImage& image);

}  // namespace mk::catalog
