#include "oci/manifest.h"

#include "base/strings.h"
#include "json/value.h"
#include "oci/media_types.h"

namespace mk::oci {
namespace {

Result<Descriptor> ParseDescriptor(const json::Value& v, std::string_view where) {
  if (!v.is_object()) return InvalidArgument(std::string(where) + ": descriptor is not an object");
  Descriptor d;
  d.media_type = v.GetString("mediaType").value_or("");
  auto digest = v.GetString("digest");
  if (!digest) return InvalidArgument(std::string(where) + ": descriptor without digest");
  auto parsed = Digest::Parse(*digest);
  if (!parsed.ok()) return parsed.status().WithContext(std::string(where));
  d.digest = *parsed;
  auto size = v.GetInt("size");
  if (!size || *size < 0)
    return InvalidArgument(std::string(where) + ": descriptor " + *digest + " without a valid size");
  d.size = *size;
  if (const json::Value* p = v.Find("platform"); p && p->is_object()) {
    Platform plat;
    plat.os = p->GetString("os").value_or("");
    plat.architecture = p->GetString("architecture").value_or("");
    plat.variant = p->GetString("variant").value_or("");
    d.platform = plat;
  }
  if (const json::Value* u = v.Find("urls"); u && u->is_array())
    for (const auto& item : u->items())
      if (item.is_string()) d.urls.push_back(item.as_string());
  if (const json::Value* a = v.Find("annotations"); a && a->is_object())
    for (const auto& [k, val] : a->members())
      if (val.is_string()) d.annotations[k] = val.as_string();
  return d;
}

}  // namespace

std::string Platform::String() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool Manifest::is_index() const { return IsIndex(media_type); }

Result<Manifest> Manifest::Parse(std::string raw, std::string_view content_type) {
  if (raw.size() > kMaxManifestBytes) return InvalidArgument("manifest larger than 4 MiB");
  MK_ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(raw));
  if (!doc.is_object()) return InvalidArgument("manifest is not a JSON object");
  Manifest m;
  m.digest = Digest::Sha256Of(raw);
  auto schema = doc.GetInt("schemaVersion");
  std::string mt = doc.GetString("mediaType").value_or("");
  // Content-Type may carry parameters ("; charset=utf-8").
  std::string ct(Trim(content_type.substr(0, content_type.find(';'))));
  if (mt.empty()) mt = ct;
  if ((schema && *schema == 1) || IsSchema1(mt))
    return Unsupported("docker schema 1 manifest (" + m.digest.str() + ") is not supported; convert it to schema 2");
  if (!IsManifest(mt)) {
    // Neither the document nor the server named a known type: infer it.
    if (doc.Find("manifests"))
      mt = std::string(kOciIndex);
    else if (doc.Find("config") && doc.Find("layers"))
      mt = std::string(kOciManifest);
    else
      return Unsupported("unknown manifest media type " + Quote(mt));
  }
  m.media_type = mt;
  if (IsIndex(mt)) {
    const json::Value* list = doc.Find("manifests");
    if (!list || !list->is_array()) return InvalidArgument("index without a manifests array");
    for (size_t i = 0; i < list->items().size(); ++i) {
      MK_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(list->items()[i], "manifests[" + std::to_string(i) + "]"));
      m.manifests.push_back(std::move(d));
    }
  } else {
    const json::Value* config = doc.Find("config");
    if (!config) return InvalidArgument("image manifest without config");
    MK_ASSIGN_OR_RETURN(m.config, ParseDescriptor(*config, "config"));
    const json::Value* layers = doc.Find("layers");
    if (!layers || !layers->is_array()) return InvalidArgument("image manifest without a layers array");
    for (size_t i = 0; i < layers->items().size(); ++i) {
      MK_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(layers->items()[i], "layers[" + std::to_string(i) + "]"));
      m.layers.push_back(std::move(d));
    }
  }
  m.raw = std::move(raw);
  return m;
}

}  // namespace mk::oci
