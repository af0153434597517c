// Schema1Layers and Schema1ToSchema2 (manifest_rewrite.h).
//
// What docker does when it pulls a schema 1 image (moby's
// distribution/pull_v2.go pullSchema1 and fixManifestLayers, image/v1's
// HistoryFromConfig and MakeConfigFromV1Config), which we follow:
//   - entries are walked oldest first (schema 1 lists them newest first);
//     consecutive entries with the same v1 "id" are one entry; any other
//     repeated id, or a "parent" that is not the next older entry's id, is
//     an invalid manifest (checked when every entry has an id);
//   - an entry whose v1Compatibility says "throwaway": true has no layer
//     (history empty_layer); every other entry is a layer, even when its
//     blob repeats an earlier one (old images repeat the empty tar);
//   - history: created, author, created_by (container_config.Cmd joined by
//     spaces), comment, empty_layer, each only when set;
//   - the config is the newest entry's v1Compatibility without id, parent,
//     Size, parent_id, layer_id and throwaway, plus rootfs {type: layers,
//     diff_ids} and history, its keys in byte order (a Go map's). Where the
//     entry has no architecture we take the manifest's, and no os "linux"
//     (schema 1 images predate other systems); docker's fallback for images
//     built before docker 1.8.3 (re-encoding through its V1Image struct) is
//     not reproduced: such entries keep their extra keys.
// Layers are listed as gzip layers: schema 1 blobs are gzipped tars.
#include <map>
#include <set>

#include "base/strings.h"
#include "mutate/manifest_json.h"
#include "mutate/manifest_rewrite.h"
#include "oci/media_types.h"

namespace mk::mutate {
namespace {

struct V1Entry {
  Digest blob;
  json::Value v1;  // the parsed v1Compatibility object
  std::string id, parent;
  bool throwaway = false;
};

// The entries of a schema 1 manifest, oldest first, checked as docker does.
Result<std::vector<V1Entry>> ReadEntries(const oci::Manifest& m, json::Value* doc_out = nullptr) {
  if (!m.is_schema1()) return InvalidArgument("manifest " + m.digest.str() + " is not Docker schema 1");
  MK_ASSIGN_OR_RETURN(json::Value doc, internal::Document(m));
  const json::Value* history = doc.Find("history");
  if (!history || !history->is_array() || history->items().size() != m.layers.size())
    return InvalidArgument("schema 1 manifest " + m.digest.str() + ": history and fsLayers differ in length");
  std::vector<V1Entry> entries;
  for (size_t n = m.layers.size(); n-- > 0;) {
    const std::string where = "schema 1 manifest " + m.digest.str() + " history[" + std::to_string(n) + "]";
    auto text = history->items()[n].GetString("v1Compatibility");
    if (!text) return InvalidArgument(where + " without v1Compatibility");
    auto v1 = json::Value::Parse(*text);
    if (!v1.ok() || !v1->is_object()) return InvalidArgument(where + ": v1Compatibility is not a JSON object");
    V1Entry e;
    e.blob = m.layers[n].digest;
    e.id = v1->GetString("id").value_or("");
    e.parent = v1->GetString("parent").value_or("");
    const json::Value* throwaway = v1->Find("throwaway");
    e.throwaway = throwaway && throwaway->is_bool() && throwaway->as_bool();
    e.v1 = std::move(v1).value();
    // Consecutive repeats of one id are one entry (docker keeps the older).
    if (!entries.empty() && !e.id.empty() && e.id == entries.back().id) continue;
    entries.push_back(std::move(e));
  }
  bool all_ids = true;
  for (const auto& e : entries) all_ids = all_ids && !e.id.empty();
  if (all_ids) {
    std::set<std::string> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!seen.insert(entries[i].id).second)
        return InvalidArgument("schema 1 manifest " + m.digest.str() + ": v1 id " + entries[i].id +
                               " appears more than once");
      const std::string want = i == 0 ? "" : entries[i - 1].id;
      if (entries[i].parent != want)
        return InvalidArgument("schema 1 manifest " + m.digest.str() + ": v1 id " + entries[i].id + " has parent " +
                               Quote(entries[i].parent) + ", expected " + Quote(want));
    }
  }
  if (doc_out) *doc_out = std::move(doc);
  return entries;
}

