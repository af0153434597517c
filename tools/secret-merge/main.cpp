// secret-merge: adds the mirror registry's credentials to a pull secret,
// merges auth files, removes or lists entries. See secret-merge(1).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

#include "auth/secret_edit.h"
#include "auth/secret_file.h"
#include "base/atomic_file.h"
#include "base/signals.h"
#include "cli/tool.h"
#include "json/lines.h"

namespace {
using namespace mk;
namespace po = cli::po;

const cli::ToolInfo kInfo = {
    "secret-merge", "secret-merge [OPTIONS] [PULL_SECRET]",
    "Read a pull secret (PULL_SECRET or standard input), check it, and print it indented like `jq .`,\n"
    "keys in their order, or write it to -o FILE (atomically, mode 0600). With --registry, --username and\n"
    "--password-stdin, add or replace the auths entry for the mirror registry (auth is the base64 of\n"
    "user:password); with --from-file, merge other auth files; with --remove, drop a registry; with\n"
    "--list, print one record per entry (registry and user, never a secret). A file that holds write\n"
    "credentials for the mirror must not be the cluster's install pull secret: --for-install adds a\n"
    "pull-only account instead."};

constexpr size_t kMaxInput = 16u << 20;

int Fail(const Status& s) {
  if (s.code() == Code::kCancelled || Interrupted()) return cli::kExitInterrupted;
  cli::Error(kInfo, s.message());
  return cli::kExitItemFailed;
}
}  // namespace

int main(int argc, char** argv) {
  // Boost takes an abbreviation for the whole option: "--password x" would
  // be --password-stdin with x as the pull secret. Only the full spelling
  // passes, and the word is not echoed: it may hold the password.
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 17) == "--password-stdin=")
      return cli::UsageError(kInfo, "--password-stdin takes no value: the password comes from standard input");
    if (arg.substr(0, 3) == "--p" && arg != "--password-stdin")
      return cli::UsageError(kInfo,
                             "there is no --password option (every user can read a command line with ps): "
                             "give the password on standard input with --password-stdin");
  }
  std::string file, output, registry, username, email;
  std::vector<std::string> from_files, removes;
  bool password_stdin = false, no_overwrite = false, list = false, for_install = false;
  po::options_description opts("Options");
  // clang-format off
  opts.add_options()
      ("registry", po::value(&registry)->value_name("HOST[:PORT]"), "add or replace the auths entry for this registry (the mirror)")
      ("username", po::value(&username)->value_name("USER"), "with --registry: the user name")
      ("password-stdin", po::bool_switch(&password_stdin), "with --registry: read the password from standard input (one trailing newline is removed)")
      ("email", po::value(&email)->value_name("EMAIL"), "with --registry: the email field (default: the replaced entry's)")
      ("from-file", po::value(&from_files)->value_name("AUTHFILE")->composing(), "merge the auths entries of AUTHFILE (repeatable; a later file wins)")
      ("no-overwrite", po::bool_switch(&no_overwrite), "keep the entries already there instead of replacing them")
      ("remove", po::value(&removes)->value_name("REGISTRY")->composing(), "remove the auths entry for REGISTRY (repeatable)")
      ("list", po::bool_switch(&list), "print one record per entry: registry and user name, never a secret")
      ("for-install", po::bool_switch(&for_install), "with --registry: USER is a pull-only account; make an install pull secret")
      ("output,o", po::value(&output)->value_name("FILE"), "write to FILE (atomically, mode 0600; may be PULL_SECRET) instead of standard output")
      ("file", po::value(&file)->value_name("PULL_SECRET"), "the pull secret (positional; - or none: standard input)");
  // clang-format on
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (auto code = cli::ParseArgs(kInfo, opts, positional, argc, argv, vm)) return *code;

  bool editing = !registry.empty() || !from_files.empty() || !removes.empty();
  if (list && (editing || !output.empty() || no_overwrite || for_install))
    return cli::UsageError(kInfo, "--list only reads: give it alone with the pull secret");
  if (registry.empty() && (!username.empty() || password_stdin || !email.empty() || for_install))
    return cli::UsageError(kInfo, "--username, --password-stdin, --email and --for-install go with --registry");
  if (!registry.empty() && (username.empty() || !password_stdin))
    return cli::UsageError(kInfo, "--registry needs --username USER and --password-stdin");
  if (no_overwrite && registry.empty() && from_files.empty())
    return cli::UsageError(kInfo, "--no-overwrite goes with --from-file or --registry");
  if (password_stdin && (file.empty() || file == "-"))
    return cli::UsageError(kInfo, "the password comes from standard input: give the pull secret as a file");
  for (const auto& f : from_files)
    if (f == "-") return cli::UsageError(kInfo, "--from-file needs a file name, not standard input");
  for (const auto& r : removes) {
    Status s = auth::ValidateRegistryName(r);
    if (!s.ok()) return cli::UsageError(kInfo, "--remove: " + s.message());
    if (!registry.empty() && auth::NormalizeAuthKey(r) == auth::NormalizeAuthKey(registry))
      return cli::UsageError(kInfo, "--remove and --registry name the same registry");
  }

  auth::EditOptions edit;
  edit.source = file.empty() || file == "-" ? "standard input" : file;
  edit.no_overwrite = no_overwrite;
  edit.for_install = for_install;
  edit.remove = removes;
  if (!registry.empty()) {
    if (Status s = auth::ValidateRegistryName(registry); !s.ok())
      return cli::UsageError(kInfo, "--registry: " + s.message());
    if (Status s = auth::ValidateUsername(username); !s.ok())
      return cli::UsageError(kInfo, "--username: " + s.message());
    auto raw = ReadStdinLimited(64 << 10);
    if (!raw.ok()) return Fail(raw.status());
    auto password = auth::PasswordFromInput(std::move(raw).value());
    if (!password.ok()) return Fail(password.status());
    edit.add = auth::NewCredential{registry, username, std::move(password).value(), email};
  }

  // Standard input is read before any lock is taken (see auth/secret_file.h).
  std::string stdin_text;
  if (file.empty() || file == "-") {
    auto raw = ReadStdinLimited(kMaxInput);
    if (!raw.ok()) return Fail(raw.status());
    stdin_text = std::move(raw).value();
  }

  if (list) {
    auto doc = auth::LoadPullSecret(file, stdin_text, kMaxInput);
    if (!doc.ok()) return Fail(doc.status());
    json::RecordWriter writer(stdout);
    for (const auto& e : auth::ListEntries(*doc))
      if (!writer.Write(auth::EntryRecord(e))) break;
    return cli::FinishStdout(kInfo, cli::kExitOk, &writer);
  }

  // With -o, read, edit and write under a lock: concurrent runs on one file
  // lose no update.
  auto done = auth::EditPullSecretFiles({file, std::move(stdin_text), from_files, output, std::move(edit), kMaxInput});
  if (!done.ok()) return Fail(done.status());
  const auth::EditReport* report = &done->report;
  for (const auto& note : report->notes) cli::Error(kInfo, note);
  if (output.empty() || output == "-") std::fwrite(done->text.data(), 1, done->text.size(), stdout);
  if (report->added && !for_install)
    cli::Error(kInfo, "warning: this pull secret holds credentials for " + registry +
                          " that can write to the mirror: do not use it as the cluster's install pull secret "
                          "(every machine would get write access); see --for-install");
  return cli::FinishStdout(kInfo, cli::kExitOk);
}
