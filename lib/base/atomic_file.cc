#include "base/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/file_lock.h"
#include "base/signals.h"

namespace mk {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<AtomicFile> AtomicFile::Create(const std::string& path, mode_t mode) {
  if (path.empty() || path.back() == '/') return InvalidArgument("not a file name: " + path);
  // A cleaner (RemoveStaleTemps in another process) may find the new file
  // between mkostemp and flock, take its free lock and unlink it; after
  // taking the lock we check that the name still leads to our file, and
  // start over with a new name if not. The window is microseconds wide, but
  // a cleaner sweeping in a loop on a loaded machine can hit it several
  // times in a row (StaleTemps.CleanerAndWritersRace... lost 8 rounds).
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::string tmpl = DirectoryOf(path) + "/." + BaseName(path) + ".tmp-XXXXXX";
    // O_CLOEXEC: a child process (a credential helper) must not inherit
    // the descriptor, or the lock would outlive us.
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) return IoError("cannot create a temporary file for " + path + ": " + ErrnoText(errno));
    UniqueFd owned(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) continue;  // a cleaner holds it and removes it
      int err = errno;
      ::unlink(tmpl.c_str());
      return IoError("cannot lock " + tmpl + ": " + ErrnoText(err));
    }
    struct stat mine, named;
    if (::fstat(fd, &mine) != 0 || mine.st_nlink == 0 || ::stat(tmpl.c_str(), &named) != 0 ||
        named.st_ino != mine.st_ino || named.st_dev != mine.st_dev)
      continue;  // removed by a cleaner before we held it
    if (::fchmod(fd, mode) != 0) {
      int err = errno;
      ::unlink(tmpl.c_str());
      return IoError("cannot set mode of " + tmpl + ": " + ErrnoText(err));
    }
    return AtomicFile(path, tmpl, std::move(owned));
  }
  return IoError("cannot create a temporary file for " + path + ": removed by another process each time");
}

