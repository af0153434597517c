#include "oci/image_config.h"

#include <sys/utsname.h>

#include "json/value.h"

namespace mk::oci {

Result<ImageConfig> ImageConfig::Parse(std::string_view raw) {
  MK_ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(raw));
  if (!doc.is_object()) return InvalidArgument("image config is not a JSON object");
  ImageConfig c;
  c.platform.os = doc.GetString("os").value_or("");
  c.platform.architecture = doc.GetString("architecture").value_or("");
  c.platform.variant = doc.GetString("variant").value_or("");
  if (const json::Value* cfg = doc.Find("config"); cfg && cfg->is_object())
    if (const json::Value* labels = cfg->Find("Labels"); labels && labels->is_object())
      for (const auto& [k, v] : labels->members())
        if (v.is_string()) c.labels[k] = v.as_string();
  return c;
}

std::string OpenShiftArch(std::string_view goarch) {
  if (goarch == "amd64") return "x86_64";
  if (goarch == "arm64") return "aarch64";
  return std::string(goarch);
}

std::string GoArch(std::string_view arch) {
  if (arch == "x86_64") return "amd64";
  if (arch == "aarch64") return "arm64";
  return std::string(arch);
}

std::string HostGoArch() {
  struct utsname u;
  if (uname(&u) != 0) return "amd64";
  return GoArch(u.machine);
}

}  // namespace mk::oci
