#include "prune/registry_prune.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "copy/task_pool.h"
#include "oci/media_types.h"
#include "prune/sigstore_tag.h"

namespace mk::prune {
namespace {

struct Tagged {
  std::string tag;
  Digest digest;
  std::string media_type;
};

using RepoDigest = std::pair<std::string, Digest>;

}  // namespace

bool RegistryTarget::Covers(const std::string& repository_path) const {
  return prefix ? repository_path.rfind(path + "/", 0) == 0 : repository_path == path;
}

Result<RegistryTarget> ParseRegistryTarget(const std::string& text) {
  RegistryTarget t;
  std::string name = text;
  while (!name.empty() && name.back() == '/') {
    name.pop_back();
    t.prefix = true;
  }
  // The registry itself is no target: a namespace at least.
  if (name.find('/') == std::string::npos)
    return InvalidArgument("target " + text + " names no repository (REG/REPO, or REG/NAMESPACE/ for all under it)");
  auto ref = Reference::ParseRepository(name);
  if (!ref.ok()) return InvalidArgument("target " + text + ": " + ref.status().message());
  t.domain = ref->domain();
  t.path = ref->path();
  return t;
}

Result<RegistryPlan> PlanRegistry(store::Store& store, Lister& lister, const RegistryTarget& target,
                                  const KeepList& keep, int jobs) {
  RegistryPlan plan;
  const std::string where = target.String();
  auto repo_ref = [&](const std::string& path) { return Reference::ParseRepository(target.domain + "/" + path); };

  // 1. Every tag of every repository, and the digest it names now.
  std::vector<std::string> repos;
  if (target.prefix) {
    MK_ASSIGN_OR_RETURN(std::vector<std::string> all, lister.Repositories());
    for (auto& r : all)
      if (target.Covers(r)) repos.push_back(std::move(r));
  } else {
    repos.push_back(target.path);
  }
  // Tags are listed repository by repository, then resolved jobs at a
  // time (one HEAD each: the bulk of a plan's requests).
  std::vector<Reference> tagged;
  for (const auto& repo : repos) {
    MK_ASSIGN_OR_RETURN(Reference base, repo_ref(repo));
    auto tags = lister.Tags(repo);
    // docker-registry answers 404 for a repository it does not know, and
    // for one that holds only untagged manifests: no tags either way.
    if (!tags.ok() && tags.status().code() != Code::kNotFound) return tags.status();
    if (tags.ok())
      for (const auto& tag : *tags) tagged.push_back(base.WithTag(tag));
  }
  std::vector<std::optional<Result<std::optional<oci::Descriptor>>>> heads(tagged.size());
  std::vector<std::function<void()>> tasks;
  for (size_t i = 0; i < tagged.size(); ++i) tasks.push_back([&, i] { heads[i] = store.ManifestHead(tagged[i]); });
  if (jobs <= 1 || tasks.size() <= 1) {
    for (auto& task : tasks) task();
  } else {
    copy::TaskPool pool(std::min<int>(jobs, static_cast<int>(tasks.size())));
    pool.RunAll(std::move(tasks));
  }
  std::map<std::string, std::vector<Tagged>> inventory;
  for (const auto& repo : repos) inventory[repo];
  for (size_t i = 0; i < tagged.size(); ++i) {
    if (!heads[i]->ok()) return heads[i]->status();
    const std::optional<oci::Descriptor>& head = **heads[i];
    if (!head)
      return Unavailable(tagged[i].String() + " is listed but has no manifest (is something writing to " + where +
                         "? run again when it is done)");
    inventory[tagged[i].path()].push_back({tagged[i].tag(), head->digest, head->media_type});
    ++plan.tags;
  }
  plan.repositories = static_cast<int>(repos.size());

  // 2. The kept images the records place in the target must be there.
  std::set<Digest> kept = keep.digests;
  std::set<RepoDigest> roots;
  std::set<RepoDigest> seen_present;
  for (const auto& img : keep.images) {
    if (img.location.is_dir()) continue;
    auto ref = Reference::Parse(img.location.name);
    if (!ref.ok() || ref->domain() != target.domain || !target.Covers(ref->path())) continue;
    const std::string what = "line " + std::to_string(img.line) + ": " + ref->String();
    std::vector<Digest> digests;
    if (ref->digest()) {
      digests.push_back(*ref->digest());
    } else {
      const std::string tag = ref->tag().empty() ? "latest" : ref->tag();
      const Tagged* found = nullptr;
      for (const auto& t : inventory[ref->path()])
        if (t.tag == tag) found = &t;
      if (!found)
        return NotFound(what + ": no such tag in " + where + " (a kept image is missing: wrong RECORDS or TARGET?)");
      digests.push_back(found->digest);
    }
    if (img.digest) digests.push_back(*img.digest);
    for (const auto& d : digests) {
      RepoDigest key{ref->path(), d};
      if (!seen_present.count(key)) {
        MK_ASSIGN_OR_RETURN(std::optional<Digest> there, store.ManifestDigest(ref->RepositoryOnly().WithDigest(d)));
        if (!there)
          return NotFound(what + ": manifest " + d.str() + " is not in " + where +
                          " (a kept image is missing: wrong RECORDS or TARGET?)");
        seen_present.insert(key);
      }
      kept.insert(d);
      roots.insert(key);
    }
  }
  for (const auto& [repo, list] : inventory)
    for (const auto& t : list)
      if (kept.count(t.digest)) roots.insert({repo, t.digest});
  if (roots.empty())
    return InvalidArgument("no kept record names an image in " + where +
                           ": refusing to delete everything there (wrong RECORDS or TARGET?)");

  // 3. A kept index keeps its children (read from the target: each
  // repository holds its own copy).
  std::deque<RepoDigest> queue(roots.begin(), roots.end());
  std::set<RepoDigest> read;
  while (!queue.empty()) {
    RepoDigest item = queue.front();
    queue.pop_front();
    if (!read.insert(item).second) continue;
    MK_ASSIGN_OR_RETURN(Reference base, repo_ref(item.first));
    auto m = store.GetManifest(base.WithDigest(item.second));
    if (!m.ok()) return m.status().WithContext("reading kept manifest");
    for (const auto& child : m->manifests) {
      kept.insert(child.digest);
      queue.push_back({item.first, child.digest});
    }
  }

  // 4. A signature tag of a kept digest keeps its own manifest.
  for (const auto& [repo, list] : inventory)
    for (const auto& t : list)
      if (auto signs = SignedDigest(t.tag); signs && kept.count(*signs)) kept.insert(t.digest);

  // 5. Everything else that is tagged goes, per repository, with the
  // children of a deleted index that nothing keeps.
  for (const auto& [repo, list] : inventory) {
    MK_ASSIGN_OR_RETURN(Reference base, repo_ref(repo));
    std::map<Digest, size_t> planned;  // digest -> index in plan.deletions
    std::set<Digest> kept_here;
    for (const auto& t : list) {
      if (kept.count(t.digest)) {
        ++plan.tags_kept;
        kept_here.insert(t.digest);
        continue;
      }
      if (auto it = planned.find(t.digest); it != planned.end()) {
        plan.deletions[it->second].tags.push_back(t.tag);
        continue;
      }
      Deletion del{base.WithDigest(t.digest),
                   {t.tag},
                   SignedDigest(t.tag) ? "signature of an image not kept" : "no kept record names it"};
      planned[t.digest] = plan.deletions.size();
      plan.deletions.push_back(std::move(del));
      if (oci::IsImageManifest(t.media_type) || oci::IsSchema1(t.media_type)) continue;
      auto m = store.GetManifest(base.WithDigest(t.digest));
      if (!m.ok()) return m.status().WithContext("reading manifest to delete");
      for (const auto& child : m->manifests) {
        if (kept.count(child.digest) || planned.count(child.digest)) continue;
        planned[child.digest] = plan.deletions.size();
        plan.deletions.push_back({base.WithDigest(child.digest), {}, "child of deleted index " + t.digest.str()});
      }
    }
    plan.images_kept += static_cast<int>(kept_here.size());
  }
  return plan;
}

}  // namespace mk::prune
