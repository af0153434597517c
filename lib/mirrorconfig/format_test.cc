#include "mirrorconfig/format.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mirrorconfig/cluster_config.h"
#include "mirrorconfig/registries_conf.h"
#include "mirrorconfig/toml_writer.h"
#include "mirrorconfig/yaml_writer.h"
#include "testing/python_reader.h"

namespace mk::mirrorconfig {
namespace {

const std::string kRelease = "quay.io/openshift-release-dev/ocp-release";
const std::string kArt = "quay.io/openshift-release-dev/ocp-v4.0-art-dev";
const std::string kRuby = "registry.redhat.io/rhscl/ruby-26-rhel7";
const std::string kMirror = "m.io:5000/ocp4/openshift4";

// A release mirrored by digest to two mirrors, and one image by tag.
MirrorSet Sample() {
  MirrorSet set;
  set.Add(kArt, kMirror);
  set.Add(kRelease, kMirror);
  set.Add(kRelease, "backup.io/ocp4/openshift4");
  set.Add(kRuby, "m.io:5000/rhscl/ruby-26-rhel7", /*by_tag=*/true);
  return set;
}

std::string Must(const Result<std::string>& r) {
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : "";
}

// The text read back by PyYAML, as JSON.
json::Value Yaml(const std::string& text) {
  auto doc = fixtures::ReadWithPython(fixtures::PythonFormat::kYaml, text);
  EXPECT_TRUE(doc.ok()) << doc.status().message() << "\n" << text;
  return doc.ok() ? *doc : json::Value();
}

// The {mirrors, source} list parsed back, as source → mirrors.
std::map<std::string, std::vector<std::string>> MirrorList(const json::Value* list) {
  std::map<std::string, std::vector<std::string>> out;
  EXPECT_TRUE(list && list->is_array());
  if (!list) return out;
  std::string last;
  for (const auto& entry : list->items()) {
    EXPECT_EQ(entry.size(), 2u);
    auto source = entry.GetString("source").value_or("");
    EXPECT_LT(last, source) << "sources not sorted";
    last = source;
    const json::Value* mirrors = entry.Find("mirrors");
    EXPECT_TRUE(mirrors && mirrors->is_array());
    if (!mirrors) continue;
    for (const auto& m : mirrors->items()) {
      EXPECT_TRUE(m.is_string());
      out[source].push_back(m.as_string());
    }
    EXPECT_TRUE(std::is_sorted(out[source].begin(), out[source].end()));
  }
  return out;
}

// The object's list under spec.list_key, after checking its other fields.
std::map<std::string, std::vector<std::string>> ExpectObject(const std::string& text, const std::string& api_version,
                                                             const std::string& kind, const std::string& name,
                                                             const std::string& list_key) {
  json::Value doc = Yaml(text);
  EXPECT_TRUE(doc.is_object());
  EXPECT_EQ(doc.size(), 4u);
  EXPECT_EQ(doc.GetString("apiVersion"), api_version);
  EXPECT_EQ(doc.GetString("kind"), kind);
  const json::Value* metadata = doc.Find("metadata");
  EXPECT_TRUE(metadata && metadata->size() == 1u && metadata->GetString("name") == name) << text;
  const json::Value* spec = doc.Find("spec");
  EXPECT_TRUE(spec && spec->size() == 1u) << text;
  return MirrorList(spec ? spec->Find(list_key) : nullptr);
}

TEST(FormatNames, ParseEveryNameAndRefuseOthers) {
  for (auto name : FormatNames()) {
    auto f = ParseFormat(name);
    ASSERT_TRUE(f.ok()) << name;
    EXPECT_EQ(FormatName(*f), name);
  }
  EXPECT_EQ(*ParseFormat("install-config"), Format::kInstallConfig);
  EXPECT_EQ(*ParseFormat("registries-conf"), Format::kRegistriesConf);
  auto bad = ParseFormat("yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("icsp"), std::string::npos);
  EXPECT_FALSE(ParseFormat("ICSP").ok());
  EXPECT_FALSE(ParseFormat("").ok());
}

TEST(FormatObjectName, IsADns1123Subdomain) {
  for (std::string ok : std::vector<std::string>{"mirrorkit", "a", "0", "ocp-4.3.0", "a.b-c.d", std::string(253, 'a')})
    EXPECT_TRUE(ValidateObjectName(ok).ok()) << ok;
  for (std::string bad : std::vector<std::string>{"", "Mirrorkit", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "a/b",
                                                  "a.-b", std::string(254, 'a'), "\xc3\xbcn"})
    EXPECT_FALSE(ValidateObjectName(bad).ok()) << bad;
  MirrorSet set = Sample();
  EXPECT_FALSE(Render(set, Format::kIdms, "Bad_Name").ok());
  EXPECT_TRUE(Render(set, Format::kInstallConfig, "Bad_Name").ok());  // no object, no name
}

TEST(FormatInstallConfig, IsOcsTextByteForByte) {
  MirrorSet set = Sample();
  std::string text = Must(Render(set, Format::kInstallConfig));
  EXPECT_EQ(text,
            "imageContentSources:\n"
            "- mirrors:\n  - backup.io/ocp4/openshift4\n  - m.io:5000/ocp4/openshift4\n"
            "  source: quay.io/openshift-release-dev/ocp-release\n"
            "- mirrors:\n  - m.io:5000/ocp4/openshift4\n"
            "  source: quay.io/openshift-release-dev/ocp-v4.0-art-dev\n"
            "- mirrors:\n  - m.io:5000/rhscl/ruby-26-rhel7\n"
            "  source: registry.redhat.io/rhscl/ruby-26-rhel7\n");
}

TEST(FormatInstallConfig, ParsesBackToTheSet) {
  MirrorSet set = Sample();
  for (auto [format, key] : {std::pair{Format::kInstallConfig, "imageContentSources"},
                             std::pair{Format::kInstallConfigIdms, "imageDigestSources"}}) {
    json::Value doc = Yaml(Must(Render(set, format)));
    ASSERT_TRUE(doc.is_object());
    EXPECT_EQ(doc.size(), 1u);
    auto list = MirrorList(doc.Find(key));
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[kRelease], (std::vector<std::string>{"backup.io/ocp4/openshift4", kMirror}));
    EXPECT_EQ(list[kArt], std::vector<std::string>{kMirror});
  }
}

TEST(FormatInstallConfigIdms, SameListUnderTheNewKey) {
  MirrorSet set = Sample();
  std::string ics = Must(Render(set, Format::kInstallConfig));
  std::string ids = Must(Render(set, Format::kInstallConfigIdms));
  EXPECT_EQ(ids.rfind("imageDigestSources:\n- mirrors:\n  - ", 0), 0u) << ids;
  EXPECT_EQ(ids.substr(ids.find('\n')), ics.substr(ics.find('\n')));
}

TEST(FormatIcsp, IsAnImageContentSourcePolicy) {
  MirrorSet set = Sample();
  std::string text = Must(Render(set, Format::kIcsp, "release-mirror"));
  EXPECT_EQ(ExpectObject(text, "operator.openshift.io/v1alpha1", "ImageContentSourcePolicy", "release-mirror",
                         "repositoryDigestMirrors")
                .size(),
            3u);
  // Laid out as oc and kubectl print objects.
  EXPECT_EQ(text,
            "apiVersion: operator.openshift.io/v1alpha1\n"
            "kind: ImageContentSourcePolicy\n"
            "metadata:\n  name: release-mirror\n"
            "spec:\n  repositoryDigestMirrors:\n"
            "  - mirrors:\n    - backup.io/ocp4/openshift4\n    - m.io:5000/ocp4/openshift4\n"
            "    source: quay.io/openshift-release-dev/ocp-release\n"
            "  - mirrors:\n    - m.io:5000/ocp4/openshift4\n"
            "    source: quay.io/openshift-release-dev/ocp-v4.0-art-dev\n"
            "  - mirrors:\n    - m.io:5000/rhscl/ruby-26-rhel7\n"
            "    source: registry.redhat.io/rhscl/ruby-26-rhel7\n");
}

TEST(FormatIdms, IsAnImageDigestMirrorSetOfEveryMapping) {
  MirrorSet set = Sample();
  std::string text = Must(Render(set, Format::kIdms));
  auto list = ExpectObject(text, "config.openshift.io/v1", "ImageDigestMirrorSet", "mirrorkit", "imageDigestMirrors");
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(list[kRuby], std::vector<std::string>{"m.io:5000/rhscl/ruby-26-rhel7"});
}

TEST(FormatItms, HoldsOnlyTheMappingsByTag) {
  MirrorSet set = Sample();
  std::string text = Must(Render(set, Format::kItms, "samples"));
  auto list = ExpectObject(text, "config.openshift.io/v1", "ImageTagMirrorSet", "samples", "imageTagMirrors");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[kRuby], std::vector<std::string>{"m.io:5000/rhscl/ruby-26-rhel7"});

