// ics-gen: turns mapping records into the imageContentSources block for
// install-config.yaml. See ics-gen(1).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/signals.h"
#include "base/unique_fd.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "mirrorconfig/mirror_set.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "ics-gen", "ics-gen [OPTIONS] [FILE]...",
    "Read mapping records (from release-list --to, blob-copy or any stage that writes source and dest)\n"
    "from the FILEs or standard input and print the imageContentSources block for install-config.yaml:\n"
    "every source repository with the mirror repositories that hold its images, sorted, without\n"
    "duplicates. Records that carry an error are left out and make the exit status 1."};

// Reads one input; returns false when anything in it was unusable.
bool ReadRecords(int fd, const std::string& name, mk::mirrorconfig::MirrorSet& set) {
  using namespace mk;
  json::LineReader reader(fd);
  bool ok = true;
  for (;;) {
    auto line = reader.Next();
    if (!line.ok()) {
      if (line.status().code() == Code::kCancelled) return false;
      cli::Error(kInfo, name + ": " + line.status().message());
      ok = false;
      if (line.status().code() == Code::kIo) return false;
      continue;
    }
    if (!*line) return ok;
    if ((*line)->find_first_not_of(" \t") == std::string::npos) continue;
    auto value = json::Value::Parse(**line);
    std::string where = name + ": line " + std::to_string(reader.line_number());
    if (!value.ok() || !value->is_object()) {
      cli::Error(kInfo, where + ": " + (value.ok() ? "record is not a JSON object" : value.status().message()));
      ok = false;
      continue;
    }
    if (value->GetString("kind").value_or("") == "error") {
      cli::Error(kInfo, where + ": upstream error record: " + value->GetString("error").value_or("?"));
      ok = false;
      continue;
    }
    auto added = set.AddRecord(*value);
    if (!added.ok()) {
      cli::Error(kInfo, where + ": " + added.status().message());
      ok = false;
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::vector<std::string> files;
  po::options_description opts("Options");
  opts.add_options()
      ("help,h", "print this help and exit")
      ("version", "print the version and exit")
      ("file", po::value(&files)->value_name("FILE"), "record files (positional); - or none: standard input");
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (files.empty()) files.push_back("-");

  mirrorconfig::MirrorSet set;
  bool ok = true;
  for (const auto& f : files) {
    if (f == "-") {
      ok &= ReadRecords(STDIN_FILENO, "stdin", set);
      continue;
    }
    UniqueFd fd(::open(f.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      cli::Error(kInfo, "cannot open " + f + ": " + std::strerror(errno));
      ok = false;
      continue;
    }
    ok &= ReadRecords(fd.get(), f, set);
  }
  if (Interrupted()) return cli::kExitInterrupted;
  if (set.empty()) {
    cli::Error(kInfo, "no mapping records with a source and a dest were read");
    return cli::FinishStdout(kInfo, cli::kExitItemFailed);
  }
  std::string text = mirrorconfig::RenderImageContentSources(set);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return cli::FinishStdout(kInfo, ok ? cli::kExitOk : cli::kExitItemFailed);
}
