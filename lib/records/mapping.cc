#include "records/mapping.h"

#include <initializer_list>

#include "records/rewrite.h"

namespace mk::records {
namespace {

const std::initializer_list<const char*> kSourceMisspellings = {"src", "Source", "SOURCE", "source_image"};
const std::initializer_list<const char*> kDestMisspellings = {"dst", "destination", "Dest", "DEST", "target"};

const char* TypeName(const json::Value& v) {
  switch (v.type()) {
    case json::Value::Type::kNull:
      return "null";
    case json::Value::Type::kBool:
      return "a boolean";
    case json::Value::Type::kNumber:
      return "a number";
    case json::Value::Type::kString:
      return "a string";
    case json::Value::Type::kArray:
      return "an array";
    case json::Value::Type::kObject:
      return "an object";
  }
  return "?";
}

// Why field is not a usable string; empty when it is one.
std::string StringProblem(const json::Value& record, const char* field,
                          std::initializer_list<const char*> misspellings) {
  const json::Value* v = record.Find(field);
  if (!v) {
    std::string error = std::string("no \"") + field + "\"";
    for (const char* m : misspellings)
      if (record.Find(m)) return error + " (there is a \"" + m + "\": misspelled?)";
    return error;
  }
  if (!v->is_string()) return std::string("\"") + field + "\" is " + TypeName(*v) + ", not a string";
  if (v->as_string().empty()) return std::string("\"") + field + "\" is empty";
  return "";
}

MappingCheck Fail(MappingCheck c, const char* field, std::string error) {
  c.field = field;
  c.error = std::move(error);
  return c;
}

}  // namespace

Role Classify(const json::Value& record) {
  if (record.Find("error")) return Role::kCarriesError;
  const json::Value* kind = record.Find("kind");
  if (kind) {
    if (!kind->is_string()) return Role::kMapping;  // CheckMapping names it
    const std::string& k = kind->as_string();
    return k == "image" || k == "release" || k == "sigstore" ? Role::kMapping : Role::kPassThrough;
  }
  if (record.Find("source") || record.Find("dest")) return Role::kMapping;
  for (auto list : {kSourceMisspellings, kDestMisspellings})
    for (const char* m : list)
      if (record.Find(m)) return Role::kMapping;
  return Role::kPassThrough;
}

MappingCheck CheckMapping(const json::Value& record) {
  MappingCheck c;
  if (const json::Value* kind = record.Find("kind"); kind && !kind->is_string())
    return Fail(c, "kind", std::string("\"kind\" is ") + TypeName(*kind) + ", not a string");
  if (std::string e = StringProblem(record, "source", kSourceMisspellings); !e.empty()) return Fail(c, "source", e);
  if (std::string e = StringProblem(record, "dest", kDestMisspellings); !e.empty()) {
    if (!record.Find("dest")) e += "; where the image goes (release-list --to or --to-dir writes it)";
    return Fail(c, "dest", e);
  }
  c.mapping.source = *record.GetString("source");
  c.mapping.dest = *record.GetString("dest");
  c.mapping.pinned = PinnedDigest(c.mapping.source);
  if (const json::Value* d = record.Find("digest")) {
    if (!d->is_string()) return Fail(c, "digest", std::string("\"digest\" is ") + TypeName(*d) + ", not a string");
    auto digest = Digest::Parse(d->as_string());
    if (!digest.ok()) return Fail(c, "digest", "\"digest\": " + digest.status().message());
    c.mapping.digest = *digest;
  }
  if (IsRewritten(record)) {
    // The source is pinned to what the rewrite was made from, and the
    // record's digest is the rewrite's own (ReadRewritten checks both).
    const json::Value* sd = record.Find("source_digest");
    if (!sd || !sd->is_string()) return Fail(c, "source_digest", "a rewritten record needs a \"source_digest\" string");
    auto source_digest = Digest::Parse(sd->as_string());
    if (!source_digest.ok()) return Fail(c, "source_digest", "\"source_digest\": " + source_digest.status().message());
    if (c.mapping.pinned && *c.mapping.pinned != *source_digest)
      return Fail(c, "source_digest",
                  "\"source_digest\" " + source_digest->str() + " disagrees with the source, pinned to " +
                      c.mapping.pinned->str());
    auto rewritten = ReadRewritten(record);
    if (!rewritten.ok()) {
      const std::string& m = rewritten.status().message();
      return Fail(c, m.rfind("\"digest\"", 0) == 0 ? "digest" : "rewrite", m);
    }
    c.mapping.source_digest = *source_digest;
    c.mapping.rewritten = true;
    return c;
  }
  if (c.mapping.digest && c.mapping.pinned && *c.mapping.pinned != *c.mapping.digest)
    return Fail(
        c, "digest",
        "\"digest\" " + c.mapping.digest->str() + " disagrees with the source, pinned to " + c.mapping.pinned->str());
  return c;
}

bool LacksDest(const json::Value& record) {
  if (record.Find("dest")) return false;
  for (const char* m : kDestMisspellings)
    if (record.Find(m)) return false;
  return true;
}

std::optional<Digest> PinnedDigest(const std::string& location) {
  size_t at = location.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  auto d = Digest::Parse(location.substr(at + 1));
  if (!d.ok()) return std::nullopt;
  return *d;
}

}  // namespace mk::records
