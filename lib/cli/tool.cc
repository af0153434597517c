#include "cli/tool.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>

#include "base/signals.h"
#include "base/strings.h"
#include "http/retry_policy.h"

namespace mk::cli {

namespace {
constexpr const char* kVersion = "0.1.0";

// A notifier that refuses a value outside [low, high] as a usage error.
template <typename T>
std::function<void(const T&)> InRange(const char* name, T low, T high) {
  return [=](const T& v) {
    if (v < low || v > high)
      throw po::error(std::string(name) + " must be from " + std::to_string(low) + " to " + std::to_string(high));
  };
}
}  // namespace

void AddRegistryOptions(po::options_description& opts, RegistryFlags& flags) {
  // clang-format off
  opts.add_options()
      ("registry-config,a", po::value(&flags.registry_config)->value_name("FILE"),
       "credentials file (pull secret, auth.json or docker config.json); default: $REGISTRY_AUTH_FILE, "
       "$XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json")
      ("ca-file", po::value(&flags.ca_file)->value_name("FILE"), "extra CA certificates (PEM) to trust")
      ("insecure", po::value(&flags.insecure)->value_name("REGISTRY")->composing(),
       "talk to REGISTRY (host[:port]) without TLS verification, or over plain HTTP; repeatable")
      ("retries", po::value(&flags.retries)->value_name("N")->default_value(4)
           ->notifier(InRange("--retries", 0, 100)),
       "tries of a failed request or blob beyond the first, on network errors, 408, 429 and 5xx")
      ("retry-budget", po::value(&flags.retry_budget)->value_name("N")->default_value(200)
           ->notifier(InRange("--retry-budget", 0, 1000000)),
       "retries in the whole run, all images together; once spent, failures are final")
      ("deadline", po::value<std::string>()->value_name("DURATION")->notifier([&flags](const std::string& text) {
         auto d = http::ParseDuration(text);
         if (!d.ok()) throw po::error("--deadline: " + d.status().message());
         flags.deadline = *d;
       }),
       "give up after this long (90s, 30m, 2h): no new request starts, transfers in flight stop")
      ("stall-timeout", po::value(&flags.stall_timeout_s)->value_name("SECONDS")->default_value(60)
           ->notifier(InRange<long>("--stall-timeout", 1, 3600)),
       "a transfer that moves no byte for this long fails (and is retried)");
  // clang-format on
}

void Error(const ToolInfo& info, const std::string& message) {
  // Messages carry text from the input (a record's source, an upstream
  // error): one line whatever it holds (base/strings.h).
  std::fprintf(stderr, "%s: %s\n", info.name, OneLine(message).c_str());
}

int SessionError(const ToolInfo& info, const Status& status) {
  if (status.code() == Code::kInvalidArgument) return UsageError(info, status.message());
  Error(info, status.message());
  return kExitItemFailed;
}

int Failure(const ToolInfo& info, const Status& status) {
  if (status.code() == Code::kCancelled && Interrupted()) return kExitInterrupted;
  Error(info, status.message());
  return records::ExitFor(status.code());
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
                << all << "\nExit status: 0 success; 1 some item failed; 2 usage error; 3 only transient failures (a\n"
                << "re-run may succeed); 4 content did not match its digest; 5 local I/O error; 130 interrupted.\n"
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
