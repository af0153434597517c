#include "oci/media_types.h"

namespace mk::oci {

std::string ManifestAcceptHeader() {
  return std::string(kOciIndex) + ", " + std::string(kDockerManifestList) + ", " + std::string(kOciManifest) + ", " +
         std::string(kDockerManifest) + ", " + std::string(kDockerSchema1Signed) + ", " + std::string(kDockerSchema1);
}

}  // namespace mk::oci
