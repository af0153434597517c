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

struct Manifest {
  std::string raw;         // the bytes, exactly as received
  std::string media_type;  // from the document, else the Content-Type
  Digest digest;           // sha256 of raw

  // Image manifest fields.
  Descriptor config;
  std::vector<Descriptor> layers;
  // Index fields.
  std::vector<Descriptor> manifests;

  bool is_index() const;

  // Parses raw; content_type is the HTTP Content-Type or a stored media
  // type, used when the document has no mediaType field. Schema 1 manifests
  // are refused with kUnsupported.
  static Result<Manifest> Parse(std::string raw, std::string_view content_type);
};

// Manifests larger than this are refused (docker-registry's own limit).
inline constexpr size_t kMaxManifestBytes = 4 << 20;

}  // namespace mk::oci
