#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>

#include "base/signals.h"

namespace mk {
namespace {

Status OpenError(int err, const std::string& path) {
  if (err == ENOENT) return NotFound("no such file or directory: " + path);
  if (err == EACCES || err == EPERM)
    return PermissionDenied("cannot open " + path + " to lock it: " + std::strerror(err));
  return IoError("cannot open " + path + " to lock it: " + std::strerror(err));
}

Result<UniqueFd> OpenForLock(const std::string& path) {
  // O_RDONLY works for directories and for files of any mode we can read;
  // flock needs no write access.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return OpenError(errno, path);
  return fd;
}

}  // namespace

Result<FileLock> FileLock::ExclusiveOnFd(UniqueFd fd, const std::string& what) {
  while (::flock(fd.get(), LOCK_EX) != 0) {
    // The signal handlers are installed without SA_RESTART, so a SIGINT
    // wakes a waiter here.
    if (errno == EINTR && Interrupted()) return Cancelled("interrupted while waiting for the lock on " + what);
    if (errno != EINTR) return IoError("cannot lock " + what + ": " + std::strerror(errno));
  }
  return FileLock(std::move(fd));
}

Result<FileLock> FileLock::Exclusive(const std::string& path) {
  MK_ASSIGN_OR_RETURN(UniqueFd fd, OpenForLock(path));
  return ExclusiveOnFd(std::move(fd), path);
}

Result<std::optional<FileLock>> FileLock::TryExclusive(const std::string& path) {
  MK_ASSIGN_OR_RETURN(UniqueFd fd, OpenForLock(path));
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return std::optional<FileLock>(FileLock(std::move(fd)));
    if (errno == EWOULDBLOCK) return std::optional<FileLock>();
    if (errno != EINTR) return IoError("cannot lock " + path + ": " + std::strerror(errno));
  }
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace mk
