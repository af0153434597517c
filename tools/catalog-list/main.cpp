// catalog-list: lists an Operator catalog's selected bundles and the images
// they need as mapping records and, with --catalog-to, writes the catalog
// pruned to that selection. See catalog-list(1).
#include <cstdio>

#include "catalog/plan.h"
#include "catalog/prune.h"
#include "cli/tool.h"
#include "json/lines.h"
#include "store/location.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "catalog-list", "catalog-list [OPTIONS] CATALOG",
    "Read an Operator catalog image (file-based or sqlite index; a registry reference or dir:DIR[:NAME]),\n"
    "select bundles with --package NAME[:CHANNEL[:MIN-MAX]] (a package alone: the head of its default\n"
    "channel; a channel: its head; a range: every bundle of the channel in it on the upgrade path to the\n"
    "top), and print one JSON record for the catalog and one per bundle image and related image, each\n"
    "pinned by digest and printed once. With --to, each record also gets its destination (REPO/<source\n"
    "path>@digest) for blob-copy; with --to-dir, a directory. With --catalog-to, the catalog pruned to the\n"
    "selection is written there and its digest reported. No --package: the whole catalog."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string catalog, to, to_dir, catalog_to;
  std::vector<std::string> packages;
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("package", po::value(&packages)->value_name("NAME[:CHANNEL[:MIN-MAX]]"), "select a package, a channel's head, or a version range of a channel (repeatable)")
      ("to", po::value(&to)->value_name("REPO"), "mirror repository: each image goes to REPO/<its source path>@<digest>")
      ("to-dir", po::value(&to_dir)->value_name("DIR"), "plan every image into the OCI directory DIR (removable media) under its original name")
      ("catalog-to", po::value(&catalog_to)->value_name("REF"), "write the catalog pruned to the selection there (registry reference, dir:DIR:NAME or oci-archive:FILE[:NAME])")
      ("catalog", po::value(&catalog)->value_name("CATALOG"), "the catalog image (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("catalog", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (catalog.empty()) return cli::UsageError(kInfo, "missing CATALOG");
  auto location = store::Location::Parse(catalog);
  if (!location.ok()) return cli::UsageError(kInfo, location.status().message());
  catalog::ListOptions list;
  for (const auto& p : packages) {
    auto selector = catalog::PackageSelector::Parse(p);
    if (!selector.ok()) return cli::UsageError(kInfo, "--package: " + selector.status().message());
    list.selectors.push_back(*selector);
  }
  if (!to.empty() && !to_dir.empty()) return cli::UsageError(kInfo, "--to and --to-dir go one at a time");
  if (to_dir.find(':') != std::string::npos)
    return cli::UsageError(kInfo, "--to-dir: a directory name may not contain ':'");
  list.to_dir = to_dir;
  if (!to.empty()) {
    auto r = Reference::ParseRepository(to);
    if (!r.ok()) return cli::UsageError(kInfo, "--to: " + r.status().message());
    list.to = *r;
  }
  std::optional<store::Location> prune_to;
  if (!catalog_to.empty()) {
    auto l = store::Location::Parse(catalog_to);
    if (!l.ok()) return cli::UsageError(kInfo, "--catalog-to: " + l.status().message());
    if (l->is_dir() && l->name.empty()) return cli::UsageError(kInfo, "--catalog-to: name the image: dir:DIR:NAME");
    prune_to = *l;
  }

  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  auto listing = catalog::ListCatalog(*(*session)->stores, *location, list);
  if (!listing.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, listing.status()));
  if (list.selectors.empty())
    cli::Error(kInfo, "warning: no --package: the whole catalog, " + std::to_string(listing->bundles) +
                          " bundle(s) and " + std::to_string(listing->images) + " image(s)");
  if (prune_to) {
    auto pruned = catalog::WritePrunedCatalog(*(*session)->stores, *listing, *prune_to);
    if (!pruned.ok()) return cli::FinishStdout(kInfo, cli::Failure(kInfo, pruned.status()));
    // An archive (a storage plugin) is written now, before the record says so.
    if (Status committed = (*session)->Commit(); !committed.ok())
      return cli::FinishStdout(kInfo, cli::Failure(kInfo, committed));
    catalog::SetPruned(listing->catalog_record, pruned->dest, pruned->digest);
  }
  json::RecordWriter writer(stdout);
  listing->WriteRecords([&](const json::Value& rec) { return writer.Write(rec); });
  int code = cli::kExitOk;
  if (listing->failed > 0) {
    cli::Error(kInfo, std::to_string(listing->failed) + " image(s) could not be resolved (error records)");
    code = listing->failures.Exit();
  }
  return cli::FinishStdout(kInfo, code, &writer);
}
