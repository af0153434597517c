// The records mirrorkit tools write: one builder per kind, so the field
// names and their order of each kind live here and nowhere else. Every
// builder returns a fresh json::Value object that starts with "kind";
// man/mirrorkit-records.7 documents each kind, field by field, and must
// change with this file. Optional fields are left out when empty, so a
// record carries only what its writer knows.
//
// Pure functions over plain structs: no I/O, no state, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "json/value.h"

namespace mk::records {

// The kinds, as written in the "kind" field.
inline constexpr const char kRelease[] = "release";
inline constexpr const char kImage[] = "image";
inline constexpr const char kError[] = "error";
inline constexpr const char kSkipped[] = "skipped";
inline constexpr const char kCommand[] = "command";
inline constexpr const char kAuth[] = "auth";
inline constexpr const char kBlob[] = "blob";
inline constexpr const char kTemp[] = "temp";
inline constexpr const char kVolume[] = "volume";
inline constexpr const char kMissingVolume[] = "missing-volume";
inline constexpr const char kRefused[] = "refused";
inline constexpr const char kSigstore[] = "sigstore";

// release-list's first record: a release image.
struct ReleaseRecord {
  std::string version;  // also its name
  std::string arch;     // OpenShift spelling: x86_64, aarch64, ...
  std::string from;     // as asked for, usually by tag
  std::string source;   // pinned by digest
  std::string digest;
  int64_t components = 0;
  std::string dest;  // empty: a dry listing
};
json::Value Release(const ReleaseRecord& r);

// An image. One kind for several writers, each filling its own fields:
// release-list (name, release, source, digest, dest), stream-mirror (name,
// streams, source, dest), oci-dir list (name, source, digest, media_type)
// and oci-dir verify (name, digest, status, missing, corrupt). Fields are
// written in this order, empty ones left out.
struct ImageRecord {
  std::string name;
  std::string release;
  std::vector<std::string> streams;
  std::string source;
  std::string digest;
  std::string media_type;
  std::string dest;
  std::string status;
  std::vector<std::string> missing;
  std::vector<std::string> corrupt;
};
json::Value Image(const ImageRecord& r);
// blob-copy's record for a SOURCE DEST argument pair: both always written,
// even empty, as the user gave them.
json::Value ImagePair(const std::string& source, const std::string& dest);

// release-list --signatures: the sigstore signature tag "sha256-<hex>.sig"
// of an image it plans, a mapping record like the image's (source and dest
// the image's repositories with that tag); digest is the signature
// manifest's own, signs the image digest it signs.
struct SigstoreRecord {
  std::string name;     // the signed image's record name (component or version)
  std::string release;  // the release version
  std::string source;
  std::string digest;
  std::string signs;
  std::string dest;  // empty: a dry listing
};
json::Value Sigstore(const SigstoreRecord& r);
// release-list --signatures: an image digest without a sigstore tag in its
// source (or whose tag could not be looked up: reason says which).
json::Value SkippedSignature(const std::string& name, const std::string& source, const std::string& signs,
                             const std::string& reason);

// An input line or record a tool could not use. line is 1-based (0: not
// from an input line, left out); field names the culprit field when there
// is one; record is the offending record as read, kept so nothing the user
// wrote is lost (null: the line was not a JSON object).
struct ErrorRecord {
  size_t line = 0;
  std::string field;
  std::string error;
  json::Value record;
  // What kind of failure (base::CodeName: "invalid-argument", "io", ...),
  // written as "code" after "error"; left out when kOk.
  Code code = Code::kOk;
};
json::Value Error(const ErrorRecord& r);

// stream-mirror: a stream tag it does not mirror.
struct SkippedRecord {
  std::string stream, tag, from, reason;
};
json::Value Skipped(const SkippedRecord& r);

// release-extract: a command written out of a release.
struct CommandRecord {
  std::string command;
  std::string path;
  uint64_t size = 0;
  std::string component;
  std::string release;
  std::string pinned_to;  // left out when empty
};
json::Value Command(const CommandRecord& r);

// secret-merge --list: one pull-secret entry. Never a secret.
json::Value Auth(const std::string& registry, const std::string& username);

// oci-dir: a wrong file under blobs/ (verify: status corrupt or stray) or
// a blob of a volume that could not be written (unpack: no status).
json::Value Blob(const std::string& path, const std::string& status, const std::string& error);
// oci-dir verify: a temporary file left by an interrupted write.
json::Value Temp(const std::string& path, const std::string& status);

// oci-dir pack: a volume written.
struct VolumeRecord {
  std::string path;
  std::string set;
  int volume = 0;
  int volumes = 0;
  uint64_t bytes = 0;
  uint64_t blobs = 0;
};
json::Value Volume(const VolumeRecord& r);
// oci-dir unpack: a volume of the set it was not given.
json::Value MissingVolume(const std::string& set, int volume, int volumes);
// oci-dir unpack: a tar entry not taken.
json::Value Refused(const std::string& path, const std::string& error);

// blob-copy's result fields, set on the mapping record it copied (fields of
// the same name replaced, every other field kept).
struct CopyResult {
  std::string status;  // copied or present
  std::string digest;
  std::string media_type;
  std::string origin;  // the source's full name, for a directory source
  uint64_t bytes_copied = 0;
  uint64_t bytes_resumed = 0;  // kept from an interrupted write; written only when > 0
  int blobs_copied = 0;
  int blobs_skipped = 0;
  int blobs_mounted = 0;
};
void SetCopyResult(json::Value& record, const CopyResult& r);
// status failed, the error and its code (base::CodeName, which tells a
// transient failure from an integrity one: records/failures.h); the
// record's other fields (its digest) kept.
void SetCopyFailure(json::Value& record, const std::string& error, Code code);

}  // namespace mk::records
