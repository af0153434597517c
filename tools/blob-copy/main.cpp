// blob-copy: copies images, with every blob and manifest byte for byte, from
// mapping records on stdin or SOURCE DEST pairs. See blob-copy(1).
#include <unistd.h>

#include <cstdio>

#include "base/signals.h"
#include "cli/tool.h"
#include "copy/copy_runner.h"
#include "json/lines.h"
#include "progress/reporter.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "blob-copy", "blob-copy [OPTIONS] [SOURCE DEST]...",
    "Copy each image (or, with no arguments, each mapping record read from standard input) from its\n"
    "source to its dest: every blob and manifest, all platforms of a manifest list, digests preserved\n"
    "byte for byte. Blobs already present are skipped, blobs in the same registry are mounted, and a\n"
    "blob shared by many images is copied once per destination repository. Prints one result record\n"
    "per image, in the order they finish."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  int jobs = 6;
  uint64_t chunk_mib = 64;
  std::string progress_when = "auto";
  std::vector<std::string> args;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("jobs,j", po::value(&jobs)->value_name("N")->default_value(6), "images copied at once, and blob transfers at once across them")
      ("chunk-size", po::value(&chunk_mib)->value_name("MIB")->default_value(64), "upload blobs larger than this in chunks of this size (MiB)")
      ("progress", po::value(&progress_when)->value_name("WHEN")->default_value("auto"), "progress on stderr: auto (tty on a terminal, else none), tty, plain (a line every 5 s), none")
      ("image", po::value(&args)->value_name("SOURCE DEST"), "pairs of images (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("image", -1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (jobs < 1 || jobs > 64) return cli::UsageError(kInfo, "--jobs must be from 1 to 64");
  if (chunk_mib < 1 || chunk_mib > 4096) return cli::UsageError(kInfo, "--chunk-size must be from 1 to 4096 MiB");
  if (args.size() % 2 != 0) return cli::UsageError(kInfo, "images come in SOURCE DEST pairs; got an odd count");
  auto progress_mode = progress::ParseMode(progress_when);
  if (!progress_mode.ok()) return cli::UsageError(kInfo, progress_mode.status().message());

  registry.chunk_size = chunk_mib << 20;
  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  copy::BlobLedger ledger;
  copy::ImageCopier copier(*(*session)->stores, ledger, jobs, &(*session)->client->retry_policy());
  progress::Counters counters;
  copier.SetBlobCopiedHook([&counters](uint64_t n) { counters.Copied(n); });
  progress::Reporter reporter(
      counters, stderr, {.mode = progress::Decide(*progress_mode, ::isatty(STDERR_FILENO) != 0), .tool = kInfo.name});
  copy::RunOptions run;
  run.jobs = jobs;
  run.tool = kInfo.name;
  run.progress = reporter.live();
  run.on_queued = [&counters] { counters.Queued(); };
  run.on_finished = [&counters](bool ok) { counters.Finished(ok); };
  json::RecordWriter writer(stdout);
  copy::RunSummary summary;
  if (args.empty()) {
    json::LineReader reader(STDIN_FILENO);
    summary = copy::RunCopyRecords(reader, writer, copier, run);
  } else {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i + 1 < args.size(); i += 2) pairs.emplace_back(args[i], args[i + 1]);
    summary = copy::RunCopyPairs(pairs, writer, copier, run);
  }
  reporter.Stop();  // its last line before the exit's messages
  // Storage plugins commit what the run wrote (an oci-archive is written
  // now); an interrupted run leaves them to discard it.
  if (!Interrupted()) {
    if (Status finished = (*session)->Commit(); !finished.ok()) {
      cli::Error(kInfo, finished.message());
      summary.failures.Note(finished);
    }
  }
  return cli::FinishStdout(kInfo, summary.failures.Exit(), &writer);
}
