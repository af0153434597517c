// Mapping records as their consumers (blob-copy, ics-gen) see them: which
// records a consumer takes, and the check of the fields it takes from them.
//
// The rule (man/mirrorkit-records.7, RULES):
//   1. A record that carries an "error" field is already failed: it is
//      passed on (blob-copy) or left out (ics-gen), never taken.
//   2. A record of kind "image", "release" or "sigstore" is a mapping record, and so is
//      a record without a "kind" that has a "source" or a "dest" (or one of
//      their misspellings "src", "dst", "destination").
//   3. Any other record (another kind) is passed on untouched.
// A mapping record must have "source" and "dest", non-empty strings, and a
// "digest", when it has one, must be a digest string that agrees with a
// source pinned by digest (for a rewritten record, records/rewrite.h, its
// "source_digest" must, and its "rewrite" section must be whole and match
// its "digest"). A "kind" that is not a string is an error too.
// Anything else is the record's error, naming the field.
//
// A consumer that only reads mappings (ics-gen) may ignore a mapping record
// without a "dest" (LacksDest): release-list without --to plans no
// destination, oci-dir list and verify write none.
//
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "digest/digest.h"
#include "json/value.h"

namespace mk::records {

enum class Role {
  kPassThrough,   // not for a mapping consumer
  kCarriesError,  // failed upstream
  kMapping,       // to be checked with CheckMapping and taken
};
Role Classify(const json::Value& record);

struct Mapping {
  std::string source;
  std::string dest;
  std::optional<Digest> digest;  // the record's claim, when it has one
  std::optional<Digest> pinned;  // the digest in source, when pinned
  // A rewritten record (records/rewrite.h): digest is the new manifest's,
  // source_digest the one the source is pinned to.
  bool rewritten = false;
  std::optional<Digest> source_digest;
};

struct MappingCheck {
  Mapping mapping;
  std::string field;  // the culprit when error is set
  std::string error;  // empty: the record is a good mapping
  bool ok() const { return error.empty(); }
};
MappingCheck CheckMapping(const json::Value& record);

// No "dest" and no misspelling of it: a record that plans no destination.
bool LacksDest(const json::Value& record);

// The digest a location is pinned to: what follows its last '@', when that
// parses as a digest ("quay.io/a/b@sha256:…", "dir:D:quay.io/a/b@sha256:…").
std::optional<Digest> PinnedDigest(const std::string& location);

}  // namespace mk::records
