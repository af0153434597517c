// mirrorkit: the front command. `mirrorkit TOOL ARGS...` runs a built-in
// tool, `mirrorkit NAME ...` the plugin mirrorkit-NAME; both are exec'd, so
// standard input, standard output and the exit status are the command's own.
// What to run is plugin/front.h's decision. See mirrorkit(1).
#include <errno.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/tool.h"
#include "plugin/finder.h"
#include "plugin/front.h"

namespace {
const std::string kSummary = mk::plugin::FrontSummary();
const mk::cli::ToolInfo kInfo = {"mirrorkit", "mirrorkit [OPTIONS] COMMAND [ARGS]...", kSummary.c_str()};

// Replaces this process with path; returns only on failure, with the exit
// status that earns. The tools set their own signal dispositions; a plugin
// must not inherit the ones ParseArgs set (an ignored SIGPIPE survives exec).
int Exec(const std::string& path, const std::vector<std::string>& args) {
  std::signal(SIGPIPE, SIG_DFL);
  std::signal(SIGXFSZ, SIG_DFL);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  ::execv(path.c_str(), argv.data());
  int err = errno;
  mk::cli::Error(kInfo, "cannot run " + path + ": " + std::strerror(err));
  return mk::plugin::ExecFailureExit(err);
}

// A plugin runs the tools of this mirrorkit: MIRRORKIT_EXEC_PATH names their
// directory and comes first on PATH (git does the same with its exec path).
void ExportExecPath(const std::string& dir) {
  ::setenv(mk::plugin::kExecPathVariable, dir.c_str(), 1);
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  if (p != dir && p.rfind(dir + ":", 0) != 0) ::setenv("PATH", (p.empty() ? dir : dir + ":" + p).c_str(), 1);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::vector<std::string> args(argv + 1, argv + argc);
  const size_t command = plugin::CommandIndex(args);
  bool exec_path = false, list_commands = false;
  po::options_description opts("Options (before COMMAND)");
  // clang-format off
  opts.add_options()
      ("exec-path", po::bool_switch(&exec_path), "print the directory of the built-in tools and exit")
      ("list-commands", po::bool_switch(&list_commands), "print every command name (tools, help, plugins, command plugins), one a line, and exit");
  // clang-format on
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, {}, static_cast<int>(command) + 1, argv, vm)) return *code;
  const std::string dir = plugin::ExeDir();
  if (exec_path) {
    std::printf("%s\n", dir.c_str());
    return cli::FinishStdout(kInfo, cli::kExitOk);
  }
  if (list_commands) {
    std::fputs(plugin::CommandList(plugin::InstalledBuiltIns(dir), plugin::ListAll()).c_str(), stdout);
    return cli::FinishStdout(kInfo, cli::kExitOk);
  }

  plugin::Decision d = plugin::Decide({args.begin() + command, args.end()});
  switch (d.action) {
    case plugin::Action::kUsage:
      std::fprintf(stderr, "Usage: %s\n", kInfo.usage);
      std::fprintf(stderr, "Try 'mirrorkit help' for the commands, 'mirrorkit --help' for more information.\n");
      return cli::kExitUsage;
    case plugin::Action::kUsageError:
      return cli::UsageError(kInfo, d.message);
    case plugin::Action::kHelpIndex:
      std::fputs(plugin::HelpIndex(plugin::InstalledBuiltIns(dir), plugin::ListAll()).c_str(), stdout);
      return cli::FinishStdout(kInfo, cli::kExitOk);
    case plugin::Action::kPlugins:
      std::fputs(plugin::PluginsReport(plugin::ListAll()).c_str(), stdout);
      return cli::FinishStdout(kInfo, cli::kExitOk);
    case plugin::Action::kRunBuiltIn:
      if (dir.empty()) {
        cli::Error(kInfo, "cannot find the directory of the built-in tools (/proc/self/exe)");
        return cli::kExitNotFound;
      }
      return Exec(dir + "/" + d.name, d.argv);
    case plugin::Action::kRunPlugin:
      break;
  }
  auto found = plugin::Find(d.name);
  if (!found.ok()) {
    if (found.status().code() == Code::kPermissionDenied) {
      cli::Error(kInfo, found.status().message());
      return cli::kExitNotExecutable;
    }
    cli::Error(kInfo, plugin::NotACommand(d.name));
    return cli::kExitNotFound;
  }
  if (!dir.empty()) ExportExecPath(dir);
  return Exec(found->path, d.argv);
}
