#include "graph/graph_layer.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "archive/tar.h"
#include "base/strings.h"

namespace mk::graph {

Result<std::string> GraphEntryPath(std::string_view entry_path) {
  std::string path = archive::NormalizeEntryPath(entry_path);
  for (const auto& part : Split(path, '/'))
    if (part == "..")
      return InvalidArgument("graph data entry \"" + std::string(entry_path) + "\" leaves its directory");
  if (path.empty()) return std::string(kGraphDataDir);
  return std::string(kGraphDataDir) + "/" + path;
}

Result<GraphLayer> BuildGraphLayer(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFound("cannot read graph data " + path + ": " + std::strerror(errno));
  GraphLayer layer;
  Status sink_error;
  archive::TarWriter writer(
      [&](const char* data, size_t n) -> Status {
        if (layer.gzip.size() + n > kMaxGraphLayerBytes)
          return InvalidArgument("graph data " + path + " makes a layer over " +
                                 std::to_string(kMaxGraphLayerBytes >> 20) + " MiB");
        layer.gzip.append(data, n);
        return Status::Ok();
      },
      archive::TarWriter::Compression::kGzip);
  Status walked = archive::WalkTarFile(
      path, [&](const archive::Entry& e, archive::EntryContent& content) -> Result<archive::Visit> {
        MK_ASSIGN_OR_RETURN(std::string target, GraphEntryPath(e.path));
        if (e.type == archive::Entry::Type::kDirectory) return archive::Visit::kContinue;
        if (e.type != archive::Entry::Type::kFile)
          return InvalidArgument("graph data entry \"" + e.path + "\" is not a regular file or directory");
        MK_RETURN_IF_ERROR(writer.Add(target, static_cast<uint64_t>(e.size),
                                      [&](char* out, size_t n) { return content.Read(out, n); }));
        ++layer.files;
        return archive::Visit::kContinue;
      });
  MK_RETURN_IF_ERROR(walked);
  MK_RETURN_IF_ERROR(writer.Close());
  if (layer.files == 0) return InvalidArgument("graph data " + path + " holds no files");
  layer.digest = Digest::Sha256Of(layer.gzip);
  // The diff_id is taken from the layer's own bytes, decompressed again:
  // what the config names is then exactly what a runtime unpacks.
  DigestHasher tar_hash;
  size_t off = 0;
  MK_RETURN_IF_ERROR(archive::Decompress(
      [&](char* out, size_t n) -> Result<size_t> {
        size_t k = std::min(n, layer.gzip.size() - off);
        std::memcpy(out, layer.gzip.data() + off, k);
        off += k;
        return k;
      },
      "the graph data layer",
      [&](const char* data, size_t n) {
        tar_hash.Update(data, n);
        return Status::Ok();
      }));
  layer.diff_id = tar_hash.Finish();
  return layer;
}

}  // namespace mk::graph
