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

// Layers. Docker schema 2 documents only the gzip and foreign gzip types;
// the uncompressed, zstd and foreign uncompressed Docker names are
// containerd's (moby pulls them), the counterparts of the OCI types.
inline constexpr std::string_view kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerZstd = "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view kDockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kDockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciForeignLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciForeignLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
// What docker-registry calls a schema 1 layer (its References()); schema 1
// itself has no layer media types.
inline constexpr std::string_view kDockerSchema1Layer = "application/vnd.docker.container.image.rootfs.diff+x-gtar";

inline bool IsIndex(std::string_view mt) { return mt == kDockerManifestList || mt == kOciIndex; }
inline bool IsImageManifest(std::string_view mt) { return mt == kDockerManifest || mt == kOciManifest; }
inline bool IsSchema1(std::string_view mt) { return mt == kDockerSchema1 || mt == kDockerSchema1Signed; }
// Schema 2 and OCI manifests and indexes (not schema 1).
inline bool IsManifest(std::string_view mt) { return IsIndex(mt) || IsImageManifest(mt); }

// Layers that registries must not be asked to copy (Windows base layers and
// other non-distributable content); they are fetched by clients from urls.
inline bool IsForeignLayer(std::string_view mt) {
  return mt == kDockerForeignLayerGzip || mt == kDockerForeignLayer ||
         mt.substr(0, 45) == "application/vnd.oci.image.layer.nondistributa";
}

// The Accept header for manifest requests, most specific first. Schema 1 is
// listed, last, so that a registry holding only a schema 1 form serves it
// (some answer "manifest unknown" to a client that does not accept it) and
// manifest-rewrite --convert docker can read it; a registry that can serve
// a newer form picks that one. Every consumer other than mutate must refuse
// a schema 1 manifest (Manifest::is_schema1()).
std::string ManifestAcceptHeader();

}  // namespace mk::oci
