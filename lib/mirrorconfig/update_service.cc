#include "mirrorconfig/update_service.h"

#include "mirrorconfig/format.h"
#include "mirrorconfig/yaml_writer.h"
#include "ref/reference.h"

namespace mk::mirrorconfig {
namespace {

std::string Joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Result<bool> UpdateServiceInput::AddRecord(const json::Value& record) {
  const auto kind = record.GetString("kind");
  if (!kind || (*kind != "release" && *kind != "graph-image")) return false;
  if (record.Find("error")) return false;  // a failure is reported by whoever reads it
  const auto dest = record.GetString("dest");
  if (!dest) return *kind == "release" ? false : Result<bool>(InvalidArgument("graph-image record without a dest"));
  if (dest->rfind("dir:", 0) == 0)
    return InvalidArgument(*kind + " record's dest " + *dest +
                           " is a directory, not a registry the Update Service can read");
  auto ref = Reference::Parse(*dest);
  if (!ref.ok()) return InvalidArgument(*kind + " record's dest: " + ref.status().message());
  if (*kind == "release") {
    releases_.insert(ref->repository());
    return true;
  }
  auto digest = Digest::Parse(record.GetString("digest").value_or(""));
  if (!digest.ok()) return InvalidArgument("graph-image record for " + *dest + ": no valid digest");
  graph_images_.insert(ref->repository() + "@" + digest->str());
  return true;
}

Result<std::string> RenderUpdateService(const UpdateServiceInput& input, const std::string& name) {
  MK_RETURN_IF_ERROR(ValidateObjectName(name));
  if (input.release_repositories().empty())
    return InvalidArgument("no release record with a registry dest was read (release-list --to or --to-release-image)");
  if (input.release_repositories().size() > 1)
    return InvalidArgument("the releases went to more than one repository (" + Joined(input.release_repositories()) +
                           "); the Update Service reads one");
  if (input.graph_images().empty()) return InvalidArgument("no graph-image record was read (graph-image's output)");
  if (input.graph_images().size() > 1)
    return InvalidArgument("more than one graph image was read (" + Joined(input.graph_images()) + ")");
  json::Value doc = json::Value::Object();
  doc.Set("apiVersion", json::Value::String("updateservice.operator.openshift.io/v1"));
  doc.Set("kind", json::Value::String("UpdateService"));
  json::Value meta = json::Value::Object();
  meta.Set("name", json::Value::String(name));
  meta.Set("namespace", json::Value::String("openshift-update-service"));
  doc.Set("metadata", std::move(meta));
  json::Value spec = json::Value::Object();
  spec.Set("replicas", json::Value::Number(2));
  spec.Set("releases", json::Value::String(*input.release_repositories().begin()));
  spec.Set("graphDataImage", json::Value::String(*input.graph_images().begin()));
  doc.Set("spec", std::move(spec));
  return ToYaml(doc);
}

}  // namespace mk::mirrorconfig
