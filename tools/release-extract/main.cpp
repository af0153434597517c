// release-extract: takes a command (openshift-install, oc) out of a release
// and pins the installer to that release. See release-extract(1).
#include <cstdio>

#include "cli/tool.h"
#include "json/lines.h"
#include "oci/image_config.h"
#include "records/records.h"
#include "release/extract.h"
#include "store/location.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "release-extract", "release-extract --command COMMAND [OPTIONS] RELEASE",
    "Find the component image of RELEASE that carries COMMAND (openshift-install, openshift-install-mac,\n"
    "openshift-baremetal-install, oc), stream its layers and write only that file, mode 0755, to\n"
    "DIR/COMMAND; an installer gets the release pullspec (RELEASE's repository by digest) written over\n"
    "its placeholder, as `oc adm release extract --command` does (a multi-arch release: its list digest).\n"
    "RELEASE is a registry reference (the mirror) or dir:DIR:NAME. Prints one record describing what was\n"
    "written."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string release, command, to = ".", arch;
  uint64_t max_mib = 2048;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("command", po::value(&command)->value_name("COMMAND"), "openshift-install, openshift-install-mac, openshift-baremetal-install or oc")
      ("to", po::value(&to)->value_name("DIR")->default_value("."), "where to write the command (made when missing)")
      ("arch", po::value(&arch)->value_name("ARCH"), "whose command to take from a multi-arch release (amd64, arm64, …); default: this machine's")
      ("max-size", po::value(&max_mib)->value_name("MIB")->default_value(2048), "refuse a command larger than this (MiB)")
      ("release", po::value(&release)->value_name("RELEASE"), "the release image (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("release", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (release.empty()) return cli::UsageError(kInfo, "missing RELEASE");
  if (command.empty()) return cli::UsageError(kInfo, "missing --command");
  if (!release::CommandFor(command).ok())
    return cli::UsageError(kInfo, release::CommandFor(command).status().message());
  if (max_mib < 1) return cli::UsageError(kInfo, "--max-size must be at least 1 MiB");
  if (arch == release::kMultiArch)
    return cli::UsageError(kInfo, "--arch: a command is for one architecture, not multi");
  auto location = session::ParseReleaseArg(release);
  if (!location.ok()) return cli::UsageError(kInfo, location.status().message());

  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  auto image = session::ReadReleaseForArch(**session, *location, arch);
  if (!image.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, image.status()));

  release::ExtractOptions options;
  options.command = command;
  options.to_dir = to;
  options.max_bytes = max_mib << 20;
  auto result = release::ExtractCommand(*(*session)->stores, *location, *image, options);
  if (!result.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, result.status()));

  json::RecordWriter writer(stdout);
  writer.Write(
      records::Command({command, result->path, result->size, result->component, image->version(), result->pinned_to}));
  return cli::FinishStdout(kInfo, cli::kExitOk, &writer);
}