  MirrorSet by_digest;
  by_digest.Add(kRelease, kMirror);
  auto none = Render(by_digest, Format::kItms);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kNotFound);
}

TEST(FormatRegistriesConf, ExactText) {
  MirrorSet set = Sample();
  set.Add(kRuby, "backup.io/rhscl/ruby-26-rhel7", /*by_tag=*/true);
  EXPECT_EQ(Must(Render(set, Format::kRegistriesConf)),
            "[[registry]]\n"
            "prefix = \"quay.io/openshift-release-dev/ocp-release\"\n"
            "location = \"quay.io/openshift-release-dev/ocp-release\"\n"
            "mirror-by-digest-only = true\n"
            "\n[[registry.mirror]]\n"
            "location = \"backup.io/ocp4/openshift4\"\n"
            "\n[[registry.mirror]]\n"
            "location = \"m.io:5000/ocp4/openshift4\"\n"
            "\n[[registry]]\n"
            "prefix = \"quay.io/openshift-release-dev/ocp-v4.0-art-dev\"\n"
            "location = \"quay.io/openshift-release-dev/ocp-v4.0-art-dev\"\n"
            "mirror-by-digest-only = true\n"
            "\n[[registry.mirror]]\n"
            "location = \"m.io:5000/ocp4/openshift4\"\n"
            "\n[[registry]]\n"
            "prefix = \"registry.redhat.io/rhscl/ruby-26-rhel7\"\n"
            "location = \"registry.redhat.io/rhscl/ruby-26-rhel7\"\n"
            "mirror-by-digest-only = false\n"
            "\n[[registry.mirror]]\n"
            "location = \"backup.io/rhscl/ruby-26-rhel7\"\n"
            "\n[[registry.mirror]]\n"
            "location = \"m.io:5000/rhscl/ruby-26-rhel7\"\n");
}

