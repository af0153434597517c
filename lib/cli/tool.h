// The shared shape of every mirrorkit tool (the only Boost.Program_options
// user): option parsing with coreutils conventions (--help, --version, usage
// errors exit 2 with "Try 'TOOL --help'"), the registry options every
// registry-speaking tool takes, and the session those options build (HTTP
// client, credentials, stores). Tools stay thin: parse, call lib/, map the
// result to an exit code.
#pragma once

#include <boost/program_options.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "base/status.h"
#include "http/client.h"
#include "json/lines.h"
#include "release/release_reader.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::cli {

namespace po = boost::program_options;

// Documented in every man page, section EXIT STATUS.
enum ExitCode {
  kExitOk = 0,
  kExitItemFailed = 1,  // some image or record failed (each is also a record)
  kExitUsage = 2,
  kExitNotExecutable = 126,
  kExitNotFound = 127,
  kExitInterrupted = 130,
};

struct ToolInfo {
  const char* name;
  const char* usage;     // "release-list [OPTIONS] RELEASE"
  const char* summary;   // one paragraph for --help
};

struct RegistryFlags {
  std::string registry_config;
  std::string ca_file;
  std::vector<std::string> insecure;
  uint64_t chunk_size = 64ull << 20;  // set by tools that upload (blob-copy --chunk-size)
};

void AddRegistryOptions(po::options_description& opts, RegistryFlags& flags);

// Parses argv into vm. Returns an exit code when the tool should stop now
// (help/version printed: 0; usage error printed: 2), else nullopt.
std::optional<int> ParseArgs(const ToolInfo& info, const po::options_description& opts,
                             const po::positional_options_description& positional, int argc, char** argv,
                             po::variables_map& vm);

// Prints "TOOL: message" and the hint, returns kExitUsage.
int UsageError(const ToolInfo& info, const std::string& message);
// Prints "TOOL: message" (one line) to stderr.
void Error(const ToolInfo& info, const std::string& message);
// Reports a failed Session::Open and returns its exit code.
int SessionError(const ToolInfo& info, const Status& status);

// What the registry options build; lives for the whole run.
// Open fails with kInvalidArgument for a bad option value (a usage error)
// and with other codes for bad input such as a malformed credentials file.
struct Session {
  std::unique_ptr<http::Client> client;
  auth::AuthStore auth;
  std::unique_ptr<store::StoreResolver> stores;
  static Result<std::unique_ptr<Session>> Open(const RegistryFlags& flags);
};

// A RELEASE argument: a registry reference or dir:DIR:NAME. A malformed
// one is kInvalidArgument (a usage error).
Result<store::Location> ParseReleaseArg(const std::string& text);
// Reads the release a location names; arch: "" for this machine's. An
// explicit arch that a single-architecture release does not have is an error.
Result<release::ReleaseImage> ReadReleaseAt(Session& session, const store::Location& location, const std::string& arch);

// Flushes stdout and returns the exit code to use: a write error on stdout
// turns success into failure, as in coreutils; a closed pipe (the reader
// went away, as `| head` does) ends quietly. Interrupted runs give 130.
int FinishStdout(const ToolInfo& info, int code, const json::RecordWriter* writer = nullptr);

}  // namespace mk::cli
