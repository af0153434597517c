#include "auth/secret_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/signals.h"

namespace mk::auth {
namespace {

bool IsStdin(const std::string& path) { return path.empty() || path == "-"; }

// Creates the missing folders above a secret's path, mode 0700 (as docker
// and podman make ~/.docker and $XDG_RUNTIME_DIR/containers): a new folder
// for a secret is private. Folders already there keep their mode.
Status MakePrivateParents(const std::string& path) {
  size_t end = path.rfind('/');
  if (end == std::string::npos || end == 0) return Status::Ok();
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, std::min(slash, end));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return IoError("cannot create directory " + dir + ": " + std::strerror(errno));
    if (slash >= end) return Status::Ok();
  }
}

}  // namespace

Result<json::Value> LoadPullSecret(const std::string& path, const std::string& stdin_text, size_t max_bytes) {
  if (IsStdin(path)) return ParsePullSecret(stdin_text, "standard input");
  MK_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path, max_bytes));
  return ParsePullSecret(text, path);
}

Result<SecretFilesResult> EditPullSecretFiles(const SecretFilesEdit& request) {
  SecretFilesResult result;
  auto produce = [&]() -> Result<std::string> {
    MK_ASSIGN_OR_RETURN(json::Value doc, LoadPullSecret(request.input, request.stdin_text, request.max_bytes));
    EditOptions edit = request.edit;
    for (const auto& f : request.from_files) {
      auto other = LoadPullSecret(f, "", request.max_bytes);
      if (!other.ok()) return other.status().WithContext("--from-file");
      edit.merge.push_back({f, std::move(other).value()});
    }
    MK_ASSIGN_OR_RETURN(result.report, EditPullSecret(doc, edit));
    if (Interrupted()) return Cancelled("interrupted");
    return doc.SerializePretty() + "\n";
  };
  if (IsStdin(request.output)) {
    MK_ASSIGN_OR_RETURN(result.text, produce());
    return result;
  }
  MK_RETURN_IF_ERROR(MakePrivateParents(request.output));
  MK_RETURN_IF_ERROR(ReplaceFileLocked(request.output, 0600, [&]() -> Result<std::string> {
    MK_ASSIGN_OR_RETURN(result.text, produce());
    return result.text;
  }));
  return result;
}

}  // namespace mk::auth
