// MirrorSet: source repository → mirror repositories, built from mapping
// records and rendered (format.h) as the configuration a cluster or a
// container host needs to find the mirror. Sources are repositories (tags
// and digests dropped); order is sorted and duplicates removed, so output is
// deterministic (oc's own sort is not). Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "base/status.h"
#include "json/value.h"

namespace mk::mirrorconfig {

class MirrorSet {
 public:
  // by_tag: the mirror holds the source's images under the same tags, so
  // it can serve pulls by tag (see tag_groups()), not only by digest.
  void Add(const std::string& source_repository, const std::string& mirror_repository, bool by_tag = false);
  // Takes a record's source and dest. Records that carry an error are
  // refused (their image is not in the mirror); others without a source
  // and a dest, or whose dest is a directory, are ignored (false). A
  // "dir:PATH:NAME" source counts as the record's "origin" (blob-copy's
  // resolved name) or else NAME, which must then be a full reference.
  // The mapping is by tag when the source names a tag and the dest has the
  // same tag (stream-mirror's records); release-list's, from digests to
  // new tags, are by digest only. A rewritten record (manifest-rewrite:
  // the mirror holds new content, not the source's digest) is never a
  // digest mapping: by tag it is a tag mapping only, else it is left out;
  // both are counted (rewritten_by_tag(), rewritten_left_out()).
  Result<bool> AddRecord(const json::Value& record);

  // Every mapping: any image in the source repository can be pulled by
  // digest from these mirrors (a copy keeps its digest).
  const std::map<std::string, std::set<std::string>>& groups() const { return groups_; }
  // The mappings by tag: the mirror also answers for the source's tags.
  // All of groups()' by-tag mappings, and rewritten images' by-tag ones.
  const std::map<std::string, std::set<std::string>>& tag_groups() const { return tag_groups_; }
  bool empty() const { return groups_.empty() && tag_groups_.empty(); }
  int rewritten_by_tag() const { return rewritten_by_tag_; }
  int rewritten_left_out() const { return rewritten_left_out_; }

 private:
  int rewritten_by_tag_ = 0;
  int rewritten_left_out_ = 0;
  std::map<std::string, std::set<std::string>> groups_;
  std::map<std::string, std::set<std::string>> tag_groups_;
};

}  // namespace mk::mirrorconfig
