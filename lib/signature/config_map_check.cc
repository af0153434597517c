#include "signature/config_map_check.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/atomic_file.h"
#include "base/base64.h"
#include "json/value.h"
#include "signature/config_map.h"

namespace mk::signature {
namespace {

constexpr size_t kMaxSignatureBytes = 50 << 10;
constexpr int kMaxSignatures = 16;
constexpr std::string_view kFilePrefix = "signature-sha256-";
constexpr std::string_view kFileSuffix = ".json";

bool IsConfigMapFileName(const std::string& name) {
  return name.size() == kFilePrefix.size() + 16 + kFileSuffix.size() && name.rfind(kFilePrefix, 0) == 0 &&
         name.compare(name.size() - kFileSuffix.size(), kFileSuffix.size(), kFileSuffix) == 0;
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

Result<ParsedConfigMap> ParseConfigMap(std::string_view json_text) {
  auto doc = json::Value::Parse(json_text);
  if (!doc.ok()) return DataLoss("not JSON: " + doc.status().message());
  if (!doc->is_object() || doc->GetString("apiVersion").value_or("") != "v1" ||
      doc->GetString("kind").value_or("") != "ConfigMap")
    return DataLoss("not a v1 ConfigMap");
  const json::Value* meta = doc->Find("metadata");
  if (!meta || meta->GetString("namespace").value_or("") != "openshift-config-managed")
    return DataLoss("not in namespace openshift-config-managed");
  const json::Value* labels = meta->Find("labels");
  if (!labels || !labels->GetString("release.openshift.io/verification-signatures"))
    return DataLoss("no release.openshift.io/verification-signatures label");
  std::string name = meta->GetString("name").value_or("");
  if (name.rfind("sha256-", 0) != 0) return DataLoss("name " + name + " is not sha256-<hex>");
  ParsedConfigMap out;
  MK_ASSIGN_OR_RETURN(out.hex, Sha256Hex("sha256:" + name.substr(7)));
  const json::Value* data = doc->Find("binaryData");
  if (!data || !data->is_object() || data->size() == 0) return DataLoss("no binaryData");
  if (data->size() > static_cast<size_t>(kMaxSignatures))
    return DataLoss("more than " + std::to_string(kMaxSignatures) + " signatures");
  for (size_t i = 1; i <= data->size(); ++i) {
    std::string key = "sha256-" + out.hex + "-" + std::to_string(i);
    auto text = data->GetString(key);
    if (!text) return DataLoss("binaryData has no " + key + " (keys must run 1.." + std::to_string(data->size()) + ")");
    auto bytes = Base64Decode(*text);
    if (!bytes.ok()) return DataLoss(key + " is not base64");
    if (bytes->empty() || bytes->size() > kMaxSignatureBytes) return DataLoss(key + " is empty or larger than 50 KiB");
    out.signatures.push_back(std::move(bytes).value());
  }
  return out;
}

bool IsConfigMapPath(const std::string& relative) {
  const std::string name = relative.rfind("config/", 0) == 0 ? relative.substr(7) : relative;
  return IsConfigMapFileName(name);
}

Status CheckConfigMapBytes(const std::string& relative, std::string_view bytes) {
  MK_ASSIGN_OR_RETURN(ParsedConfigMap parsed, ParseConfigMap(bytes));
  const std::string name = relative.substr(relative.rfind('/') == std::string::npos ? 0 : relative.rfind('/') + 1);
  if (ConfigMapFileName(parsed.hex) != name)
    return DataLoss("holds the signatures of sha256:" + parsed.hex + ", which its name does not match");
  return Status::Ok();
}

Result<std::vector<ConfigMapFileCheck>> CheckConfigMapFiles(
    const std::string& dir, const std::function<bool(const std::string& digest)>& has_release) {
  std::vector<ConfigMapFileCheck> out;
  for (const std::string& sub : {std::string(), std::string("config")}) {
    const std::string where = sub.empty() ? dir : dir + "/" + sub;
    std::unique_ptr<DIR, DirCloser> d(::opendir(where.c_str()));
    if (!d) {
      if (!sub.empty() && errno == ENOENT) continue;
      return IoError("cannot list " + where + ": " + std::strerror(errno));
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d.get()))
      if (IsConfigMapFileName(e->d_name)) names.emplace_back(e->d_name);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      ConfigMapFileCheck check;
      check.path = where + "/" + name;
      auto text = ReadFileLimited(check.path, 2u << 20);
      if (!text.ok()) {
        check.status = text.status();
        out.push_back(std::move(check));
        continue;
      }
      check.bytes = std::move(text).value();
      auto parsed = ParseConfigMap(check.bytes);
      if (!parsed.ok()) {
        check.status = parsed.status();
      } else {
        check.digest = "sha256:" + parsed->hex;
        check.count = static_cast<int>(parsed->signatures.size());
        if (ConfigMapFileName(parsed->hex) != name)
          check.status = DataLoss("holds the signatures of " + check.digest + ", which its name does not match");
        else if (!has_release(check.digest))
          check.status = NotFound("the release it vouches for, " + check.digest + ", is not in the layout");
      }
      out.push_back(std::move(check));
    }
  }
  return out;
}

json::Value CheckRecord(const ConfigMapFileCheck& check) {
  using json::Value;
  Value v = Value::Object();
  v.Set("kind", Value::String("signature"));
  v.Set("file", Value::String(check.path));
  if (!check.digest.empty()) v.Set("digest", Value::String(check.digest));
  v.Set("count", Value::Number(check.count));
  v.Set("status", Value::String(check.status.ok() ? "ok" : "damaged"));
  if (!check.status.ok()) {
    v.Set("error", Value::String(check.status.message()));
    v.Set("code", Value::String(CodeName(check.status.code())));
  }
  return v;
}

}  // namespace mk::signature
