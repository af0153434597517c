// Convert (manifest_rewrite.h): Docker schema 2 <-> OCI.
//
// What changes: the media types of the manifest or index, of its config and
// of its layers (LayerTypeFor's table), and an index's references to the
// children it converts. Blob bytes never change, so sizes and digests of
// configs and layers stay.
//
// Docker schema 2 (distribution's manifest-v2-2.md) defines fewer fields
// than OCI (image-spec manifest.md, image-index.md, descriptor.md). OCI ->
// Docker therefore:
//   - drops "annotations" (manifest, index and descriptors) and the
//     descriptor fields "data" and "artifactType": metadata with no Docker
//     field; a registry that takes only Docker types may check the schema;
//   - refuses (kUnsupported) what would change meaning if dropped: a
//     manifest with "subject" or "artifactType" (an artifact, a referrer),
//     a config that is not an image config, an index entry without the
//     platform a Docker list requires, and an index nested in an index.
// Fields neither spec defines are kept as they are, and Docker -> OCI keeps
// everything (each Docker field has its OCI counterpart, including the
// platform's os.version, os.features, variant and features).
#include <utility>

#include "mutate/manifest_json.h"
#include "mutate/manifest_rewrite.h"
#include "oci/media_types.h"

namespace mk::mutate {
namespace {

constexpr int kMaxDepth = oci::kMaxIndexDepth;

struct TypePair {
  std::string_view docker, oci;
};
constexpr TypePair kLayerTypes[] = {
    {oci::kDockerLayerGzip, oci::kOciLayerGzip},       {oci::kDockerLayer, oci::kOciLayer},
    {oci::kDockerLayerZstd, oci::kOciLayerZstd},       {oci::kDockerForeignLayerGzip, oci::kOciForeignLayerGzip},
    {oci::kDockerForeignLayer, oci::kOciForeignLayer},
};

Result<std::string> LayerTypeFor(std::string_view media_type, Format to) {
  for (const auto& pair : kLayerTypes) {
    if (media_type == pair.docker || media_type == pair.oci)
      return std::string(to == Format::kOci ? pair.oci : pair.docker);
  }
  return Unsupported("layer media type " + std::string(media_type) + " has no " +
                     (to == Format::kOci ? "OCI" : "Docker schema 2") + " counterpart");
}

Result<std::string> ConfigTypeFor(std::string_view media_type, Format to) {
  if (media_type == oci::kDockerConfig || media_type == oci::kOciConfig)
    return std::string(to == Format::kOci ? oci::kOciConfig : oci::kDockerConfig);
  return Unsupported("config media type " + std::string(media_type) + " is not an image config; it has no " +
                     (to == Format::kOci ? "OCI" : "Docker schema 2") + " counterpart");
}

// Removes the OCI fields a Docker descriptor cannot carry.
json::Value DockerDescriptor(json::Value d) {
  d.Erase("annotations");
  d.Erase("data");
  d.Erase("artifactType");
  return d;
}

Status RefuseArtifact(const json::Value& doc, const oci::Manifest& m) {
  if (doc.Find("subject"))
    return Unsupported("manifest " + m.digest.str() + " has a subject (a referrer); Docker schema 2 has no such field");
  if (doc.Find("artifactType"))
    return Unsupported("manifest " + m.digest.str() +
                       " is an OCI artifact (artifactType); it has no Docker schema 2 form");
  return Status::Ok();
}

Result<Rewrite> ConvertImage(const oci::Manifest& m, Format to) {
  const std::string_view target = to == Format::kOci ? oci::kOciManifest : oci::kDockerManifest;
  MK_ASSIGN_OR_RETURN(json::Value doc, internal::Document(m));
  const std::string original = doc.Serialize();
  if (to == Format::kDocker) {
    MK_RETURN_IF_ERROR(RefuseArtifact(doc, m));
    doc.Erase("annotations");
  }
  json::Value* config = doc.Find("config");
  const json::Value* layers = doc.Find("layers");
  if (!config || !config->is_object() || !layers || !layers->is_array())
    return InvalidArgument("manifest " + m.digest.str() + " without config and layers");
  auto config_type = ConfigTypeFor(config->GetString("mediaType").value_or(""), to);
  if (!config_type.ok()) return config_type.status().WithContext("manifest " + m.digest.str());
  json::Value new_config = to == Format::kDocker ? DockerDescriptor(*config) : *config;
  new_config.Set("mediaType", json::Value::String(*config_type));
  json::Value new_layers = json::Value::Array();
  for (size_t i = 0; i < layers->items().size(); ++i) {
    const json::Value& layer = layers->items()[i];
    auto type = LayerTypeFor(layer.GetString("mediaType").value_or(""), to);
    if (!type.ok())
      return type.status().WithContext("manifest " + m.digest.str() + " layers[" + std::to_string(i) + "]");
    json::Value new_layer = to == Format::kDocker ? DockerDescriptor(layer) : layer;
    new_layer.Set("mediaType", json::Value::String(*type));
    new_layers.Append(std::move(new_layer));
  }
  doc.Set("config", std::move(new_config));
  doc.Set("layers", std::move(new_layers));
  // Already in the target format with nothing to change: the input itself,
  // same bytes (a document that needed a change, such as a Docker layer
  // type in an OCI manifest, is rewritten even though its type stays).
  if (m.media_type == target && doc.Serialize() == original) return Rewrite{m, {}, {}};
  MK_ASSIGN_OR_RETURN(oci::Manifest out, internal::Finish(internal::WithMediaType(doc, target), target));
  return Rewrite{std::move(out), {}, {}};
}

Result<Rewrite> ConvertAt(const oci::Manifest& m, Format to, const ManifestGetter& get_child, int depth);

Result<Rewrite> ConvertIndex(const oci::Manifest& m, Format to, const ManifestGetter& get_child, int depth) {
  const std::string_view target = to == Format::kOci ? oci::kOciIndex : oci::kDockerManifestList;
  MK_ASSIGN_OR_RETURN(json::Value doc, internal::Document(m));
  const std::string original = doc.Serialize();
  if (to == Format::kDocker) {
    MK_RETURN_IF_ERROR(RefuseArtifact(doc, m));
    doc.Erase("annotations");
  }
  const json::Value* list = doc.Find("manifests");
  if (!list || !list->is_array() || list->items().size() != m.manifests.size())
    return Internal("index " + m.digest.str() + ": manifests do not match its parsed descriptors");
  Rewrite out;
  json::Value entries = json::Value::Array();
  for (size_t i = 0; i < m.manifests.size(); ++i) {
    const oci::Descriptor& desc = m.manifests[i];
    const std::string where = "index " + m.digest.str() + " manifests[" + std::to_string(i) + "] " + desc.digest.str();
    if (to == Format::kDocker && !desc.platform)
      return Unsupported(where + " has no platform, which a Docker manifest list requires");
    auto child = get_child(desc.digest);
    if (!child.ok()) return child.status().WithContext(where);
    if (child->digest != desc.digest) return DataLoss(where + ": the child read is " + child->digest.str());
    if (static_cast<int64_t>(child->raw.size()) != desc.size)
      return DataLoss(where + " has " + std::to_string(child->raw.size()) + " bytes, the index says " +
                      std::to_string(desc.size));
    if (to == Format::kDocker && child->is_index())
      return Unsupported(where + " is a nested index, which a Docker manifest list cannot hold");
    auto converted = ConvertAt(*child, to, get_child, depth + 1);
    if (!converted.ok()) return converted.status().WithContext(where);
    json::Value entry = to == Format::kDocker ? DockerDescriptor(list->items()[i]) : list->items()[i];
    const oci::Manifest& now = converted->manifest;
    entry.Set("mediaType", json::Value::String(now.media_type));
    entry.Set("size", json::Value::Number(static_cast<int64_t>(now.raw.size())));
    entry.Set("digest", json::Value::String(now.digest.str()));
    entries.Append(std::move(entry));
    if (now.digest != child->digest) {
      for (auto& grandchild : converted->children) out.children.push_back(std::move(grandchild));
      out.children.push_back(now);
    }
  }
  doc.Set("manifests", std::move(entries));
  if (m.media_type == target && doc.Serialize() == original) return Rewrite{m, {}, {}};
  MK_ASSIGN_OR_RETURN(out.manifest, internal::Finish(internal::WithMediaType(doc, target), target));
  return out;
}

Result<Rewrite> ConvertAt(const oci::Manifest& m, Format to, const ManifestGetter& get_child, int depth) {
  if (depth > kMaxDepth)
    return InvalidArgument("manifest " + m.digest.str() + ": indexes nested deeper than " + std::to_string(kMaxDepth));
  if (m.is_schema1())
    return InvalidArgument(
        "manifest " + m.digest.str() +
        " is Docker schema 1; its conversion needs its layers' sizes and diff_ids (Schema1ToSchema2)");
  if (m.is_index()) return ConvertIndex(m, to, get_child, depth);
  if (oci::IsImageManifest(m.media_type)) return ConvertImage(m, to);
  return Unsupported("manifest " + m.digest.str() + " has media type " + m.media_type + ", which is not converted");
}

}  // namespace

Result<Rewrite> Convert(const oci::Manifest& manifest, Format to, const ManifestGetter& get_child) {
  return ConvertAt(manifest, to, get_child, 0);
}

}  // namespace mk::mutate
