// oci-dir: lists, verifies, splits and reassembles the OCI layout
// directories that carry a mirror across an air gap. See oci-dir(1).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/tool.h"
#include "json/lines.h"
#include "layout/inventory.h"
#include "layout/volumes.h"
#include "progress/format.h"
#include "records/records.h"
#include "signature/config_map_check.h"

namespace {
using namespace mk;
namespace po = cli::po;

const cli::ToolInfo kInfo = {
    "oci-dir", "oci-dir COMMAND [OPTIONS] ARGS...",
    "Work with OCI image layout directories written by blob-copy (dir:DIR destinations):\n"
    "  list DIR [PATTERN]                         the images in DIR, as records (PATTERN: a glob over names)\n"
    "  verify DIR [--prune-temp]                  re-hash every blob; report damaged images, corrupt blobs\n"
    "  pack DIR --max-size SIZE --out OUTDIR      split DIR into tar volumes of at most SIZE bytes\n"
    "       [--exclude-from INVENTORY]            a delta: leave out the blobs INVENTORY lists\n"
    "  unpack VOLUME... --to DIR                  read volumes back into DIR, verifying every blob\n"
    "       [--base-from REG/REPO]...             a delta's base blobs DIR lacks, fetched from the mirror\n"
    "  have DIR [--out FILE]                      the inventory of manifests and blobs DIR holds\n"
    "  have --registry [--out FILE] < RECORDS     the same for the images records name in a registry"};

// "4095M", "4G", "700000000": bytes, with binary K/M/G/T suffixes.
std::optional<uint64_t> ParseSize(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(s.c_str(), &end, 10);
  if (errno || end == s.c_str()) return std::nullopt;
  std::string suffix(end);
  int shift = suffix.empty()  ? 0
              : suffix == "K" ? 10
              : suffix == "M" ? 20
              : suffix == "G" ? 30
              : suffix == "T" ? 40
                              : -1;
  if (shift < 0 || n > (~0ull >> shift)) return std::nullopt;
  return n << shift;
}

int Finish(json::RecordWriter& out, bool ok) {
  return cli::FinishStdout(kInfo, ok ? cli::kExitOk : cli::kExitItemFailed, &out);
}

// The inventory to FILE (atomically), or to standard output.
Status PutInventory(const layout::Inventory& inv, const std::string& out_file, const std::string& source) {
  if (!out_file.empty()) return layout::WriteInventory(out_file, inv, source);
  std::string text = layout::FormatInventory(inv, source);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return Status::Ok();
}

// The release signature ConfigMaps that travel with the layout
// (release-signatures --to-dir DIR), each checked; a release is "in the
// layout" when its manifest is a blob there.
Result<std::vector<signature::ConfigMapFileCheck>> SignatureFiles(const std::string& dir) {
  return signature::CheckConfigMapFiles(dir, [&](const std::string& digest) {
    return ::access((dir + "/blobs/sha256/" + digest.substr(7)).c_str(), F_OK) == 0;
  });
}

// pack carries them, as they were checked, in every volume; one that verify
// would call damaged stops the pack (the media would carry a signature the
// cluster refuses).
Result<std::vector<layout::PackOptions::SideFile>> SignatureSideFiles(const std::string& dir) {
  MK_ASSIGN_OR_RETURN(auto checks, SignatureFiles(dir));
  std::vector<layout::PackOptions::SideFile> out;
  for (auto& c : checks) {
    if (!c.status.ok()) return Status(c.status.code(), c.path + ": " + c.status.message() + "; run oci-dir verify");
    out.push_back({c.path.substr(dir.size() + 1), std::move(c.bytes)});
  }
  return out;
}

// have --registry: the images the records on stdin name, read from their
// registries; an image that cannot be read is left out and decides the exit
// status (records/failures.h).
int HaveRegistry(const cli::RegistryFlags& flags, const std::string& out_file) {
  auto session = session::Session::Open(flags);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());
  records::FailureSet failures;
  json::LineReader reader(STDIN_FILENO);
  auto images = layout::ImagesFromRecords(reader, [&](size_t line, const Status& s) {
    cli::Error(kInfo, "input line " + std::to_string(line) + ": " + s.message());
    failures.Note(s);
  });
  if (!images.ok()) return cli::Failure(kInfo, images.status());
  auto inv = layout::RegistryInventory(*(*session)->stores, *images, [&](const Reference& ref, const Status& s) {
    cli::Error(kInfo, ref.String() + ": " + s.message());
    failures.Note(s);
  });
  Status s = PutInventory(inv, out_file, "registry images of " + std::to_string(images->size()) + " records");
  if (!s.ok()) return cli::Failure(kInfo, s);
  std::fprintf(stderr, "oci-dir: %zu images: %zu manifests, %zu blobs\n", images->size(), inv.manifests.size(),
               inv.blobs.size());
  return cli::FinishStdout(kInfo, failures.Exit());
}

}  // namespace

