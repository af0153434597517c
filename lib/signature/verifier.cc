#include "signature/verifier.h"

#include <ftw.h>
#include <gpgme.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "base/atomic_file.h"

namespace mk::signature {
namespace {

constexpr size_t kMaxKeyringBytes = 8 << 20;

std::string GpgError(gpgme_error_t err) { return gpgme_strerror(err); }

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }

// Owns a gpgme_data_t.
struct Data {
  gpgme_data_t d = nullptr;
  ~Data() {
    if (d != nullptr) gpgme_data_release(d);
  }
};

}  // namespace

struct Verifier::Impl {
  std::string home;  // the throwaway GNUPGHOME; removed on destruction
  gpgme_ctx_t ctx = nullptr;
  ~Impl() {
    if (ctx != nullptr) gpgme_release(ctx);
    // gpg may have started helpers (an agent, dirmngr) bound to this home;
    // they go when their sockets do. Removing the directory is what matters.
    if (!home.empty()) ::nftw(home.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  }
};

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::~Verifier() = default;

Result<std::unique_ptr<Verifier>> Verifier::Open(const std::string& keyring_path) {
  auto keyring = ReadFileLimited(keyring_path, kMaxKeyringBytes);
  if (!keyring.ok()) return keyring.status().WithContext("--keyring");
  static std::once_flag once;
  std::call_once(once, [] { gpgme_check_version(nullptr); });
  auto impl = std::make_unique<Impl>();
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/mk-gnupg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return IoError("cannot make a temporary GNUPGHOME in " + pattern + ": " + std::strerror(errno));
  impl->home = pattern;  // mkdtemp makes it 0700
  if (gpgme_error_t err = gpgme_new(&impl->ctx); err != 0) return Internal("gpgme: " + GpgError(err));
  if (gpgme_error_t err = gpgme_ctx_set_engine_info(impl->ctx, GPGME_PROTOCOL_OpenPGP, nullptr, impl->home.c_str());
      err != 0)
    return Internal("gpgme: " + GpgError(err));
  gpgme_set_protocol(impl->ctx, GPGME_PROTOCOL_OpenPGP);
  Data keys;
  if (gpgme_error_t err = gpgme_data_new_from_mem(&keys.d, keyring->data(), keyring->size(), 1); err != 0)
    return Internal("gpgme: " + GpgError(err));
  if (gpgme_error_t err = gpgme_op_import(impl->ctx, keys.d); err != 0)
    return InvalidArgument("--keyring " + keyring_path + ": " + GpgError(err));
  gpgme_import_result_t result = gpgme_op_import_result(impl->ctx);
  int imported = result == nullptr ? 0 : result->imported + result->unchanged;
  if (imported == 0) return InvalidArgument("--keyring " + keyring_path + ": no public key in it");
  std::unique_ptr<Verifier> v(new Verifier(std::move(impl)));
  v->keys_ = imported;
  return v;
}

Result<Verified> Verifier::Verify(const std::string& signature, const std::string& digest) {
  Data sig, plain;
  if (gpgme_error_t err = gpgme_data_new_from_mem(&sig.d, signature.data(), signature.size(), 0); err != 0)
    return Internal("gpgme: " + GpgError(err));
  if (gpgme_error_t err = gpgme_data_new(&plain.d); err != 0) return Internal("gpgme: " + GpgError(err));
  if (gpgme_error_t err = gpgme_op_verify(impl_->ctx, sig.d, nullptr, plain.d); err != 0)
    return InvalidArgument("not an OpenPGP signed message: " + GpgError(err));
  gpgme_verify_result_t result = gpgme_op_verify_result(impl_->ctx);
  if (result == nullptr || result->signatures == nullptr)
    return InvalidArgument("not an OpenPGP signed message: no signature in it");
  std::string fingerprint;
  for (gpgme_signature_t s = result->signatures; s != nullptr; s = s->next) {
    if (gpgme_err_code(s->status) != GPG_ERR_NO_ERROR) {
      std::string who = s->fpr != nullptr ? s->fpr : "unknown key";
      return PermissionDenied("signature by " + who + " not accepted: " + GpgError(s->status) +
                              (gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY ? " (not in the keyring)" : ""));
    }
    if (fingerprint.empty() && s->fpr != nullptr) fingerprint = s->fpr;
  }
  size_t size = 0;
  char* text = gpgme_data_release_and_get_mem(plain.d, &size);
  plain.d = nullptr;
  std::string message(text != nullptr ? text : "", size);
  gpgme_free(text);
  MK_ASSIGN_OR_RETURN(Claim claim, CheckClaim(message, digest));
  return Verified{std::move(claim), std::move(fingerprint)};
}

}  // namespace mk::signature
