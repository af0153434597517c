#include "catalog/prune_documents.h"

namespace mk::catalog {

DocumentFilter::DocumentFilter(const Catalog& catalog, const Selection& selection) {
  for (const auto& p : selection.packages) {
    const std::string& package = catalog.packages[p.package].name;
    default_channel_[package] = p.default_channel;
    for (const auto& c : p.channels) {
      const Channel& channel = catalog.channels[c.channel];
      auto& kept = channels_[{package, channel.name}];
      for (size_t e : c.entries) kept.insert(channel.entries[e].name);
    }
    for (size_t b : p.bundles) bundles_.insert({package, catalog.bundles[b].name});
  }
}

std::string DocumentFilter::PackageOf(const json::Value& doc) {
  if (doc.GetString("schema").value_or("") == "olm.package") return doc.GetString("name").value_or("");
  return doc.GetString("package").value_or("");
}

std::optional<json::Value> DocumentFilter::Filter(const json::Value& doc) const {
  if (!doc.is_object()) return std::nullopt;
  const auto schema = doc.GetString("schema");
  if (!schema) return std::nullopt;
  const std::string package = PackageOf(doc);
  if (package.empty()) return doc;
  auto kept_package = default_channel_.find(package);
  if (kept_package == default_channel_.end()) return std::nullopt;
  const std::string name = doc.GetString("name").value_or("");

  if (*schema == "olm.package") {
    json::Value out = doc;
    out.Set("defaultChannel", json::Value::String(kept_package->second));
    return out;
  }
  if (*schema == "olm.bundle") {
    if (!bundles_.count({package, name})) return std::nullopt;
    return doc;
  }
  if (*schema == "olm.channel") {
    auto kept = channels_.find({package, name});
    if (kept == channels_.end()) return std::nullopt;
    json::Value out = doc;
    json::Value entries = json::Value::Array();
    if (const json::Value* in = doc.Find("entries"); in && in->is_array()) {
      for (const auto& e : in->items()) {
        if (!e.is_object() || !kept->second.count(e.GetString("name").value_or(""))) continue;
        json::Value entry = e;
        if (auto replaces = e.GetString("replaces"); replaces && !kept->second.count(*replaces))
          entry.Erase("replaces");
        entries.Append(std::move(entry));
      }
    }
    out.Set("entries", std::move(entries));
    return out;
  }
  if (*schema == "olm.deprecations") {
    json::Value out = doc;
    json::Value entries = json::Value::Array();
    if (const json::Value* in = doc.Find("entries"); in && in->is_array()) {
      for (const auto& e : in->items()) {
        const json::Value* ref = e.Find("reference");
        if (!ref) continue;
        const std::string ref_schema = ref->GetString("schema").value_or("");
        const std::string ref_name = ref->GetString("name").value_or("");
        if ((ref_schema == "olm.package") || (ref_schema == "olm.channel" && channels_.count({package, ref_name})) ||
            (ref_schema == "olm.bundle" && bundles_.count({package, ref_name})))
          entries.Append(e);
      }
    }
    if (entries.size() == 0) return std::nullopt;
    out.Set("entries", std::move(entries));
    return out;
  }
  return doc;
}

std::string CacheDir(std::string_view config_raw) {
  std::string dir = "tmp/cache";
  auto config = json::Value::Parse(config_raw);
  if (!config.ok()) return dir;
  const json::Value* cfg = config->Find("config");
  if (!cfg) return dir;
  for (const char* key : {"Entrypoint", "Cmd"}) {
    const json::Value* args = cfg->Find(key);
    if (!args || !args->is_array()) continue;
    const auto& items = args->items();
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) continue;
      const std::string& a = items[i].as_string();
      if (a.rfind("--cache-dir=", 0) == 0) {
        dir = a.substr(12);
      } else if (a == "--cache-dir" && i + 1 < items.size() && items[i + 1].is_string()) {
        dir = items[i + 1].as_string();
      }
    }
  }
  while (!dir.empty() && dir.front() == '/') dir.erase(0, 1);
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string PackageDirName(const std::string& package, size_t n) {
  bool safe = !package.empty() && package.size() <= 200 && package.front() != '.';
  for (char c : package)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      safe = false;
  return safe ? package : "package-" + std::to_string(n);
}

}  // namespace mk::catalog
