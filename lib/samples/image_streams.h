// Image streams of the Samples Operator (seed §3.3.6): which images in the
// `openshift` namespace come from registry.redhat.io, and where each goes
// in the mirror.
//
// Input is `oc get is -n openshift -o json`: a List/ImageStreamList of
// ImageStreams, or one ImageStream. A tag whose from is an ImageStreamTag
// ("2.5" in the same stream, or "ruby:2.5") is resolved to what it points
// at, following chains (bounded; cycles are reported). Streams served by
// the release payload are left out, as the seed says. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"
#include "ref/reference.h"

namespace mk::samples {

struct StreamTag {
  std::string stream;
  std::string tag;
  std::string namespace_;
  std::string from_kind;  // DockerImage, ImageStreamTag, ImageStreamImage
  std::string from_name;
};

struct ImageStreams {
  std::vector<std::string> streams;  // in input order
  std::vector<StreamTag> tags;
  static Result<ImageStreams> Parse(std::string_view json);
};

// Streams the payload serves: not the operator's to mirror or skip.
bool IsPayloadStream(const std::string& stream);

struct SelectOptions {
  std::set<std::string> registries = {"registry.redhat.io"};
  std::set<std::string> only_streams;  // empty: all
  std::string mirror;                  // MIRROR_ADDR: host[:port][/prefix]
};

// One image to mirror, and the stream tags it serves.
struct Mapping {
  Reference source;
  Reference dest;
  std::vector<std::string> stream_tags;  // "ruby:2.5"
};

struct Skip {
  std::string stream;
  std::string tag;
  std::string from;
  std::string reason;
};

struct Selection {
  std::vector<Mapping> mappings;
  std::vector<Skip> skipped;                 // tags not mirrored, and why
  std::set<std::string> managed_streams;     // non-payload streams selected
  std::set<std::string> unselected_streams;  // non-payload streams --streams left out
};

Result<Selection> Select(const ImageStreams& streams, const SelectOptions& options);

// MIRROR/<path>:<tag> (or @digest when the source has no tag).
Result<Reference> MirrorDestination(const std::string& mirror, const Reference& source);

}  // namespace mk::samples
