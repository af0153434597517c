#include "prune/keep.h"

#include "base/strings.h"
#include "records/mapping.h"
#include "records/reader.h"
#include "ref/reference.h"

namespace mk::prune {
namespace {

// Fields a mapping consumer takes for source or dest when misspelled
// (records/mapping.h): here they would hide an image to keep, so a record
// that has one is refused rather than read as naming nothing.
constexpr const char* kMisspellings[] = {"src",    "dst",    "destination", "Dest",        "DEST",
                                         "Source", "SOURCE", "target",      "source_image"};

Status LineError(size_t line, const std::string& what) {
  return InvalidArgument("line " + std::to_string(line) + ": " + what);
}

// A digest field of a record (digest, pruned_digest), when it has one.
Result<std::optional<Digest>> DigestField(const json::Value& record, const char* key, size_t line) {
  const json::Value* d = record.Find(key);
  if (!d) return std::optional<Digest>();
  if (!d->is_string()) return LineError(line, std::string("\"") + key + "\" is not a string");
  auto digest = Digest::Parse(d->as_string());
  if (!digest.ok()) return LineError(line, std::string("\"") + key + "\": " + digest.status().message());
  return std::optional<Digest>(*digest);
}

// A location field (source or dest); nullopt when absent.
Result<std::optional<store::Location>> LocationField(const json::Value& record, const char* key, size_t line) {
  const json::Value* v = record.Find(key);
  if (!v) return std::optional<store::Location>();
  if (!v->is_string() || v->as_string().empty())
    return LineError(line, std::string("\"") + key + "\" is not a location");
  auto loc = store::Location::Parse(v->as_string());
  if (!loc.ok()) return LineError(line, std::string("\"") + key + "\": " + loc.status().message());
  if (!loc->is_dir()) {
    auto ref = Reference::Parse(loc->name);
    if (!ref.ok()) return LineError(line, std::string("\"") + key + "\": " + ref.status().message());
  }
  return std::optional<store::Location>(*loc);
}

// The digest a location is pinned to (REF@sha256:... or dir:D:REF@...).
std::optional<Digest> Pinned(const store::Location& loc) {
  if (loc.name.empty()) return std::nullopt;
  auto ref = Reference::Parse(loc.name);
  if (!ref.ok()) return std::nullopt;
  return ref->digest();
}

}  // namespace

Result<KeepList> ReadKeepList(std::string_view text) {
  KeepList keep;
  Status failed;
  Status read = records::ReadRecordsIn(text, [&](records::InputLine& in) {
    if (!in.problem.ok()) {
      failed = LineError(in.line, in.problem.message());
      return false;
    }
    ++keep.records;
    auto fail = [&](Status s) {
      failed = std::move(s);
      return false;
    };
    records::Role role = records::Classify(in.record);
    if (role == records::Role::kPassThrough) {
      // A pruned Operator catalog (catalog-list --catalog-to) is an image
      // of the mirror too: its dest and pruned_digest keep it.
      const json::Value* kind = in.record.Find("kind");
      if (!kind || !kind->is_string() || kind->as_string() != "catalog") return true;
      auto pruned = DigestField(in.record, "pruned_digest", in.line);
      if (!pruned.ok()) return fail(pruned.status());
      if (!*pruned) return true;
      auto dest = LocationField(in.record, "dest", in.line);
      if (!dest.ok()) return fail(dest.status());
      keep.digests.insert(**pruned);
      if (*dest) keep.images.push_back(KeptImage{in.line, **dest, *pruned});
      ++keep.naming;
      return true;
    }
    auto digest = DigestField(in.record, "digest", in.line);
    if (!digest.ok()) return fail(digest.status());
    if (role == records::Role::kCarriesError) {
      // A failed copy may have left nothing behind; what it names is kept
      // all the same, and not looked for.
      if (*digest) {
        keep.digests.insert(**digest);
        ++keep.naming;
      }
      return true;
    }
    for (const char* m : kMisspellings)
      if (in.record.Find(m))
        return fail(LineError(in.line, std::string("there is a \"") + m + "\": misspelled \"source\" or \"dest\"?"));
    auto dest = LocationField(in.record, "dest", in.line);
    if (!dest.ok()) return fail(dest.status());
    auto source = LocationField(in.record, "source", in.line);
    if (!source.ok()) return fail(source.status());
    bool names = digest->has_value();
    if (*digest) keep.digests.insert(**digest);
    // The record's digest is its dest's (blob-copy's result, a rewritten
    // manifest's); the source is known by its pin only.
    if (*dest) {
      KeptImage img{in.line, **dest, *digest};
      if (auto pin = Pinned(**dest)) keep.digests.insert(*pin);
      keep.images.push_back(std::move(img));
      names = true;
    }
    if (*source) {
      KeptImage img{in.line, **source, std::nullopt};
      if (auto pin = Pinned(**source)) keep.digests.insert(*pin);
      keep.images.push_back(std::move(img));
      names = true;
    }
    if (names) ++keep.naming;
    return true;
  });
  if (!read.ok()) return read;
  if (!failed.ok()) return failed;
  return keep;
}

}  // namespace mk::prune
