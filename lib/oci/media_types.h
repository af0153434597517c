// Media types of the manifests we read and write (OCI image-spec
// media-types.md; Docker Image Manifest V2 Schema 2). Pure constants.
#pragma once

#include <string>
#include <string_view>

namespace mk::oci {

inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";

inline bool IsIndex(std::string_view mt) { return mt == kDockerManifestList || mt == kOciIndex; }
inline bool IsImageManifest(std::string_view mt) { return mt == kDockerManifest || mt == kOciManifest; }
inline bool IsSchema1(std::string_view mt) { return mt == kDockerSchema1 || mt == kDockerSchema1Signed; }
inline bool IsManifest(std::string_view mt) { return IsIndex(mt) || IsImageManifest(mt); }

// Layers that registries must not be asked to copy (Windows base layers and
// other non-distributable content); they are fetched by clients from urls.
inline bool IsForeignLayer(std::string_view mt) {
  return mt == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" ||
         mt.substr(0, 45) == "application/vnd.oci.image.layer.nondistributa";
}

// The Accept header for manifest requests, most specific first.
std::string ManifestAcceptHeader();

}  // namespace mk::oci
