#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "samples/cluster_config.h"
#include "samples/image_streams.h"

namespace mk::samples {
namespace {

std::string SourceDir() {
  if (const char* d = std::getenv("MK_SOURCE_DIR")) return d;
  std::string file = __FILE__;
  return file.substr(0, file.rfind("lib/samples/"));
}

// The fixture shaped like the openshift namespace, with registry.redhat.io.
ImageStreams Fixture() {
  std::string text = ReadFileLimited(SourceDir() + "tests/fixtures/openshift-imagestreams.json", 1 << 20).value();
  for (size_t p; (p = text.find("REDHAT_REGISTRY")) != std::string::npos;) text.replace(p, 15, "registry.redhat.io");
  return ImageStreams::Parse(text).value();
}

const Mapping* Find(const Selection& s, const std::string& stream_tag) {
  for (const auto& m : s.mappings)
    for (const auto& st : m.stream_tags)
      if (st == stream_tag) return &m;
  return nullptr;
}

TEST(ImageStreams, SelectsResolvesAndLeavesOutPayloadStreams) {
  SelectOptions o;
  o.mirror = "mirror.example.com:5000";
  auto s = Select(Fixture(), o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const Mapping* ruby = Find(*s, "ruby:latest");  // ImageStreamTag 2.6
  ASSERT_NE(ruby, nullptr);
  EXPECT_EQ(ruby->source.String(), "registry.redhat.io/rhscl/ruby-26-rhel7:latest");
  EXPECT_EQ(ruby->dest.String(), "mirror.example.com:5000/rhscl/ruby-26-rhel7:latest");
  EXPECT_EQ(ruby->stream_tags.size(), 2u);        // one copy serves 2.6 and latest
  EXPECT_NE(Find(*s, "nodejs:latest"), nullptr);  // "nodejs:10" form
  EXPECT_EQ(Find(*s, "jenkins:2"), nullptr);
  EXPECT_EQ(Find(*s, "cli:latest"), nullptr);
  EXPECT_FALSE(s->managed_streams.count("must-gather"));
  auto skipped_for = [&](const std::string& stream_tag, const std::string& reason) {
    for (const auto& k : s->skipped)
      if (k.stream + ":" + k.tag == stream_tag && k.reason.rfind(reason, 0) == 0) return true;
    return false;
  };
  EXPECT_TRUE(skipped_for("python:2.7", "not on registry.redhat.io"));
  EXPECT_TRUE(skipped_for("dotnet:a", "ImageStreamTag references form a cycle"));
  EXPECT_TRUE(skipped_for("perl:5.26", "refers to a stream tag that is not in the input"));
}

TEST(ImageStreams, StreamsAndRegistriesFilter) {
  SelectOptions o;
  o.mirror = "m.io";
  o.only_streams = {"ruby"};
  auto s = Select(Fixture(), o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mappings.size(), 2u);
  EXPECT_EQ(s->managed_streams, std::set<std::string>{"ruby"});
  // Streams left out by --streams are not mirrored: the operator skips them.
  ConfigOptions co;
  co.mirror = "m.io";
  auto skipped = SkippedStreams(*s, co);
  EXPECT_TRUE(skipped.count("nodejs"));
  EXPECT_FALSE(skipped.count("ruby"));
  EXPECT_FALSE(skipped.count("jenkins"));
  o.only_streams.clear();
  o.registries = {"quay.io"};
  s = Select(Fixture(), o);
  ASSERT_EQ(s->mappings.size(), 1u);
  EXPECT_EQ(s->mappings[0].dest.String(), "m.io/someone/python-27:latest");
}

TEST(ImageStreams, InputForms) {
  auto one = ImageStreams::Parse(
      R"({"kind":"ImageStream","metadata":{"name":"x"},"spec":{"tags":[{"name":"1","from":{"kind":"DockerImage","name":"registry.redhat.io/a/b@sha256:)" +
      std::string(64, 'a') + R"("}}]}})");
  ASSERT_TRUE(one.ok());
  SelectOptions o;
  o.mirror = "m.io:5000/prefix";
  auto s = Select(*one, o);
  ASSERT_EQ(s->mappings.size(), 1u);
  EXPECT_EQ(s->mappings[0].dest.String(), "m.io:5000/prefix/a/b@sha256:" + std::string(64, 'a'));
  EXPECT_FALSE(ImageStreams::Parse(R"({"kind":"Pod"})").ok());
  EXPECT_FALSE(ImageStreams::Parse(R"({"kind":"List","items":[{"kind":"ImageStream","metadata":{}}]})").ok());
  o.mirror = "notahost";
  EXPECT_FALSE(Select(*one, o).ok());
  o.mirror = "mirror/foo.bar";  // the host is the first component
  EXPECT_FALSE(Select(*one, o).ok());
}

