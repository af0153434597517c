// The shared shape of every mirrorkit tool (the only Boost.Program_options
// user): option parsing with coreutils conventions (--help and --version
// added to every tool here, usage errors exit 2 with "Try 'TOOL --help'",
// options never abbreviated: a prefix of an option is an error, so adding an
// option never changes what an existing script means), the registry options
// every registry-speaking tool takes, and the exit codes. Opening the
// session those options describe is session/session.h's. Tools stay thin:
// parse, call lib/, map the result to an exit code. Not thread-safe (main
// thread only).
#pragma once

#include <boost/program_options.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/lines.h"
#include "records/failures.h"
#include "session/session.h"

namespace mk::cli {

namespace po = boost::program_options;

// Documented in every man page, section EXIT STATUS; which failure earns
// which is records/failures.h's rule.
enum ExitCode {
  kExitOk = records::kExitOk,
  kExitItemFailed = records::kExitFailed,  // some image or record failed for good (each is also a record)
  kExitUsage = records::kExitUsage,
  kExitTransient = records::kExitTransient,  // every failure was transient: a re-run may succeed
  kExitIntegrity = records::kExitIntegrity,  // some content did not match its digest or size
  kExitLocalIo = records::kExitLocalIo,      // disk full, a read or write error, a file-size limit
  kExitNotExecutable = 126,
  kExitNotFound = 127,
  kExitInterrupted = 130,
};

struct ToolInfo {
  const char* name;
  const char* usage;    // "release-list [OPTIONS] RELEASE"
  const char* summary;  // one paragraph for --help
};

// -a, --ca-file, --insecure, --retries, --retry-budget, --deadline and
// --stall-timeout fill these (a value out of range is a usage error);
// blob-copy also sets chunk_size.
using RegistryFlags = session::Options;

void AddRegistryOptions(po::options_description& opts, RegistryFlags& flags);

// Parses argv into vm, adding --help/-h and --version to opts. Returns an
// exit code when the tool should stop now (help/version printed: 0; usage
// error printed: 2), else nullopt.
std::optional<int> ParseArgs(const ToolInfo& info, const po::options_description& opts,
                             const po::positional_options_description& positional, int argc, char** argv,
                             po::variables_map& vm);

// Prints "TOOL: message" and the hint, returns kExitUsage.
int UsageError(const ToolInfo& info, const std::string& message);
// Prints "TOOL: message" (one line) to stderr.
void Error(const ToolInfo& info, const std::string& message);
// Reports a failed Session::Open and returns its exit code.
int SessionError(const ToolInfo& info, const Status& status);
// Reports a failure (one line) and returns the exit code its code earns
// (records::ExitFor: 3 transient, 4 integrity, 5 local I/O, else 1).
int Failure(const ToolInfo& info, const Status& status);

// Flushes stdout and returns the exit code to use: a write error on stdout
// turns success into failure, as in coreutils; a closed pipe (the reader
// went away, as `| head` does) ends quietly. Interrupted runs give 130.
int FinishStdout(const ToolInfo& info, int code, const json::RecordWriter* writer = nullptr);

}  // namespace mk::cli
