// mirror-prune: removes from a mirror registry repository or an OCI layout
// directory the images no kept record names. See mirror-prune(1).
#include <cstdio>

#include "base/atomic_file.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "prune/keep.h"
#include "prune/prune.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "mirror-prune", "mirror-prune --keep RECORDS [OPTIONS] TARGET",
    "Remove from TARGET, a mirror registry repository (REG/REPO; REG/NS/ for every repository under NS/)\n"
    "or an OCI layout directory (dir:PATH), every image that no record in RECORDS names (what\n"
    "release-list, blob-copy or catalog-list printed for the images to keep), keeping all that a kept\n"
    "image references: shared components, index children, signatures of kept digests, shared blobs. A dry\n"
    "run unless --apply: prints one \"prune\" record per image it would delete, changes nothing. Refuses\n"
    "(and deletes nothing) when the mirror cannot be read whole or a kept image is missing from it. A\n"
    "registry frees the blobs only in its own garbage collection (see the man page)."};
// RECORDS for a few hundred releases fit well under this.
constexpr size_t kMaxRecordsBytes = 256u << 20;
}  // namespace

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string keep_file, target;
  bool apply = false;
  int jobs = 6;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("keep", po::value(&keep_file)->value_name("RECORDS"), "the records of the images to keep (a file; - for standard input)")
      ("apply", po::bool_switch(&apply), "delete (default: a dry run that only prints what would go)")
      ("jobs,j", po::value(&jobs)->value_name("N")->default_value(6), "registry requests at once while reading the mirror")
      ("target", po::value(&target)->value_name("TARGET"), "REG/REPO, REG/NS/ or dir:PATH (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("target", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (target.empty()) return cli::UsageError(kInfo, "missing TARGET");
  if (keep_file.empty()) return cli::UsageError(kInfo, "missing --keep RECORDS (without it everything would go)");
  if (Status s = prune::ValidateTarget(target); !s.ok()) return cli::UsageError(kInfo, s.message());
  if (jobs < 1 || jobs > 64) return cli::UsageError(kInfo, "--jobs must be from 1 to 64");

  auto text = ReadInputLimited(keep_file, kMaxRecordsBytes);
  if (!text.ok()) return cli::Failure(kInfo, text.status().WithContext("--keep"));
  auto keep = prune::ReadKeepList(*text);
  if (!keep.ok()) return cli::UsageError(kInfo, "--keep " + keep_file + ": " + keep.status().message());
  if (keep->naming == 0)
    return cli::UsageError(kInfo,
                           "--keep " + keep_file + " names no image: refusing to delete everything in " + target);

  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  json::RecordWriter writer(stdout);
  prune::Options options{target, apply, jobs};
  auto summary =
      prune::Run(*(*session)->stores, options, *keep, [&](const json::Value& record) { return writer.Write(record); });
  if (!summary.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, summary.status()), &writer);
  std::fprintf(stderr, "%s: %s\n", kInfo.name, summary->Line().c_str());
  return cli::FinishStdout(kInfo, summary->failures.Exit(), &writer);
}
