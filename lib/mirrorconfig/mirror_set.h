// MirrorSet: source repository → mirror repositories, built from mapping
// records and rendered as the configuration a cluster needs to find the
// mirror. Sources are repositories (tags and digests dropped); order is
// sorted and duplicates removed, so output is deterministic (oc's own sort
// is not). Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "base/status.h"
#include "json/value.h"

namespace mk::mirrorconfig {

class MirrorSet {
 public:
  void Add(const std::string& source_repository, const std::string& mirror_repository);
  // Takes a record's source and dest. Records that carry an error are
  // refused (their image is not in the mirror); others without a source
  // and a dest, or whose dest is a directory, are ignored (false). A
  // "dir:PATH:NAME" source counts as the record's "origin" (blob-copy's
  // resolved name) or else NAME, which must then be a full reference.
  Result<bool> AddRecord(const json::Value& record);

  const std::map<std::string, std::set<std::string>>& groups() const { return groups_; }
  bool empty() const { return groups_.empty(); }

 private:
  std::map<std::string, std::set<std::string>> groups_;
};

// The install-config.yaml block, as `oc adm release mirror` prints it.
std::string RenderImageContentSources(const MirrorSet& set);

// A YAML scalar: plain when unambiguous, else double-quoted.
std::string YamlScalar(const std::string& s);

}  // namespace mk::mirrorconfig
