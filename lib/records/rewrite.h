// The "rewrite" section of a rewritten mapping record: the content a
// manifest rewrite made, carried inline so that the tools stay composable
// (manifest-rewrite writes it, blob-copy pushes it after the blobs it
// references; man/mirrorkit-records.7, REWRITTEN IMAGES):
//
//   "digest": NEW, "source_digest": OLD, "warning": "...",
//   "rewrite": {"manifest": {"media_type", "digest", "data"},
//               "manifests": [{"media_type", "digest", "data"}...],   new children
//               "blobs": [{"media_type", "digest", "size", "data_base64"}...]}
//
// "data" is the manifest's exact text (JSON, so a JSON string holds it byte
// for byte); every digest is checked against its data when read back, so a
// record edited by hand cannot push content under a digest it does not
// match. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"
#include "json/value.h"

namespace mk::records {

struct InlineContent {
  std::string media_type;
  Digest digest;  // sha256 of data
  std::string data;
  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

struct Rewritten {
  InlineContent manifest;               // the new top manifest
  std::vector<InlineContent> children;  // new manifests it references
  std::vector<InlineContent> blobs;     // new blobs (a converted schema 1 image's config)
};

// Limits on what a record may carry inline (a manifest: the registry's 4 MiB).
inline constexpr size_t kMaxInlineManifest = 4 << 20;
inline constexpr size_t kMaxInlineBlob = 4 << 20;
inline constexpr size_t kMaxInlineItems = 256;

// Marks record as rewritten: its "digest" becomes the new manifest's,
// "source_digest" the one it was made from, a "warning" says why pulls by
// the old digest will not find it, and "rewrite" carries the content.
void MarkRewritten(json::Value& record, const Digest& source_digest, const Rewritten& rewritten);

// Whether record carries a "rewrite" section.
bool IsRewritten(const json::Value& record);

// Reads the section back, checking every field's type, every digest against
// its data and the record's "digest" against the manifest's; kInvalidArgument
// naming the field ("rewrite.manifests[1].data") otherwise.
Result<Rewritten> ReadRewritten(const json::Value& record);

}  // namespace mk::records
