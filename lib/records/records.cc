#include "records/records.h"

namespace mk::records {
namespace {

using json::Value;

Value Start(const char* kind) {
  Value v = Value::Object();
  v.Set("kind", Value::String(kind));
  return v;
}

void SetIf(Value& v, const char* key, const std::string& s) {
  if (!s.empty()) v.Set(key, Value::String(s));
}

void SetListIf(Value& v, const char* key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  Value a = Value::Array();
  for (const auto& s : items) a.Append(Value::String(s));
  v.Set(key, std::move(a));
}

Value Count(uint64_t n) { return Value::Number(static_cast<int64_t>(n)); }

}  // namespace

Value Release(const ReleaseRecord& r) {
  Value v = Start(kRelease);
  v.Set("name", Value::String(r.version));
  v.Set("version", Value::String(r.version));
  v.Set("arch", Value::String(r.arch));
  v.Set("from", Value::String(r.from));
  v.Set("source", Value::String(r.source));
  v.Set("digest", Value::String(r.digest));
  v.Set("components", Value::Number(r.components));
  SetIf(v, "dest", r.dest);
  return v;
}

Value Image(const ImageRecord& r) {
  Value v = Start(kImage);
  SetIf(v, "name", r.name);
  SetIf(v, "release", r.release);
  SetListIf(v, "streams", r.streams);
  SetIf(v, "source", r.source);
  SetIf(v, "digest", r.digest);
  SetIf(v, "media_type", r.media_type);
  SetIf(v, "dest", r.dest);
  SetIf(v, "status", r.status);
  SetListIf(v, "missing", r.missing);
  SetListIf(v, "corrupt", r.corrupt);
  return v;
}

Value ImagePair(const std::string& source, const std::string& dest) {
  Value v = Start(kImage);
  v.Set("source", Value::String(source));
  v.Set("dest", Value::String(dest));
  return v;
}

Value Error(const ErrorRecord& r) {
  Value v = Start(kError);
  if (r.line > 0) v.Set("line", Count(r.line));
  SetIf(v, "field", r.field);
  v.Set("error", Value::String(r.error));
  if (r.code != Code::kOk) v.Set("code", Value::String(CodeName(r.code)));
  if (!r.record.is_null()) v.Set("record", r.record);
  return v;
}

Value Skipped(const SkippedRecord& r) {
  Value v = Start(kSkipped);
  v.Set("stream", Value::String(r.stream));
  v.Set("tag", Value::String(r.tag));
  v.Set("from", Value::String(r.from));
  v.Set("reason", Value::String(r.reason));
  return v;
}

Value Sigstore(const SigstoreRecord& r) {
  Value v = Start(kSigstore);
  v.Set("name", Value::String(r.name));
  SetIf(v, "release", r.release);
  v.Set("source", Value::String(r.source));
  SetIf(v, "digest", r.digest);
  v.Set("signs", Value::String(r.signs));
  SetIf(v, "dest", r.dest);
  return v;
}

Value SkippedSignature(const std::string& name, const std::string& source, const std::string& signs,
                       const std::string& reason) {
  Value v = Start(kSkipped);
  v.Set("name", Value::String(name));
  v.Set("source", Value::String(source));
  v.Set("signs", Value::String(signs));
  v.Set("reason", Value::String(reason));
  return v;
}

Value Command(const CommandRecord& r) {
  Value v = Start(kCommand);
  v.Set("command", Value::String(r.command));
  v.Set("path", Value::String(r.path));
  v.Set("size", Count(r.size));
  v.Set("component", Value::String(r.component));
  v.Set("release", Value::String(r.release));
  SetIf(v, "pinned_to", r.pinned_to);
  return v;
}

Value Auth(const std::string& registry, const std::string& username) {
  Value v = Start(kAuth);
  v.Set("registry", Value::String(registry));
  v.Set("username", Value::String(username));
  return v;
}

Value Blob(const std::string& path, const std::string& status, const std::string& error) {
  Value v = Start(kBlob);
  v.Set("path", Value::String(path));
  SetIf(v, "status", status);
  v.Set("error", Value::String(error));
  return v;
}

Value Temp(const std::string& path, const std::string& status) {
  Value v = Start(kTemp);
  v.Set("path", Value::String(path));
  v.Set("status", Value::String(status));
  return v;
}

Value Volume(const VolumeRecord& r) {
  Value v = Start(kVolume);
  v.Set("path", Value::String(r.path));
  v.Set("set", Value::String(r.set));
  v.Set("volume", Value::Number(r.volume));
  v.Set("volumes", Value::Number(r.volumes));
  v.Set("bytes", Count(r.bytes));
  v.Set("blobs", Count(r.blobs));
  return v;
}

Value MissingVolume(const std::string& set, int volume, int volumes) {
  Value v = Start(kMissingVolume);
  v.Set("set", Value::String(set));
  v.Set("volume", Value::Number(volume));
  v.Set("volumes", Value::Number(volumes));
  return v;
}

Value Refused(const std::string& path, const std::string& error) {
  Value v = Start(kRefused);
  v.Set("path", Value::String(path));
  v.Set("error", Value::String(error));
  return v;
}

void SetCopyResult(Value& record, const CopyResult& r) {
  SetIf(record, "origin", r.origin);
  record.Set("digest", Value::String(r.digest));
  record.Set("media_type", Value::String(r.media_type));
  record.Set("status", Value::String(r.status));
  record.Set("bytes_copied", Count(r.bytes_copied));
  if (r.bytes_resumed > 0) record.Set("bytes_resumed", Count(r.bytes_resumed));
  record.Set("blobs_copied", Value::Number(r.blobs_copied));
  record.Set("blobs_skipped", Value::Number(r.blobs_skipped));
  record.Set("blobs_mounted", Value::Number(r.blobs_mounted));
}

void SetCopyFailure(Value& record, const std::string& error, Code code) {
  record.Set("status", Value::String("failed"));
  record.Set("error", Value::String(error));
  record.Set("code", Value::String(CodeName(code)));
}

}  // namespace mk::records
