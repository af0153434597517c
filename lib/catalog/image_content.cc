#include "catalog/image_content.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "base/unique_fd.h"
#include "catalog/documents.h"
#include "release/stored_layer.h"
#include "store/blob_stream.h"

namespace mk::catalog {

namespace {

// A catalog file read whole before parsing: opm's largest single files are
// tens of MB; a hostile layer may claim anything.
constexpr size_t kMaxConfigFileBytes = 256 << 20;
constexpr size_t kMaxConfigBlobBytes = 8 << 20;

// "a/b/c" -> "a/b"; "" for a top-level name.
std::string_view Parent(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// What the layers above the one being walked have said about paths (OCI
// image-spec layer.md, "Whiteouts"): files they hold replace the same path
// below; a whiteout deletes a path and what is under it; an opaque whiteout
// hides a directory's lower content. Applies to lower layers only, so a
// layer's own whiteouts are added after it was walked.
class UpperLayers {
 public:
  bool Hides(std::string_view path) const {
    if (replaced_.count(std::string(path))) return true;
    for (std::string_view p = path; !p.empty(); p = Parent(p)) {
      std::string s(p);
      if (deleted_.count(s)) return true;
      if (p != path && (opaque_.count(s) || replaced_.count(s)))
        return true;  // a file above, where we have a directory
    }
    return opaque_.count("") > 0;
  }
  // An entry of the layer being walked, applied once the layer is done.
  void Note(const archive::Entry& e) {
    std::string_view base = BaseName(e.path);
    if (base == ".wh..wh..opq") {
      pending_opaque_.emplace_back(Parent(e.path));
    } else if (base.starts_with(".wh.")) {
      std::string dir(Parent(e.path));
      pending_deleted_.push_back((dir.empty() ? "" : dir + "/") + std::string(base.substr(4)));
    } else if (e.type != archive::Entry::Type::kDirectory) {
      pending_replaced_.push_back(e.path);
    }
  }
  void EndLayer() {
    for (auto& p : pending_opaque_) opaque_.insert(std::move(p));
    for (auto& p : pending_deleted_) deleted_.insert(std::move(p));
    for (auto& p : pending_replaced_) replaced_.insert(std::move(p));
    pending_opaque_.clear();
    pending_deleted_.clear();
    pending_replaced_.clear();
  }

 private:
  std::set<std::string> replaced_, deleted_, opaque_;
  std::vector<std::string> pending_replaced_, pending_deleted_, pending_opaque_;
};

bool IsLinux(const oci::Platform& p) { return p.os.empty() || p.os == "linux"; }

bool UnderRoot(std::string_view root, std::string_view path) {
  if (root.empty()) return true;
  if (path == root) return true;
  return path.size() > root.size() && path.substr(0, root.size()) == root && path[root.size()] == '/';
}

}  // namespace

bool IsConfigFile(std::string_view root, std::string_view path) {
  if (!UnderRoot(root, path)) return false;
  std::string_view base = BaseName(path);
  if (base.starts_with(".wh.")) return false;
  return base.ends_with(".json") || base.ends_with(".yaml") || base.ends_with(".yml");
}

Result<CatalogImage> OpenCatalogImage(store::Store& store, const Reference& ref) {
  const std::string what = ref.String();
  auto top = store.GetManifest(ref);
  if (!top.ok()) return top.status();
  CatalogImage out;
  out.requested = ref;
  out.manifest = std::move(top).value();
  out.top_digest = out.manifest.digest;
  if (out.manifest.is_index()) {
    out.from_list = true;
    const oci::Descriptor* pick = nullptr;
    for (const auto& d : out.manifest.manifests)
      if (d.platform && d.platform->architecture == "amd64" && IsLinux(*d.platform)) {
        pick = &d;
        break;
      }
    if (!pick && !out.manifest.manifests.empty()) pick = &out.manifest.manifests.front();
    if (!pick) return InvalidArgument(what + ": the manifest list is empty");
    auto child = store.GetManifest(ref.WithDigest(pick->digest));
    if (!child.ok()) return child.status().WithContext(what + ": child " + pick->digest.str());
    out.manifest = std::move(child).value();
    if (out.manifest.is_index()) return InvalidArgument(what + ": nested manifest lists are not a catalog image");
  }
  if (out.manifest.is_schema1()) return Unsupported(what + " is a Docker schema 1 image, not a catalog image");
  out.pinned = ref.WithDigest(out.manifest.digest);
  auto config_raw = store::ReadBlobToString(store, ref.RepositoryOnly(), out.manifest.config, kMaxConfigBlobBytes);
  if (!config_raw.ok()) return config_raw.status().WithContext(what + ": config");
  out.config_raw = std::move(config_raw).value();
  auto config = oci::ImageConfig::Parse(out.config_raw);
  if (!config.ok()) return config.status().WithContext(what + ": config");
  out.config = std::move(config).value();
  std::string label;
  if (auto it = out.config.labels.find(kConfigsLabel); it != out.config.labels.end()) {
    out.format = Format::kFileBased;
    label = it->second;
  } else if (auto it = out.config.labels.find(kDatabaseLabel); it != out.config.labels.end()) {
    out.format = Format::kSqlite;
    label = it->second;
  } else {
    return InvalidArgument(what + ": not an Operator catalog image (no label " + kConfigsLabel + " or " +
                           kDatabaseLabel + ")");
  }
  out.root = archive::NormalizeEntryPath(label);
  if (out.format == Format::kSqlite && out.root.empty())
    return InvalidArgument(what + ": the label " + kDatabaseLabel + " names no file");
  return out;
}

Status ParseConfigFile(const std::string& path, std::string_view content, const DocumentVisitor& visit) {
  DocumentSink sink = [&](json::Value doc) -> Result<archive::Visit> {
    if (!doc.is_object()) return InvalidArgument("a document that is not an object");
    return visit(path, doc);
  };
  Status s;
  if (path.ends_with(".json"))
    s = ForEachJsonDocument(content, sink);
  else if (path.ends_with(".yaml") || path.ends_with(".yml"))
    s = ForEachYamlDocument(content, sink);
  // The visitor's own errors already say where they come from.
  if (!s.ok() && s.message().rfind(path, 0) != 0) return s.WithContext(path);
  return s;
}

Status WalkConfigDocuments(store::Store& store, const CatalogImage& image, const DocumentVisitor& visit) {
  const std::string what = image.requested.String();
  if (image.format != Format::kFileBased) return InvalidArgument(what + ": not a file-based catalog");
  const Reference repo = image.requested.RepositoryOnly();
  UpperLayers upper;
  bool stopped = false;
  Status doc_error;  // a document's own error, reported without the layer's digest
  for (auto layer = image.manifest.layers.rbegin(); layer != image.manifest.layers.rend() && !stopped; ++layer) {
    Status s = release::WalkLayerFromStore(
        store, repo, *layer, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (upper.Hides(e.path)) return archive::Visit::kContinue;
          upper.Note(e);
          if (e.type != archive::Entry::Type::kFile || !IsConfigFile(image.root, e.path))
            return archive::Visit::kContinue;
          auto text = content.ReadAll(kMaxConfigFileBytes);
          if (!text.ok()) return text.status().WithContext(e.path);
          archive::Visit result = archive::Visit::kContinue;
          doc_error = ParseConfigFile(e.path, *text,
                                      [&](const std::string& path, const json::Value& doc) -> Result<archive::Visit> {
                                        MK_ASSIGN_OR_RETURN(result, visit(path, doc));
                                        return result;
                                      });
          MK_RETURN_IF_ERROR(doc_error);
          if (result == archive::Visit::kStop) stopped = true;
          return result;
        });
    if (!s.ok()) {
      // "REF: configs/etcd/catalog.json: ..." names the file; the layer's
      // digest says nothing more (unless the walk failed for its own reason).
      if (!doc_error.ok() && s.message().ends_with(doc_error.message())) return doc_error.WithContext(what);
      return s.WithContext(what);
    }
    upper.EndLayer();
  }
  return Status::Ok();
}

TempDatabase::~TempDatabase() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

TempDatabase& TempDatabase::operator=(TempDatabase&& o) noexcept {
  if (this != &o) {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_ = std::exchange(o.path_, std::string());
  }
  return *this;
}

Result<TempDatabase> ExtractDatabase(store::Store& store, const CatalogImage& image) {
  const std::string what = image.requested.String();
  if (image.format != Format::kSqlite) return InvalidArgument(what + ": not a sqlite catalog");
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/mirrorkit-index-XXXXXX";
  // mkstemp creates the file 0600: the database is nobody else's to read.
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0)
    return IoError("cannot create a temporary file in " + tmpl.substr(0, tmpl.rfind('/')) + ": " +
                   std::strerror(errno));
  UniqueFd fd(raw);
  TempDatabase db(tmpl);
  const Reference repo = image.requested.RepositoryOnly();
  UpperLayers upper;
  bool found = false;
  for (auto layer = image.manifest.layers.rbegin(); layer != image.manifest.layers.rend() && !found; ++layer) {
    Status s = release::WalkLayerFromStore(
        store, repo, *layer, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
          if (upper.Hides(e.path)) return archive::Visit::kContinue;
          upper.Note(e);
          if (e.path != image.root) return archive::Visit::kContinue;
          if (e.type != archive::Entry::Type::kFile)
            return InvalidArgument(e.path + ": the database label names something that is not a regular file");
          // A later entry of the same path in this layer replaces an earlier one.
          if (::ftruncate(fd.get(), 0) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0)
            return IoError(db.path() + ": " + std::strerror(errno));
          char buf[1 << 16];
          while (true) {
            MK_ASSIGN_OR_RETURN(size_t n, content.Read(buf, sizeof buf));
            if (n == 0) break;
            for (size_t off = 0; off < n;) {
              ssize_t w = ::write(fd.get(), buf + off, n - off);
              if (w < 0 && errno == EINTR) continue;
              if (w < 0) return IoError(db.path() + ": " + std::strerror(errno));
              off += static_cast<size_t>(w);
            }
          }
          found = true;
          return archive::Visit::kContinue;
        });
    if (!s.ok()) return s.WithContext(what);
    upper.EndLayer();
  }
  if (!found) return NotFound(what + ": no " + image.root + " in any layer (the database label names it)");
  return db;
}

}  // namespace mk::catalog
