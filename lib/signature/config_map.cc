#include "signature/config_map.h"

#include "base/atomic_file.h"
#include "base/base64.h"
#include "json/value.h"

namespace mk::signature {

Result<std::string> Sha256Hex(const std::string& digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || digest.compare(0, kPrefix.size(), kPrefix) != 0)
    return InvalidArgument("not a sha256 digest: " + digest);
  std::string hex = digest.substr(kPrefix.size());
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return InvalidArgument("not a sha256 digest: " + digest);
  }
  return hex;
}

std::string ConfigMapJson(const std::string& hex, const std::vector<std::string>& signatures) {
  using json::Value;
  Value labels = Value::Object();
  labels.Set("release.openshift.io/verification-signatures", Value::String(""));
  Value metadata = Value::Object();
  metadata.Set("name", Value::String("sha256-" + hex));
  metadata.Set("namespace", Value::String("openshift-config-managed"));
  metadata.Set("labels", std::move(labels));
  Value data = Value::Object();
  for (size_t i = 0; i < signatures.size(); ++i)
    data.Set("sha256-" + hex + "-" + std::to_string(i + 1), Value::String(Base64Encode(signatures[i])));
  Value cm = Value::Object();
  cm.Set("apiVersion", Value::String("v1"));
  cm.Set("kind", Value::String("ConfigMap"));
  cm.Set("metadata", std::move(metadata));
  cm.Set("binaryData", std::move(data));
  return cm.SerializePretty() + "\n";
}

std::string ConfigMapFileName(const std::string& hex) { return "signature-sha256-" + hex.substr(0, 16) + ".json"; }

Result<std::string> WriteConfigMap(const std::string& dir, const std::string& hex,
                                   const std::vector<std::string>& signatures) {
  MK_RETURN_IF_ERROR(MakeDirectories(dir));
  std::string path = (dir.empty() || dir.back() == '/' ? dir : dir + "/") + ConfigMapFileName(hex);
  MK_RETURN_IF_ERROR(WriteFileAtomic(path, ConfigMapJson(hex, signatures), 0640));
  return path;
}

}  // namespace mk::signature
