// The front command, `mirrorkit COMMAND ARGS...` (tools/mirrorkit), git's
// model (git.c): COMMAND is a built-in tool, run from the directory that
// holds mirrorkit itself, or else the plugin "mirrorkit-COMMAND" that
// finder.h finds. Built-in tools are never shadowed by plugins, so a file on
// PATH cannot change what `mirrorkit blob-copy` runs.
//
// What to do with the arguments is decided here as a pure function of them
// (and, for the listings, of the plugins found), so that the decision is
// unit-tested without running anything; tools/mirrorkit/main.cpp carries it
// out (exec, print). Everything here is stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plugin/finder.h"

namespace mk::plugin {

// Set by the front command for the plugins it runs: the directory of the
// built-in tools (a plugin composed from the tools runs them from there, as
// git's GIT_EXEC_PATH). The front command also puts it first on PATH.
inline constexpr char kExecPathVariable[] = "MIRRORKIT_EXEC_PATH";

struct BuiltIn {
  const char* name;
  const char* summary;  // one line, for `mirrorkit help`
};

// The tools of tools/ except mirrorkit itself, sorted by name: the one list
// of them (tests/front_command.bats checks it against tools/). A new tool
// adds a line here.
const std::vector<BuiltIn>& BuiltIns();
bool IsBuiltIn(std::string_view name);

// A storage plugin (mirrorkit-storage-SCHEME) serves image locations, not
// commands: listed apart, never offered as a command.
bool IsStoragePlugin(std::string_view name);

// The index in args (argv without argv[0]) of the command: the first
// argument that is not an option. mirrorkit's own options come before the
// command and take no value; everything from the command on belongs to it.
// args.size() when there is no command.
size_t CommandIndex(const std::vector<std::string>& args);

enum class Action {
  kUsage,       // no command: usage on stderr, exit 2
  kUsageError,  // a malformed front command line: message, exit 2
  kHelpIndex,   // `mirrorkit help`: the tools, then the plugins
  kPlugins,     // `mirrorkit plugins`: each plugin, from where, what it shadows
  kRunBuiltIn,  // exec the tool `name` beside mirrorkit with argv
  kRunPlugin,   // exec the plugin `name` (finder.h's Find) with argv
};

struct Decision {
  Action action = Action::kUsage;
  std::string name;               // the tool, or the plugin NAME (without the prefix)
  std::vector<std::string> argv;  // what to exec: argv[0] is the tool's name or mirrorkit-NAME
  std::string message;            // kUsageError: what is wrong
};

// command_args: the command and every argument after it (args from
// CommandIndex on). `help TOOL` runs `TOOL --help`.
Decision Decide(const std::vector<std::string>& command_args);

// The exit status when exec of a found command fails with errnum: 127 when
// the file is gone (a shell's "not found"), else 126 ("cannot execute").
int ExecFailureExit(int errnum);

// The message for a command that is neither built in nor a plugin.
std::string NotACommand(const std::string& name);

// The built-in tools installed in dir (an executable file dir/NAME): what
// `mirrorkit help` offers, so that a partial install does not advertise a
// tool it lacks.
std::vector<BuiltIn> InstalledBuiltIns(const std::string& dir);

// The texts the front command prints, from the tools InstalledBuiltIns()
// and the plugins ListAll() found.
// --help's description, with every built-in tool.
std::string FrontSummary();
// `mirrorkit help`: usage, the built-in tools with their summaries, the
// command plugins, the storage plugins.
std::string HelpIndex(const std::vector<BuiltIn>& tools, const std::vector<Listed>& plugins);
// `mirrorkit plugins`: one line "NAME PATH (ORIGIN)" per plugin, then an
// indented line per file it shadows, and a note when a built-in tool of the
// same name means the plugin never runs.
std::string PluginsReport(const std::vector<Listed>& plugins);
// `mirrorkit --list-commands`, for completion: the built-in tools, help,
// plugins, then the command plugins, one name a line, each once.
std::string CommandList(const std::vector<BuiltIn>& tools, const std::vector<Listed>& plugins);

}  // namespace mk::plugin
