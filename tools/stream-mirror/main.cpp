// stream-mirror: the Samples Operator's image streams — which images to
// mirror from registry.redhat.io, and the cluster objects that point the
// operator at the mirror. See stream-mirror(1).
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/atomic_file.h"
#include "base/strings.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "records/records.h"
#include "samples/cluster_config.h"
#include "store/location.h"

namespace {
using namespace mk;
namespace po = cli::po;

const cli::ToolInfo kInfo = {
    "stream-mirror", "stream-mirror --to MIRROR [OPTIONS] [FILE]",
    "Read image streams (`oc get is -n openshift -o json`, from FILE or standard input) and print a\n"
    "mapping record for every image on the named registries (default registry.redhat.io), to\n"
    "MIRROR/<path>:<tag>, ready for blob-copy. ImageStreamTag references are resolved; streams the\n"
    "release payload serves are left out. With --config, print instead the cluster objects (a v1 List\n"
    "for `oc apply -f -`): the registry-config ConfigMap with the mirror's CA, additionalTrustedCA, the\n"
    "Samples Operator Config (samplesRegistry, skippedImagestreams from blob-copy's --results). With\n"
    "--import-must-gather, the ImageStreamImport that `oc import-image is/must-gather -n openshift` sends."};

}  // namespace

int main(int argc, char** argv) {
  std::string file, to, ca_file, results_file;
  std::vector<std::string> registries, only;
  bool config = false, must_gather = false;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("to", po::value(&to)->value_name("MIRROR"), "the mirror: host[:port][/prefix], e.g. mirror.example.com:5000")
      ("registry", po::value(&registries)->value_name("HOST")->composing(), "mirror images from HOST (repeatable; default registry.redhat.io)")
      ("streams", po::value(&only)->value_name("NAME")->composing(), "only these streams (repeatable, or comma-separated)")
      ("config", po::bool_switch(&config), "print the cluster objects instead of mapping records")
      ("import-must-gather", po::bool_switch(&must_gather), "print the ImageStreamImport that re-imports openshift/must-gather (for oc create -f -)")
      ("mirror-ca", po::value(&ca_file)->value_name("FILE"), "with --config: the mirror's CA certificate (PEM) for the registry-config ConfigMap")
      ("results", po::value(&results_file)->value_name("FILE"), "with --config: blob-copy's result records; streams whose images failed are skipped")
      ("file", po::value(&file)->value_name("FILE"), "image streams JSON (positional; - or none: standard input)");
  // clang-format on
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (to.empty()) return cli::UsageError(kInfo, "missing --to MIRROR");
  if (!config && (!ca_file.empty() || !results_file.empty()))
    return cli::UsageError(kInfo, "--mirror-ca and --results go with --config");
  if (config && must_gather)
    return cli::UsageError(kInfo, "--config and --import-must-gather print different things; give one");

  samples::SelectOptions select;
  select.mirror = to;
  if (!registries.empty()) select.registries = {registries.begin(), registries.end()};
  for (const auto& s : only)
    for (const auto& name : Split(s, ','))
      if (!name.empty()) select.only_streams.insert(name);

  auto text = ReadInputLimited(file, 64 << 20);
  if (!text.ok()) return cli::Error(kInfo, text.status().message()), cli::kExitItemFailed;
  auto streams = samples::ImageStreams::Parse(*text);
  if (!streams.ok()) return cli::Error(kInfo, streams.status().message()), cli::kExitItemFailed;
  auto selection = samples::Select(*streams, select);
  if (!selection.ok()) return cli::UsageError(kInfo, selection.status().message());
  for (const auto& name : select.only_streams)
    if (std::find(streams->streams.begin(), streams->streams.end(), name) == streams->streams.end())
      cli::Error(kInfo, "warning: stream " + name + " is not in the input");

  if (must_gather) {
    auto isi = samples::MustGatherImport(*streams);
    if (!isi.ok()) return cli::Error(kInfo, isi.status().message()), cli::kExitItemFailed;
    std::string out = isi->SerializePretty() + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return cli::FinishStdout(kInfo, cli::kExitOk);
  }
  if (config) {
    samples::ConfigOptions co;
    co.mirror = to;
    if (!ca_file.empty()) {
      auto pem = ReadFileLimited(ca_file, 1 << 20);
      if (!pem.ok()) return cli::UsageError(kInfo, "--mirror-ca: " + pem.status().message());
      co.ca_pem = *pem;
    }
    if (!results_file.empty()) {
      auto results_text = ReadFileLimited(results_file, 256 << 20);
      if (!results_text.ok()) return cli::UsageError(kInfo, "--results: " + results_text.status().message());
      auto results = samples::ParseCopyResults(*results_text, results_file);
      if (!results.ok()) return cli::UsageError(kInfo, "--results: " + results.status().message());
      co.results = *results;
    }
    auto objects = samples::ClusterObjects(*selection, co);
    if (!objects.ok()) return cli::UsageError(kInfo, objects.status().message());
    for (const auto& s : samples::SkippedStreams(*selection, co)) cli::Error(kInfo, "skipping stream " + s);
    std::string out = objects->SerializePretty() + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return cli::FinishStdout(kInfo, cli::kExitOk);
  }

  json::RecordWriter writer(stdout);
  for (const auto& s : selection->skipped) {
    cli::Error(kInfo, "not mirrored: " + s.stream + ":" + s.tag + (s.from.empty() ? "" : " (" + s.from + ")") + ": " +
                          s.reason);
    writer.Write(records::Skipped({s.stream, s.tag, s.from, s.reason}));
  }
  for (const auto& m : selection->mappings) {
    records::ImageRecord rec;
    rec.name = m.stream_tags.front();
    rec.streams = m.stream_tags;
    rec.source = m.source.String();
    rec.dest = m.dest.String();
    if (!writer.Write(records::Image(rec))) break;
  }
  return cli::FinishStdout(kInfo, cli::kExitOk, &writer);
}
