#include "signature/claim.h"

#include <initializer_list>

#include "json/value.h"

namespace mk::signature {
namespace {

// Every member of v is one of the allowed names.
Status OnlyKnown(const json::Value& v, const char* where, std::initializer_list<std::string_view> allowed) {
  for (const auto& m : v.members()) {
    bool known = false;
    for (auto a : allowed) known = known || m.first == a;
    if (!known) return InvalidArgument("signature claim: unknown field " + std::string(where) + "." + m.first);
  }
  return Status::Ok();
}

}  // namespace

Result<Claim> CheckClaim(std::string_view json_text, const std::string& digest) {
  auto parsed = json::Value::Parse(json_text);
  if (!parsed.ok() || !parsed->is_object()) return InvalidArgument("signature claim is not a JSON object");
  const json::Value* critical = parsed->Find("critical");
  if (critical == nullptr || !critical->is_object()) return InvalidArgument("signature claim has no critical object");
  MK_RETURN_IF_ERROR(OnlyKnown(*critical, "critical", {"type", "image", "identity"}));
  if (critical->GetString("type") != std::string(kSignatureType))
    return InvalidArgument(std::string("signature claim: critical.type is not \"") + kSignatureType + "\"");
  const json::Value* image = critical->Find("image");
  const json::Value* identity = critical->Find("identity");
  if (image == nullptr || !image->is_object()) return InvalidArgument("signature claim has no critical.image");
  if (identity == nullptr || !identity->is_object()) return InvalidArgument("signature claim has no critical.identity");
  MK_RETURN_IF_ERROR(OnlyKnown(*image, "critical.image", {"docker-manifest-digest"}));
  MK_RETURN_IF_ERROR(OnlyKnown(*identity, "critical.identity", {"docker-reference"}));
  Claim claim;
  claim.digest = image->GetString("docker-manifest-digest").value_or("");
  claim.docker_reference = identity->GetString("docker-reference").value_or("");
  if (claim.digest.empty()) return InvalidArgument("signature claim has no critical.image.docker-manifest-digest");
  if (claim.docker_reference.empty())
    return InvalidArgument("signature claim has no critical.identity.docker-reference");
  if (claim.digest != digest) return PermissionDenied("signature is for " + claim.digest + ", not for " + digest);
  return claim;
}

}  // namespace mk::signature
