// Fuzz target: an Operator catalog's untrusted text — the documents of a
// file-based catalog (concatenated JSON, YAML streams: lib/catalog/
// documents.h) built into the model (FbcBuilder) and selected from
// (Select, ChannelHead), semver versions and skipRange ranges, and the
// --package selectors (lib/catalog/semver.h, selection.h).
//
// The first byte picks the reader: 0 JSON, 1 YAML, 2 a version and a range
// (split at the first newline), 3 a package selector.
// Properties: nothing crashes or hangs on any input (deep nesting, aliases,
// cycles in replaces); the parsers' errors are one line (the model's and
// the selection's quote names from the documents as they are, and say
// something: the tools print every message through OneLine, cli/tool.cc);
// a version that parses prints
// to text that parses back equal; a selector that parses prints as it
// would be typed and that text parses back to the same selector; a model
// that builds selects everything without error or names what is wrong.
#include <cstdint>
#include <string>

#include "catalog/documents.h"
#include "catalog/fbc_reader.h"
#include "catalog/selection.h"
#include "catalog/semver.h"
#include "fuzz_check.h"

namespace {

using namespace mk;

void CheckOneLine(const Status& s) { FUZZ_CHECK(s.message().find('\n') == std::string::npos, s.message()); }
void CheckSaysSomething(const Status& s) { FUZZ_CHECK(s.ok() || !s.message().empty(), "an error with no message"); }

void Documents(std::string_view text, bool yaml) {
  catalog::FbcBuilder builder;
  Status added;
  auto sink = [&](json::Value doc) -> Result<archive::Visit> {
    added = builder.Add("configs/fuzz/catalog.json", doc);
    if (!added.ok()) return archive::Visit::kStop;
    return archive::Visit::kContinue;
  };
  Status read = yaml ? catalog::ForEachYamlDocument(text, sink) : catalog::ForEachJsonDocument(text, sink);
  CheckOneLine(read);
  CheckSaysSomething(added);
  if (!read.ok() || !added.ok()) return;
  auto cat = std::move(builder).Finish();
  if (!cat.ok()) {
    CheckSaysSomething(cat.status());
    return;
  }
  for (const catalog::Channel& ch : cat->channels) {
    auto head = catalog::ChannelHead(ch);
    if (head.ok()) {
      FUZZ_CHECK(*head < ch.entries.size(), "the head is one of the channel's entries");
    } else {
      CheckSaysSomething(head.status());
    }
  }
  auto all = catalog::Select(*cat, {});
  if (!all.ok()) CheckSaysSomething(all.status());
  for (const catalog::Package& p : cat->packages) {
    catalog::PackageSelector sel;
    sel.package = p.name;
    auto one = catalog::Select(*cat, {sel});
    if (!one.ok()) {
      CheckSaysSomething(one.status());
      continue;
    }
    for (size_t b : one->AllBundles()) FUZZ_CHECK(b < cat->bundles.size(), "selected bundles exist");
  }
}

void Versions(std::string_view text) {
  size_t nl = text.find('\n');
  std::string_view version = text.substr(0, nl);
  std::string_view range = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  auto v = catalog::Version::Parse(version);
  if (v.ok()) {
    auto again = catalog::Version::Parse(v->String());
    FUZZ_CHECK(again.ok(), v->String());
    FUZZ_CHECK(catalog::Compare(*v, *again) == 0, v->String());
  } else {
    CheckOneLine(v.status());
  }
  auto r = catalog::Range::Parse(range);
  if (!r.ok()) {
    CheckOneLine(r.status());
    return;
  }
  if (v.ok()) (void)r->Contains(*v);
}

void Selector(std::string_view text) {
  auto s = catalog::PackageSelector::Parse(text);
  if (!s.ok()) {
    CheckOneLine(s.status());
    return;
  }
  auto again = catalog::PackageSelector::Parse(s->String());
  FUZZ_CHECK(again.ok(), s->String());
  FUZZ_CHECK(again->package == s->package && again->channel == s->channel && again->min_version == s->min_version &&
                 again->max_version == s->max_version && again->has_range == s->has_range,
             s->String());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mk::fuzz::Split in = mk::fuzz::TakeSelector(data, size);
  switch (in.selector % 4) {
    case 0:
      Documents(in.rest, false);
      break;
    case 1:
      Documents(in.rest, true);
      break;
    case 2:
      Versions(in.rest);
      break;
    case 3:
      Selector(in.rest);
      break;
  }
  return 0;
}
