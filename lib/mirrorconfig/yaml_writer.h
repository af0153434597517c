// YamlWriter: block-style YAML through yaml-cpp's YAML::Emitter (the only
// yaml-cpp user), laid out as oc and kubectl print it. yaml-cpp always
// indents a block sequence under its mapping key (jbeder/yaml-cpp#631) and
// has no setting against it; Text() moves such sequences back to their key's
// column ("key:\n- item"), the layout `oc adm release mirror` prints and
// tests/blob_copy.bats pins byte for byte. The move is exact because the
// emitter runs with settings that make its layout regular: indent 2, block
// collections, single-line scalars (strings that need it are
// double-quoted, which escapes line breaks). Not thread-safe; owns its emitter.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk::mirrorconfig {

class YamlWriter {
 public:
  YamlWriter();
  // The emitter to write the document with, block style; strings go
  // through String().
  YAML::Emitter& emitter() { return out_; }
  // Writes a string scalar, double-quoted when a plain scalar could read
  // as something else (a bool, a number, a null) to a YAML 1.1 or 1.2 reader.
  YamlWriter& String(const std::string& s);
  // The document, ending in a newline; an error if the emitter was misused.
  Result<std::string> Text() const;

 private:
  YAML::Emitter out_;
};

// Whether plain YAML could misread s (used by String()).
bool YamlNeedsQuotes(std::string_view s);

// yaml-cpp's layout with indent 2 → the same document with every block
// sequence that is a mapping value at its key's column.
std::string OutdentSequencesInMaps(std::string_view yaml);

}  // namespace mk::mirrorconfig
