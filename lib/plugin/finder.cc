#include "plugin/finder.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "base/strings.h"

namespace mk::plugin {
namespace {

void AddDirs(const char* value, Origin origin, std::vector<SearchDir>& out) {
  if (value == nullptr) return;
  for (std::string& dir : Split(value, ':'))
    if (!dir.empty()) out.push_back({std::move(dir), origin});
}

// 0: an executable regular file; 1: a file that is not executable; -1: none.
int Probe(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return -1;
  return access(path.c_str(), X_OK) == 0 ? 0 : 1;
}

}  // namespace

const char* OriginName(Origin origin) {
  switch (origin) {
    case Origin::kPluginPath:
      return kPathVariable;
    case Origin::kInstalled:
      return "installed";
    case Origin::kPath:
      return "PATH";
  }
  return "?";
}

std::string ExeDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : exe.substr(0, slash);
}

std::string InstalledDir() {
  std::string dir = ExeDir();
  return dir.empty() ? "" : dir + "/../libexec/mirrorkit";
}

std::vector<SearchDir> SearchPath() {
  std::vector<SearchDir> dirs;
  AddDirs(std::getenv(kPathVariable), Origin::kPluginPath, dirs);
  std::string installed = InstalledDir();
  if (!installed.empty()) dirs.push_back({installed, Origin::kInstalled});
  AddDirs(std::getenv("PATH"), Origin::kPath, dirs);
  return dirs;
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'))) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string::npos;
}

Result<Found> Find(const std::string& name) {
  if (!ValidName(name)) return InvalidArgument("'" + name + "' is not a plugin name");
  for (const SearchDir& d : SearchPath()) {
    std::string path = d.dir + "/" + kPrefix + name;
    int probe = Probe(path);
    if (probe == 0) return Found{path, d.origin};
    if (probe == 1) return PermissionDenied(path + " is not executable");
  }
  return NotFound(std::string("no ") + kPrefix + name + " in " + kPathVariable +
                  ", the installed plugins directory or PATH");
}

std::vector<Listed> ListAll() {
  std::vector<Listed> listed;
  std::map<std::string, size_t> index;
  for (const SearchDir& d : SearchPath()) {
    DIR* dir = opendir(d.dir.c_str());
    if (dir == nullptr) continue;
    std::vector<std::string> names;
    while (dirent* e = readdir(dir)) {
      std::string file = e->d_name;
      if (file.rfind(kPrefix, 0) != 0) continue;
      std::string name = file.substr(sizeof kPrefix - 1);
      if (!ValidName(name) || Probe(d.dir + "/" + file) != 0) continue;
      names.push_back(std::move(name));
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (std::string& name : names) {
      std::string path = d.dir + "/" + kPrefix + name;
      auto it = index.find(name);
      if (it == index.end()) {
        index.emplace(name, listed.size());
        listed.push_back(Listed{name, Found{path, d.origin}, {}});
      } else if (listed[it->second].found.path != path) {
        listed[it->second].shadowed.push_back(path);
      }
    }
  }
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) { return a.name < b.name; });
  return listed;
}

}  // namespace mk::plugin
