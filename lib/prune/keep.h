// What a prune keeps, read from records (mirror-prune --keep RECORDS): the
// records release-list, blob-copy or catalog-list printed for the images to
// keep. Every record that names an image keeps it:
//
//   - a mapping record (records/mapping.h: kind image, release or sigstore,
//     or a record without a kind that has a source or dest) keeps its
//     "digest", the digest its dest or source is pinned to, and the image
//     its dest (or source) names in the pruned mirror, by tag or digest;
//   - a record that carries an "error" (a copy that failed) keeps its
//     digest, but is not required to be in the mirror;
//   - any other record (another kind: skipped, error, prune, ...) names
//     nothing and is ignored.
//
// A digest is kept wherever it is in the mirror, not only where a record
// placed it: keeping too much is safe, deleting a shared image is not.
// Pure data and pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "digest/digest.h"
#include "store/location.h"

namespace mk::prune {

// An image a record places somewhere (its dest, or its source): the
// prune checks that each one in the pruned mirror is there.
struct KeptImage {
  size_t line = 0;               // in RECORDS, for messages
  store::Location location;      // as the record wrote it
  std::optional<Digest> digest;  // the record's claim for this location (its dest)
};

struct KeepList {
  std::set<Digest> digests;       // every digest any record names
  std::vector<KeptImage> images;  // every located image, in record order
  size_t records = 0;             // records read
  size_t naming = 0;              // records that name an image
};

// Reads records (JSON lines). A line that is not a JSON object, or a
// mapping record with a malformed digest or location, is kInvalidArgument
// naming the line: a list of what to keep must be read whole or not used.
Result<KeepList> ReadKeepList(std::string_view text);

}  // namespace mk::prune
