#include "cli/tool.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "base/signals.h"

namespace mk::cli {

namespace {
constexpr const char* kVersion = "0.1.0";
}

void AddRegistryOptions(po::options_description& opts, RegistryFlags& flags) {
  // clang-format off
  opts.add_options()
      ("registry-config,a", po::value(&flags.registry_config)->value_name("FILE"),
       "credentials file (pull secret, auth.json or docker config.json); default: $REGISTRY_AUTH_FILE, "
       "$XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json")
      ("ca-file", po::value(&flags.ca_file)->value_name("FILE"), "extra CA certificates (PEM) to trust")
      ("insecure", po::value(&flags.insecure)->value_name("REGISTRY")->composing(),
       "talk to REGISTRY (host[:port]) without TLS verification, or over plain HTTP; repeatable");
  // clang-format on
}

void Error(const ToolInfo& info, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", info.name, message.c_str());
}

int SessionError(const ToolInfo& info, const Status& status) {
  if (status.code() == Code::kInvalidArgument) return UsageError(info, status.message());
  Error(info, status.message());
  return kExitItemFailed;
}

int UsageError(const ToolInfo& info, const std::string& message) {
  Error(info, message);
  std::fprintf(stderr, "Try '%s --help' for more information.\n", info.name);
  return kExitUsage;
}

std::optional<int> ParseArgs(const ToolInfo& info, const po::options_description& opts,
                             const po::positional_options_description& positional, int argc, char** argv,
                             po::variables_map& vm) {
  InstallSignalHandlers();
  po::options_description all;
  all.add(opts);
  po::options_description common("Common options");
  common.add_options()("help,h", "print this help and exit")("version", "print the version and exit");
  all.add(common);
  // No guessing: Boost would take "--form" for "--format".
  const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).style(style).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << info.usage << "\n\n"
                << info.summary << "\n\n"
                << all << "\nExit status: 0 success; 1 some item failed; 2 usage error; 130 interrupted.\n"
                << "See " << info.name << "(1) and mirrorkit-records(7).\n";
      return kExitOk;
    }
    if (vm.count("version")) {
      std::cout << info.name << " (mirrorkit) " << kVersion << "\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(info, e.what());
  }
  return std::nullopt;
}

int FinishStdout(const ToolInfo& info, int code, const json::RecordWriter* writer) {
  if (Interrupted()) return kExitInterrupted;
  if (writer && writer->broken_pipe()) return code;
  errno = 0;
  bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || (writer && writer->failed());
  if (failed) {
    if (errno == EPIPE) return code;
    Error(info,
          std::string("write error on standard output") + (errno ? std::string(": ") + std::strerror(errno) : ""));
    return code == kExitOk ? kExitItemFailed : code;
  }
  return code;
}

}  // namespace mk::cli
