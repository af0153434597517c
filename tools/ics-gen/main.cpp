// ics-gen: turns mapping records into the mirror configuration a cluster or
// a container host needs: the imageContentSources block for
// install-config.yaml, or another --format. See ics-gen(1).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/signals.h"
#include "base/unique_fd.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "mirrorconfig/catalog_source.h"
#include "mirrorconfig/format.h"
#include "mirrorconfig/mirror_set.h"
#include "mirrorconfig/update_service.h"
#include "records/mapping.h"
#include "records/reader.h"
#include "records/records.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "ics-gen", "ics-gen [OPTIONS] [FILE]...",
    "Read mapping records (from release-list --to, blob-copy or any stage that writes source and dest)\n"
    "from the FILEs or standard input and print the imageContentSources block for install-config.yaml\n"
    "(or, with --format, ImageContentSourcePolicy, ImageDigestMirrorSet or ImageTagMirrorSet objects,\n"
    "or a registries.conf): every source repository with the mirror repositories that hold its images,\n"
    "sorted, without duplicates; --format updateservice prints the UpdateService object from the release\n"
    "and graph-image records instead, --format catalogsource a CatalogSource per catalog record. Records that carry an "
    "error, and mapping records with a dest but a\n"
    "missing, misspelled or wrong-typed field, are left out and make the exit status 1."};

