#include "plugin/front.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>

namespace mk::plugin {
namespace {

// The front command's own commands: never plugins either.
constexpr const char* kHelp = "help";
constexpr const char* kPlugins = "plugins";

bool IsFrontCommand(std::string_view name) { return name == kHelp || name == kPlugins; }

// "   NAME   summary" with the summaries aligned.
void AddRow(std::string& out, const std::string& name, const std::string& text) {
  out += "   " + name;
  out += name.size() < 20 ? std::string(20 - name.size(), ' ') : std::string("  ");
  out += text + "\n";
}

Decision Run(const std::string& name, std::vector<std::string> rest) {
  Decision d;
  d.name = name;
  if (IsBuiltIn(name)) {
    d.action = Action::kRunBuiltIn;
    d.argv.push_back(name);
  } else {
    d.action = Action::kRunPlugin;
    d.argv.push_back(kPrefix + name);
  }
  d.argv.insert(d.argv.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return d;
}

Decision UsageError(std::string message) {
  Decision d;
  d.action = Action::kUsageError;
  d.message = std::move(message);
  return d;
}

}  // namespace

const std::vector<BuiltIn>& BuiltIns() {
  // clang-format off
  static const std::vector<BuiltIn> kBuiltIns = {
      {"blob-copy", "copy images byte for byte (registries, OCI directories) from mapping records"},
      {"catalog-list", "list an Operator catalog's bundles and their images as mapping records"},
      {"graph-image", "build the OpenShift Update Service's graph data image"},
      {"ics-gen", "print imageContentSources, ICSP/IDMS/ITMS or registries.conf from mapping records"},
      {"manifest-rewrite", "select, re-root and retag mapping records; filter platforms, convert manifests"},
      {"mirror-prune", "remove from a mirror the images that no kept release names (dry run by default)"},
      {"oci-dir", "list, verify, split and reassemble OCI layout directories (removable media)"},
      {"release-extract", "take openshift-install or oc out of a release, the installer pinned to it"},
      {"release-list", "list a release's component images as mapping records, planned for a mirror"},
      {"release-signatures", "fetch and verify release signatures, write them as ConfigMaps"},
      {"secret-merge", "add a mirror registry's credentials to a pull secret; merge, list, remove"},
      {"stream-mirror", "plan the mirroring of the Samples Operator's image streams"},
  };
  // clang-format on
  return kBuiltIns;
}

bool IsBuiltIn(std::string_view name) {
  const auto& all = BuiltIns();
  return std::any_of(all.begin(), all.end(), [&](const BuiltIn& b) { return name == b.name; });
}

bool IsStoragePlugin(std::string_view name) { return name.rfind("storage-", 0) == 0; }

size_t CommandIndex(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].empty() || args[i][0] != '-') return i;
  return args.size();
}

Decision Decide(const std::vector<std::string>& command_args) {
  if (command_args.empty()) return Decision{};
  const std::string& command = command_args[0];
  std::vector<std::string> rest(command_args.begin() + 1, command_args.end());
  if (command == kPlugins) {
    if (!rest.empty()) return UsageError("'plugins' takes no arguments");
    Decision d;
    d.action = Action::kPlugins;
    return d;
  }
  if (command == kHelp) {
    if (rest.size() > 1) return UsageError("'help' takes at most one command");
    if (rest.empty() || IsFrontCommand(rest[0])) {
      Decision d;
      d.action = Action::kHelpIndex;
      return d;
    }
    if (!rest[0].empty() && rest[0][0] == '-') return UsageError("'help' takes a command, not " + rest[0]);
    return Run(rest[0], {"--help"});
  }
  return Run(command, std::move(rest));
}

int ExecFailureExit(int errnum) { return errnum == ENOENT || errnum == ENOTDIR ? 127 : 126; }

std::string NotACommand(const std::string& name) {
  return "'" + name + "' is not a mirrorkit command; see 'mirrorkit help'";
}

std::string FrontSummary() {
  std::string out =
      "Run the mirrorkit tool COMMAND, or the plugin mirrorkit-COMMAND found on $MIRRORKIT_PLUGIN_PATH,\n"
      "in the installed plugins directory or on $PATH, with ARGS; standard input, standard output and the\n"
      "exit status are the command's (126: a plugin that cannot be run, 127: no such command).\n"
      "'mirrorkit help' lists the tools and the plugins found, 'mirrorkit help COMMAND' prints a\n"
      "command's help, 'mirrorkit plugins' where each plugin comes from. Built-in tools:\n\n";
  for (const BuiltIn& b : BuiltIns()) AddRow(out, b.name, b.summary);
  out.pop_back();  // ParseArgs adds the blank line
  return out;
}

std::vector<BuiltIn> InstalledBuiltIns(const std::string& dir) {
  std::vector<BuiltIn> out;
  for (const BuiltIn& b : BuiltIns())
    if (!dir.empty() && access((dir + "/" + b.name).c_str(), X_OK) == 0) out.push_back(b);
  return out;
}

std::string HelpIndex(const std::vector<BuiltIn>& tools, const std::vector<Listed>& plugins) {
  std::string out = "usage: mirrorkit [--version] [--help] [--exec-path] COMMAND [ARGS]...\n\nBuilt-in tools:\n";
  for (const BuiltIn& b : tools) AddRow(out, b.name, b.summary);
  std::string commands, storage;
  for (const Listed& p : plugins) {
    if (IsBuiltIn(p.name) || IsFrontCommand(p.name)) continue;  // never run: see `mirrorkit plugins`
    std::string row;
    AddRow(row, p.name, p.found.path);
    (IsStoragePlugin(p.name) ? storage : commands) += row;
  }
  out += "\nPlugins (mirrorkit-NAME on MIRRORKIT_PLUGIN_PATH, in the installed plugins directory, on PATH):\n";
  out += commands.empty() ? "   (none found)\n" : commands;
  if (!storage.empty()) out += "\nStorage plugins (image locations SCHEME:...):\n" + storage;
  out +=
      "\nSee 'mirrorkit help COMMAND' for the help of a command, mirrorkit(1) for the front command and\n"
      "mirrorkit-records(7) for the records the tools read and write.\n";
  return out;
}

std::string PluginsReport(const std::vector<Listed>& plugins) {
  std::string out;
  for (const Listed& p : plugins) {
    out += p.name + " " + p.found.path + " (" + OriginName(p.found.origin) + ")\n";
    if (IsBuiltIn(p.name) || IsFrontCommand(p.name))
      out += "    never run: 'mirrorkit " + p.name + "' is built in, and built-in commands come first\n";
    for (const std::string& s : p.shadowed) out += "    shadows " + s + "\n";
  }
  return out;
}

std::string CommandList(const std::vector<BuiltIn>& tools, const std::vector<Listed>& plugins) {
  std::string out;
  for (const BuiltIn& b : tools) out += std::string(b.name) + "\n";
  out += std::string(kHelp) + "\n" + kPlugins + "\n";
  for (const Listed& p : plugins)
    if (!IsBuiltIn(p.name) && !IsFrontCommand(p.name) && !IsStoragePlugin(p.name)) out += p.name + "\n";
  return out;
}

}  // namespace mk::plugin
