#include "copy/blob_ledger.h"

namespace mk::copy {

BlobLedger::Claim BlobLedger::Acquire(const std::string& repo_key, const Digest& digest) {
  std::unique_lock<std::mutex> lock(mu_);
  auto key = std::make_pair(repo_key, digest);
  for (;;) {
    auto it = state_.find(key);
    if (it == state_.end()) {
      state_.emplace(key, State::kBusy);
      return Claim::kMine;
    }
    if (it->second == State::kPresent) return Claim::kPresent;
    cv_.wait(lock);  // another worker is on it; its Finish wakes us
  }
}

void BlobLedger::Finish(const std::string& repo_key, const Digest& digest, bool present) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(repo_key, digest);
  if (present)
    state_[key] = State::kPresent;
  else
    state_.erase(key);  // failed: the next worker tries again
  cv_.notify_all();
}

void BlobLedger::NoteLocation(const std::string& store, const std::string& repository, const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  locations_[{store, digest}].insert(repository);
}

std::vector<std::string> BlobLedger::Locations(const std::string& store, const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = locations_.find({store, digest});
  if (it == locations_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace mk::copy