// Reads one input; returns false when anything in it was unusable. With
// update, release and graph-image records go there and mappings are not
// checked (the UpdateService needs none).
bool ReadInput(int fd, const std::string& name, mk::mirrorconfig::MirrorSet& set,
               mk::mirrorconfig::UpdateServiceInput* update = nullptr,
               mk::mirrorconfig::CatalogSourceInput* catalogs = nullptr) {
  using namespace mk;
  json::LineReader reader(fd);
  bool ok = true;
  auto fail = [&](size_t line, const std::string& message) {
    cli::Error(kInfo, name + ": line " + std::to_string(line) + ": " + message);
    ok = false;
  };
  Status s = records::ReadRecords(reader, [&](records::InputLine& in) {
    if (!in.problem.ok()) return fail(in.line, in.problem.message()), true;
    if (update && records::Classify(in.record) != records::Role::kCarriesError) {
      if (auto took = update->AddRecord(in.record); !took.ok()) fail(in.line, took.status().message());
      return true;
    }
    if (catalogs && records::Classify(in.record) != records::Role::kCarriesError) {
      if (auto took = catalogs->AddRecord(in.record); !took.ok()) fail(in.line, took.status().message());
      return true;
    }
    switch (records::Classify(in.record)) {
      case records::Role::kPassThrough:
        return true;  // not a mapping: nothing for the mirror configuration
      case records::Role::kCarriesError:
        if (in.record.GetString("kind") == records::kError)
          fail(in.line, "upstream error record: " + in.record.GetString("error").value_or("?"));
        else
          fail(in.line, in.record.GetString("source").value_or("an image") +
                            " was not mirrored: " + in.record.GetString("error").value_or("?"));
        return true;
      case records::Role::kMapping:
        // A plan without destinations (release-list without --to, oci-dir
        // list) maps nothing; a dest that is there must be right.
        if (records::LacksDest(in.record)) return true;
        break;
    }
    if (auto check = records::CheckMapping(in.record); !check.ok()) return fail(in.line, check.error), true;
    if (auto added = set.AddRecord(in.record); !added.ok()) fail(in.line, added.status().message());
    return true;
  });
  if (s.code() == Code::kCancelled) return false;
  if (!s.ok()) fail(reader.line_number() + 1, s.message());
  return ok;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::vector<std::string> files;
  std::string format_name, object_name;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("format", po::value(&format_name)->value_name("FORMAT")->default_value("install-config"),
       "install-config, install-config-idms, icsp, idms, itms, registries-conf, updateservice or catalogsource")
      ("name", po::value(&object_name)->value_name("NAME")->default_value(mirrorconfig::kDefaultObjectName),
       "metadata.name of the icsp, idms, itms and updateservice objects (a DNS-1123 subdomain; updateservice: default service)")
      ("file", po::value(&files)->value_name("FILE"), "record files (positional); - or none: standard input");
  // clang-format on
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  auto format = mirrorconfig::ParseFormat(format_name);
  if (!format.ok()) return cli::UsageError(kInfo, "--format: " + format.status().message());
  if (auto s = mirrorconfig::ValidateObjectName(object_name); !s.ok())
    return cli::UsageError(kInfo, "--name: " + s.message());
  if (files.empty()) files.push_back("-");

  mirrorconfig::MirrorSet set;
  mirrorconfig::UpdateServiceInput update_input;
  mirrorconfig::UpdateServiceInput* update = nullptr;
  mirrorconfig::CatalogSourceInput catalog_input;
  mirrorconfig::CatalogSourceInput* catalogs =
      *format == mirrorconfig::Format::kCatalogSource ? &catalog_input : nullptr;
  if (*format == mirrorconfig::Format::kUpdateService) {
    update = &update_input;
    if (vm["name"].defaulted()) object_name = mirrorconfig::kDefaultUpdateServiceName;
  }
  bool ok = true;
  for (const auto& f : files) {
    if (f == "-") {
      ok &= ReadInput(STDIN_FILENO, "stdin", set, update, catalogs);
      continue;
    }
    UniqueFd fd(::open(f.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      cli::Error(kInfo, "cannot open " + f + ": " + std::strerror(errno));
      ok = false;
      continue;
    }
    ok &= ReadInput(fd.get(), f, set, update, catalogs);
  }
  if (Interrupted()) return cli::kExitInterrupted;
  if (catalogs) {
    auto text = mirrorconfig::RenderCatalogSources(*catalogs);
    if (!text.ok()) {
      cli::Error(kInfo, text.status().message());
      return cli::FinishStdout(kInfo, cli::kExitItemFailed);
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return cli::FinishStdout(kInfo, ok ? cli::kExitOk : cli::kExitItemFailed);
  }
  if (update) {
    auto text = mirrorconfig::RenderUpdateService(*update, object_name);
    if (!text.ok()) {
      cli::Error(kInfo, text.status().message());
      return cli::FinishStdout(kInfo, cli::kExitItemFailed);
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return cli::FinishStdout(kInfo, ok ? cli::kExitOk : cli::kExitItemFailed);
  }
  if (set.empty()) {
    cli::Error(kInfo, "no mapping records with a source and a dest were read");
    return cli::FinishStdout(kInfo, cli::kExitItemFailed);
  }
  // A rewritten image (manifest-rewrite) has new digests: never a digest
  // mirror. By tag it can be a tag mirror (itms); otherwise it is left out.
  const bool tag_format = *format == mirrorconfig::Format::kItms;
  if (int n = set.rewritten_by_tag(); n > 0)
    cli::Error(kInfo, std::to_string(n) + " rewritten image(s) " +
                          (tag_format ? "mirrored by tag" : "left out (only --format itms can mirror them, by tag)") +
                          ": a digest mirror cannot serve an image whose digest changed");
  if (int n = set.rewritten_left_out(); n > 0)
    cli::Error(kInfo, std::to_string(n) + " rewritten image(s) left out: their dest does not keep the source's tag, " +
                          "and a digest mirror cannot serve an image whose digest changed");
  if (!tag_format && set.groups().empty()) {
    cli::Error(kInfo, "no mapping records that a digest mirror can serve were read");
    return cli::FinishStdout(kInfo, cli::kExitItemFailed);
  }
  auto text = mirrorconfig::Render(set, *format, object_name);
  if (!text.ok()) {
    cli::Error(kInfo, text.status().message());
    return cli::FinishStdout(kInfo, cli::kExitItemFailed);
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return cli::FinishStdout(kInfo, ok ? cli::kExitOk : cli::kExitItemFailed);
}
