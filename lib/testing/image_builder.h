// Test support (header-only, linked only into unit tests): builds random
// images in a MemoryStore — blobs, configs and manifests with real digests —
// so copy, store and release tests work on real content, not canned bytes.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "digest/digest.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "store/memory_store.h"

namespace mk::fixtures {

inline std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// One entry of a test layer: a file, or a symlink/hard link (link), or
// another type (AE_IFDIR, AE_IFCHR...), written as given, hostile paths too.
struct TarEntry {
  std::string path;
  std::string content;
  int type = AE_IFREG;
  std::string link;  // symlink target, or hard link target when hardlink
  bool hardlink = false;
};

// A gzip-compressed tar of the entries, in order.
inline std::string MakeTarGzEntries(const std::vector<TarEntry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_open(
      a, &out, nullptr,
      [](struct archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(user)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& t : entries) {
    bool data = t.type == AE_IFREG && !t.hardlink;
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_filetype(e, t.type);
    archive_entry_set_perm(e, 0755);
    if (t.hardlink)
      archive_entry_set_hardlink(e, t.link.c_str());
    else if (t.type == AE_IFLNK)
      archive_entry_set_symlink(e, t.link.c_str());
    archive_entry_set_size(e, data ? static_cast<la_int64_t>(t.content.size()) : 0);
    archive_write_header(a, e);
    if (data) archive_write_data(a, t.content.data(), t.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// A gzip-compressed tar holding the given (path, content) files.
inline std::string MakeTarGz(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<TarEntry> entries;
  for (const auto& [path, content] : files) entries.push_back({path, content});
  return MakeTarGzEntries(entries);
}

inline oci::Descriptor PutBlob(store::MemoryStore& s, const std::string& repo, const std::string& bytes,
                               std::string media_type = "application/vnd.docker.image.rootfs.diff.tar.gzip") {
  oci::Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = Digest::Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  s.PutRawBlob(repo, d.digest, bytes);
  return d;
}

inline std::string DescriptorJson(const oci::Descriptor& d) {
  return "{\"mediaType\":\"" + d.media_type + "\",\"size\":" + std::to_string(d.size) + ",\"digest\":\"" +
         d.digest.str() + "\"}";
}

// Builds (and stores under its digest) a Docker schema 2 image manifest.
// The JSON is deliberately not canonical, so re-serializing would show.
inline oci::Manifest MakeImage(store::MemoryStore& s, const std::string& repo, const std::string& config_json,
                               const std::vector<oci::Descriptor>& layers) {
  oci::Descriptor config = PutBlob(s, repo, config_json, std::string(oci::kDockerConfig));
  std::string raw = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + std::string(oci::kDockerManifest) +
                    "\",\n   \"config\": " + DescriptorJson(config) + ",\n   \"layers\": [";
  for (size_t i = 0; i < layers.size(); ++i) raw += (i ? ",\n      " : "\n      ") + DescriptorJson(layers[i]);
  raw += "\n   ]\n}\n";
  auto m = oci::Manifest::Parse(raw, "");
  Reference ref = Reference::Parse("mem.test/" + repo).value();
  (void)s.PutManifest(ref.WithDigest(m->digest), *m);
  return *m;
}

inline std::string ConfigJson(const std::string& arch, const std::string& label_version = "") {
  std::string labels = label_version.empty() ? "{}" : "{\"io.openshift.release\":\"" + label_version + "\"}";
  return "{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Labels\":" + labels +
         "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
}

// An OCI index over the given manifests, each with its architecture.
inline oci::Manifest MakeIndex(store::MemoryStore& s, const std::string& repo,
                               const std::vector<std::pair<oci::Manifest, std::string>>& children) {
  std::string raw = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciIndex) + "\",\"manifests\":[";
  for (size_t i = 0; i < children.size(); ++i) {
    const auto& [m, arch] = children[i];
    raw += std::string(i ? "," : "") + "{\"mediaType\":\"" + m.media_type +
           "\",\"size\":" + std::to_string(m.raw.size()) + ",\"digest\":\"" + m.digest.str() +
           "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + arch + "\"}}";
  }
  raw += "]}";
  auto m = oci::Manifest::Parse(raw, "");
  Reference ref = Reference::Parse("mem.test/" + repo).value();
  (void)s.PutManifest(ref.WithDigest(m->digest), *m);
  return *m;
}

}  // namespace mk::fixtures
