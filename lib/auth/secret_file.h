// Pull secret files for secret-merge: reading them, and the read-modify-write
// of `-o FILE` that several runs may do on one file at the same time.
//
// Concurrency: the output is replaced by rename (base/atomic_file.h), so a
// lock on the file itself would not serialize writers (a waiter would end up
// holding the lock of the old, unlinked inode). The lock is an flock on the
// output's directory (base/file_lock.h: no lock file is left), held while
// every input file is read — the output itself when it is also the input —
// edited and written back: two runs adding different registries to one file
// both land, in some order. Standard input is read by the caller before the
// lock is taken, so a lock never waits on a person typing. Reentrant.
#pragma once

#include <string>
#include <vector>

#include "auth/secret_edit.h"

namespace mk::auth {

// Reads and parses a pull secret: the file path, or, when path is "" or
// "-", stdin_text (standard input, read by the caller).
Result<json::Value> LoadPullSecret(const std::string& path, const std::string& stdin_text, size_t max_bytes);

struct SecretFilesEdit {
  std::string input;                    // PULL_SECRET; "" or "-": standard input
  std::string stdin_text;               // standard input, when input is it
  std::vector<std::string> from_files;  // merged in order (EditOptions::merge)
  std::string output;                   // -o FILE; "" or "-": none, the caller prints the text
  EditOptions edit;                     // what to do; merge is filled from from_files
  size_t max_bytes = 16u << 20;         // per input file
};

struct SecretFilesResult {
  std::string text;  // the edited document, indented like `jq .`
  EditReport report;
};

// Reads the inputs, applies the edit and serializes; with an output file,
// all of it under the lock on the output's directory, and the text replaces
// the output atomically, mode 0600, before the lock is released. A SIGINT
// before the write gives kCancelled and leaves the output as it was.
Result<SecretFilesResult> EditPullSecretFiles(const SecretFilesEdit& request);

}  // namespace mk::auth
