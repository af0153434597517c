// Checking the signature ConfigMaps that travel with an OCI layout on
// removable media (release-signatures --to-dir DIR, DIR the layout): `oci-dir
// verify` reads back every signature-sha256-*.json at the layout's top level
// (and in its config/ directory, where oc puts them) and checks that each is
// the ConfigMap release-signatures writes — a v1 ConfigMap in
// openshift-config-managed named sha256-<hex> (the file name's 16 hex its
// prefix), labelled release.openshift.io/verification-signatures, with
// binaryData keys sha256-<hex>-1..N, each a non-empty signature of at most
// 50 KiB — and that the release it vouches for is in the layout. A damaged
// or truncated file, or a signature for a release the media does not carry,
// is reported. Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace mk::signature {

struct ParsedConfigMap {
  std::string hex;                      // of the release digest
  std::vector<std::string> signatures;  // exact bytes, in key order 1..N
};

// The inverse of ConfigMapJson; kDataLoss names what is wrong.
Result<ParsedConfigMap> ParseConfigMap(std::string_view json_text);

struct ConfigMapFileCheck {
  std::string path;
  std::string digest;  // "sha256:<hex>" when the file could be read
  int count = 0;
  Status status;      // ok, or why the file is not sound
  std::string bytes;  // what was read and checked (oci-dir pack carries exactly these)
};

// Every signature ConfigMap file under dir (top level and config/), checked;
// has_release says whether the layout holds a manifest of that digest.
// kIo only when dir itself cannot be listed.
Result<std::vector<ConfigMapFileCheck>> CheckConfigMapFiles(
    const std::string& dir, const std::function<bool(const std::string& digest)>& has_release);

// Where, relative to a layout, a signature ConfigMap file may be: NAME or
// config/NAME, NAME being signature-sha256-<16 hex>.json (what oci-dir pack
// carries and unpack takes).
bool IsConfigMapPath(const std::string& relative);

// The bytes of such a file, as oci-dir unpack takes them: a sound ConfigMap
// (ParseConfigMap) for the release its file name names; kDataLoss says what
// is wrong.
Status CheckConfigMapBytes(const std::string& relative, std::string_view bytes);

// The record oci-dir verify prints for a file: {"kind": "signature", "file",
// "digest", "count", "status": "ok"} or "status": "damaged" with "error" and
// "code" (mirrorkit-records(7)).
json::Value CheckRecord(const ConfigMapFileCheck& check);

}  // namespace mk::signature
