// Pruning a mirror registry: which manifests of a repository (or of every
// repository under a namespace) no kept record names, and deleting them.
//
// Planning reads everything first and deletes nothing: every tag of every
// repository is listed and resolved to its digest (a manifest HEAD); every
// kept image a record places in the target must be there; every kept
// manifest is read, and a kept index keeps its children. A tag is kept
// when its digest is kept, or when it is the sigstore signature tag
// "sha256-<hex>.sig" of a kept digest; every other tagged digest is
// deleted, with the children of a deleted index that nothing keeps. Any
// read that fails fails the plan: a mirror that cannot be read whole is
// not pruned on a guess.
//
// Deleting is DELETE /v2/<name>/manifests/<digest> (OCI distribution spec,
// "Deleting Manifests"): the registry drops the manifest and every tag
// naming it in that repository. Blobs are never deleted through the API (a
// blob a kept image shares must stay): the registry's own garbage
// collection frees them. Manifests stored only by digest (no tag) cannot
// be listed through the API and are left alone.
//
// Not thread-safe (one prune at a time; the plan's HEADs run on threads of
// its own); the store and lister must outlive the calls.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "prune/keep.h"
#include "registry/registry_client.h"
#include "store/store.h"

namespace mk::prune {

// TARGET for a registry: "REG/REPO" is that repository; "REG/NS/" every
// repository whose name starts with "NS/" (the registry's catalog).
struct RegistryTarget {
  std::string domain;
  std::string path;  // the repository, or the namespace without its '/'
  bool prefix = false;
  std::string String() const { return domain + "/" + path + (prefix ? "/" : ""); }
  // Whether a repository path lies in the target.
  bool Covers(const std::string& repository_path) const;
};
Result<RegistryTarget> ParseRegistryTarget(const std::string& text);

// What pruning needs that the Store interface does not list: a registry's
// repositories and the tags of one. Paths without the registry's domain.
class Lister {
 public:
  virtual ~Lister() = default;
  virtual Result<std::vector<std::string>> Repositories() = 0;
  // A repository the registry does not know is kNotFound.
  virtual Result<std::vector<std::string>> Tags(const std::string& repository_path) = 0;
};

// A Lister over a registry's API (_catalog and tags/list).
class RegistryLister : public Lister {
 public:
  explicit RegistryLister(registry::RegistryClient& client) : client_(client) {}
  Result<std::vector<std::string>> Repositories() override { return client_.ListRepositories(); }
  Result<std::vector<std::string>> Tags(const std::string& repository_path) override {
    return client_.ListTags(repository_path);
  }

 private:
  registry::RegistryClient& client_;
};

// One manifest to delete from one repository, with the tags that go with it.
struct Deletion {
  Reference ref;  // repository@digest
  std::vector<std::string> tags;
  std::string reason;
};

struct RegistryPlan {
  std::vector<Deletion> deletions;  // indexes before the children they take along
  int repositories = 0;
  int tags = 0;         // tags listed
  int tags_kept = 0;    // of which kept
  int images_kept = 0;  // tagged digests kept, per repository
};

// jobs: manifest HEADs at once (the store must then be thread-safe, as
// every Store is).
Result<RegistryPlan> PlanRegistry(store::Store& store, Lister& lister, const RegistryTarget& target,
                                  const KeepList& keep, int jobs = 1);

}  // namespace mk::prune
