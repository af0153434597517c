// mirrorkit-storage-oci-archive: the storage plugin for oci-archive:FILE[:NAME]
// locations — one uncompressed tar file holding an OCI image layout, as
// skopeo's oci-archive: transport and podman load read it. The core runs
// it with FILE and speaks the protocol of mirrorkit-storage(7) on stdin and
// stdout; the work is store/oci_archive.h's. See
// mirrorkit-storage-oci-archive(1).
#include <unistd.h>

#include "base/signals.h"
#include "cli/tool.h"
#include "store/oci_archive.h"
#include "store/plugin_store_server.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "mirrorkit-storage-oci-archive", "mirrorkit-storage-oci-archive FILE",
    "Serve the OCI archive FILE (an uncompressed tar of an OCI image layout) to mirrorkit over the\n"
    "storage plugin protocol of mirrorkit-storage(7): requests on standard input, answers on standard\n"
    "output. mirrorkit runs it for oci-archive:FILE[:NAME] locations; people do not run it directly.\n"
    "Reads use FILE in place; writes are staged in FILE.partial.d and FILE is replaced atomically at\n"
    "\"finish\", never left half-written."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::string file;
  po::options_description opts("Options");
  opts.add_options()("file", po::value(&file)->value_name("FILE"), "the archive (positional)");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (file.empty()) return cli::UsageError(kInfo, "missing FILE");
  if (::isatty(STDIN_FILENO)) return cli::UsageError(kInfo, "standard input is a terminal; mirrorkit runs this plugin");

  store::OciArchive archive(file);
  Status s = store::ServePlugin(archive, STDIN_FILENO, STDOUT_FILENO);
  if (Interrupted()) return cli::kExitInterrupted;
  if (!s.ok()) return cli::Failure(kInfo, s);
  return cli::kExitOk;
}
