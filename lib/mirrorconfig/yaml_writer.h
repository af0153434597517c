// YAML for the few fixed shapes mirrorkit prints (install-config blocks,
// ICSP/IDMS/ITMS objects): a json::Value tree of objects, arrays and scalars
// written straight to block-style YAML, laid out as oc and kubectl print it
// (go-yaml's layout):
//   key: scalar
//   key:            a mapping value, its keys two columns right
//     inner: x
//   key:            a sequence value, its "-" at the key's column
//   - item
//   - first: x      a mapping in a sequence starts on the "-" line
//     second: y
// Members are written in the tree's order. Empty collections are flow
// ("[]", "{}"). Strings are plain when every YAML 1.1 and 1.2 reader reads
// them back as the same string, else double-quoted with escapes, so any
// bytes give a valid document (ill-formed UTF-8 becomes U+FFFD, see
// base/utf8.h) made of printable ASCII only. Numbers are written as their
// JSON text, booleans as true/false, null as null. Keys are scalars like
// the values and must stay under 1024 characters (YAML's limit for a key
// without "? "); ours are fixed names. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "json/value.h"

namespace mk::mirrorconfig {

// The document, ending in a newline.
std::string ToYaml(const json::Value& document);

// A string scalar: s itself when plain YAML reads it back as s, else
// double-quoted (YamlDoubleQuoted).
std::string YamlScalar(std::string_view s);

// Whether a plain scalar s could be misread: it is plain only when made of
// [A-Za-z0-9._/:@-], not starting with an indicator or '.', not ending in
// ':', and — unless it holds a '/', which no YAML type resolver accepts —
// not starting with a digit (numbers, timestamps, YAML 1.1's 1:20) and not
// a YAML 1.1 bool or null word in any case (y, n, yes, no, on, off, true,
// false, null).
bool YamlNeedsQuotes(std::string_view s);

// s as a YAML double-quoted scalar (YAML 1.2 §5.7): printable ASCII kept,
// '"' and '\' escaped, control characters as \n, \t, ... or \xNN, other
// code points as \uNNNN or \UNNNNNNNN.
std::string YamlDoubleQuoted(std::string_view s);

}  // namespace mk::mirrorconfig
