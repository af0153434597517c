// The plugin's side of the storage plugin protocol (man/mirrorkit-storage.7):
// ServePlugin reads requests from the core, one at a time, calls a
// PluginBackend and writes the answers, until the core closes the
// connection. A plugin written in C++ is then a backend and a main() that
// calls ServePlugin on stdin and stdout (plugins/storage-oci-archive); the
// core's unit tests serve a backend in-process over a pipe pair.
//
// Failures of the backend become "error CODE MESSAGE" answers and the loop
// goes on; only a broken connection ends it early. When the input ends
// without "finish" (the core failed, was interrupted or killed), the
// backend's Discard runs. Not thread-safe: one connection, one thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "store/oci_dir_store.h"
#include "store/store.h"

namespace mk::store {

struct ManifestBytes {
  std::string media_type;  // "" when the store does not know it
  std::string raw;
};

class PluginBackend {
 public:
  virtual ~PluginBackend() = default;
  // The operations answered to "capabilities" (all of version 1 here).
  virtual std::set<std::string> Operations() const;

  virtual Result<std::vector<NamedImage>> List() = 0;
  // The blob's size; kNotFound when missing.
  virtual Result<uint64_t> StatBlob(const Digest& digest) = 0;
  // The blob's bytes from offset on, unverified (the core verifies).
  virtual Status GetBlob(const Digest& digest, uint64_t offset, const BlobSink& sink) = 0;
  // Stores exactly size bytes from source, only when they match digest.
  virtual Status PutBlob(const Digest& digest, uint64_t size, const BlobSource& source) = 0;
  // By digest, or by a name List gives.
  virtual Result<ManifestBytes> GetManifest(const std::string& name_or_digest) = 0;
  virtual Status PutManifest(const std::string& name, ManifestRole role, const std::string& media_type,
                             const Digest& digest, std::string raw) = 0;
  // Makes what was written durable (an archive is written here).
  virtual Status Finish() = 0;
  // The core went away without "finish": drop what was written.
  virtual void Discard() = 0;
};

// Serves requests from in_fd, answering on out_fd. Ok when the core closed
// the connection (after Discard, or after a finish); an error when the
// connection broke (the message says how).
Status ServePlugin(PluginBackend& backend, int in_fd, int out_fd, const std::string& core_name = "mirrorkit");

}  // namespace mk::store
