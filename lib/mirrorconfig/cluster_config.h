// The YAML a cluster reads to pull from the mirror: the install-config.yaml
// blocks and the ImageContentSourcePolicy, ImageDigestMirrorSet and
// ImageTagMirrorSet objects, each rendered from a MirrorSet by
// yaml_writer.h, keys in alphabetical order as oc prints them, sources and
// mirrors sorted. Stateless and thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "mirrorconfig/mirror_set.h"

namespace mk::mirrorconfig {

// install-config.yaml's imageContentSources block, byte for byte as
// `oc adm release mirror` prints it:
//   imageContentSources:
//   - mirrors:
//     - MIRROR
//     source: SOURCE
Result<std::string> RenderImageContentSources(const MirrorSet& set);
// The same list under imageDigestSources, the key that replaces it in
// newer install-config.yaml (OpenShift 4.14 and later).
Result<std::string> RenderImageDigestSources(const MirrorSet& set);

// operator.openshift.io/v1alpha1 ImageContentSourcePolicy NAME with
// spec.repositoryDigestMirrors.
Result<std::string> RenderImageContentSourcePolicy(const MirrorSet& set, const std::string& name);
// config.openshift.io/v1 ImageDigestMirrorSet NAME with spec.imageDigestMirrors.
Result<std::string> RenderImageDigestMirrorSet(const MirrorSet& set, const std::string& name);
// config.openshift.io/v1 ImageTagMirrorSet NAME with spec.imageTagMirrors,
// from set.tag_groups() only: a mirror whose tags differ from the source's
// cannot answer a pull by tag. kNotFound when no mapping is by tag.
Result<std::string> RenderImageTagMirrorSet(const MirrorSet& set, const std::string& name);

}  // namespace mk::mirrorconfig
