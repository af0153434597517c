// Fuzz target: tar streams (lib/archive WalkTarStream, WalkLayer,
// Decompress), the layers of an image someone else built: hostile headers
// (negative, base-256 and huge sizes, truncated blocks, long and traversing
// names, pax and GNU extensions) in plain, gzip or zstd streams.
//
// The source hands out the input in pieces of a size the first byte picks,
// so header and data blocks straddle reads; the selector's top bit picks
// WalkLayer (which reads the source to its end) over WalkTarStream.
//
// Properties: entry paths come out normalized (no leading '/', no empty or
// "." components; normalizing again changes nothing); sizes are never
// negative; a regular file read to its end without error gives exactly its
// size in bytes, never more; an error is one bounded line; WalkLayer
// consumes the whole source when it succeeds. Output is capped (8 MiB per
// input, 4096 entries) so a decompression bomb ends the walk, not the run.
#include <cstdint>
#include <cstring>
#include <string>

#include "archive/layer_reader.h"
#include "archive/tar.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kMaxOut = 8 << 20;
constexpr size_t kMaxEntries = 4096;

struct Source {
  std::string_view data;
  size_t chunk;
  size_t off = 0;
  mk::Result<size_t> operator()(char* out, size_t n) {
    size_t k = std::min({n, chunk, data.size() - off});
    if (k) std::memcpy(out, data.data() + off, k);
    off += k;
    return k;
  }
};

void CheckError(const mk::Status& s) {
  const std::string& m = s.message();
  FUZZ_CHECK(!m.empty() && m.find('\n') == std::string::npos && m.size() < 4096, m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, body] = mk::fuzz::TakeSelector(data, size);
  size_t chunk = (selector & 0x3f) == 0 ? 1 << 16 : (selector & 0x3f) * 7;
  bool layer = selector & 0x80;

  Source src{body, chunk};
  mk::archive::ByteReader read = std::ref(src);
  size_t out_total = 0, entries = 0;
  auto visit = [&](const mk::archive::Entry& e, mk::archive::EntryContent& content) -> mk::Result<mk::archive::Visit> {
    if (++entries > kMaxEntries) return mk::archive::Visit::kStop;
    FUZZ_CHECK(mk::archive::NormalizeEntryPath(e.path) == e.path, e.path);
    FUZZ_CHECK(e.path.empty() || e.path[0] != '/', e.path);
    FUZZ_CHECK(e.path.find("//") == std::string::npos, e.path);
    FUZZ_CHECK(e.path != "." && e.path.rfind("./", 0) != 0 && e.path.find("/./") == std::string::npos, e.path);
    FUZZ_CHECK(e.size >= 0, e.path + " has size " + std::to_string(e.size));
    char buf[4096];
    uint64_t got = 0;
    for (;;) {
      auto n = content.Read(buf, sizeof buf);
      if (!n.ok()) {
        CheckError(n.status());
        return n.status();
      }
      if (*n == 0) break;
      FUZZ_CHECK(*n <= sizeof buf, "read past the buffer");
      got += *n;
      out_total += *n;
      if (out_total > kMaxOut) return mk::archive::Visit::kStop;
    }
    if (e.type == mk::archive::Entry::Type::kFile)
      FUZZ_CHECK(got == static_cast<uint64_t>(e.size),
                 e.path + ": read " + std::to_string(got) + " of " + std::to_string(e.size) + " bytes");
    return mk::archive::Visit::kContinue;
  };
  mk::Status s =
      layer ? mk::archive::WalkLayer(read, "layer", visit) : mk::archive::WalkTarStream(read, "layer", visit);
  if (!s.ok())
    CheckError(s);
  else if (layer)
    FUZZ_CHECK(src.off == body.size(), "WalkLayer left " + std::to_string(body.size() - src.off) + " bytes unread");

  // The same bytes as a compressed layer whose uncompressed digest we take.
  Source again{body, chunk};
  size_t decompressed = 0;
  mk::Status d = mk::archive::Decompress(std::ref(again), "layer", [&](const char*, size_t n) -> mk::Status {
    decompressed += n;
    if (decompressed > kMaxOut) return mk::InvalidArgument("decompression bomb");
    return mk::Status::Ok();
  });
  if (!d.ok()) CheckError(d);
  return 0;
}