TEST(FormatRegistriesConf, OneMirrorByDigestMakesTheEntryDigestOnly) {
  MirrorSet set;
  set.Add(kRuby, "a.io/rhscl/ruby-26-rhel7", /*by_tag=*/true);
  set.Add(kRuby, "b.io/ruby");
  EXPECT_NE(RenderRegistriesConf(set).find("mirror-by-digest-only = true\n"), std::string::npos);
}

TEST(FormatToml, EscapesStringsAndKeys) {
  EXPECT_EQ(TomlString("quay.io/a/b"), "\"quay.io/a/b\"");
  EXPECT_EQ(TomlString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(TomlString("\b\t\n\f\r"), "\"\\b\\t\\n\\f\\r\"");
  EXPECT_EQ(TomlString(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001F\\u007F\"");
  EXPECT_EQ(TomlString(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(TomlString("caf\xc3\xa9 \xf0\x9f\x90\xb3"), "\"caf\xc3\xa9 \xf0\x9f\x90\xb3\"");  // UTF-8 kept
  EXPECT_EQ(TomlString("a\xff"
                       "b\xc3"),
            "\"a\\uFFFDb\\uFFFD\"");                                                         // not UTF-8
  EXPECT_EQ(TomlString("\xc0\xaf\xed\xa0\x80"), "\"\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD\"");  // overlong, surrogate
  EXPECT_EQ(TomlKey("mirror-by-digest-only"), "mirror-by-digest-only");
  EXPECT_EQ(TomlKey("a.b"), "\"a.b\"");
  EXPECT_EQ(TomlKey(""), "\"\"");
  TomlWriter w;
  w.ArrayTable({"registry"});
  w.String("a b", "x\ny");
  w.Bool("insecure", false);
  w.ArrayTable({"registry", "mirror"});
  EXPECT_EQ(w.text(), "[[registry]]\n\"a b\" = \"x\\ny\"\ninsecure = false\n\n[[registry.mirror]]\n");
}

// Names that are valid object names but not strings in plain YAML come
// back as the same strings (the quoting rule is tested in
// yaml_writer_test.cc).
TEST(FormatYaml, MisreadableNamesComeBackAsStrings) {
  MirrorSet set = Sample();
  const std::vector<std::string> names = {"true", "on", "y", "1234", "1e3", "0x1f", "012", "2001-12-14"};
  std::string stream;  // one document per name, read by one python3
  for (const auto& name : names) {
    std::string text = Must(Render(set, Format::kIdms, name));
    EXPECT_NE(text.find("name: \"" + name + "\"\n"), std::string::npos) << text;
    stream += "---\n" + text;
  }
  auto docs = fixtures::ReadWithPython(fixtures::PythonFormat::kYamlStream, stream);
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  ASSERT_EQ(docs->size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const json::Value* metadata = docs->items()[i].Find("metadata");
    ASSERT_NE(metadata, nullptr);
    EXPECT_EQ(metadata->GetString("name"), names[i]);
  }
  EXPECT_NE(Must(Render(set, Format::kIdms, "ocp-4.3.0")).find("name: ocp-4.3.0\n"), std::string::npos);
}

TEST(FormatDeterminism, InsertionOrderDoesNotMatter) {
  std::vector<std::pair<std::string, std::string>> pairs = {
      {kRelease, kMirror}, {kArt, kMirror}, {kRelease, "backup.io/x"}, {kRuby, "m.io/r"}, {kArt, kMirror}};
  std::vector<std::string> first;
  std::sort(pairs.begin(), pairs.end());
  do {
    MirrorSet set;
    for (const auto& [s, m] : pairs) set.Add(s, m, s == kRuby);
    std::vector<std::string> texts;
    for (size_t f = 0; f < FormatNames().size(); ++f) {
      // updateservice and catalogsource are made from other records
      // (update_service.h, catalog_source.h).
      if (static_cast<Format>(f) == Format::kUpdateService || static_cast<Format>(f) == Format::kCatalogSource) {
        EXPECT_EQ(Render(set, static_cast<Format>(f)).status().code(), Code::kInvalidArgument);
        continue;
      }
      texts.push_back(Must(Render(set, static_cast<Format>(f))));
    }
    if (first.empty()) first = texts;
    ASSERT_EQ(texts, first);
  } while (std::next_permutation(pairs.begin(), pairs.end()));
}

}  // namespace
}  // namespace mk::mirrorconfig
