// graph-image: the image the OpenShift Update Service reads its graph data
// from: a base image's manifest and layers unchanged, plus one layer with
// the graph data (graph_layer.h), a config that names it and a CMD that
// copies the data where the Update Service looks for it.
//
// The base is read from any store (a registry or dir:); a manifest list
// gives the child for one architecture. Blobs go to the destination store
// first (base layers mounted within one registry, else copied, verified),
// the manifest last, so a failure never leaves a manifest naming missing
// blobs. The resolver must outlive the call; not thread-safe per call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/graph_layer.h"
#include "json/value.h"
#include "oci/manifest.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::graph {

// The CMD of the graph data image (from oc-mirror and the Update Service's
// documentation): the operator runs it in an init container.
inline constexpr const char* kGraphCmd = "exec cp -rp /var/lib/cincinnati-graph-data/* /var/lib/cincinnati/graph-data";

struct GraphImageOptions {
  std::string graph_data;  // the tar.gz
  store::Location base;
  store::Location to;
  std::string arch = "amd64";  // the child picked when base is a list
};

struct GraphImageResult {
  std::string dest;       // the --to location as a string
  std::string dest_repo;  // its repository (registry) without tag, "" for dir:
  Digest digest;          // of the new manifest
  std::string base;       // the base, pinned by digest
  std::vector<Digest> base_layers;
  GraphLayer layer;
};

// A base image config with one layer more: diff_id appended to
// rootfs.diff_ids (made when missing) and, when the config keeps a history
// (it must then count every layer), an entry for it. what names the config
// in the error for one that is not a JSON object. Also what a pruned
// Operator catalog's config is made with.
Result<json::Value> ConfigWithLayer(std::string_view base_config, const Digest& diff_id, const std::string& created_by,
                                    const std::string& comment, const std::string& what);
// The base config with layer appended: rootfs.diff_ids, a history entry
// and Cmd (Entrypoint cleared, so the Cmd runs as written).
Result<std::string> GraphConfig(std::string_view base_config, const Digest& diff_id);
// The base manifest with config replaced and layer appended (a gzip layer
// of the base's own media type family: Docker or OCI).
Result<oci::Manifest> GraphManifest(const oci::Manifest& base, const oci::Descriptor& config,
                                    const oci::Descriptor& layer);

Result<GraphImageResult> BuildGraphImage(store::StoreResolver& stores, const GraphImageOptions& options);

// Tags of a release repository that look like components mirrored beside
// the releases (oc's and release-list --to's <version>-<arch>-<component>:
// a tag that another tag is a prefix of, followed by '-'). Cincinnati loads
// every image there as a release, so these make it run out of memory.
std::vector<std::string> ComponentLikeTags(const std::vector<std::string>& tags);
// The same for the tags of a registry repository (listed there);
// kInvalidArgument when repo is not in a registry.
Result<std::vector<std::string>> ComponentLikeTagsIn(store::StoreResolver& stores, const Reference& repo);

}  // namespace mk::graph
