// BlobLedger: what this run knows about blobs in destination repositories,
// shared by all copy workers so a blob shared by many images is transferred
// at most once per destination repository, and never twice at the same time.
//
// Acquire blocks while another worker is ensuring the same (repository,
// digest); it then answers kPresent, or kMine when the caller must ensure
// the blob and report with Finish. The ledger also remembers where a blob is
// known to exist, so a later repository of the same store can mount it
// instead of uploading it again. Thread-safe; memory grows with the number
// of distinct (repository, blob) pairs, a few dozen bytes each.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "digest/digest.h"

namespace mk::copy {

class BlobLedger {
 public:
  enum class Claim { kPresent, kMine };

  // repo_key identifies store and repository ("registry h|h/a/b").
  Claim Acquire(const std::string& repo_key, const Digest& digest);
  void Finish(const std::string& repo_key, const Digest& digest, bool present);

  // Records that the blob exists in a repository of a store (e.g. the
  // source), for mounting.
  void NoteLocation(const std::string& store, const std::string& repository, const Digest& digest);
  // Repositories of store known to hold the blob.
  std::vector<std::string> Locations(const std::string& store, const Digest& digest);

 private:
  enum class State { kBusy, kPresent };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<std::string, Digest>, State> state_;
  std::map<std::pair<std::string, Digest>, std::set<std::string>> locations_;
};

}  // namespace mk::copy
