// Format: which mirror configuration ics-gen prints, and Render(), the one
// entry point from a MirrorSet to its text. The formats and their
// consumers:
//   install-config       imageContentSources: in install-config.yaml (default)
//   install-config-idms  imageDigestSources: in newer install-config.yaml
//   icsp                 ImageContentSourcePolicy (operator.openshift.io/v1alpha1)
//   idms                 ImageDigestMirrorSet (config.openshift.io/v1)
//   itms                 ImageTagMirrorSet (config.openshift.io/v1), mappings by tag only
//   registries-conf      containers-registries.conf(5) v2 for podman and CRI-O hosts
//   updateservice        UpdateService (updateservice.operator.openshift.io/v1), made
//                        from release and graph-image records (update_service.h), not
//                        from a MirrorSet: Render refuses it
//   catalogsource        CatalogSource (operators.coreos.com/v1alpha1), one per catalog,
//                        made from catalog records (catalog_source.h); Render refuses it
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "mirrorconfig/mirror_set.h"

namespace mk::mirrorconfig {

enum class Format {
  kInstallConfig,
  kInstallConfigIdms,
  kIcsp,
  kIdms,
  kItms,
  kRegistriesConf,
  kUpdateService,
  kCatalogSource
};

// The names above, in that order.
const std::vector<std::string_view>& FormatNames();
std::string_view FormatName(Format format);
// kInvalidArgument naming the formats when name is not one of them.
Result<Format> ParseFormat(std::string_view name);

// The metadata.name objects get unless told otherwise.
inline constexpr const char* kDefaultObjectName = "mirrorkit";
// A Kubernetes object name: a DNS-1123 subdomain, at most 253 characters of
// [a-z0-9.-], each dot-separated label starting and ending with [a-z0-9].
Status ValidateObjectName(std::string_view name);

// The text of format for set; object_name is used by the object formats
// (icsp, idms, itms) and must be valid. kNotFound for itms when no mapping
// is by tag.
Result<std::string> Render(const MirrorSet& set, Format format, const std::string& object_name = kDefaultObjectName);

}  // namespace mk::mirrorconfig