json::Value HistoryEntry(const V1Entry& e) {
  json::Value h = json::Value::Object();
  auto set_string = [&](const char* to, const char* from) {
    auto v = e.v1.GetString(from);
    if (v && !v->empty()) h.Set(to, json::Value::String(*v));
  };
  set_string("created", "created");
  set_string("author", "author");
  if (const json::Value* cc = e.v1.Find("container_config"); cc && cc->is_object()) {
    if (const json::Value* cmd = cc->Find("Cmd"); cmd && cmd->is_array()) {
      std::vector<std::string> words;
      for (const auto& w : cmd->items())
        if (w.is_string()) words.push_back(w.as_string());
      std::string joined = Join(words, " ");
      if (!joined.empty()) h.Set("created_by", json::Value::String(joined));
    }
  }
  set_string("comment", "comment");
  if (e.throwaway) h.Set("empty_layer", json::Value::Bool(true));
  return h;
}

}  // namespace

Result<std::vector<Digest>> Schema1Layers(const oci::Manifest& schema1) {
  MK_ASSIGN_OR_RETURN(std::vector<V1Entry> entries, ReadEntries(schema1));
  std::vector<Digest> out;
  std::set<Digest> seen;
  for (const auto& e : entries)
    if (!e.throwaway && seen.insert(e.blob).second) out.push_back(e.blob);
  return out;
}

Result<Rewrite> Schema1ToSchema2(const oci::Manifest& schema1, const std::vector<Schema1Layer>& layers) {
  json::Value doc;
  MK_ASSIGN_OR_RETURN(std::vector<V1Entry> entries, ReadEntries(schema1, &doc));
  const std::string what = "schema 1 manifest " + schema1.digest.str();
  std::map<Digest, const Schema1Layer*> by_blob;
  for (const auto& l : layers) {
    if (l.blob.empty() || l.diff_id.empty() || l.size < 0)
      return InvalidArgument(what + ": layer " + l.blob.str() + " without a size and diff_id");
    by_blob[l.blob] = &l;
  }
  MK_ASSIGN_OR_RETURN(std::vector<Digest> wanted, Schema1Layers(schema1));
  if (wanted.size() != by_blob.size())
    return InvalidArgument(what + ": " + std::to_string(wanted.size()) + " distinct layers, " +
                           std::to_string(layers.size()) + " described");
  for (const auto& d : wanted)
    if (!by_blob.count(d)) return InvalidArgument(what + ": layer " + d.str() + " is not described");

  json::Value history = json::Value::Array();
  json::Value diff_ids = json::Value::Array();
  json::Value manifest_layers = json::Value::Array();
  for (const auto& e : entries) {
    history.Append(HistoryEntry(e));
    if (e.throwaway) continue;
    const Schema1Layer& l = *by_blob.at(e.blob);
    diff_ids.Append(json::Value::String(l.diff_id.str()));
    manifest_layers.Append(internal::DescriptorJson(oci::kDockerLayerGzip, l.size, l.blob));
  }
  json::Value config = entries.back().v1;  // the newest entry
  for (const char* key : {"id", "parent", "Size", "parent_id", "layer_id", "throwaway"}) config.Erase(key);
  if (!config.GetString("architecture") || config.GetString("architecture")->empty()) {
    auto arch = doc.GetString("architecture");
    if (arch && !arch->empty()) config.Set("architecture", json::Value::String(*arch));
  }
  if (!config.GetString("os") || config.GetString("os")->empty()) config.Set("os", json::Value::String("linux"));
  json::Value rootfs = json::Value::Object();
  rootfs.Set("type", json::Value::String("layers"));
  rootfs.Set("diff_ids", std::move(diff_ids));
  config.Set("rootfs", std::move(rootfs));
  config.Set("history", std::move(history));
  std::string config_bytes = internal::SortedObject(config).Serialize();

  NewBlob blob;
  blob.data = std::move(config_bytes);
  blob.descriptor.media_type = std::string(oci::kDockerConfig);
  blob.descriptor.digest = Digest::Sha256Of(blob.data);
  blob.descriptor.size = static_cast<int64_t>(blob.data.size());

  json::Value out = json::Value::Object();
  out.Set("schemaVersion", json::Value::Number(2));
  out.Set("mediaType", json::Value::String(std::string(oci::kDockerManifest)));
  out.Set("config", internal::DescriptorJson(oci::kDockerConfig, blob.descriptor.size, blob.descriptor.digest));
  out.Set("layers", std::move(manifest_layers));
  MK_ASSIGN_OR_RETURN(oci::Manifest m, internal::Finish(out, oci::kDockerManifest));
  Rewrite r;
  r.manifest = std::move(m);
  r.blobs.push_back(std::move(blob));
  return r;
}

}  // namespace mk::mutate
