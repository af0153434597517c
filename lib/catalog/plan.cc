#include "catalog/plan.h"

#include <map>
#include <unordered_set>

#include "catalog/sqlite_reader.h"
#include "records/records.h"

namespace mk::catalog {
namespace {

// The last path component of a repository, the catalog record's name.
std::string LastPart(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string DigestOf(const std::string& pinned) { return pinned.substr(pinned.rfind('@') + 1); }

// Plans the images of the selected bundles into a listing, deduplicated by
// pinned reference. The set holds indexes into listing.planned, hashed and
// compared by their pinned string, so no reference is stored twice.
class Planner {
 public:
  Planner(store::StoreResolver& stores, CatalogListing& out)
      : stores_(stores), out_(out), seen_(1024, Hash{&out.planned}, Eq{&out.planned}) {}

  // One image bundle b names: its bundle image (related -1) or a related one.
  void Add(const std::string& spec, uint32_t b, int32_t related) {
    const Bundle& bundle = out_.catalog.bundles[b];
    auto pinned = Resolve(spec, bundle);
    if (!pinned) return;
    PlannedImage image;
    image.pinned = pinned->String();
    image.bundle = b;
    image.related = related;
    if (!out_.options.to_dir.empty()) {
      // A tag the catalog uses names the image in the directory, so reading
      // the catalog back from there resolves it.
      auto ref = Reference::Parse(spec);
      if (ref.ok() && !ref->digest() && !ref->tag().empty()) image.dir_name = ref->String();
    }
    out_.planned.push_back(std::move(image));
    auto [it, added] = seen_.insert(static_cast<uint32_t>(out_.planned.size() - 1));
    if (added) return;
    out_.planned.pop_back();
    PlannedImage& first = out_.planned[*it];
    const std::string& package = bundle.package;
    if (package == out_.catalog.bundles[first.bundle].package) return;
    for (const auto& p : first.more_packages)
      if (p == package) return;
    first.more_packages.push_back(package);
  }

 private:
  struct Hash {
    const std::vector<PlannedImage>* v;
    size_t operator()(uint32_t i) const { return std::hash<std::string>()((*v)[i].pinned); }
  };
  struct Eq {
    const std::vector<PlannedImage>* v;
    bool operator()(uint32_t a, uint32_t b) const { return (*v)[a].pinned == (*v)[b].pinned; }
  };

  // The image pinned by digest, or nullopt after an error record. Only tag
  // lookups are remembered (a pinned reference is parsed again for free).
  std::optional<Reference> Resolve(const std::string& spec, const Bundle& bundle) {
    auto ref = Reference::Parse(spec);
    if (!ref.ok()) {
      Fail(spec, bundle, ref.status());
      return std::nullopt;
    }
    if (ref->digest()) return ref->tag().empty() ? *ref : ref->RepositoryOnly().WithDigest(*ref->digest());
    if (auto it = tags_.find(spec); it != tags_.end()) return it->second;
    std::optional<Reference> result;
    auto digest = Lookup(*ref);
    if (!digest.ok())
      Fail(spec, bundle, digest.status());
    else if (!*digest)
      Fail(spec, bundle, NotFound("tag " + spec + " does not resolve"));
    else
      result = ref->RepositoryOnly().WithDigest(**digest);
    tags_[spec] = result;
    return result;
  }

  Result<std::optional<Digest>> Lookup(const Reference& ref) {
    if (!out_.location.is_dir()) return stores_.ForReference(ref).ManifestDigest(ref);
    MK_ASSIGN_OR_RETURN(auto at, stores_.ForLocation(out_.location.WithName(ref.String()), false));
    return at.store->ManifestDigest(at.ref);
  }

  void Fail(const std::string& spec, const Bundle& bundle, const Status& status) {
    records::ErrorRecord e;
    e.field = "source";
    e.error = "image " + spec + " of bundle " + bundle.name + ": " + status.message();
    e.code = status.code();
    out_.errors.emplace_back(out_.planned.size(), records::Error(e));
    ++out_.failed;
    out_.failures.Note(status);
  }

  store::StoreResolver& stores_;
  CatalogListing& out_;
  std::unordered_set<uint32_t, Hash, Eq> seen_;
  std::map<std::string, std::optional<Reference>> tags_;
};

}  // namespace

const char* FormatName(Format format) { return format == Format::kSqlite ? "sqlite" : "file-based"; }

std::string MirrorDest(const Reference& to, const Reference& source, const Digest& digest) {
  return to.repository() + "/" + source.path() + "@" + digest.str();
}

void SetPruned(json::Value& catalog_record, const std::string& dest, const Digest& digest) {
  catalog_record.Set("dest", json::Value::String(dest));
  catalog_record.Set("pruned_digest", json::Value::String(digest.str()));
}

json::Value CatalogListing::ImageRecord(size_t i) const {
  const PlannedImage& image = planned[i];
  const Bundle& bundle = catalog.bundles[image.bundle];
  records::ImageRecord rec;
  if (image.related >= 0) rec.name = bundle.related_images[static_cast<size_t>(image.related)].name;
  if (rec.name.empty()) rec.name = bundle.name;
  rec.source = location.WithName(image.pinned).String();  // a registry's, or beside the catalog (dir:, archive)
  rec.digest = DigestOf(image.pinned);
  if (!options.to_dir.empty()) {
    rec.dest = "dir:" + options.to_dir + ":" + (image.dir_name.empty() ? image.pinned : image.dir_name);
  } else if (options.to) {
    auto pinned = Reference::Parse(image.pinned);
    if (pinned.ok()) rec.dest = MirrorDest(*options.to, *pinned, *pinned->digest());
  }
  json::Value v = records::Image(rec);
  v.Set("role", json::Value::String(image.related < 0 ? "bundle" : "related"));
  json::Value packages = json::Value::Array();
  packages.Append(json::Value::String(bundle.package));
  for (const auto& p : image.more_packages) packages.Append(json::Value::String(p));
  v.Set("packages", std::move(packages));
  v.Set("bundle", json::Value::String(bundle.name));
  return v;
}

void CatalogListing::WriteRecords(const std::function<bool(const json::Value&)>& write) const {
  if (!write(catalog_record)) return;
  size_t e = 0;
  for (size_t i = 0; i <= planned.size(); ++i) {
    for (; e < errors.size() && errors[e].first == i; ++e)
      if (!write(errors[e].second)) return;
    if (i < planned.size() && !write(ImageRecord(i))) return;
  }
}

Result<CatalogListing> ListCatalog(store::StoreResolver& stores, const store::Location& catalog,
                                   const ListOptions& options) {
  CatalogListing out;
  out.location = catalog;
  out.options = options;
  MK_ASSIGN_OR_RETURN(auto at, stores.ForLocation(catalog, false));
  out.store = at.store;
  MK_ASSIGN_OR_RETURN(out.image, OpenCatalogImage(*at.store, at.ref));
  MK_ASSIGN_OR_RETURN(out.catalog, ReadCatalog(*at.store, out.image));
  MK_ASSIGN_OR_RETURN(out.selection, Select(out.catalog, options.selectors));

  Planner planner(stores, out);
  const std::vector<size_t> bundles = out.selection.AllBundles();
  out.bundles = bundles.size();
  for (size_t i : bundles) {
    const Bundle& b = out.catalog.bundles[i];
    planner.Add(b.image, static_cast<uint32_t>(i), -1);
    for (size_t r = 0; r < b.related_images.size(); ++r)
      planner.Add(b.related_images[r].image, static_cast<uint32_t>(i), static_cast<int32_t>(r));
  }
  out.images = out.planned.size();

  size_t channels = 0;
  for (const auto& p : out.selection.packages) channels += p.channels.size();
  const std::string pinned = out.image.pinned.String();
  json::Value rec = json::Value::Object();
  rec.Set("kind", json::Value::String(kCatalogKind));
  rec.Set("name", json::Value::String(LastPart(out.image.pinned.path())));
  rec.Set("from", json::Value::String(catalog.String()));
  rec.Set("source", json::Value::String(catalog.WithName(pinned).String()));
  rec.Set("digest", json::Value::String(out.image.pinned.digest()->str()));
  rec.Set("format", json::Value::String(FormatName(out.image.format)));
  rec.Set("packages", json::Value::Number(static_cast<int64_t>(out.selection.packages.size())));
  rec.Set("channels", json::Value::Number(static_cast<int64_t>(channels)));
  rec.Set("bundles", json::Value::Number(static_cast<int64_t>(out.bundles)));
  rec.Set("images", json::Value::Number(static_cast<int64_t>(out.images)));
  out.catalog_record = std::move(rec);
  return out;
}

}  // namespace mk::catalog
