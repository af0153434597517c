// RecordRewriter: manifest-rewrite(1)'s work on one record stream, between
// planning (release-list, stream-mirror) and copying (blob-copy).
//
// Mapping records (records/mapping.h's rule) go through, in this order:
//   1. selection (--include/--exclude): a record not kept is dropped;
//   2. plan rewrites (--map, then --tag): a new "dest", digests kept;
//   3. manifest rewrites (--filter-by-os, then --convert): the source's
//      manifest is read (a rewritten record's own inline manifest when it
//      already carries one, so rewrites chain), the pure functions of
//      mutate/ make the new content, and the record is marked rewritten
//      (records/rewrite.h) unless the content came out unchanged.
// A record nothing changed is written as it was read, byte for byte; so is
// every record of another kind. The release record's version and arch fill
// {version} and {arch} of --tag for the component records after it.
//
// Not thread-safe (one stream, one rewriter); the resolver must outlive it.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "json/value.h"
#include "mutate/manifest_rewrite.h"
#include "mutate/plan_rewrite.h"
#include "records/reader.h"
#include "store/resolver.h"

namespace mk::rewrite {

struct RewriteOptions {
  mutate::Selection selection;
  std::vector<mutate::DestMap> maps;
  std::string tag_template;  // "" for none
  std::optional<std::regex> filter_by_os;
  std::string filter_by_os_text;  // as given, for messages
  std::optional<mutate::Format> convert;
};

struct LineResult {
  enum class Action { kWrite, kDrop } action = Action::kWrite;
  std::string text;       // the line to write (kWrite)
  std::string error;      // set: the record failed (text is then an error record)
  Code code = Code::kOk;  // what kind of failure (decides the exit status)
  bool rewritten = false;
};

class RecordRewriter {
 public:
  RecordRewriter(store::StoreResolver& stores, RewriteOptions options)
      : stores_(stores), options_(std::move(options)) {}

  LineResult Process(records::InputLine& in);

 private:
  Status Rewrite(json::Value& record, bool* changed);
  Result<oci::Manifest> SourceManifest(const json::Value& record, store::Store*& store, Reference& ref);

  store::StoreResolver& stores_;
  RewriteOptions options_;
  std::string release_version_, release_arch_;
};

// The --convert argument: "oci" or "docker".
Result<mutate::Format> ParseFormat(const std::string& text);

}  // namespace mk::rewrite
