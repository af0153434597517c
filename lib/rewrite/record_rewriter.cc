#include "rewrite/record_rewriter.h"

#include <map>
#include <thread>

#include "archive/tar.h"
#include "base/byte_pipe.h"
#include "oci/media_types.h"
#include "records/mapping.h"
#include "records/records.h"
#include "records/rewrite.h"
#include "store/location.h"

namespace mk::rewrite {
namespace {

// dest with its tag replaced (a directory location's NAME likewise).
Result<std::string> WithTag(const std::string& dest, const std::string& tag) {
  MK_ASSIGN_OR_RETURN(store::Location loc, store::Location::Parse(dest));
  if (loc.is_dir() && loc.name.empty())
    return InvalidArgument("--tag: dest " + dest + " names no image in the directory to retag");
  MK_ASSIGN_OR_RETURN(Reference ref, Reference::Parse(loc.name));
  return loc.WithName(ref.WithTag(tag).String()).String();
}

std::string TagOf(const std::string& dest) {
  auto loc = store::Location::Parse(dest);
  if (!loc.ok()) return "";
  auto ref = Reference::Parse(loc->name);
  return ref.ok() ? ref->tag() : "";
}

// The size and uncompressed digest (diff_id) of a layer blob, streamed: the
// compressed bytes are checked against the blob's digest on the way.
Result<mutate::Schema1Layer> MeasureLayer(store::Store& store, const Reference& repo, const Digest& blob) {
  BytePipe pipe(1 << 20);
  Status fetch_status;
  uint64_t size = 0;
  std::thread producer([&] {
    DigestHasher compressed(blob.algorithm());
    oci::Descriptor d;
    d.digest = blob;
    fetch_status = store.FetchBlob(repo, d, [&](const char* data, size_t n) {
      compressed.Update(data, n);
      return pipe.Write(data, n);
    });
    size = compressed.bytes();
    if (fetch_status.ok() && compressed.Finish() != blob)
      fetch_status = DataLoss("layer " + blob.str() + ": content does not match its digest");
    pipe.Close(fetch_status);
  });
  DigestHasher uncompressed("sha256");
  Status s = archive::Decompress([&](char* out, size_t n) { return pipe.Read(out, n); }, "layer " + blob.str(),
                                 [&](const char* data, size_t n) {
                                   uncompressed.Update(data, n);
                                   return Status::Ok();
                                 });
  if (!s.ok()) pipe.Abort(s);
  producer.join();
  if (!fetch_status.ok()) return fetch_status;
  if (!s.ok()) return s;
  return mutate::Schema1Layer{blob, static_cast<int64_t>(size), uncompressed.Finish()};
}

records::InlineContent Inline(const oci::Manifest& m) { return {m.media_type, m.digest, m.raw}; }

}  // namespace

Result<mutate::Format> ParseFormat(const std::string& text) {
  if (text == "oci") return mutate::Format::kOci;
  if (text == "docker") return mutate::Format::kDocker;
  return InvalidArgument("--convert takes oci or docker, not " + text);
}

LineResult RecordRewriter::Process(records::InputLine& in) {
  LineResult out;
  auto fail = [&](const std::string& field, const std::string& error, json::Value record, Code code) {
    out.error = "line " + std::to_string(in.line) + ": " + error;
    out.code = code;
    out.text = records::Error({in.line, field, error, std::move(record), code}).Serialize();
    return out;
  };
  if (!in.problem.ok()) return fail("", in.problem.message(), json::Value::Null(), in.problem.code());
  json::Value& record = in.record;
  if (records::Classify(record) != records::Role::kMapping) {
    out.text = in.text;
    return out;
  }
  records::MappingCheck check = records::CheckMapping(record);
  if (!check.ok()) return fail(check.field, check.error, record, Code::kInvalidArgument);
  if (!options_.selection.Keeps(record.GetString("name").value_or(""), check.mapping.source)) {
    out.action = LineResult::Action::kDrop;
    return out;
  }
  if (record.GetString("kind").value_or("") == records::kRelease) {
    release_version_ = record.GetString("version").value_or("");
    release_arch_ = record.GetString("arch").value_or("");
  }
  bool changed = false;
  json::Value original = record;
  Status s = Rewrite(record, &changed);
  if (!s.ok()) return fail("", check.mapping.source + ": " + s.message(), std::move(original), s.code());
  out.text = changed ? record.Serialize() : in.text;
  out.rewritten = records::IsRewritten(record) && changed;
  return out;
}

Result<oci::Manifest> RecordRewriter::SourceManifest(const json::Value& record, store::Store*& store, Reference& ref) {
  MK_ASSIGN_OR_RETURN(store::Location loc, store::Location::Parse(*record.GetString("source")));
  MK_ASSIGN_OR_RETURN(auto where, stores_.ForLocation(loc, false));
  store = where.store;
  ref = where.ref;
  return store->GetManifest(ref);
}

Status RecordRewriter::Rewrite(json::Value& record, bool* changed) {
  std::string dest = *record.GetString("dest");
  if (auto mapped = mutate::MapDest(options_.maps, dest)) dest = *mapped;
  // A sigstore signature keeps its tag (sha256-<hex>.sig names the image it
  // signs) and its bytes: it only follows its image's repository (--map).
  const bool signature = record.GetString("kind").value_or("") == records::kSigstore;
  if (!options_.tag_template.empty() && !signature) {
    mutate::TagFields f;
    f.version = record.GetString("version").value_or(record.GetString("release").value_or(release_version_));
    f.arch = record.GetString("arch").value_or(release_arch_);
    f.name = record.GetString("name").value_or("");
    f.tag = TagOf(dest);
    if (auto d = record.GetString("digest")) {
      f.digest = *d;
    } else if (auto pinned = records::PinnedDigest(*record.GetString("source"))) {
      f.digest = pinned->str();
    }
    MK_ASSIGN_OR_RETURN(std::string tag, mutate::ExpandTag(options_.tag_template, f));
    MK_ASSIGN_OR_RETURN(dest, WithTag(dest, tag));
  }
  if (dest != *record.GetString("dest")) {
    record.Set("dest", json::Value::String(dest));
    *changed = true;
  }
  if (signature || (!options_.filter_by_os && !options_.convert)) return Status::Ok();

  // The manifest to rewrite: the record's own rewritten one, or the source's.
  store::Store* store = nullptr;
  Reference ref;
  std::map<Digest, oci::Manifest> inline_children;
  std::vector<records::InlineContent> new_blobs;
  oci::Manifest current;
  Digest source_digest;
  if (records::IsRewritten(record)) {
    MK_ASSIGN_OR_RETURN(records::Rewritten before, records::ReadRewritten(record));
    MK_ASSIGN_OR_RETURN(current, oci::Manifest::Parse(before.manifest.data, before.manifest.media_type));
    for (const auto& c : before.children) {
      MK_ASSIGN_OR_RETURN(oci::Manifest m, oci::Manifest::Parse(c.data, c.media_type));
      inline_children.emplace(m.digest, std::move(m));
    }
    new_blobs = before.blobs;
    MK_ASSIGN_OR_RETURN(source_digest, Digest::Parse(*record.GetString("source_digest")));
    MK_ASSIGN_OR_RETURN(store::Location loc, store::Location::Parse(*record.GetString("source")));
    MK_ASSIGN_OR_RETURN(auto where, stores_.ForLocation(loc, false));
    store = where.store;
    ref = where.ref;
  } else {
    MK_ASSIGN_OR_RETURN(current, SourceManifest(record, store, ref));
    source_digest = current.digest;
    if (auto claimed = record.GetString("digest"); claimed && *claimed != current.digest.str())
      return DataLoss("the source is now " + current.digest.str() + ", not the record's \"digest\" " + *claimed +
                      " (its tag moved)");
  }
  const Digest before_digest = current.digest;
  mutate::ManifestGetter child = [&](const Digest& d) -> Result<oci::Manifest> {
    if (auto it = inline_children.find(d); it != inline_children.end()) return it->second;
    return store->GetManifest(ref.WithDigest(d));
  };

  if (options_.filter_by_os && current.is_index()) {
    auto filtered = mutate::FilterPlatforms(current, *options_.filter_by_os);
    if (!filtered.ok()) return filtered.status().WithContext("--filter-by-os " + options_.filter_by_os_text);
    current = filtered->manifest;
  }
  if (options_.convert) {
    if (oci::IsSchema1(current.media_type)) {
      MK_ASSIGN_OR_RETURN(std::vector<Digest> blobs, mutate::Schema1Layers(current));
      std::vector<mutate::Schema1Layer> layers;
      for (const auto& b : blobs) {
        MK_ASSIGN_OR_RETURN(mutate::Schema1Layer l, MeasureLayer(*store, ref.RepositoryOnly(), b));
        layers.push_back(l);
      }
      MK_ASSIGN_OR_RETURN(mutate::Rewrite r, mutate::Schema1ToSchema2(current, layers));
      current = r.manifest;
      for (const auto& b : r.blobs) new_blobs.push_back({b.descriptor.media_type, b.descriptor.digest, b.data});
    }
    MK_ASSIGN_OR_RETURN(mutate::Rewrite r, mutate::Convert(current, *options_.convert, child));
    current = r.manifest;
    for (auto& c : r.children) inline_children[c.digest] = std::move(c);
  }
  if (current.digest == before_digest) return Status::Ok();

  records::Rewritten out;
  out.manifest = Inline(current);
  // Only the new children the final manifest references travel with it.
  for (const auto& d : current.manifests)
    if (auto it = inline_children.find(d.digest); it != inline_children.end())
      out.children.push_back(Inline(it->second));
  out.blobs = new_blobs;
  if (current.digest == source_digest) {
    // Rewritten back to the source's own bytes: an ordinary record again.
    record.Set("digest", json::Value::String(source_digest.str()));
    record.Erase("source_digest");
    record.Erase("warning");
    record.Erase("rewrite");
  } else {
    records::MarkRewritten(record, source_digest, out);
  }
  *changed = true;
  return Status::Ok();
}

}  // namespace mk::rewrite
