// Plan rewrites: change where mapping records go and which are kept, with
// no change to content (digests kept). Pure functions over the fields of a
// mapping record; manifest-rewrite(1) applies them in the order
// include/exclude, map, tag.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace mk::mutate {

// --map SRC_PREFIX=DST_PREFIX, in the order given; the first whose prefix
// matches wins. A prefix matches at a path boundary ("quay.io/a" matches
// "quay.io/a/b:t", "quay.io/a:t" and "quay.io/a@sha256:…", not
// "quay.io/ab"); a trailing '/' on either side is ignored.
struct DestMap {
  std::string from;
  std::string to;
  static Result<DestMap> Parse(const std::string& text);  // "FROM=TO"
};
// The dest with the first matching prefix replaced, or nullopt when none
// matches (the record keeps its dest).
std::optional<std::string> MapDest(const std::vector<DestMap>& maps, const std::string& dest);

// --tag TEMPLATE: the dest's tag replaced by the template with {version},
// {arch}, {name}, {tag} (the dest's current tag) and {digest12} (the first
// 12 hex digits of the digest) filled in; an unknown {field}, an unbalanced
// brace, a field that is empty for this record (no arch, no digest) or a
// result that is not a valid tag is kInvalidArgument. CheckTagTemplate
// checks what can be checked before any record (fields known, braces, the
// template's own characters).
struct TagFields {
  std::string version, arch, name, tag, digest;  // digest "sha256:…"
};
Status CheckTagTemplate(const std::string& tmpl);
Result<std::string> ExpandTag(const std::string& tmpl, const TagFields& fields);

// --include GLOB / --exclude GLOB (fnmatch(3) patterns, '*' crossing '/'):
// a record is kept when it matches some include (or none are given) and no
// exclude; a pattern is tried against the record's name and its source.
struct Selection {
  std::vector<std::string> include, exclude;
  bool Keeps(const std::string& name, const std::string& source) const;
};

}  // namespace mk::mutate