Result<std::optional<AtomicFile>> AtomicFile::Adopt(const std::string& path, const std::string& temp_path) {
  UniqueFd fd(::open(temp_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<AtomicFile>();
    return IoError("cannot open " + temp_path + ": " + ErrnoText(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<AtomicFile>();  // its writer lives
    return IoError("cannot lock " + temp_path + ": " + ErrnoText(errno));
  }
  // Still the file we opened? A cleaner may have removed it meanwhile.
  struct stat mine, named;
  if (::fstat(fd.get(), &mine) != 0 || !S_ISREG(mine.st_mode) || mine.st_nlink == 0 ||
      ::lstat(temp_path.c_str(), &named) != 0 || named.st_ino != mine.st_ino || named.st_dev != mine.st_dev)
    return std::optional<AtomicFile>();
  return std::optional<AtomicFile>(AtomicFile(path, temp_path, std::move(fd)));
}

void AtomicFile::Keep() {
  committed_ = true;  // nothing for the destructor to remove
  fd_ = UniqueFd();   // closing drops the lock
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)), temp_path_(std::move(o.temp_path_)), fd_(std::move(o.fd_)), committed_(o.committed_) {
  o.committed_ = true;  // the moved-from object owns nothing to remove
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status AtomicFile::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + path_ + ": " + ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status AtomicFile::Truncate() {
  if (::ftruncate(fd_.get(), 0) != 0 || ::lseek(fd_.get(), 0, SEEK_SET) != 0)
    return IoError("cannot truncate " + temp_path_ + ": " + ErrnoText(errno));
  return Status::Ok();
}

Status AtomicFile::Commit() {
  if (committed_) return Internal("file committed twice: " + path_);
  if (::fsync(fd_.get()) != 0) return IoError("cannot sync " + path_ + ": " + ErrnoText(errno));
  // Renamed while the descriptor (and so the lock) is held: closing first
  // would let a cleaner take the temporary for an orphan and remove it.
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    return IoError("cannot rename into " + path_ + ": " + ErrnoText(errno));
  committed_ = true;
  if (::close(fd_.Release()) != 0) return IoError("cannot close " + path_ + ": " + ErrnoText(errno));
  UniqueFd dir(::open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());  // best effort: some filesystems refuse
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  MK_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(path, mode));
  MK_RETURN_IF_ERROR(file.Write(data));
  return file.Commit();
}

bool IsTempName(const std::string& name, const std::string& final_glob) {
  return ::fnmatch(("." + final_glob + ".tmp-?*").c_str(), name.c_str(), FNM_PERIOD) == 0;
}

Result<bool> RemoveTempIfStale(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto lock = FileLock::TryExclusive(path);
  if (!lock.ok()) return lock.status().code() == Code::kNotFound ? Result<bool>(false) : lock.status();
  if (!lock->has_value()) return false;  // a live writer holds it
  // Still the file we locked? Another cleaner may have removed it and a
  // writer made a new one under the same name meanwhile.
  struct stat locked, named;
  if (::fstat((*lock)->fd(), &locked) != 0 || ::lstat(path.c_str(), &named) != 0 || locked.st_ino != named.st_ino ||
      locked.st_dev != named.st_dev)
    return false;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    return IoError("cannot remove " + path + ": " + ErrnoText(errno));
  }
  return true;
}

Result<int> RemoveStaleTemps(const std::string& dir, const std::string& final_glob) {
  std::vector<std::string> names;
  {
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
      if (errno == ENOENT) return 0;
      return IoError("cannot list " + dir + ": " + ErrnoText(errno));
    }
    while (struct dirent* e = ::readdir(d))
      if (IsTempName(e->d_name, final_glob)) names.emplace_back(e->d_name);
    ::closedir(d);
  }
  int removed = 0;
  Status first_error;
  for (const auto& name : names) {
    auto gone = RemoveTempIfStale(dir + "/" + name);
    if (!gone.ok() && first_error.ok()) first_error = gone.status();
    removed += gone.ok() && *gone ? 1 : 0;
  }
  if (!first_error.ok()) return first_error;
  return removed;
}

Status ReplaceFileLocked(const std::string& path, mode_t mode, const std::function<Result<std::string>()>& produce) {
  auto lock = FileLock::Exclusive(DirectoryOf(path));
  if (!lock.ok())
    return lock.status().code() == Code::kCancelled ? lock.status() : lock.status().WithContext("cannot write " + path);
  MK_ASSIGN_OR_RETURN(std::string text, produce());
  return WriteFileAtomic(path, text, mode);
}

Status MakeDirectories(const std::string& path) {
  std::string cur;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    cur = path.substr(0, slash);
    if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
      return IoError("cannot create directory " + cur + ": " + ErrnoText(errno));
    start = slash + 1;
  }
  return Status::Ok();
}

Result<std::string> ReadStdinLimited(size_t max_bytes) {
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR && !Interrupted()) continue;
    if (n < 0)
      return errno == EINTR ? Cancelled("interrupted") : IoError("cannot read standard input: " + ErrnoText(errno));
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes)
      return InvalidArgument("standard input is larger than " + std::to_string(max_bytes) + " bytes");
  }
}

Result<std::string> ReadInputLimited(const std::string& path, size_t max_bytes) {
  if (path.empty() || path == "-") return ReadStdinLimited(max_bytes);
  return ReadFileLimited(path, max_bytes);
}

Result<std::string> ReadFileLimited(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    if (err == ENOENT) return NotFound("no such file: " + path);
    if (err == EACCES) return PermissionDenied("cannot read " + path + ": " + ErrnoText(err));
    return IoError("cannot open " + path + ": " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) return InvalidArgument("is a directory: " + path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read " + path + ": " + ErrnoText(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return InvalidArgument("file too large (over " + std::to_string(max_bytes) + " bytes): " + path);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace mk
