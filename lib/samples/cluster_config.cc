#include "samples/cluster_config.h"

#include "records/reader.h"

namespace mk::samples {
namespace {

json::Value Str(const std::string& s) { return json::Value::String(s); }

json::Value Meta(const std::string& name, const std::string& ns = "") {
  json::Value m = json::Value::Object();
  m.Set("name", Str(name));
  if (!ns.empty()) m.Set("namespace", Str(ns));
  return m;
}

json::Value Object(const std::string& api, const std::string& kind, json::Value meta) {
  json::Value o = json::Value::Object();
  o.Set("apiVersion", Str(api));
  o.Set("kind", Str(kind));
  o.Set("metadata", std::move(meta));
  return o;
}

}  // namespace

Result<std::map<std::string, bool>> ParseCopyResults(std::string_view text, const std::string& name) {
  std::map<std::string, bool> out;
  Status bad;
  MK_RETURN_IF_ERROR(records::ReadRecordsIn(text, [&](records::InputLine& in) {
    if (!in.problem.ok()) {
      bad = InvalidArgument(name + ": line " + std::to_string(in.line) + ": " + in.problem.message());
      return false;
    }
    auto dest = in.record.GetString("dest");
    if (!dest) return true;
    auto status = in.record.GetString("status");
    bool ok = !in.record.Find("error") && (status == "copied" || status == "present");
    auto it = out.find(*dest);
    out[*dest] = ok && (it == out.end() || it->second);
    return true;
  }));
  if (!bad.ok()) return bad;
  return out;
}

std::string TrustedCaKey(const std::string& mirror) {
  std::string host = mirror.substr(0, mirror.find('/'));
  size_t colon = host.rfind(':');
  if (colon == std::string::npos || host.back() == ']') return host;
  return host.substr(0, colon) + ".." + host.substr(colon + 1);
}

std::set<std::string> SkippedStreams(const Selection& selection, const ConfigOptions& options) {
  // Streams not mirrored at all would make the operator go Degraded too.
  std::set<std::string> skipped = selection.unselected_streams;
  for (const auto& s : selection.skipped) skipped.insert(s.stream);
  if (options.results) {
    for (const auto& m : selection.mappings) {
      auto it = options.results->find(m.dest.String());
      if (it != options.results->end() && it->second) continue;
      for (const auto& st : m.stream_tags) skipped.insert(st.substr(0, st.find(':')));
    }
  }
  return skipped;
}

Result<json::Value> ClusterObjects(const Selection& selection, const ConfigOptions& options) {
  json::Value items = json::Value::Array();
  if (options.ca_pem) {
    if (options.ca_pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      return InvalidArgument("the mirror CA file holds no PEM certificate");
    // The ConfigMap is readable cluster-wide: never carry a key into it.
    if (options.ca_pem->find("PRIVATE KEY-----") != std::string::npos)
      return InvalidArgument("the mirror CA file holds a private key; give only the CA certificate");
    json::Value cm = Object("v1", "ConfigMap", Meta("registry-config", "openshift-config"));
    json::Value data = json::Value::Object();
    data.Set(TrustedCaKey(options.mirror), Str(*options.ca_pem));
    cm.Set("data", std::move(data));
    items.Append(std::move(cm));

    json::Value image = Object("config.openshift.io/v1", "Image", Meta("cluster"));
    json::Value ca = json::Value::Object();
    ca.Set("name", Str("registry-config"));
    json::Value spec = json::Value::Object();
    spec.Set("additionalTrustedCA", std::move(ca));
    image.Set("spec", std::move(spec));
    items.Append(std::move(image));
  }

  json::Value config = Object("samples.operator.openshift.io/v1", "Config", Meta("cluster"));
  json::Value spec = json::Value::Object();
  spec.Set("samplesRegistry", Str(options.mirror.substr(0, options.mirror.find_last_not_of('/') + 1)));
  json::Value skipped = json::Value::Array();
  for (const auto& s : SkippedStreams(selection, options)) skipped.Append(Str(s));
  spec.Set("skippedImagestreams", std::move(skipped));
  config.Set("spec", std::move(spec));
  items.Append(std::move(config));

  json::Value list = Object("v1", "List", json::Value::Object());
  list.Erase("metadata");
  list.Set("items", std::move(items));
  return list;
}

Result<json::Value> MustGatherImport(const ImageStreams& streams) {
  json::Value images = json::Value::Array();
  for (const auto& t : streams.tags) {
    if (t.stream != "must-gather" || t.from_kind != "DockerImage") continue;
    json::Value from = json::Value::Object();
    from.Set("kind", Str("DockerImage"));
    from.Set("name", Str(t.from_name));
    json::Value to = json::Value::Object();
    to.Set("name", Str(t.tag));
    json::Value image = json::Value::Object();
    image.Set("from", std::move(from));
    image.Set("to", std::move(to));
    images.Append(std::move(image));
  }
  if (images.size() == 0) return NotFound("the input has no must-gather image stream with a DockerImage tag");
  json::Value isi = Object("image.openshift.io/v1", "ImageStreamImport", Meta("must-gather", "openshift"));
  json::Value spec = json::Value::Object();
  spec.Set("import", json::Value::Bool(true));
  spec.Set("images", std::move(images));
  isi.Set("spec", std::move(spec));
  return isi;
}

}  // namespace mk::samples
