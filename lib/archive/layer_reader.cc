#include "archive/layer_reader.h"

#include <vector>

#include "base/signals.h"

namespace mk::archive {

Status WalkLayer(const ByteReader& read, const std::string& what, const EntryVisitor& visit) {
  MK_RETURN_IF_ERROR(WalkTarStream(read, what, visit));
  // Read what the tar reader left (padding, or everything after an early
  // stop) so that the source's own checks cover the whole layer.
  std::vector<char> scratch(1 << 16);
  for (;;) {
    if (Interrupted()) return Cancelled("interrupted");
    MK_ASSIGN_OR_RETURN(size_t n, read(scratch.data(), scratch.size()));
    if (n == 0) return Status::Ok();
  }
}

}  // namespace mk::archive
