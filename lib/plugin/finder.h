// Plugin lookup, git's model: a plugin NAME is an executable file named
// "mirrorkit-NAME", looked for in
//   1. the directories of $MIRRORKIT_PLUGIN_PATH (':'-separated), in order;
//   2. the installed plugins directory, DIR/../libexec/mirrorkit where DIR
//      holds the running executable (so PREFIX/bin/mirrorkit finds
//      PREFIX/libexec/mirrorkit, wherever PREFIX or DESTDIR put it);
//   3. the directories of $PATH.
// The first match wins; later ones are shadowed. The front command runs
// subcommand plugins found this way, and the storage resolver runs
// "mirrorkit-storage-SCHEME" for a location scheme it does not know. Reads
// the environment and the file system on every call; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace mk::plugin {

inline constexpr char kPathVariable[] = "MIRRORKIT_PLUGIN_PATH";
inline constexpr char kPrefix[] = "mirrorkit-";

// Where a search directory came from, for `mirrorkit plugins`.
enum class Origin { kPluginPath, kInstalled, kPath };
const char* OriginName(Origin origin);  // "MIRRORKIT_PLUGIN_PATH", "installed", "PATH"

struct SearchDir {
  std::string dir;
  Origin origin;
};

// The directory holding the running executable, absolute ("" when
// /proc/self/exe cannot be read): where the front command finds the tools.
std::string ExeDir();
// The installed plugins directory for the running executable, ExeDir()
// + "/../libexec/mirrorkit" ("" when ExeDir() is).
std::string InstalledDir();
// The directories searched, in order (empty entries of the variables skipped).
std::vector<SearchDir> SearchPath();

// A plugin name is [a-z0-9][a-z0-9._-]*: never a path, never "..".
bool ValidName(const std::string& name);

struct Found {
  std::string path;
  Origin origin;
};
// The first "mirrorkit-NAME" in the search path. NotFound when there is
// none; PermissionDenied when the first file of that name is not
// executable (a shell's 127 and 126); InvalidArgument for a bad name.
Result<Found> Find(const std::string& name);

struct Listed {
  std::string name;  // NAME, without the prefix
  Found found;
  std::vector<std::string> shadowed;  // paths of later files of the same name
};
// Every plugin in the search path, by name.
std::vector<Listed> ListAll();

}  // namespace mk::plugin