TEST(ClusterConfig, ObjectsKeysAndSkippedFromResults) {
  EXPECT_EQ(TrustedCaKey("mirror.example.com:5000"), "mirror.example.com..5000");
  EXPECT_EQ(TrustedCaKey("mirror.example.com"), "mirror.example.com");
  EXPECT_EQ(TrustedCaKey("mirror.example.com:5000/prefix"), "mirror.example.com..5000");
  ImageStreams streams = Fixture();
  SelectOptions o;
  o.mirror = "mirror.example.com:5000";
  Selection sel = *Select(streams, o);
  ConfigOptions co;
  co.mirror = o.mirror;
  co.ca_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  co.results = *ParseCopyResults(
      "{\"dest\":\"mirror.example.com:5000/rhscl/ruby-25-rhel7:latest\",\"status\":\"copied\"}\n"
      "{\"dest\":\"mirror.example.com:5000/rhscl/mysql-80-rhel7:latest\",\"status\":\"failed\",\"error\":\"schema "
      "1\"}\n",
      "results");
  auto skipped = SkippedStreams(sel, co);
  // mysql failed, the rest of ruby/nodejs/httpd/python:3.6 are absent from
  // the results (not copied), python/dotnet/perl cannot be mirrored.
  EXPECT_TRUE(skipped.count("mysql"));
  EXPECT_TRUE(skipped.count("nodejs"));
  EXPECT_TRUE(skipped.count("dotnet"));
  EXPECT_FALSE(skipped.count("jenkins"));
  auto list = ClusterObjects(sel, co);
  ASSERT_TRUE(list.ok());
  const auto& items = list->Find("items")->items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(*items[0].Find("data")->GetString("mirror.example.com..5000"), *co.ca_pem);
  EXPECT_EQ(*items[1].Find("spec")->Find("additionalTrustedCA")->GetString("name"), "registry-config");
  EXPECT_EQ(*items[2].Find("spec")->GetString("samplesRegistry"), "mirror.example.com:5000");
  auto isi = MustGatherImport(streams);
  ASSERT_TRUE(isi.ok());
  EXPECT_EQ(*isi->GetString("kind"), "ImageStreamImport");
  EXPECT_EQ(isi->Find("spec")->Find("images")->size(), 1u);
  co.ca_pem =
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE "
      "KEY-----\n";
  EXPECT_NE(ClusterObjects(sel, co).status().message().find("private key"), std::string::npos);
  co.ca_pem = "not a certificate";
  EXPECT_FALSE(ClusterObjects(sel, co).ok());
  EXPECT_FALSE(ParseCopyResults("{nope\n", "r").ok());
}

// stream-mirror prints the objects as JSON for `oc apply -f -`: odd bytes in
// the CA file or the mirror address must not make that text unreadable.
TEST(ClusterConfig, ObjectsWithOddBytesStayValidJson) {
  SelectOptions o;
  o.mirror = "mirror.example.com:5000";
  Selection sel = *Select(Fixture(), o);
  ConfigOptions co;
  co.mirror = "mirror.example.com:5000/\xf8\x80\x80";
  co.ca_pem =
      "-----BEGIN CERTIFICATE-----\nMI\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\x01IB\n-----END CERTIFICATE-----\n";
  auto list = ClusterObjects(sel, co);
  ASSERT_TRUE(list.ok()) << list.status().message();
  // One U+FFFD for each ill-formed part (base/utf8.h).
  auto Replacements = [](size_t n) {
    std::string r;
    for (size_t i = 0; i < n; ++i) r += "\xef\xbf\xbd";
    return r;
  };
  auto back = json::Value::Parse(list->SerializePretty());
  ASSERT_TRUE(back.ok()) << back.status().message();
  const auto& items = back->Find("items")->items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(*items[0].Find("data")->GetString("mirror.example.com..5000"),
            "-----BEGIN CERTIFICATE-----\nMI" + Replacements(10) + "\x01IB\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(*items[2].Find("spec")->GetString("samplesRegistry"), "mirror.example.com:5000/" + Replacements(3));
}

}  // namespace
}  // namespace mk::samples