int main(int argc, char** argv) {
  std::string command, to, out_dir, max_size, prefix = "mirror", exclude_from;
  std::vector<std::string> base_from;
  bool prune = false, from_registry = false;
  cli::RegistryFlags registry;
  std::vector<std::string> args;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("prune-temp", po::bool_switch(&prune), "verify: remove temporary files left by interrupted writes")
      ("max-size", po::value(&max_size)->value_name("SIZE"), "pack: largest volume, in bytes or with K/M/G/T (binary); 4095M for FAT32")
      ("out", po::value(&out_dir)->value_name("OUTDIR"), "pack: where the volumes are written; have: the inventory file (default: standard output)")
      ("prefix", po::value(&prefix)->value_name("NAME")->default_value("mirror"), "pack: volume file names NAME-001.tar, …")
      ("exclude-from", po::value(&exclude_from)->value_name("INVENTORY"), "pack: a delta without the blobs INVENTORY (oci-dir have) lists; - for standard input")
      ("to", po::value(&to)->value_name("DIR"), "unpack: the directory to fill (made when missing)")
      ("base-from", po::value(&base_from)->value_name("REG/REPO"), "unpack: a mirror registry repository holding a delta's base (repeatable, tried in order)")
      ("registry", po::bool_switch(&from_registry), "have: list the images the records on standard input name in their registries")
      ("command", po::value(&command), "list, verify, pack, unpack or have (positional)")
      ("args", po::value(&args), "arguments (positional)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (command.empty()) return cli::UsageError(kInfo, "missing COMMAND (list, verify, pack, unpack, have)");
  if (!base_from.empty() && command != "unpack") return cli::UsageError(kInfo, "--base-from goes with unpack");

  json::RecordWriter out(stdout);
  auto emit = [&](const json::Value& v) { out.Write(v); };
  // Usage errors are caught before any work; everything after is exit 1.
  auto fail = [&](const Status& s) {
    cli::Error(kInfo, s.message());
    return cli::FinishStdout(kInfo, cli::kExitItemFailed, &out);
  };
  // Layout directories are named as in dir:PATH locations: no ':'.
  std::string layout_dir = command == "unpack" ? to : args.empty() ? "" : args[0];
  if (layout_dir.find(':') != std::string::npos)
    return cli::UsageError(kInfo, "a directory name may not contain ':': " + layout_dir);

  if (command == "have" && from_registry) {
    if (!args.empty()) return cli::UsageError(kInfo, "have --registry reads records on standard input; no DIR");
    return HaveRegistry(registry, out_dir);
  }
  if (command == "list" || command == "verify" || command == "pack" || command == "have") {
    if (args.empty() || args.size() > (command == "list" ? 2u : 1u))
      return cli::UsageError(kInfo, command + " takes " + (command == "list" ? "DIR [PATTERN]" : "DIR"));
    auto dir = store::OciDirStore::Open(args[0], false);
    if (!dir.ok()) return fail(dir.status());
    if (command == "list") {
      auto images = args.size() == 2 ? (*dir)->Match(args[1]) : (*dir)->List();
      if (!images.ok()) return fail(images.status());
      for (const auto& img : *images) {
        records::ImageRecord rec;
        rec.name = img.name;
        rec.source = "dir:" + args[0] + ":" + img.name;
        rec.digest = img.descriptor.digest.str();
        rec.media_type = img.descriptor.media_type;
        emit(records::Image(rec));
      }
      if (args.size() == 2 && images->empty()) cli::Error(kInfo, "no image matches " + args[1] + " in " + args[0]);
      return Finish(out, args.size() == 1 || !images->empty());
    }
    if (command == "verify") {
      auto summary = layout::VerifyDirectory(**dir, prune, emit);
      if (!summary.ok()) return fail(summary.status());
      auto signatures = SignatureFiles(args[0]);
      if (!signatures.ok()) return fail(signatures.status());
      int signatures_damaged = 0;
      for (const auto& c : *signatures) {
        emit(signature::CheckRecord(c));
        if (!c.status.ok()) {
          ++signatures_damaged;
          cli::Error(kInfo, c.path + ": " + c.status.message());
        }
      }
      std::fprintf(stderr,
                   "oci-dir: %s: %d images ok, %d damaged; %d blobs checked, %d corrupt, %d missing; %d temporary "
                   "files, %d stray files; %d signature files ok, %d damaged\n",
                   args[0].c_str(), summary->images_ok, summary->images_damaged, summary->blobs_checked,
                   summary->blobs_corrupt, summary->blobs_missing, summary->temp_files, summary->stray_files,
                   static_cast<int>(signatures->size()) - signatures_damaged, signatures_damaged);
      return Finish(out, summary->ok() && signatures_damaged == 0);
    }
    if (command == "have") {
      layout::HaveSummary summary;
      auto inv = layout::DirectoryInventory(**dir, summary, [&](const std::string& m) { cli::Error(kInfo, m); });
      if (!inv.ok()) return fail(inv.status());
      Status s = PutInventory(*inv, out_dir, "dir:" + args[0]);
      if (!s.ok()) return fail(s);
      std::fprintf(stderr, "oci-dir: %s: %d images: %zu manifests, %zu blobs (%d missing, %d of another size)\n",
                   args[0].c_str(), summary.images, inv->manifests.size(), inv->blobs.size(), summary.blobs_missing,
                   summary.blobs_wrong_size);
      return cli::FinishStdout(kInfo, cli::kExitOk);
    }
    auto size = ParseSize(max_size);
    if (!size || *size < 64 * 1024)
      return cli::UsageError(kInfo, max_size.empty()
                                        ? "pack needs --max-size SIZE"
                                        : "invalid --max-size " + max_size + " (bytes, or with K/M/G/T; at least 64K)");
    if (out_dir.empty()) return cli::UsageError(kInfo, "pack needs --out OUTDIR");
    std::optional<layout::Inventory> exclude;
    if (!exclude_from.empty()) {
      auto inv = layout::ReadInventory(exclude_from);
      if (!inv.ok()) return fail(inv.status());
      exclude = std::move(*inv);
    }
    auto side_files = SignatureSideFiles(args[0]);
    if (!side_files.ok()) return fail(side_files.status());
    Status s = layout::PackDirectory(
        **dir, layout::PackOptions{*size, out_dir, prefix, exclude ? &*exclude : nullptr, std::move(*side_files)},
        emit);
    if (!s.ok()) return fail(s);
    return Finish(out, true);
  }
  if (command == "unpack") {
    if (args.empty() || to.empty()) return cli::UsageError(kInfo, "unpack takes VOLUME... --to DIR");
    for (const auto& v : args)
      if (::access(v.c_str(), R_OK) != 0)
        return fail(NotFound("cannot read volume " + v + ": " + std::strerror(errno)));
    std::vector<Reference> base_repos;
    for (const auto& r : base_from) {
      auto repo = Reference::ParseRepository(r);
      if (!repo.ok()) return cli::UsageError(kInfo, "--base-from: " + repo.status().message());
      base_repos.push_back(*repo);
    }
    // The mirror registry, when the base is to come from it.
    std::unique_ptr<session::Session> session;
    std::vector<layout::BaseRepo> base;
    if (!base_repos.empty()) {
      auto opened = session::Session::Open(registry);
      if (!opened.ok()) return cli::SessionError(kInfo, opened.status());
      session = std::move(*opened);
      for (const auto& repo : base_repos) base.push_back({&session->stores->ForReference(repo), repo});
    }
    auto dir = store::OciDirStore::Open(to, true);
    if (!dir.ok()) return fail(dir.status());
    // Release signatures travel as side files: taken when sound.
    const layout::SideFilePolicy signatures{signature::IsConfigMapPath, signature::CheckConfigMapBytes};
    auto summary = layout::UnpackVolumes(args, **dir, emit, base, &signatures);
    if (!summary.ok()) return fail(summary.status());
    if (const auto& missing = summary->base_missing; !missing.empty()) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i].str();
      if (missing.size() > 5) list += ", and " + std::to_string(missing.size() - 5) + " more";
      cli::Error(kInfo, to + (base_from.empty() ? " lacks " : " and --base-from lack ") +
                            std::to_string(missing.size()) + " blobs the delta relies on (its base): " + list +
                            "; nothing was written");
      return Finish(out, false);
    }
    std::string fetched;
    if (!base.empty())
      fetched = ", " + std::to_string(summary->base_fetched) + " base blobs (" +
                progress::HumanBytes(summary->base_bytes) + ") fetched from the mirror";
    std::fprintf(stderr,
                 "oci-dir: %d volumes read%s, %d missing, %d blobs written%s, %d signature files, %d refused entries; "
                 "%d images ok, %d damaged, %d not named (incomplete)\n",
                 summary->volumes_read, summary->delta ? " (a delta)" : "", summary->volumes_missing,
                 summary->blobs_written, fetched.c_str(), summary->side_files_written, summary->entries_refused,
                 summary->verify.images_ok, summary->verify.images_damaged, summary->images_incomplete);
    return Finish(out, summary->ok());
  }
  return cli::UsageError(kInfo, "unknown command " + command + " (list, verify, pack, unpack, have)");
}
