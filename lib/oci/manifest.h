// Descriptors and manifests (OCI image-spec descriptor.md, manifest.md,
// image-index.md; Docker schema 2 manifest and manifest list).
//
// A Manifest keeps the exact bytes it was parsed from: content addressing is
// sacred, so we never re-serialize a manifest we did not mean to change. The
// parsed fields are a read-only view for planning (which blobs, which
// children). No I/O here. Values are plain data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"

namespace mk::oci {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string String() const;  // "linux/arm64/v8"
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::optional<Platform> platform;  // index entries only
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
};

// Docker schema 1 (manifest-v2-1.md) is read, never written: only mutate's
// conversion to schema 2 may use one, every other consumer must refuse it
// (is_schema1()). For a schema 1 manifest, media_type is kDockerSchema1 or,
// when the document carries JWS "signatures", kDockerSchema1Signed; config
// is empty; layers are the fsLayers blobSums in schema 1 order (newest
// first, duplicates and throwaway entries included) with media type
// kDockerSchema1Layer and size 0 (schema 1 does not record sizes). The v1
// history is in raw, for mutate to parse.
struct Manifest {
  std::string raw;         // the bytes, exactly as received
  std::string media_type;  // from the document, else the Content-Type
  // sha256 of raw, except for a signed schema 1 manifest: the sha256 of its
  // payload without the signatures (libtrust's formatLength/formatTail
  // "canonical" bytes), which is what registries name it by (docker-registry
  // re-signs it on every GET, so raw changes and that digest does not).
  Digest digest;

  // Image manifest fields.
  Descriptor config;
  std::vector<Descriptor> layers;
  // Index fields.
  std::vector<Descriptor> manifests;

  bool is_index() const;
  bool is_schema1() const;

  // Parses raw; content_type is the HTTP Content-Type or a stored media
  // type, used when the document has no mediaType field. Schema 1 manifests
  // are parsed as described above (kInvalidArgument when their fsLayers and
  // history do not pair up, or a signature's format fields are broken).
  static Result<Manifest> Parse(std::string raw, std::string_view content_type);
  // An OCI layout's index.json: an index no registry serves, which grows
  // with the images a directory names (some 300 bytes each), so it has its
  // own cap (kMaxLayoutIndexBytes) instead of the registry's.
  static Result<Manifest> ParseLayoutIndex(std::string raw);

 private:
  static Result<Manifest> ParseUncapped(std::string raw, std::string_view content_type);
};

// Manifests larger than this are refused (docker-registry's own limit).
inline constexpr size_t kMaxManifestBytes = 4 << 20;
// index.json of an OCI layout: some 200,000 images.
inline constexpr size_t kMaxLayoutIndexBytes = 64 << 20;
// How deep indexes may nest below the top manifest (an index of indexes of
// ...): real images use one level; a hostile chain must not recurse without
// bound. Every walker of index trees (copy, verify, convert) stops here with
// an error naming the manifest that goes too deep.
inline constexpr int kMaxIndexDepth = 4;

}  // namespace mk::oci
