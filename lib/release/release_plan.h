// Plans where a release goes in the mirror, as `oc adm release mirror` does,
// and renders the plan as mapping records (records::Release and
// records::Image; man/mirrorkit-records.7):
//
//   {"kind":"release","name":VERSION,"version","arch","from","source","digest","dest"}
//   {"kind":"image","name":COMPONENT,"release":VERSION,"source","digest","dest"}
//
// Every source is pinned by digest. With --to REPO, components go to
// REPO:<version>-<arch>-<component> and the release to --to-release-image,
// by default REPO:<version>-<arch>. A release kept whole as its manifest
// list has arch "multi": its source and digest are the list's (blob-copy
// copies a list with every child), its tags <version>-multi[-<component>];
// its components keep their own sources, lists themselves on real payloads. With --to-dir DIR every image goes to
// "dir:DIR:<its original name>" (components by digest, the release by the
// tag it was asked for), so the restricted side can plan without the
// internet. A release read from a directory has "dir:DIR:NAME" sources.
// Without a destination there is no dest (a dry listing). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "ref/reference.h"
#include "release/release_reader.h"

namespace mk::release {

struct PlanOptions {
  std::optional<Reference> to;                // repository
  std::optional<Reference> to_release_image;  // tagged reference
  std::string to_dir;                         // an OCI directory for every image
  std::string from_dir;                       // the release was read from this directory
  std::string from_scheme;                    // ...or, with from_dir its ADDRESS, this storage plugin's store
};

Result<std::vector<json::Value>> PlanRecords(const ReleaseImage& release, const PlanOptions& options);

// The component tag "<version>-<arch>-<name>", validated as a tag.
Result<std::string> ComponentTag(const std::string& version, const std::string& arch, const std::string& name);

}  // namespace mk::release
