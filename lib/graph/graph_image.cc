#include "graph/graph_image.h"

#include <algorithm>
#include <cstring>

#include "json/value.h"
#include "oci/image_config.h"
#include "oci/media_types.h"
#include "store/blob_stream.h"
#include "store/registry_store.h"

namespace mk::graph {
namespace {

json::Value DescriptorJson(const oci::Descriptor& d) {
  json::Value v = json::Value::Object();
  v.Set("mediaType", json::Value::String(d.media_type));
  v.Set("digest", json::Value::String(d.digest.str()));
  v.Set("size", json::Value::Number(d.size));
  return v;
}

// The base's image manifest: itself, or the child for arch of a list.
Result<oci::Manifest> ReadBase(store::Store& from, const Reference& ref, const std::string& arch) {
  MK_ASSIGN_OR_RETURN(oci::Manifest m, from.GetManifest(ref));
  if (m.is_schema1()) return InvalidArgument("base " + ref.String() + " is a schema 1 image; convert it first");
  if (!m.is_index()) return m;
  const std::string goarch = oci::GoArch(arch);
  for (const auto& child : m.manifests) {
    if (!child.platform || child.platform->architecture != goarch) continue;
    if (!child.platform->os.empty() && child.platform->os != "linux") continue;
    MK_ASSIGN_OR_RETURN(oci::Manifest c, from.GetManifest(ref.WithDigest(child.digest)));
    if (c.is_index() || c.is_schema1())
      return InvalidArgument("base " + ref.String() + ": its " + arch + " entry is not an image manifest");
    return c;
  }
  return NotFound("base " + ref.String() + " is a list without a linux/" + goarch + " image");
}

}  // namespace

Result<json::Value> ConfigWithLayer(std::string_view base_config, const Digest& diff_id, const std::string& created_by,
                                    const std::string& comment, const std::string& what) {
  MK_ASSIGN_OR_RETURN(json::Value config, json::Value::Parse(base_config));
  if (!config.is_object()) return InvalidArgument(what + " is not a JSON object");
  json::Value* rootfs = config.Find("rootfs");
  if (!rootfs || !rootfs->is_object()) {
    config.Set("rootfs", json::Value::Object());
    rootfs = config.Find("rootfs");
    rootfs->Set("type", json::Value::String("layers"));
  }
  json::Value* diff_ids = rootfs->Find("diff_ids");
  if (!diff_ids || !diff_ids->is_array()) {
    rootfs->Set("diff_ids", json::Value::Array());
    diff_ids = rootfs->Find("diff_ids");
  }
  diff_ids->Append(json::Value::String(diff_id.str()));
  // No history at all is valid; a history must otherwise count every layer.
  if (json::Value* history = config.Find("history"); history && history->is_array()) {
    json::Value entry = json::Value::Object();
    entry.Set("created_by", json::Value::String(created_by));
    entry.Set("comment", json::Value::String(comment));
    history->Append(std::move(entry));
  }
  return config;
}

Result<std::string> GraphConfig(std::string_view base_config, const Digest& diff_id) {
  MK_ASSIGN_OR_RETURN(json::Value config, ConfigWithLayer(base_config, diff_id,
                                                          std::string("mirrorkit graph-image: ADD graph-data /") +
                                                              std::string(kGraphDataDir) + "/",
                                                          "OpenShift Update Service graph data", "base image config"));
  json::Value* cfg = config.Find("config");
  if (!cfg || !cfg->is_object()) {
    config.Set("config", json::Value::Object());
    cfg = config.Find("config");
  }
  json::Value cmd = json::Value::Array();
  cmd.Append(json::Value::String("/bin/bash"));
  cmd.Append(json::Value::String("-c"));
  cmd.Append(json::Value::String(kGraphCmd));
  cfg->Set("Cmd", std::move(cmd));
  // An Entrypoint of the base would take the Cmd as its arguments.
  cfg->Erase("Entrypoint");
  return config.Serialize();
}

Result<oci::Manifest> GraphManifest(const oci::Manifest& base, const oci::Descriptor& config,
                                    const oci::Descriptor& layer) {
  MK_ASSIGN_OR_RETURN(json::Value m, json::Value::Parse(base.raw));
  json::Value* layers = m.Find("layers");
  if (!m.is_object() || !layers || !layers->is_array())
    return InvalidArgument("base manifest " + base.digest.str() + " has no layers array");
  json::Value* old_config = m.Find("config");
  json::Value new_config = DescriptorJson(config);
  if (old_config && old_config->is_object()) {
    new_config = *old_config;  // keeps annotations and the like
    new_config.Set("digest", json::Value::String(config.digest.str()));
    new_config.Set("size", json::Value::Number(config.size));
  }
  m.Set("config", std::move(new_config));
  layers->Append(DescriptorJson(layer));
  return oci::Manifest::Parse(m.Serialize(), base.media_type);
}

std::vector<std::string> ComponentLikeTags(const std::vector<std::string>& tags) {
  std::vector<std::string> sorted = tags, out;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& t : sorted) {
    // A prefix of t sorts before t: look back for one followed by '-'.
    for (size_t dash = t.find('-'); dash != std::string::npos; dash = t.find('-', dash + 1)) {
      if (std::binary_search(sorted.begin(), sorted.end(), t.substr(0, dash))) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

Result<std::vector<std::string>> ComponentLikeTagsIn(store::StoreResolver& stores, const Reference& repo) {
  auto* registry = dynamic_cast<store::RegistryStore*>(&stores.ForReference(repo));
  if (!registry) return InvalidArgument(repo.repository() + " is not a registry repository");
  MK_ASSIGN_OR_RETURN(std::vector<std::string> tags, registry->client().ListTags(repo.path()));
  return ComponentLikeTags(tags);
}

Result<GraphImageResult> BuildGraphImage(store::StoreResolver& stores, const GraphImageOptions& options) {
  GraphImageResult result;
  MK_ASSIGN_OR_RETURN(result.layer, BuildGraphLayer(options.graph_data));
  MK_ASSIGN_OR_RETURN(auto from, stores.ForLocation(options.base, false));
  MK_ASSIGN_OR_RETURN(oci::Manifest base, ReadBase(*from.store, from.ref, options.arch));
  if (base.config.digest.empty()) return InvalidArgument("base " + from.ref.String() + " has no config");
  MK_ASSIGN_OR_RETURN(std::string base_config, store::ReadBlobToString(*from.store, from.ref, base.config));
  MK_ASSIGN_OR_RETURN(std::string config_bytes, GraphConfig(base_config, result.layer.diff_id));

  const bool oci_family = base.media_type == oci::kOciManifest;
  oci::Descriptor config{.media_type = base.config.media_type,
                         .digest = Digest::Sha256Of(config_bytes),
                         .size = static_cast<int64_t>(config_bytes.size())};
  oci::Descriptor layer{.media_type = std::string(oci_family ? oci::kOciLayerGzip : oci::kDockerLayerGzip),
                        .digest = result.layer.digest,
                        .size = static_cast<int64_t>(result.layer.gzip.size())};
  MK_ASSIGN_OR_RETURN(oci::Manifest manifest, GraphManifest(base, config, layer));

  MK_ASSIGN_OR_RETURN(auto to, stores.ForLocation(options.to, true));
  for (const auto& d : base.layers) result.base_layers.push_back(d.digest);
  MK_RETURN_IF_ERROR(store::EnsureBlobs(*from.store, from.ref, *to.store, to.ref, base.layers));
  MK_RETURN_IF_ERROR(store::PutMadeBlob(*to.store, to.ref, layer, result.layer.gzip));
  MK_RETURN_IF_ERROR(store::PutMadeBlob(*to.store, to.ref, config, config_bytes));
  MK_RETURN_IF_ERROR(to.store->PutManifest(to.ref, manifest));

  result.digest = manifest.digest;
  result.dest = options.to.dir.empty() ? to.ref.String() : options.to.WithName(to.ref.String()).String();
  if (options.to.dir.empty()) result.dest_repo = to.ref.repository();
  result.base = options.base.dir.empty() ? from.ref.WithDigest(base.digest).String()
                                         : options.base.WithName(from.ref.WithDigest(base.digest).String()).String();
  return result;
}

}  // namespace mk::graph
