// release-list: lists a release payload's images as mapping records and,
// with --to, plans where each goes in the mirror. See release-list(1).
#include <cstdio>

#include "cli/tool.h"
#include "json/lines.h"
#include "oci/image_config.h"
#include "records/failures.h"
#include "release/release_plan.h"
#include "release/sigstore.h"
#include "store/location.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "release-list", "release-list [OPTIONS] RELEASE",
    "Read an OpenShift release image, find release-manifests/image-references in its layers, and print one\n"
    "JSON record for the release and one per component image, each pinned by digest. With --to, each\n"
    "record also gets the destination the mirror will use (REPO:<version>-<arch>-<component>), ready\n"
    "for blob-copy; with --to-dir, a directory on removable media. RELEASE may be dir:DIR:NAME, a release\n"
    "carried in such a directory (NAME: its original reference, its tag, or a glob). A release that is a\n"
    "manifest list is planned whole, arch multi (REPO:<version>-multi); --arch picks one of its children.\n"
    "With --signatures, the sigstore signature tags (sha256-<hex>.sig) the source has are planned too."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string release, to, to_release_image, to_dir, arch;
  bool signatures = false;
  int jobs = 6;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("to", po::value(&to)->value_name("REPO"), "mirror repository for every component, e.g. registry.example.com:5000/ocp4/openshift4")
      ("to-release-image", po::value(&to_release_image)->value_name("REF"), "where the release image itself goes (default REPO:<version>-<arch>)")
      ("to-dir", po::value(&to_dir)->value_name("DIR"), "plan every image into the OCI directory DIR (removable media) under its original name")
      ("arch", po::value(&arch)->value_name("ARCH"), "one architecture of a multi-arch release (amd64/x86_64, arm64/aarch64, …), or multi; default: a list whole, multi")
      ("signatures", po::bool_switch(&signatures), "also plan the sigstore signature tag sha256-<hex>.sig of every image the source has signed")
      ("jobs,j", po::value(&jobs)->value_name("N")->default_value(6), "signature lookups at once (--signatures)")
      ("release", po::value(&release)->value_name("RELEASE"), "the release image (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("release", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (release.empty()) return cli::UsageError(kInfo, "missing RELEASE");
  if (jobs < 1 || jobs > 64) return cli::UsageError(kInfo, "--jobs must be from 1 to 64");

  auto location = session::ParseReleaseArg(release);
  if (!location.ok()) return cli::UsageError(kInfo, location.status().message());
  release::PlanOptions plan;
  if (!to_dir.empty() && (!to.empty() || !to_release_image.empty()))
    return cli::UsageError(kInfo, "--to-dir goes without --to and --to-release-image");
  if (to_dir.find(':') != std::string::npos)
    return cli::UsageError(kInfo, "--to-dir: a directory name may not contain ':'");
  plan.to_dir = to_dir;
  if (location->is_dir()) plan.from_dir = location->dir, plan.from_scheme = location->scheme;
  if (!to.empty()) {
    auto r = Reference::ParseRepository(to);
    if (!r.ok()) return cli::UsageError(kInfo, "--to: " + r.status().message());
    plan.to = *r;
  }
  if (!to_release_image.empty()) {
    auto r = Reference::Parse(to_release_image);
    if (!r.ok()) return cli::UsageError(kInfo, "--to-release-image: " + r.status().message());
    plan.to_release_image = *r;
  }

  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  auto image = session::ReadReleaseAt(**session, *location, arch);
  if (!image.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, image.status()));
  auto records = release::PlanRecords(*image, plan);
  if (!records.ok()) return cli::Failure(kInfo, records.status());
  int exit_code = cli::kExitOk;
  if (signatures) {
    auto targets = release::SignatureTargets(*image, *records);
    if (!targets.ok()) return cli::Failure(kInfo, targets.status());
    int failed = 0;
    Code worst = Code::kOk;
    for (auto& rec : release::PlanSignatures(*(*session)->stores, *targets, jobs, &failed, &worst))
      records->push_back(std::move(rec));
    if (failed > 0) {
      cli::Error(kInfo, std::to_string(failed) + " sigstore signature lookup(s) failed (error records)");
      exit_code = records::ExitFor(worst);
    }
  }
  json::RecordWriter writer(stdout);
  for (const auto& rec : *records)
    if (!writer.Write(rec)) break;
  return cli::FinishStdout(kInfo, exit_code, &writer);
}
