// The few fields of an image configuration (OCI image-spec config.md) the
// tools need: platform and labels (io.openshift.release names a release).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "oci/manifest.h"

namespace mk::oci {

struct ImageConfig {
  Platform platform;
  std::map<std::string, std::string> labels;
  static Result<ImageConfig> Parse(std::string_view raw);
};

// OpenShift's architecture names in tags (x86_64, aarch64) from Go's
// (amd64, arm64), and back; other names pass through unchanged.
std::string OpenShiftArch(std::string_view goarch);
std::string GoArch(std::string_view arch);
// The Go architecture name of this machine.
std::string HostGoArch();

}  // namespace mk::oci
