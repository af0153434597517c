// manifest-rewrite: a stage between planning and copying that changes what
// is mirrored, knowingly: where records go (--map, --tag), which are kept
// (--include, --exclude), and the manifests themselves (--filter-by-os,
// --convert). See manifest-rewrite(1).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "rewrite/record_rewriter.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "manifest-rewrite", "manifest-rewrite [OPTIONS] [FILE]",
    "Read mapping records (from release-list, stream-mirror or any stage) from FILE or standard input and\n"
    "write them again, changed on purpose: --include/--exclude keep some, --map and --tag change where\n"
    "they go (digests kept), --filter-by-os and --convert change the manifests themselves (new digests:\n"
    "the record then carries the new manifests for blob-copy to push, and says so). Records nothing\n"
    "changed, and records of other kinds, are written byte for byte as they were read."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string input, tag, filter, convert;
  std::vector<std::string> maps, include, exclude;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("include", po::value(&include)->value_name("GLOB")->composing(), "keep only records whose name or source matches GLOB (repeatable)")
      ("exclude", po::value(&exclude)->value_name("GLOB")->composing(), "drop records whose name or source matches GLOB (repeatable)")
      ("map", po::value(&maps)->value_name("FROM=TO")->composing(), "re-root destinations under prefix FROM to TO; the first match wins (repeatable)")
      ("tag", po::value(&tag)->value_name("TEMPLATE"), "retag destinations: {version}, {arch}, {name}, {tag}, {digest12}")
      ("filter-by-os", po::value(&filter)->value_name("REGEX"), "reduce manifest lists to the platforms os/arch[/variant] that REGEX matches whole")
      ("convert", po::value(&convert)->value_name("FORMAT"), "oci or docker: convert manifests (and schema 1 images, with docker) to that format")
      ("input", po::value(&input)->value_name("FILE"), "records to read (positional; default standard input)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;

  rewrite::RewriteOptions options;
  options.selection.include = include;
  options.selection.exclude = exclude;
  for (const auto& m : maps) {
    auto parsed = mutate::DestMap::Parse(m);
    if (!parsed.ok()) return cli::UsageError(kInfo, "--map: " + parsed.status().message());
    options.maps.push_back(*parsed);
  }
  if (!tag.empty()) {
    if (Status s = mutate::CheckTagTemplate(tag); !s.ok()) return cli::UsageError(kInfo, "--tag: " + s.message());
    options.tag_template = tag;
  }
  if (vm.count("filter-by-os")) {
    try {
      options.filter_by_os.emplace(filter, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return cli::UsageError(kInfo, "--filter-by-os: not a regular expression: " + filter);
    }
    options.filter_by_os_text = filter;
  }
  if (vm.count("convert")) {
    auto format = rewrite::ParseFormat(convert);
    if (!format.ok()) return cli::UsageError(kInfo, format.status().message());
    options.convert = *format;
  }

  UniqueFd file;
  int fd = STDIN_FILENO;
  if (!input.empty() && input != "-") {
    file = UniqueFd(::open(input.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file.valid()) return cli::UsageError(kInfo, "cannot read " + input + ": " + std::strerror(errno));
    fd = file.get();
  }
  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  rewrite::RecordRewriter rewriter(*(*session)->stores, options);
  json::LineReader reader(fd);
  json::RecordWriter writer(stdout);
  records::FailureSet failures;
  int rewritten = 0;
  Status s = records::ReadRecords(reader, [&](records::InputLine& in) {
    rewrite::LineResult r = rewriter.Process(in);
    if (!r.error.empty()) {
      cli::Error(kInfo, r.error);
      failures.Note(r.code);
    }
    rewritten += r.rewritten ? 1 : 0;
    if (r.action == rewrite::LineResult::Action::kDrop) return true;
    return writer.WriteLine(r.text);
  });
  if (!s.ok() && s.code() != Code::kCancelled) {
    cli::Error(kInfo, s.message());
    failures.Note(s);
  }
  if (rewritten > 0)
    cli::Error(kInfo, std::to_string(rewritten) +
                          " image(s) rewritten: their digests are new; a pull by a source digest " +
                          "will not find them through a digest mirror (ics-gen leaves them out of digest mirrors)");
  return cli::FinishStdout(kInfo, failures.Exit(), &writer);
}
