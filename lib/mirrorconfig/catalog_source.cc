#include "mirrorconfig/catalog_source.h"

#include <algorithm>
#include <set>
#include <vector>

#include "mirrorconfig/yaml_writer.h"
#include "ref/reference.h"

namespace mk::mirrorconfig {

Result<bool> CatalogSourceInput::AddRecord(const json::Value& record) {
  if (record.GetString("kind").value_or("") != "catalog") return false;
  if (record.Find("error")) return false;  // a failure is reported by whoever reads it
  const auto dest = record.GetString("dest");
  if (!dest) return false;
  const std::string source = record.GetString("source").value_or("?");
  if (dest->rfind("dir:", 0) == 0)
    return InvalidArgument("catalog " + source + ": dest " + *dest +
                           " is a directory, not a registry a cluster can pull the catalog from");
  auto ref = Reference::Parse(*dest);
  if (!ref.ok()) return InvalidArgument("catalog " + source + ": dest: " + ref.status().message());
  auto digest = Digest::Parse(record.GetString("pruned_digest").value_or(""));
  if (!digest.ok())
    return InvalidArgument("catalog " + source + " written to " + *dest +
                           " has no valid \"pruned_digest\": a CatalogSource names its image by digest");
  std::string name = record.GetString("name").value_or("");
  if (name.empty()) {
    const std::string& path = ref->path();
    name = path.substr(path.rfind('/') + 1);
  }
  catalogs_.emplace(ref->repository() + "@" + digest->str(), name);
  return true;
}

std::string CatalogSourceName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    out += ok ? c : '-';
  }
  auto trim = [&] {
    while (!out.empty() && out.front() == '-') out.erase(0, 1);
    while (!out.empty() && out.back() == '-') out.pop_back();
  };
  trim();
  if (out.size() > 63) out.resize(63);
  trim();
  return out.empty() ? "catalog" : out;
}

Result<std::string> RenderCatalogSources(const CatalogSourceInput& input) {
  if (input.catalogs().empty())
    return InvalidArgument("no catalog record with a dest was read (catalog-list --catalog-to)");
  std::vector<std::pair<std::string, std::string>> items;  // (name, image)
  for (const auto& [image, name] : input.catalogs()) items.emplace_back(CatalogSourceName(name), image);
  std::sort(items.begin(), items.end());
  std::set<std::string> used;
  std::string out;
  for (auto& [name, image] : items) {
    std::string unique = name;
    for (int n = 2; used.count(unique); ++n) {
      std::string suffix = "-" + std::to_string(n);
      unique = name.substr(0, 63 - suffix.size()) + suffix;
    }
    used.insert(unique);
    json::Value doc = json::Value::Object();
    doc.Set("apiVersion", json::Value::String("operators.coreos.com/v1alpha1"));
    doc.Set("kind", json::Value::String("CatalogSource"));
    json::Value meta = json::Value::Object();
    meta.Set("name", json::Value::String(unique));
    meta.Set("namespace", json::Value::String("openshift-marketplace"));
    doc.Set("metadata", std::move(meta));
    json::Value spec = json::Value::Object();
    spec.Set("sourceType", json::Value::String("grpc"));
    spec.Set("image", json::Value::String(image));
    spec.Set("displayName", json::Value::String(unique + " (mirrored)"));
    spec.Set("publisher", json::Value::String("mirrorkit"));
    doc.Set("spec", std::move(spec));
    if (!out.empty()) out += "---\n";
    out += ToYaml(doc);
  }
  return out;
}

}  // namespace mk::mirrorconfig
