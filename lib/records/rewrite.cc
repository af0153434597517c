#include "records/rewrite.h"

#include "base/base64.h"

namespace mk::records {
namespace {

json::Value Str(std::string s) { return json::Value::String(std::move(s)); }

json::Value ManifestJson(const InlineContent& m) {
  json::Value v = json::Value::Object();
  v.Set("media_type", Str(m.media_type));
  v.Set("digest", Str(m.digest.str()));
  v.Set("data", Str(m.data));
  return v;
}

json::Value BlobJson(const InlineContent& b) {
  json::Value v = json::Value::Object();
  v.Set("media_type", Str(b.media_type));
  v.Set("digest", Str(b.digest.str()));
  v.Set("size", json::Value::Number(b.size()));
  v.Set("data_base64", Str(Base64Encode(b.data)));
  return v;
}

Status Bad(const std::string& field, const std::string& what) { return InvalidArgument("\"" + field + "\" " + what); }

Result<std::string> StringField(const json::Value& obj, const std::string& key, const std::string& where) {
  const json::Value* v = obj.Find(key);
  if (!v) return Bad(where + "." + key, "is missing");
  if (!v->is_string()) return Bad(where + "." + key, "is not a string");
  return v->as_string();
}

// One inline item; blob: data_base64 and size instead of data.
Result<InlineContent> ReadItem(const json::Value& obj, const std::string& where, bool blob) {
  if (!obj.is_object()) return Bad(where, "is not an object");
  InlineContent c;
  MK_ASSIGN_OR_RETURN(c.media_type, StringField(obj, "media_type", where));
  MK_ASSIGN_OR_RETURN(std::string digest_text, StringField(obj, "digest", where));
  auto digest = Digest::Parse(digest_text);
  if (!digest.ok()) return Bad(where + ".digest", "is not a digest: " + digest.status().message());
  c.digest = *digest;
  if (blob) {
    MK_ASSIGN_OR_RETURN(std::string b64, StringField(obj, "data_base64", where));
    if (b64.size() > kMaxInlineBlob / 3 * 4 + 4) return Bad(where + ".data_base64", "is too large");
    auto data = Base64Decode(b64);
    if (!data.ok()) return Bad(where + ".data_base64", "is not base64");
    c.data = std::move(*data);
    auto size = obj.GetInt("size");
    if (!size || *size != c.size()) return Bad(where + ".size", "does not match the data");
  } else {
    MK_ASSIGN_OR_RETURN(c.data, StringField(obj, "data", where));
    if (c.data.size() > kMaxInlineManifest) return Bad(where + ".data", "is larger than 4 MiB");
  }
  if (c.digest.algorithm() != "sha256" || Digest::Sha256Of(c.data) != c.digest)
    return Bad(where + ".digest", c.digest.str() + " does not match the data (" + Digest::Sha256Of(c.data).str() + ")");
  return c;
}

Status ReadList(const json::Value& section, const std::string& key, bool blob, std::vector<InlineContent>& out) {
  const json::Value* list = section.Find(key);
  if (!list) return Status::Ok();
  if (!list->is_array()) return Bad("rewrite." + key, "is not an array");
  if (list->items().size() > kMaxInlineItems) return Bad("rewrite." + key, "has too many items");
  for (size_t i = 0; i < list->items().size(); ++i) {
    MK_ASSIGN_OR_RETURN(InlineContent c,
                        ReadItem(list->items()[i], "rewrite." + key + "[" + std::to_string(i) + "]", blob));
    out.push_back(std::move(c));
  }
  return Status::Ok();
}

}  // namespace

void MarkRewritten(json::Value& record, const Digest& source_digest, const Rewritten& rewritten) {
  record.Set("digest", Str(rewritten.manifest.digest.str()));
  record.Set("source_digest", Str(source_digest.str()));
  record.Set("warning",
             Str("rewritten: " + rewritten.manifest.digest.str() + " is not the source's " + source_digest.str() +
                 "; a pull by the source's digest will not find it through a " + "digest mirror"));
  json::Value section = json::Value::Object();
  section.Set("manifest", ManifestJson(rewritten.manifest));
  if (!rewritten.children.empty()) {
    json::Value list = json::Value::Array();
    for (const auto& c : rewritten.children) list.Append(ManifestJson(c));
    section.Set("manifests", std::move(list));
  }
  if (!rewritten.blobs.empty()) {
    json::Value list = json::Value::Array();
    for (const auto& b : rewritten.blobs) list.Append(BlobJson(b));
    section.Set("blobs", std::move(list));
  }
  record.Set("rewrite", std::move(section));
}

bool IsRewritten(const json::Value& record) { return record.Find("rewrite") != nullptr; }

Result<Rewritten> ReadRewritten(const json::Value& record) {
  const json::Value* section = record.Find("rewrite");
  if (!section) return Bad("rewrite", "is missing");
  if (!section->is_object()) return Bad("rewrite", "is not an object");
  Rewritten r;
  const json::Value* top = section->Find("manifest");
  if (!top) return Bad("rewrite.manifest", "is missing");
  MK_ASSIGN_OR_RETURN(r.manifest, ReadItem(*top, "rewrite.manifest", false));
  MK_RETURN_IF_ERROR(ReadList(*section, "manifests", false, r.children));
  MK_RETURN_IF_ERROR(ReadList(*section, "blobs", true, r.blobs));
  auto digest = record.GetString("digest");
  if (!digest || *digest != r.manifest.digest.str())
    return Bad("digest", "is not the rewritten manifest's " + r.manifest.digest.str());
  return r;
}

}  // namespace mk::records
