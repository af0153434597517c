#include "cli/tool.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "base/signals.h"
#include "base/strings.h"
#include "oci/image_config.h"

namespace mk::cli {

namespace {
constexpr const char* kVersion = "0.1.0";
}

void AddRegistryOptions(po::options_description& opts, RegistryFlags& flags) {
  opts.add_options()
      ("registry-config,a", po::value(&flags.registry_config)->value_name("FILE"),
       "credentials file (pull secret, auth.json or docker config.json); default: $REGISTRY_AUTH_FILE, "
       "$XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json")
      ("ca-file", po::value(&flags.ca_file)->value_name("FILE"), "extra CA certificates (PEM) to trust")
      ("insecure", po::value(&flags.insecure)->value_name("REGISTRY")->composing(),
       "talk to REGISTRY (host[:port]) without TLS verification, or over plain HTTP; repeatable");
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
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << info.usage << "\n\n" << info.summary << "\n\n" << opts
                << "\nExit status: 0 success; 1 some item failed; 2 usage error; 130 interrupted.\n"
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

Result<std::unique_ptr<Session>> Session::Open(const RegistryFlags& flags) {
  auto session = std::make_unique<Session>();
  http::ClientOptions options;
  options.ca_file = flags.ca_file;
  if (!flags.ca_file.empty()) {
    if (FILE* f = std::fopen(flags.ca_file.c_str(), "r")) std::fclose(f);
    else return InvalidArgument("cannot read --ca-file " + flags.ca_file + ": " + std::strerror(errno));
  }
  // Keep trusting the system's CAs when --ca-file adds one (CURLOPT_CAINFO
  // alone would replace the bundle on a libcurl built without a CA path).
  options.ca_path = "/etc/ssl/certs";
  session->client = std::make_unique<http::Client>(options);
  auto auth = auth::AuthStore::Load(flags.registry_config);
  if (!auth.ok()) return Status(auth.status().code() == Code::kInvalidArgument ? Code::kDataLoss : auth.status().code(),
                                auth.status().message());
  session->auth = std::move(auth).value();
  store::ResolverOptions ro;
  for (const auto& host : flags.insecure) ro.insecure_hosts.insert(ToLower(host));
  ro.chunk_size = flags.chunk_size;
  session->stores = std::make_unique<store::StoreResolver>(*session->client, session->auth, ro);
  return session;
}

Result<store::Location> ParseReleaseArg(const std::string& text) {
  MK_ASSIGN_OR_RETURN(store::Location location, store::Location::Parse(text));
  if (!location.is_dir()) MK_RETURN_IF_ERROR(Reference::Parse(text).status());
  return location;
}

Result<release::ReleaseImage> ReadReleaseAt(Session& session, const store::Location& location, const std::string& arch) {
  MK_ASSIGN_OR_RETURN(auto where, session.stores->ForLocation(location, false));
  MK_ASSIGN_OR_RETURN(release::ReleaseImage image,
                      release::ReadRelease(*where.store, where.ref, arch.empty() ? oci::HostGoArch() : oci::GoArch(arch)));
  // A single-architecture release cannot honour an explicit --arch.
  if (!arch.empty() && oci::GoArch(arch) != image.go_arch)
    return NotFound("release " + image.requested.String() + " is for " + image.go_arch + ", not " + oci::GoArch(arch));
  return image;
}

int FinishStdout(const ToolInfo& info, int code, const json::RecordWriter* writer) {
  if (Interrupted()) return kExitInterrupted;
  if (writer && writer->broken_pipe()) return code;
  errno = 0;
  bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || (writer && writer->failed());
  if (failed) {
    if (errno == EPIPE) return code;
    Error(info, std::string("write error on standard output") + (errno ? std::string(": ") + std::strerror(errno) : ""));
    return code == kExitOk ? kExitItemFailed : code;
  }
  return code;
}

}  // namespace mk::cli
