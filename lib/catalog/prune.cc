#include "catalog/prune.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "catalog/prune_documents.h"
#include "catalog/prune_layer.h"
#include "catalog/prune_sqlite.h"
#include "graph/graph_image.h"
#include "oci/media_types.h"
#include "store/blob_stream.h"

namespace mk::catalog {
namespace {

// Where a kept document's bytes are in the documents scratch file.
struct Span {
  uint64_t offset;
  uint64_t size;
};

// A path the layer may write: relative, no "." or ".." component.
bool SafePath(const std::string& path) {
  if (path.empty()) return false;
  for (const auto& part : Split(path, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return true;
}

bool Under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

// The file-based layer: the kept documents, one file per package.
Result<BuiltLayer> FileBasedLayer(const CatalogListing& listing, uint64_t* documents) {
  const std::string& root = listing.image.root;
  if (!SafePath(root))
    return InvalidArgument("catalog " + listing.image.pinned.String() + ": configs directory \"" + root +
                           "\" cannot be rewritten");
  DocumentFilter filter(listing.catalog, listing.selection);
  MK_ASSIGN_OR_RETURN(ScratchFile docs, ScratchFile::Create());
  std::map<std::string, std::vector<Span>> by_package;
  MK_RETURN_IF_ERROR(WalkConfigDocuments(
      *listing.store, listing.image, [&](const std::string&, const json::Value& doc) -> Result<archive::Visit> {
        std::optional<json::Value> kept = filter.Filter(doc);
        if (!kept) return archive::Visit::kContinue;
        std::string text = kept->Serialize() + "\n";
        by_package[DocumentFilter::PackageOf(*kept)].push_back({docs.size(), text.size()});
        MK_RETURN_IF_ERROR(docs.Append(text));
        ++*documents;
        return archive::Visit::kContinue;
      }));

  std::string cache = CacheDir(listing.image.config_raw);
  if (!SafePath(cache) || Under(cache, root)) cache.clear();  // the opaque whiteout covers it, or nothing to do
  return BuildLayer([&](archive::TarWriter& tar) -> Status {
    MK_RETURN_IF_ERROR(tar.AddString(root + "/.wh..wh..opq", ""));
    size_t n = 0;
    for (const auto& [package, spans] : by_package) {
      const std::string path =
          root + "/" + (package.empty() ? std::string() : PackageDirName(package, n++) + "/") + "catalog.json";
      uint64_t total = 0;
      for (const auto& s : spans) total += s.size;
      size_t span = 0;
      uint64_t done = 0;  // bytes of spans[span] already read
      MK_RETURN_IF_ERROR(tar.Add(path, total, [&](char* out, size_t want) -> Result<size_t> {
        while (span < spans.size() && done == spans[span].size) ++span, done = 0;
        if (span == spans.size()) return size_t{0};
        size_t k = static_cast<size_t>(std::min<uint64_t>(want, spans[span].size - done));
        MK_ASSIGN_OR_RETURN(size_t got, docs.ReadAt(spans[span].offset + done, out, k));
        if (got == 0) return IoError("a temporary file ended early");
        done += got;
        return got;
      }));
    }
    if (!cache.empty()) MK_RETURN_IF_ERROR(tar.AddString(WhiteoutPath(cache), ""));
    return Status::Ok();
  });
}

// The sqlite layer: the index.db pruned, at its own path.
Result<BuiltLayer> SqliteLayer(const CatalogListing& listing) {
  const std::string& root = listing.image.root;
  if (!SafePath(root))
    return InvalidArgument("catalog " + listing.image.pinned.String() + ": database path \"" + root +
                           "\" cannot be rewritten");
  MK_ASSIGN_OR_RETURN(TempDatabase db, ExtractDatabase(*listing.store, listing.image));
  MK_RETURN_IF_ERROR(PruneDatabase(db.path(), listing.catalog, listing.selection));
  UniqueFd fd(::open(db.path().c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
    return IoError("cannot read the pruned database " + db.path() + ": " + std::strerror(errno));
  return BuildLayer([&](archive::TarWriter& tar) -> Status {
    return tar.Add(root, static_cast<uint64_t>(st.st_size), [&](char* out, size_t n) -> Result<size_t> {
      for (;;) {
        ssize_t got = ::read(fd.get(), out, n);
        if (got >= 0) return static_cast<size_t>(got);
        if (errno != EINTR) return IoError("cannot read the pruned database: " + std::string(std::strerror(errno)));
      }
    });
  });
}

}  // namespace

std::string WhiteoutPath(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".wh." + path;
  return path.substr(0, slash + 1) + ".wh." + path.substr(slash + 1);
}

Result<std::string> PrunedConfig(std::string_view config_raw, const Digest& diff_id, const std::string& comment) {
  MK_ASSIGN_OR_RETURN(json::Value config,
                      graph::ConfigWithLayer(config_raw, diff_id, "mirrorkit catalog-list --catalog-to", comment,
                                             "catalog image config"));
  return config.Serialize();
}

Result<PruneResult> WritePrunedCatalog(store::StoreResolver& stores, const CatalogListing& listing,
                                       const store::Location& to) {
  PruneResult result;
  const CatalogImage& image = listing.image;
  BuiltLayer built;
  if (image.format == Format::kSqlite) {
    MK_ASSIGN_OR_RETURN(built, SqliteLayer(listing));
  } else {
    MK_ASSIGN_OR_RETURN(built, FileBasedLayer(listing, &result.documents));
  }
  const std::string comment =
      "catalog " + image.pinned.String() + " pruned to " + std::to_string(listing.bundles) + " bundle(s)";
  MK_ASSIGN_OR_RETURN(std::string config_bytes, PrunedConfig(image.config_raw, built.diff_id, comment));
  const oci::Manifest& base = image.manifest;
  const bool oci_family = base.media_type == oci::kOciManifest;
  oci::Descriptor config{.media_type = base.config.media_type,
                         .digest = Digest::Sha256Of(config_bytes),
                         .size = static_cast<int64_t>(config_bytes.size())};
  oci::Descriptor layer{.media_type = std::string(oci_family ? oci::kOciLayerGzip : oci::kDockerLayerGzip),
                        .digest = built.digest,
                        .size = static_cast<int64_t>(built.size)};
  MK_ASSIGN_OR_RETURN(oci::Manifest manifest, graph::GraphManifest(base, config, layer));

  MK_ASSIGN_OR_RETURN(auto dest, stores.ForLocation(to, true));
  MK_RETURN_IF_ERROR(store::EnsureBlobs(*listing.store, image.pinned, *dest.store, dest.ref, base.layers));
  MK_RETURN_IF_ERROR(store::PutMadeBlob(*dest.store, dest.ref, layer, [&](uint64_t offset, char* out, size_t n) {
    return built.blob.ReadAt(offset, out, n);
  }));
  MK_RETURN_IF_ERROR(store::PutMadeBlob(*dest.store, dest.ref, config, config_bytes));
  MK_RETURN_IF_ERROR(dest.store->PutManifest(dest.ref, manifest));
  result.digest = manifest.digest;
  result.layer = built.digest;
  result.dest = to.is_dir() ? to.WithName(dest.ref.String()).String() : dest.ref.String();
  return result;
}

}  // namespace mk::catalog
