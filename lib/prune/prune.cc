#include "prune/prune.h"

#include <cstdio>

#include "base/signals.h"
#include "prune/dir_prune.h"
#include "prune/registry_prune.h"
#include "store/location.h"
#include "store/registry_store.h"

namespace mk::prune {
namespace {

std::string Bytes(uint64_t n) {
  char buf[64];
  if (n >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(n) / (1ull << 30));
  else if (n >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1ull << 20));
  else
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  return buf;
}

Result<Summary> RunDirectory(const store::Location& location, const Options& options, const KeepList& keep,
                             const Emit& emit, Summary summary) {
  MK_ASSIGN_OR_RETURN(DirPlan plan, PruneDirectory(location.dir, keep, options.apply));
  const std::string action = options.apply ? "deleted" : "would-delete";
  for (const auto& e : plan.entries) {
    PruneRecord r;
    r.target = options.target;
    r.ref = "dir:" + location.dir + (e.name.empty() ? "" : ":" + e.name);
    r.digest = e.digest.str();
    r.action = action;
    r.reason = e.reason;
    if (!emit(Record(r))) return summary;
  }
  for (size_t i = 0; i < plan.signature_files.size(); ++i) {
    PruneRecord r;
    r.target = options.target;
    r.file = plan.signature_files[i];
    r.digest = plan.signature_digests[i].str();
    r.action = action;
    r.reason = "signature ConfigMap of a release not kept";
    if (!emit(Record(r))) return summary;
  }
  summary.images = static_cast<int>(plan.entries.size());
  summary.kept = plan.entries_kept;
  summary.blobs = plan.blobs.size();
  summary.bytes = plan.blob_bytes;
  summary.files = static_cast<int>(plan.signature_files.size());
  return summary;
}

Result<Summary> RunRegistry(store::StoreResolver& stores, const Options& options, const KeepList& keep,
                            const Emit& emit, Summary summary) {
  MK_ASSIGN_OR_RETURN(RegistryTarget target, ParseRegistryTarget(options.target));
  MK_ASSIGN_OR_RETURN(Reference repo, Reference::ParseRepository(target.domain + "/" + target.path));
  store::Store& store = stores.ForReference(repo);
  auto* registry = dynamic_cast<store::RegistryStore*>(&store);
  if (!registry) return Unsupported(store.Name() + " is not a registry: only registries and dir: are pruned");
  RegistryLister lister(registry->client());
  MK_ASSIGN_OR_RETURN(RegistryPlan plan, PlanRegistry(store, lister, target, keep, options.jobs));
  summary.kept = plan.images_kept;
  for (const auto& d : plan.deletions) {
    PruneRecord r;
    r.target = options.target;
    r.ref = d.ref.String();
    r.tags = d.tags;
    r.digest = d.ref.digest()->str();
    r.reason = d.reason;
    r.action = "would-delete";
    if (options.apply) {
      if (Interrupted()) return Cancelled("interrupted");
      Status s = store.DeleteManifest(d.ref);
      // Gone already (deleted by another index's deletion, or by hand):
      // what was asked for holds.
      if (s.ok() || s.code() == Code::kNotFound) {
        r.action = "deleted";
      } else if ((s.code() == Code::kUnsupported || s.code() == Code::kPermissionDenied) && summary.images == 0 &&
                 summary.failed == 0) {
        // The registry deletes nothing here (not enabled, no delete
        // rights): one clear error, not a failed record per image.
        return s;
      } else {
        r.action = "failed";
        r.error = s.message();
        r.code = s.code();
        summary.failures.Note(s);
        ++summary.failed;
      }
    }
    if (r.action != "failed") {
      ++summary.images;
      summary.tags += static_cast<int>(d.tags.size());
    }
    if (!emit(Record(r))) return summary;
  }
  return summary;
}

}  // namespace

json::Value Record(const PruneRecord& r) {
  json::Value v = json::Value::Object();
  v.Set("kind", json::Value::String(kPruneKind));
  auto set = [&](const char* key, const std::string& s) {
    if (!s.empty()) v.Set(key, json::Value::String(s));
  };
  set("target", r.target);
  set("ref", r.ref);
  if (!r.tags.empty()) {
    json::Value tags = json::Value::Array();
    for (const auto& t : r.tags) tags.Append(json::Value::String(t));
    v.Set("tags", std::move(tags));
  }
  set("file", r.file);
  set("digest", r.digest);
  set("action", r.action);
  set("reason", r.reason);
  set("error", r.error);
  if (r.code != Code::kOk) v.Set("code", json::Value::String(CodeName(r.code)));
  return v;
}

std::string Summary::Line() const {
  std::string line = target + ": ";
  const char* verb = apply ? "deleted" : "would delete";
  line += std::string(verb) + " " + std::to_string(images) + " image(s)";
  if (tags > 0) line += " (" + std::to_string(tags) + " tag(s))";
  if (blobs > 0 || target.rfind("dir:", 0) == 0) line += ", " + std::to_string(blobs) + " blob(s) of " + Bytes(bytes);
  if (files > 0) line += ", " + std::to_string(files) + " signature file(s)";
  line += "; kept " + std::to_string(kept) + " image(s)";
  if (failed > 0) line += "; " + std::to_string(failed) + " deletion(s) failed";
  if (!apply) line += "; dry run, nothing deleted (--apply deletes)";
  return line;
}

Status ValidateTarget(const std::string& text) {
  if (text.rfind("dir:", 0) != 0) return ParseRegistryTarget(text).status();
  MK_ASSIGN_OR_RETURN(store::Location location, store::Location::Parse(text));
  if (!location.name.empty())
    return InvalidArgument("target " + text + ": a directory is pruned whole (dir:PATH, no NAME)");
  return Status::Ok();
}

Result<Summary> Run(store::StoreResolver& stores, const Options& options, const KeepList& keep, const Emit& emit) {
  MK_RETURN_IF_ERROR(ValidateTarget(options.target));
  Summary summary;
  summary.target = options.target;
  summary.apply = options.apply;
  if (options.target.rfind("dir:", 0) == 0) {
    MK_ASSIGN_OR_RETURN(store::Location location, store::Location::Parse(options.target));
    return RunDirectory(location, options, keep, emit, std::move(summary));
  }
  return RunRegistry(stores, options, keep, emit, std::move(summary));
}

}  // namespace mk::prune
