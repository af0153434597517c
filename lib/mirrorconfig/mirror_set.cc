#include "mirrorconfig/mirror_set.h"

#include "records/records.h"
#include "records/rewrite.h"
#include "ref/reference.h"
#include "store/location.h"

namespace mk::mirrorconfig {

void MirrorSet::Add(const std::string& source_repository, const std::string& mirror_repository, bool by_tag) {
  if (source_repository == mirror_repository) return;  // not a mirror
  groups_[source_repository].insert(mirror_repository);
  if (by_tag) tag_groups_[source_repository].insert(mirror_repository);
}

Result<bool> MirrorSet::AddRecord(const json::Value& record) {
  auto source = record.GetString("source");
  auto dest = record.GetString("dest");
  if (auto error = record.GetString("error"))
    return Unavailable(source.value_or("a record") + " was not mirrored: " + *error);
  if (!source || !dest) return false;
  // A sigstore signature tag lives in the repositories its image's record
  // already maps: it adds no mirror, and by tag it must not make a tag mirror.
  if (record.GetString("kind").value_or("") == records::kSigstore) return false;
  // A directory is not a mirror a cluster pulls from; an image read from a
  // directory is known by the original name it was stored under.
  auto dest_loc = store::Location::Parse(*dest);
  if (!dest_loc.ok()) return dest_loc.status();
  if (dest_loc->is_dir()) return false;
  auto source_loc = store::Location::Parse(*source);
  if (!source_loc.ok()) return source_loc.status();
  std::string name = record.GetString("origin").value_or(store::CanonicalName(*source_loc));
  auto src = Reference::Parse(name);
  if (!src.ok()) return src.status();
  // A short directory NAME ("4.3.0-x86_64") would read as a Docker Hub
  // image: insist on a name that carries its registry.
  if (source_loc->is_dir() && !record.Find("origin") && name.rfind("docker.io/", 0) != 0 &&
      src->domain() == "docker.io")
    return InvalidArgument(
        *source + " does not name the original registry; give ics-gen blob-copy's results (they carry \"origin\")");
  auto dst = Reference::Parse(*dest);
  if (!dst.ok()) return dst.status();
  const bool by_tag = !src->tag().empty() && src->tag() == dst->tag();
  if (records::IsRewritten(record)) {
    if (!by_tag) {
      ++rewritten_left_out_;
      return false;
    }
    if (src->repository() != dst->repository()) tag_groups_[src->repository()].insert(dst->repository());
    ++rewritten_by_tag_;
    return true;
  }
  Add(src->repository(), dst->repository(), by_tag);
  return true;
}

}  // namespace mk::mirrorconfig
