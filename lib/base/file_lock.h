// FileLock: an exclusive advisory lock (flock(2)) held for the life of the
// object, released by closing its descriptor. The one locking mechanism of
// mirrorkit, used three ways:
//
//   - on a directory, to serialize read-modify-write of files in it that are
//     replaced by rename (an OCI layout's index.json, a pull secret written
//     by secret-merge -o). Locking the file itself would not serialize: the
//     rename puts a new inode under the name, and a waiter would then hold a
//     lock on the old, unlinked one. The directory stays, and no lock file is
//     left on the media;
//   - on an AtomicFile's temporary file, for its whole life, so that a
//     temporary whose lock is free belongs to a dead writer (see
//     RemoveStaleTemps in base/atomic_file.h);
//   - non-blocking, to test whether such a lock is free.
//
// flock locks belong to an open file description: two FileLocks on the same
// path exclude each other even in one process (threads included), and a
// child process that inherited the descriptor would share it, which is why
// every descriptor here is O_CLOEXEC. Movable, not copyable; not thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/status.h"
#include "base/unique_fd.h"

namespace mk {

class FileLock {
 public:
  // Opens path (a file or a directory, read-only) and waits for the lock.
  // SIGINT/SIGTERM while waiting gives kCancelled.
  static Result<FileLock> Exclusive(const std::string& path);
  // The lock when free at once, else nullopt (another holder). A missing
  // path is kNotFound.
  static Result<std::optional<FileLock>> TryExclusive(const std::string& path);
  // Takes the lock on an open descriptor this object then owns.
  static Result<FileLock> ExclusiveOnFd(UniqueFd fd, const std::string& what);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  int fd() const { return fd_.get(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing releases the lock
};

// The directory part of path ("." for a bare name), for locking the
// directory a file is replaced in.
std::string DirectoryOf(const std::string& path);

}  // namespace mk
