// mirror-prune's library: removes from a mirror (a registry repository or
// namespace, or an OCI layout directory) the images that no kept record
// names, without touching anything a kept image still references. A dry
// run by default: the plan is printed as "prune" records
// (mirrorkit-records(7)) and nothing changes.
//
// TARGET grammar:
//   target := "dir:" PATH          an OCI layout directory (dir_prune.h)
//           | REG "/" REPO         one repository of a registry
//           | REG "/" NS "/"       every repository under NS/ (_catalog)
//
// Not thread-safe; the resolver (and the session behind it) must outlive
// the call.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "prune/keep.h"
#include "records/failures.h"
#include "store/resolver.h"

namespace mk::prune {

inline constexpr const char kPruneKind[] = "prune";

// The record of one image (or file) a prune deletes or would delete.
// Fields in this order, empty ones left out.
struct PruneRecord {
  std::string target;             // TARGET as given
  std::string ref;                // REG/REPO@digest, or dir:PATH:NAME
  std::vector<std::string> tags;  // registry tags that go with it
  std::string file;               // a signature ConfigMap file of a directory
  std::string digest;
  std::string action;  // would-delete, deleted or failed
  std::string reason;
  std::string error;  // with action failed
  Code code = Code::kOk;
};
json::Value Record(const PruneRecord& r);

struct Options {
  std::string target;
  bool apply = false;
  int jobs = 6;  // registry requests at once while planning
};

struct Summary {
  std::string target;
  bool apply = false;
  int images = 0;      // images (manifests) deleted, or that would be
  int tags = 0;        // registry tags that go with them
  int kept = 0;        // images kept (registry: tagged digests; directory: index entries)
  uint64_t blobs = 0;  // directory: blob files unlinked (or to unlink)
  uint64_t bytes = 0;  // and their size
  int files = 0;       // directory: signature ConfigMaps removed
  int failed = 0;      // deletions that failed (each a record)
  records::FailureSet failures;
  // One line for people (stderr).
  std::string Line() const;
};

// Emit returns false when the output is gone (a closed pipe): the run
// then stops where it is.
using Emit = std::function<bool(const json::Value& record)>;

// Whether text is a TARGET (the grammar above): kInvalidArgument saying
// what is wrong, before anything is read.
Status ValidateTarget(const std::string& text);

// Plans (and with options.apply, carries out) the prune. An error means
// the mirror could not be read whole, a kept image is missing, or the
// target cannot delete (a registry without delete enabled): nothing was
// deleted then. Deletions that fail once started are records and counted
// in the summary's failures.
Result<Summary> Run(store::StoreResolver& stores, const Options& options, const KeepList& keep, const Emit& emit);

}  // namespace mk::prune
