// The graph-data layer: the OpenShift Update Service's graph data (the
// tar.gz served at api.openshift.com/api/upgrades_info/graph-data) as one
// image layer, every file re-rooted under var/lib/cincinnati-graph-data/.
//
// The layer is built in memory (graph data is a few MiB; kMaxGraphLayerBytes
// bounds it) as a gzip tar with fixed modes and times, so the same graph
// data always makes the same layer digest. Entries are hostile input: a
// ".." component, a link or a device is refused, naming the entry. No I/O
// beyond reading the tar.gz; reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "digest/digest.h"

namespace mk::graph {

// Where the Update Service's init container copies the data from (its
// image's CMD copies this directory into /var/lib/cincinnati/graph-data).
inline constexpr std::string_view kGraphDataDir = "var/lib/cincinnati-graph-data";
inline constexpr uint64_t kMaxGraphLayerBytes = 256ull << 20;

struct GraphLayer {
  std::string gzip;  // the layer blob
  Digest digest;     // of gzip
  Digest diff_id;    // of the uncompressed tar
  int files = 0;
};

// Reads the graph data tar.gz at path. kInvalidArgument for an entry that
// would leave the directory or is not a regular file or directory, or for
// a file that is not a tar; kNotFound/kIoError when it cannot be read.
Result<GraphLayer> BuildGraphLayer(const std::string& path);

// The path an entry of the graph data takes in the layer; kInvalidArgument
// for a path with a ".." component.
Result<std::string> GraphEntryPath(std::string_view entry_path);

}  // namespace mk::graph
