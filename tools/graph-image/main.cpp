// graph-image: builds the OpenShift Update Service's graph data image from
// a base image and the graph data tar.gz, pushes it, and prints a
// graph-image record. See graph-image(1).
#include <cstdio>

#include "cli/tool.h"
#include "graph/graph_image.h"
#include "json/lines.h"
#include "json/value.h"
#include "session/session.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "graph-image", "graph-image [OPTIONS] --graph-data FILE.tar.gz --base IMAGE --to REF",
    "Build the image the OpenShift Update Service reads its graph data from: the --base image's manifest\n"
    "and layers unchanged, plus one layer holding the graph data (the tar.gz from\n"
    "api.openshift.com/api/upgrades_info/graph-data) under /var/lib/cincinnati-graph-data/, and a CMD that\n"
    "copies it to /var/lib/cincinnati/graph-data. Pushes it to REF (a registry reference or dir:DIR:NAME)\n"
    "and prints one graph-image record; ics-gen --format updateservice turns it into the UpdateService."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  graph::GraphImageOptions options;
  std::string base, to, releases;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("graph-data", po::value(&options.graph_data)->value_name("FILE"), "the graph data tar.gz")
      ("base", po::value(&base)->value_name("IMAGE"), "the image to add the graph data to (registry reference or dir:DIR:NAME)")
      ("to", po::value(&to)->value_name("REF"), "where to push the image (registry reference or dir:DIR:NAME)")
      ("arch", po::value(&options.arch)->value_name("ARCH")->default_value("amd64"), "the image taken when --base is a manifest list")
      ("releases", po::value(&releases)->value_name("REPO"), "the mirror's release repository: warn when it also holds component tags");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (options.graph_data.empty()) return cli::UsageError(kInfo, "missing --graph-data");
  if (base.empty()) return cli::UsageError(kInfo, "missing --base");
  if (to.empty()) return cli::UsageError(kInfo, "missing --to");
  if (options.arch.empty() || options.arch == "multi") return cli::UsageError(kInfo, "--arch: name one architecture");
  auto base_loc = store::Location::Parse(base);
  if (!base_loc.ok()) return cli::UsageError(kInfo, "--base: " + base_loc.status().message());
  auto to_loc = store::Location::Parse(to);
  if (!to_loc.ok()) return cli::UsageError(kInfo, "--to: " + to_loc.status().message());
  options.base = *base_loc;
  options.to = *to_loc;
  std::optional<Reference> releases_repo;
  if (!releases.empty()) {
    auto r = Reference::ParseRepository(releases);
    if (!r.ok()) return cli::UsageError(kInfo, "--releases: " + r.status().message());
    releases_repo = *r;
  }

  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  if (releases_repo) {
    auto tags = graph::ComponentLikeTagsIn(*(*session)->stores, *releases_repo);
    if (!tags.ok())
      cli::Error(kInfo,
                 "warning: cannot check the tags of " + releases_repo->repository() + ": " + tags.status().message());
    else if (!tags->empty())
      cli::Error(kInfo, "warning: release repository " + releases_repo->repository() + " also holds " +
                            std::to_string(tags->size()) + " component tag(s) (" + tags->front() +
                            ", ...): the Update Service loads every image there as a release; mirror the "
                            "releases alone with release-list --to-release-image");
  }
  auto result = graph::BuildGraphImage(*(*session)->stores, options);
  if (!result.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, result.status()));
  // An archive (a storage plugin) is written now, before the record says so.
  if (Status committed = (*session)->Commit(); !committed.ok())
    return cli::FinishStdout(kInfo, cli::Failure(kInfo, committed));

  json::Value record = json::Value::Object();
  record.Set("kind", json::Value::String("graph-image"));
  record.Set("dest", json::Value::String(result->dest));
  record.Set("digest", json::Value::String(result->digest.str()));
  if (!result->dest_repo.empty())
    record.Set("image", json::Value::String(result->dest_repo + "@" + result->digest.str()));
  record.Set("base", json::Value::String(result->base));
  record.Set("layer", json::Value::String(result->layer.digest.str()));
  record.Set("files", json::Value::Number(result->layer.files));
  json::RecordWriter writer(stdout);
  writer.Write(record);
  return cli::FinishStdout(kInfo, cli::kExitOk, &writer);
}
