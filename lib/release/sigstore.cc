#include "release/sigstore.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "records/records.h"
#include "store/location.h"

namespace mk::release {

std::string SigstoreTag(const Digest& digest) {
  return std::string(digest.algorithm()) + "-" + std::string(digest.hex()) + ".sig";
}

namespace {

// text (a location: REF or dir:DIR:NAME) with its tag or digest replaced
// by tag, keeping the repository and the directory.
Result<std::string> Retagged(const std::string& text, const std::string& tag) {
  MK_ASSIGN_OR_RETURN(store::Location loc, store::Location::Parse(text));
  MK_ASSIGN_OR_RETURN(Reference ref, Reference::Parse(loc.name));
  return loc.WithName(ref.WithTag(tag).String()).String();
}

Status AddTarget(const json::Value& record, const std::string& version, const Digest& signs,
                 std::vector<SignatureTarget>& out) {
  SignatureTarget t;
  t.name = record.GetString("name").value_or("");
  t.release = version;
  t.signs = signs;
  const std::string tag = SigstoreTag(signs);
  MK_ASSIGN_OR_RETURN(t.source, Retagged(record.GetString("source").value_or(""), tag));
  if (auto dest = record.GetString("dest")) {
    MK_ASSIGN_OR_RETURN(t.dest, Retagged(*dest, tag));
  }
  out.push_back(std::move(t));
  return Status::Ok();
}

}  // namespace

Result<std::vector<SignatureTarget>> SignatureTargets(const ReleaseImage& release,
                                                      const std::vector<json::Value>& planned) {
  std::vector<SignatureTarget> out;
  const std::string version = release.version();
  for (const auto& record : planned) {
    const std::string kind = record.GetString("kind").value_or("");
    if (kind != records::kRelease && kind != records::kImage) continue;
    MK_ASSIGN_OR_RETURN(Digest digest, Digest::Parse(record.GetString("digest").value_or("")));
    Status s = AddTarget(record, version, digest, out);
    if (!s.ok()) return s.WithContext("signature of " + digest.str());
    // A list is signed as a whole and child by child; a cluster may pull either.
    if (kind == records::kRelease && release.multi) {
      for (const auto& child : release.list_children) {
        Status c = AddTarget(record, version, child, out);
        if (!c.ok()) return c.WithContext("signature of " + child.str());
      }
    }
  }
  return out;
}

std::vector<json::Value> PlanSignatures(store::StoreResolver& stores, const std::vector<SignatureTarget>& targets,
                                        int jobs, int* failed, Code* worst) {
  std::vector<json::Value> out(targets.size());
  std::vector<Status> errors(targets.size(), Status::Ok());
  auto look_up = [&](size_t i) {
    const SignatureTarget& t = targets[i];
    auto found = [&]() -> Result<std::optional<Digest>> {
      MK_ASSIGN_OR_RETURN(store::Location loc, store::Location::Parse(t.source));
      MK_ASSIGN_OR_RETURN(auto where, stores.ForLocation(loc, false));
      return where.store->ManifestDigest(where.ref);
    }();
    // A directory resolves only the names it holds: a missing one is
    // kNotFound, as good as a registry's 404.
    if (!found.ok() && found.status().code() == Code::kNotFound) found = std::optional<Digest>();
    if (!found.ok()) {
      errors[i] = found.status();
      out[i] = records::Error(
          {0, "source",
           t.source + ": looking up the sigstore signature of " + t.signs.str() + ": " + found.status().message(),
           json::Value::Null(), found.status().code()});
    } else if (!*found) {
      out[i] = records::SkippedSignature(t.name, t.source, t.signs.str(), "no sigstore signature in the source");
    } else {
      out[i] = records::Sigstore({t.name, t.release, t.source, (*found)->str(), t.signs.str(), t.dest});
    }
  };
  // Each worker takes the next index: at most jobs lookups at once.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) look_up(i);
  };
  const size_t n = std::min<size_t>(static_cast<size_t>(std::max(jobs, 1)), targets.size());
  std::vector<std::thread> workers;
  for (size_t w = 1; w < n; ++w) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  *failed = 0;
  *worst = Code::kOk;
  for (const auto& e : errors) {
    if (e.ok()) continue;
    if (++*failed == 1) *worst = e.code();
  }
  return out;
}

}  // namespace mk::release
