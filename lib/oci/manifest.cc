#include "oci/manifest.h"

#include "base/base64.h"
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

// base64url without padding (RFC 7515 section 2), as JWS writes it.
Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string std_text(text);
  for (char& c : std_text) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
  }
  return Base64Decode(std_text);
}

// The signed payload of a libtrust "pretty" JWS (docker/libtrust
// jsonsign.go, ParsePrettySignature): the document up to formatLength, then
// the base64url formatTail of a signature's protected header ("\n}" and the
// like) in place of the "signatures" member. Every signature must agree.
Result<std::string> Schema1SignedPayload(const json::Value& signatures, std::string_view raw) {
  std::optional<int64_t> length;
  std::string tail;
  for (const auto& sig : signatures.items()) {
    auto protected_b64 = sig.GetString("protected");
    if (!protected_b64) return InvalidArgument("schema 1 signature without a protected header");
    auto header_text = Base64UrlDecode(*protected_b64);
    if (!header_text.ok()) return InvalidArgument("schema 1 signature: protected header is not base64url");
    auto header = json::Value::Parse(*header_text);
    if (!header.ok() || !header->is_object())
      return InvalidArgument("schema 1 signature: protected header is not JSON");
    auto len = header->GetInt("formatLength");
    auto tail_b64 = header->GetString("formatTail");
    if (!len || !tail_b64) return InvalidArgument("schema 1 signature without formatLength and formatTail");
    auto this_tail = Base64UrlDecode(*tail_b64);
    if (!this_tail.ok()) return InvalidArgument("schema 1 signature: formatTail is not base64url");
    if (length && (*length != *len || tail != *this_tail))
      return InvalidArgument("schema 1 signatures disagree on the signed payload");
    length = *len;
    tail = *this_tail;
  }
  if (!length || *length < 0 || static_cast<size_t>(*length) > raw.size())
    return InvalidArgument("schema 1 signature: formatLength outside the document");
  return std::string(raw.substr(0, static_cast<size_t>(*length))) + tail;
}

Status ParseSchema1(const json::Value& doc, Manifest& m) {
  const json::Value* fs = doc.Find("fsLayers");
  const json::Value* history = doc.Find("history");
  if (!fs || !fs->is_array() || fs->items().empty())
    return InvalidArgument("schema 1 manifest " + m.digest.str() + " without fsLayers");
  if (!history || !history->is_array() || history->items().size() != fs->items().size())
    return InvalidArgument("schema 1 manifest " + m.digest.str() + ": history and fsLayers differ in length");
  for (size_t i = 0; i < fs->items().size(); ++i) {
    const json::Value& entry = fs->items()[i];
    auto sum = entry.is_object() ? entry.GetString("blobSum") : std::nullopt;
    if (!sum) return InvalidArgument("schema 1 fsLayers[" + std::to_string(i) + "] without blobSum");
    auto d = Digest::Parse(*sum);
    if (!d.ok()) return d.status().WithContext("schema 1 fsLayers[" + std::to_string(i) + "]");
    const json::Value& h = history->items()[i];
    if (!h.is_object() || !h.GetString("v1Compatibility"))
      return InvalidArgument("schema 1 history[" + std::to_string(i) + "] without v1Compatibility");
    Descriptor layer;
    layer.media_type = std::string(kDockerSchema1Layer);
    layer.digest = *d;
    m.layers.push_back(std::move(layer));
  }
  return Status::Ok();
}

}  // namespace

std::string Platform::String() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool Manifest::is_index() const { return IsIndex(media_type); }
bool Manifest::is_schema1() const { return IsSchema1(media_type); }

Result<Manifest> Manifest::Parse(std::string raw, std::string_view content_type) {
  if (raw.size() > kMaxManifestBytes) return InvalidArgument("manifest larger than 4 MiB");
  return ParseUncapped(std::move(raw), content_type);
}

Result<Manifest> Manifest::ParseLayoutIndex(std::string raw) {
  if (raw.size() > kMaxLayoutIndexBytes) return InvalidArgument("index.json larger than 64 MiB");
  MK_ASSIGN_OR_RETURN(Manifest m, ParseUncapped(std::move(raw), kOciIndex));
  if (!m.is_index()) return InvalidArgument("index.json is not an image index");
  return m;
}

Result<Manifest> Manifest::ParseUncapped(std::string raw, std::string_view content_type) {
  MK_ASSIGN_OR_RETURN(json::Value doc, json::Value::Parse(raw));
  if (!doc.is_object()) return InvalidArgument("manifest is not a JSON object");
  Manifest m;
  m.digest = Digest::Sha256Of(raw);
  auto schema = doc.GetInt("schemaVersion");
  std::string mt = doc.GetString("mediaType").value_or("");
  // Content-Type may carry parameters ("; charset=utf-8").
  std::string ct(Trim(content_type.substr(0, content_type.find(';'))));
  if (mt.empty()) mt = ct;
  if ((schema && *schema == 1) || IsSchema1(mt)) {
    const json::Value* sigs = doc.Find("signatures");
    if (sigs && sigs->is_array() && !sigs->items().empty()) {
      MK_ASSIGN_OR_RETURN(std::string payload, Schema1SignedPayload(*sigs, raw));
      m.digest = Digest::Sha256Of(payload);
      m.media_type = std::string(kDockerSchema1Signed);
    } else {
      m.media_type = std::string(kDockerSchema1);
    }
    MK_RETURN_IF_ERROR(ParseSchema1(doc, m));
    m.raw = std::move(raw);
    return m;
  }
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
