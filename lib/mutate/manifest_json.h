// Helpers shared by the manifest rewrites (internal to mutate): editing a
// manifest's JSON tree and turning the result back into a parsed Manifest.
// Pure functions; values are plain data.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "json/value.h"
#include "oci/manifest.h"

namespace mk::mutate::internal {

// The manifest's document, parsed from its raw bytes.
Result<json::Value> Document(const oci::Manifest& m);

// Serializes doc compactly and parses it back as media_type, so what a
// rewrite returns always has bytes, digest and fields that agree.
Result<oci::Manifest> Finish(const json::Value& doc, std::string_view media_type);

// doc with "mediaType" set to media_type: replaced in place, or inserted
// right after "schemaVersion" (where both specs document it) when absent.
json::Value WithMediaType(const json::Value& doc, std::string_view media_type);

// A copy of object with its members in byte order of their keys, as Go's
// encoding/json writes a map (docker's image configs are such maps).
json::Value SortedObject(const json::Value& object);

// {"mediaType": ..., "size": ..., "digest": ...}, in that order (the specs').
json::Value DescriptorJson(std::string_view media_type, int64_t size, const Digest& digest);

}  // namespace mk::mutate::internal
