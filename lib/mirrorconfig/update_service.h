// UpdateService: the OpenShift Update Service operator's object
// (updateservice.operator.openshift.io/v1, namespace
// openshift-update-service) for a mirror, from the records that say where
// the releases went (release records' dest) and where the graph data image
// is (graph-image records). Not a MirrorSet format: it needs whole
// repositories and one image, not source-to-mirror mappings.
//
// releases is the one repository the release records' dests share, without
// a tag; graphDataImage is the graph image pinned by digest (tags move, and
// the operator pulls it on every start). Plain data; not synchronized.
#pragma once

#include <set>
#include <string>

#include "base/status.h"
#include "json/value.h"

namespace mk::mirrorconfig {

inline constexpr const char* kDefaultUpdateServiceName = "service";

class UpdateServiceInput {
 public:
  // Takes a release record with a registry dest or a graph-image record
  // with dest and digest; true when it took it. A record of those kinds
  // that cannot be used (a dir: dest, a malformed reference) is an error
  // naming it; other records are not for the UpdateService (false).
  Result<bool> AddRecord(const json::Value& record);

  const std::set<std::string>& release_repositories() const { return releases_; }
  const std::set<std::string>& graph_images() const { return graph_images_; }

 private:
  std::set<std::string> releases_;
  std::set<std::string> graph_images_;  // repository@digest
};

// The UpdateService YAML. kInvalidArgument unless exactly one release
// repository and one graph image were read, or for an invalid name.
Result<std::string> RenderUpdateService(const UpdateServiceInput& input, const std::string& name);

}  // namespace mk::mirrorconfig
