#include "digest/digest.h"

#include <openssl/evp.h>

#include <cassert>

#include "base/strings.h"

namespace mk {

struct DigestHasher::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Result<Digest> Digest::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return InvalidArgument("invalid digest " + Quote(text) + ": no algorithm");
  std::string_view algo = text.substr(0, colon), hex = text.substr(colon + 1);
  size_t want = 0;
  if (algo == "sha256")
    want = 64;
  else if (algo == "sha512")
    want = 128;
  else
    return InvalidArgument("unsupported digest algorithm " + Quote(algo));
  if (!IsLowerHex(hex, want))
    return InvalidArgument("invalid digest " + Quote(text) + ": want " + std::to_string(want) +
                           " lower-case hex digits");
  return Digest(std::string(text));
}

Digest Digest::Sha256Of(std::string_view data) {
  DigestHasher h("sha256");
  h.Update(data.data(), data.size());
  return h.Finish();
}

std::string_view Digest::algorithm() const {
  std::string_view t = text_;
  return t.substr(0, t.find(':'));
}

std::string_view Digest::hex() const {
  std::string_view t = text_;
  size_t c = t.find(':');
  return c == std::string_view::npos ? std::string_view() : t.substr(c + 1);
}

DigestHasher::DigestHasher(std::string_view algorithm) : ctx_(new Ctx), algorithm_(algorithm) {
  const EVP_MD* md = algorithm == "sha512" ? EVP_sha512() : EVP_sha256();
  if (algorithm != "sha512") algorithm_ = "sha256";
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, md, nullptr) != 1) std::abort();  // out of memory
}

DigestHasher::~DigestHasher() = default;

void DigestHasher::Update(const void* data, size_t n) {
  EVP_DigestUpdate(ctx_->md, data, n);
  bytes_ += n;
}

Digest DigestHasher::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
  static const char* kHex = "0123456789abcdef";
  std::string text = algorithm_ + ":";
  for (unsigned i = 0; i < len; ++i) {
    text += kHex[out[i] >> 4];
    text += kHex[out[i] & 15];
  }
  return Digest(std::move(text));
}

Status VerifyDigest(const Digest& expected, std::string_view data, std::string_view what) {
  DigestHasher h(expected.algorithm());
  h.Update(data.data(), data.size());
  Digest got = h.Finish();
  if (got != expected)
    return DataLoss(std::string(what) + " does not match its digest: want " + expected.str() + ", got " + got.str());
  return Status::Ok();
}

}  // namespace mk
