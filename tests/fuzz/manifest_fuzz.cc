// Fuzz target: manifests and indexes (lib/oci Manifest::Parse), the bytes a
// registry or an OCI directory hands us, under each Content-Type a server
// may send (the first byte picks one).
//
// Properties: a parsed manifest keeps its bytes exactly and is named by
// their sha256 (a signed schema 1 manifest by its payload's); its media type
// is one we know; an index has children and no layers, an image manifest a
// config and no children, every descriptor a valid digest and a size >= 0;
// schema 1 layers carry the schema 1 layer type; a document that names its
// own media type parses the same whatever the Content-Type says; parsing is
// deterministic; errors are one bounded line.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace {

using mk::oci::Descriptor;
using mk::oci::Manifest;

const std::vector<std::string> kContentTypes = {
    "",
    std::string(mk::oci::kDockerManifest),
    std::string(mk::oci::kDockerManifestList),
    std::string(mk::oci::kOciManifest),
    std::string(mk::oci::kOciIndex),
    std::string(mk::oci::kDockerSchema1),
    std::string(mk::oci::kDockerSchema1Signed),
    std::string(mk::oci::kOciManifest) + "; charset=utf-8",
    "application/json",
    "text/plain;",
    ";",
    " application/vnd.oci.image.index.v1+json ",
};

void CheckDescriptor(const Descriptor& d, const std::string& where) {
  FUZZ_CHECK(!d.digest.empty(), where);
  auto again = mk::Digest::Parse(d.digest.str());
  FUZZ_CHECK(again.ok() && *again == d.digest, where + " " + d.digest.str());
  FUZZ_CHECK(d.size >= 0, where);
}

void CheckOneLine(const mk::Status& s) {
  const std::string& m = s.message();
  FUZZ_CHECK(!m.empty(), "an error without a message");
  FUZZ_CHECK(m.find('\n') == std::string::npos, m);
  FUZZ_CHECK(m.size() < 2048, m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, body] = mk::fuzz::TakeSelector(data, size);
  const std::string& ct = kContentTypes[selector % kContentTypes.size()];
  std::string raw(body);
  auto m = Manifest::Parse(raw, ct);
  auto twice = Manifest::Parse(raw, ct);
  FUZZ_CHECK(m.ok() == twice.ok(), "parsing is not deterministic");
  if (!m.ok()) {
    CheckOneLine(m.status());
    FUZZ_CHECK(m.status().message() == twice.status().message(), m.status().message());
    return 0;
  }
  FUZZ_CHECK(m->raw == raw, "the bytes changed");
  FUZZ_CHECK(m->digest == twice->digest, m->digest.str());
  FUZZ_CHECK(mk::oci::IsManifest(m->media_type) || m->is_schema1(), m->media_type);
  if (m->media_type == mk::oci::kDockerSchema1Signed)
    FUZZ_CHECK(raw.find("\"signatures\"") != std::string::npos, "signed without signatures");
  else
    FUZZ_CHECK(m->digest == mk::Digest::Sha256Of(raw), m->digest.str());

  if (m->is_schema1()) {
    FUZZ_CHECK(!m->layers.empty(), "schema 1 without layers");
    FUZZ_CHECK(m->config.digest.empty() && m->manifests.empty(), "schema 1 with config or children");
    for (const auto& l : m->layers) {
      CheckDescriptor(l, "schema 1 layer");
      FUZZ_CHECK(l.media_type == mk::oci::kDockerSchema1Layer && l.size == 0, l.media_type);
    }
  } else if (m->is_index()) {
    FUZZ_CHECK(m->layers.empty() && m->config.digest.empty(), "an index with layers or config");
    for (const auto& d : m->manifests) CheckDescriptor(d, "index child");
  } else {
    FUZZ_CHECK(mk::oci::IsImageManifest(m->media_type), m->media_type);
    FUZZ_CHECK(m->manifests.empty(), "an image manifest with children");
    CheckDescriptor(m->config, "config");
    for (const auto& l : m->layers) CheckDescriptor(l, "layer");
  }
  for (const auto& d : m->manifests)
    if (d.platform) (void)d.platform->String();

  // A document that names a known media type means it, whatever the server
  // said: parsing under every other Content-Type gives the same manifest.
  if (raw.find("\"mediaType\"") != std::string::npos && !m->is_schema1() &&
      raw.find("schemaVersion") == std::string::npos) {
    for (const auto& other : kContentTypes) {
      auto o = Manifest::Parse(raw, other);
      if (!o.ok()) continue;  // the document's type may be unknown to us
      if (o->media_type != m->media_type) continue;
      FUZZ_CHECK(o->layers.size() == m->layers.size() && o->manifests.size() == m->manifests.size(),
                 "content type " + other + " changed the parse");
    }
  }
  return 0;
}
