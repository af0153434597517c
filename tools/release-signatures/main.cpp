// release-signatures: fetches, verifies and writes the signatures of every
// release record on stdin, as the ConfigMaps a disconnected cluster needs to
// accept an update. See release-signatures(1).
#include <unistd.h>

#include <cstdio>

#include "cli/tool.h"
#include "json/lines.h"
#include "records/reader.h"
#include "signature/runner.h"

namespace {
const mk::cli::ToolInfo kInfo = {
    "release-signatures", "release-signatures [OPTIONS] < RECORDS",
    "For every release record read from standard input (release-list's), fetch the release's signatures\n"
    "(STORE/sha256=<hex>/signature-N) from the first --store that has them, verify them against --keyring\n"
    "and write them, byte for byte, as the ConfigMap oc writes (DIR/signature-sha256-<16 hex>.json) for\n"
    "`oc apply` on a disconnected cluster. Prints one signature record per release and passes every other\n"
    "record through unchanged. Without --keyring the signatures are written unverified, with a warning."};
}

int main(int argc, char** argv) {
  using namespace mk;
  namespace po = cli::po;
  std::vector<std::string> stores;
  std::string keyring, to_dir = ".";
  cli::RegistryFlags registry;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("store", po::value(&stores)->value_name("URL")->composing(), "signature store: https://…, http://…, file://DIR or dir:DIR, tried in order (repeatable; default: the two public stores)")
      ("keyring", po::value(&keyring)->value_name("FILE"), "public keys (armored or binary) a signature must be made by")
      ("to-dir", po::value(&to_dir)->value_name("DIR")->default_value("."), "where to write the ConfigMaps (made when missing)");
  // clang-format on
  cli::AddRegistryOptions(opts, registry);
  po::positional_options_description positional;
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;
  if (stores.empty()) stores = signature::DefaultStores();
  for (const auto& s : stores) {
    if (Status st = signature::CheckStore(s); !st.ok()) return cli::UsageError(kInfo, "--store: " + st.message());
  }
  if (to_dir.empty()) return cli::UsageError(kInfo, "--to-dir must not be empty");

  std::unique_ptr<signature::Verifier> verifier;
  if (vm.count("keyring")) {
    auto opened = signature::Verifier::Open(keyring);
    if (!opened.ok()) return cli::UsageError(kInfo, opened.status().message());
    verifier = std::move(*opened);
  }
  auto session = session::Session::Open(registry);
  if (!session.ok()) return cli::SessionError(kInfo, session.status());

  signature::RunOptions options;
  options.stores = stores;
  for (const auto& host : registry.insecure) {
    std::string h = host;
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    options.fetch.insecure_hosts.insert(h);
  }
  options.to_dir = to_dir;
  options.verifier = verifier.get();
  signature::Runner runner(*(*session)->client, options);
  json::LineReader reader(STDIN_FILENO);
  json::RecordWriter writer(stdout);
  records::FailureSet failures;
  Status s = records::ReadRecords(reader, [&](records::InputLine& in) {
    signature::LineResult r = runner.Process(in);
    for (const auto& m : r.messages) cli::Error(kInfo, m);
    failures.Merge(r.failures);
    for (const auto& line : r.out) {
      if (!writer.WriteLine(line)) return false;
    }
    return true;
  });
  if (!s.ok() && s.code() != Code::kCancelled) {
    cli::Error(kInfo, s.message());
    failures.Note(s);
  }
  return cli::FinishStdout(kInfo, failures.Exit(), &writer);
}
