#include "base/atomic_file.h"

#include "base/signals.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>

namespace mk {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<AtomicFile> AtomicFile::Create(const std::string& path, mode_t mode) {
  if (path.empty() || path.back() == '/') return InvalidArgument("not a file name: " + path);
  std::string tmpl = DirName(path) + "/." + BaseName(path) + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return IoError("cannot create a temporary file for " + path + ": " + ErrnoText(errno));
  UniqueFd owned(fd);
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return IoError("cannot set mode of " + tmpl + ": " + ErrnoText(err));
  }
  return AtomicFile(path, tmpl, std::move(owned));
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)),
      temp_path_(std::move(o.temp_path_)),
      fd_(std::move(o.fd_)),
      committed_(o.committed_) {
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

Status AtomicFile::Commit() {
  if (committed_) return Internal("file committed twice: " + path_);
  if (::fsync(fd_.get()) != 0) return IoError("cannot sync " + path_ + ": " + ErrnoText(errno));
  if (::close(fd_.Release()) != 0) return IoError("cannot close " + path_ + ": " + ErrnoText(errno));
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    return IoError("cannot rename into " + path_ + ": " + ErrnoText(errno));
  committed_ = true;
  UniqueFd dir(::open(DirName(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());  // best effort: some filesystems refuse
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  MK_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(path, mode));
  MK_RETURN_IF_ERROR(file.Write(data));
  return file.Commit();
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
    if (n < 0) return errno == EINTR ? Cancelled("interrupted") : IoError("cannot read standard input: " + ErrnoText(errno));
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) return InvalidArgument("standard input is larger than " + std::to_string(max_bytes) + " bytes");
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
