#include "mutate/manifest_rewrite.h"

#include <gtest/gtest.h>

#include <map>

#include "json/value.h"
#include "oci/media_types.h"

namespace mk::mutate {
namespace {

using oci::Manifest;

Digest D(char c) { return Digest::Parse("sha256:" + std::string(64, c)).value(); }

std::string Desc(std::string_view media_type, int64_t size, const Digest& d, const std::string& extra = "") {
  return "{\"mediaType\":\"" + std::string(media_type) + "\",\"size\":" + std::to_string(size) + ",\"digest\":\"" +
         d.str() + "\"" + extra + "}";
}

Manifest Parse(const std::string& raw) {
  auto m = Manifest::Parse(raw, "");
  EXPECT_TRUE(m.ok()) << m.status().message() << "\n" << raw;
  return m.ok() ? *m : Manifest{};
}

json::Value Json(const Manifest& m) { return json::Value::Parse(m.raw).value(); }

// A compact Docker image: config, a gzip layer and a foreign layer.
Manifest DockerImage(char seed) {
  return Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kDockerManifest) + "\",\"config\":" +
               Desc(oci::kDockerConfig, 10, D(seed)) + ",\"layers\":[" + Desc(oci::kDockerLayerGzip, 20, D('a')) + "," +
               Desc(oci::kDockerForeignLayerGzip, 30, D('b'), ",\"urls\":[\"https://example.com/b\"]") + "]}");
}

// A store of child manifests for the getter.
struct Children {
  std::map<Digest, Manifest> by_digest;
  int gets = 0;
  void Add(const Manifest& m) { by_digest[m.digest] = m; }
  ManifestGetter Getter() {
    return [this](const Digest& d) -> Result<Manifest> {
      ++gets;
      auto it = by_digest.find(d);
      if (it == by_digest.end()) return NotFound("manifest " + d.str() + " not in the test store");
      return it->second;
    };
  }
};

std::string Entry(const Manifest& child, const std::string& platform, const std::string& extra = "") {
  return Desc(child.media_type, static_cast<int64_t>(child.raw.size()), child.digest,
              (platform.empty() ? "" : ",\"platform\":" + platform) + extra);
}

// ---- FilterPlatforms ------------------------------------------------------

class Filter : public ::testing::Test {
 protected:
  void SetUp() override {
    amd = DockerImage('1');
    arm = DockerImage('2');
    ppc = DockerImage('3');
    list = Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kDockerManifestList) +
                 "\",\"manifests\":[" + Entry(amd, R"({"architecture":"amd64","os":"linux"})") + "," +
                 Entry(arm, R"({"architecture":"arm64","os":"linux","variant":"v8","features":["sse4"]})",
                       R"(,"annotations":{"k":"v"})") +
                 "," + Entry(ppc, R"({"architecture":"ppc64le","os":"linux","os.version":"9"})") +
                 "],\"x-unknown\":{\"kept\":true}}");
  }
  Manifest amd, arm, ppc, list;
};

TEST_F(Filter, KeepsMatchingEntriesVerbatimAndChildDigests) {
  auto r = FilterPlatforms(list, std::regex("linux/(arm64/v8|ppc64le)"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Manifest& m = r->manifest;
  EXPECT_NE(m.digest, list.digest);
  EXPECT_EQ(m.digest, Digest::Sha256Of(m.raw));
  EXPECT_EQ(m.media_type, oci::kDockerManifestList);
  ASSERT_EQ(m.manifests.size(), 2u);
  EXPECT_EQ(m.manifests[0].digest, arm.digest);
  EXPECT_EQ(m.manifests[1].digest, ppc.digest);
  EXPECT_TRUE(r->children.empty());
  EXPECT_TRUE(r->blobs.empty());
  // Every field of the kept entries and of the list survives.
  json::Value doc = Json(m);
  EXPECT_EQ(doc.Find("x-unknown")->Serialize(), "{\"kept\":true}");
  const json::Value& arm_entry = doc.Find("manifests")->items()[0];
  EXPECT_EQ(arm_entry.Find("platform")->Serialize(),
            R"({"architecture":"arm64","os":"linux","variant":"v8","features":["sse4"]})");
  EXPECT_EQ(arm_entry.Find("annotations")->Serialize(), R"({"k":"v"})");
  EXPECT_EQ(doc.Find("manifests")->items()[1].Find("platform")->GetString("os.version"), "9");
}

TEST_F(Filter, PatternMatchesTheWholePlatform) {
  // "linux/arm64" is not the whole of "linux/arm64/v8"; "amd64" alone neither.
  EXPECT_EQ(FilterPlatforms(list, std::regex("linux/arm64")).status().code(), Code::kNotFound);
  auto r = FilterPlatforms(list, std::regex("amd64|linux/amd64"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->manifest.manifests.size(), 1u);
  EXPECT_EQ(r->manifest.manifests[0].digest, amd.digest);
}

TEST_F(Filter, EverythingMatchingGivesTheIndexItself) {
  auto r = FilterPlatforms(list, std::regex("linux/.*"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->manifest.raw, list.raw);
  EXPECT_EQ(r->manifest.digest, list.digest);
}

TEST_F(Filter, NothingMatchingNamesThePlatforms) {
  auto r = FilterPlatforms(list, std::regex("windows/.*"));
  ASSERT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("linux/amd64, linux/arm64/v8, linux/ppc64le"), std::string::npos)
      << r.status().message();
}

TEST_F(Filter, EntriesWithoutPlatformNeverMatchAndImagesAreRefused) {
  Manifest index = Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciIndex) + "\",\"manifests\":[" +
                         Entry(amd, "") + "," + Entry(arm, R"({"architecture":"arm64","os":"linux"})") + "]}");
  auto r = FilterPlatforms(index, std::regex(".*"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->manifest.manifests.size(), 1u);
  EXPECT_EQ(r->manifest.media_type, oci::kOciIndex);
  EXPECT_EQ(FilterPlatforms(amd, std::regex(".*")).status().code(), Code::kInvalidArgument);
}

// ---- Convert ----------------------------------------------------------------

TEST(Convert, DockerImageToOciAndBackGivesTheSameBytes) {
  Manifest docker = DockerImage('1');
  Children none;
  auto oci = Convert(docker, Format::kOci, none.Getter());
  ASSERT_TRUE(oci.ok()) << oci.status().message();
  const Manifest& m = oci->manifest;
  EXPECT_EQ(m.media_type, oci::kOciManifest);
  EXPECT_EQ(m.config.media_type, oci::kOciConfig);
  EXPECT_EQ(m.config.digest, docker.config.digest);
  EXPECT_EQ(m.config.size, docker.config.size);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[0].media_type, oci::kOciLayerGzip);
  EXPECT_EQ(m.layers[1].media_type, oci::kOciForeignLayerGzip);
  EXPECT_EQ(m.layers[1].urls, docker.layers[1].urls);
  EXPECT_EQ(m.layers[0].digest, docker.layers[0].digest);
  EXPECT_TRUE(oci->children.empty());
  EXPECT_TRUE(oci->blobs.empty());
  EXPECT_EQ(none.gets, 0);
  auto back = Convert(m, Format::kDocker, none.Getter());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->manifest.raw, docker.raw);
}

TEST(Convert, AlreadyInTheTargetFormatIsUnchangedEvenPrettyPrinted) {
  std::string pretty = "{\n  \"schemaVersion\": 2,\n  \"config\": " + Desc(oci::kOciConfig, 1, D('1')) +
                       ",\n  \"layers\": [" + Desc(oci::kOciLayerZstd, 2, D('2')) +
                       "],\n  \"annotations\": {\"a\": \"b\"}\n}\n";
  Manifest m = Parse(pretty);  // no mediaType: an OCI manifest by shape
  Children none;
  auto r = Convert(m, Format::kOci, none.Getter());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->manifest.raw, pretty);
  EXPECT_EQ(r->manifest.digest, m.digest);
  Manifest docker = DockerImage('3');
  EXPECT_EQ(Convert(docker, Format::kDocker, none.Getter())->manifest.raw, docker.raw);
}

TEST(Convert, OciToDockerDropsWhatDockerCannotCarry) {
  Manifest m = Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciManifest) +
                     "\",\"config\":" + Desc(oci::kOciConfig, 1, D('1'), R"(,"annotations":{"c":"d"},"data":"e30=")") +
                     ",\"layers\":[" + Desc(oci::kOciLayerZstd, 2, D('2'), R"(,"annotations":{"l":"1"})") + "," +
                     Desc(oci::kOciLayer, 3, D('3')) +
                     "],\"annotations\":{\"org.opencontainers.image.created\":\"now\"},\"x-other\":1}");
  Children none;
  auto r = Convert(m, Format::kDocker, none.Getter());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->manifest.raw, "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kDockerManifest) +
                                 "\",\"config\":" + Desc(oci::kDockerConfig, 1, D('1')) + ",\"layers\":[" +
                                 Desc(oci::kDockerLayerZstd, 2, D('2')) + "," + Desc(oci::kDockerLayer, 3, D('3')) +
                                 "],\"x-other\":1}");
}

TEST(Convert, RefusesWhatHasNoCounterpart) {
  Children none;
  auto oci_image = [](const std::string& config_type, const std::string& layer_type, const std::string& extra) {
    return Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciManifest) + "\",\"config\":" +
                 Desc(config_type, 1, D('1')) + ",\"layers\":[" + Desc(layer_type, 2, D('2')) + "]" + extra + "}");
  };
  const std::string nondist_zstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
  auto layer = Convert(oci_image(std::string(oci::kOciConfig), nondist_zstd, ""), Format::kDocker, none.Getter());
  EXPECT_EQ(layer.status().code(), Code::kUnsupported);
  EXPECT_NE(layer.status().message().find(nondist_zstd), std::string::npos) << layer.status().message();
  auto encrypted =
      Convert(oci_image(std::string(oci::kOciConfig), "application/vnd.oci.image.layer.v1.tar+gzip+encrypted", ""),
              Format::kOci, none.Getter());
  EXPECT_EQ(encrypted.status().code(), Code::kUnsupported);
  auto config = Convert(oci_image("application/vnd.in-toto+json", std::string(oci::kOciLayerGzip), ""), Format::kDocker,
                        none.Getter());
  EXPECT_EQ(config.status().code(), Code::kUnsupported);
  EXPECT_NE(config.status().message().find("application/vnd.in-toto+json"), std::string::npos);
  auto subject = Convert(oci_image(std::string(oci::kOciConfig), std::string(oci::kOciLayerGzip),
                                   ",\"subject\":" + Desc(oci::kOciManifest, 5, D('5'))),
                         Format::kDocker, none.Getter());
  EXPECT_EQ(subject.status().code(), Code::kUnsupported);
  EXPECT_NE(subject.status().message().find("subject"), std::string::npos);
  auto artifact = Convert(oci_image(std::string(oci::kOciConfig), std::string(oci::kOciLayerGzip),
                                    ",\"artifactType\":\"application/x.sbom\""),
                          Format::kDocker, none.Getter());
  EXPECT_EQ(artifact.status().code(), Code::kUnsupported);
  // The same artifact stays as it is when OCI is asked for.
  EXPECT_TRUE(Convert(oci_image(std::string(oci::kOciConfig), std::string(oci::kOciLayerGzip),
                                ",\"artifactType\":\"application/x.sbom\""),
                      Format::kOci, none.Getter())
                  .ok());
}

TEST(Convert, DockerListToOciIndexConvertsChildrenAndKeepsPlatforms) {
  Manifest amd = DockerImage('1'), arm = DockerImage('2');
  Children store;
  store.Add(amd);
  store.Add(arm);
  Manifest list = Parse(
      "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kDockerManifestList) + "\",\"manifests\":[" +
      Entry(amd, R"({"architecture":"amd64","os":"windows","os.version":"10.0.17763.1","os.features":["win32k"]})") +
      "," + Entry(arm, R"({"architecture":"arm64","os":"linux","variant":"v8","features":["x"]})") + "]}");
  auto r = Convert(list, Format::kOci, store.Getter());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Manifest& index = r->manifest;
  EXPECT_EQ(index.media_type, oci::kOciIndex);
  ASSERT_EQ(r->children.size(), 2u);
  ASSERT_EQ(index.manifests.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Manifest& child = r->children[i];
    EXPECT_EQ(child.media_type, oci::kOciManifest);
    EXPECT_EQ(index.manifests[i].digest, child.digest);
    EXPECT_EQ(index.manifests[i].size, static_cast<int64_t>(child.raw.size()));
    EXPECT_EQ(index.manifests[i].media_type, oci::kOciManifest);
  }
  json::Value doc = Json(index);
  EXPECT_EQ(doc.Find("manifests")->items()[0].Find("platform")->Serialize(),
            R"({"architecture":"amd64","os":"windows","os.version":"10.0.17763.1","os.features":["win32k"]})");
  EXPECT_EQ(doc.Find("manifests")->items()[1].Find("platform")->Serialize(),
            R"({"architecture":"arm64","os":"linux","variant":"v8","features":["x"]})");
  // And back: the list and its children come back byte for byte.
  Children converted;
  for (const auto& c : r->children) converted.Add(c);
  auto back = Convert(index, Format::kDocker, converted.Getter());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->manifest.raw, list.raw);
  ASSERT_EQ(back->children.size(), 2u);
  EXPECT_EQ(back->children[0].raw, amd.raw);
}

TEST(Convert, MixedIndexRewritesOnlyWhatIsNotYetInTheFormat) {
  Manifest docker = DockerImage('1');
  Manifest oci = Convert(DockerImage('2'), Format::kOci, Children{}.Getter())->manifest;
  Children store;
  store.Add(docker);
  store.Add(oci);
  Manifest index =
      Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciIndex) + "\",\"manifests\":[" +
            Entry(docker, R"({"architecture":"amd64","os":"linux"})") + "," +
            Entry(oci, R"({"architecture":"arm64","os":"linux"})") + "],\"annotations\":{\"keep\":\"me\"}}");
  auto r = Convert(index, Format::kOci, store.Getter());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->children.size(), 1u);  // the OCI child is referenced as it is
  EXPECT_EQ(r->manifest.manifests[1].digest, oci.digest);
  EXPECT_NE(r->manifest.manifests[0].digest, docker.digest);
  EXPECT_EQ(Json(r->manifest).Find("annotations")->Serialize(), R"({"keep":"me"})");
  // To Docker, the index's annotations go (a Docker list has none).
  auto d = Convert(index, Format::kDocker, store.Getter());
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(Json(d->manifest).Find("annotations"), nullptr);
  EXPECT_EQ(d->manifest.media_type, oci::kDockerManifestList);
  ASSERT_EQ(d->children.size(), 1u);
  EXPECT_EQ(d->manifest.manifests[0].digest, docker.digest);
}

TEST(Convert, IndexErrorsNameTheEntry) {
  Manifest amd = DockerImage('1');
  Children empty;
  Manifest index = Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciIndex) + "\",\"manifests\":[" +
                         Entry(amd, "") + "]}");
  auto missing = Convert(index, Format::kOci, empty.Getter());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("manifests[0] " + amd.digest.str()), std::string::npos)
      << missing.status().message();
  Children store;
  store.Add(amd);
  auto no_platform = Convert(index, Format::kDocker, store.Getter());
  EXPECT_EQ(no_platform.status().code(), Code::kUnsupported);
  EXPECT_NE(no_platform.status().message().find("platform"), std::string::npos);
  // A child whose size is not the index's is refused.
  Manifest wrong = Parse("{\"schemaVersion\":2,\"mediaType\":\"" + std::string(oci::kOciIndex) + "\",\"manifests\":[" +
                         Desc(amd.media_type, 3, amd.digest) + "]}");
  EXPECT_EQ(Convert(wrong, Format::kOci, store.Getter()).status().code(), Code::kDataLoss);
}

// ---- Schema 1 ---------------------------------------------------------------

// One schema 1 entry: its blob and its v1Compatibility object.
struct V1 {
  Digest blob;
  std::string v1;  // JSON object text
};

// A schema 1 manifest from entries given OLDEST first (as people think of
// them); the manifest lists them newest first, as schema 1 does.
Manifest Schema1(const std::vector<V1>& oldest_first, const std::string& arch = "amd64") {
  json::Value doc = json::Value::Object();
  doc.Set("schemaVersion", json::Value::Number(1));
  doc.Set("name", json::Value::String("lib/app"));
  doc.Set("tag", json::Value::String("latest"));
  doc.Set("architecture", json::Value::String(arch));
  json::Value fs = json::Value::Array(), history = json::Value::Array();
  for (auto it = oldest_first.rbegin(); it != oldest_first.rend(); ++it) {
    json::Value l = json::Value::Object();
    l.Set("blobSum", json::Value::String(it->blob.str()));
    fs.Append(l);
    json::Value h = json::Value::Object();
    h.Set("v1Compatibility", json::Value::String(it->v1));
    history.Append(h);
  }
  doc.Set("fsLayers", fs);
  doc.Set("history", history);
  return Parse(doc.SerializePretty(3));
}

const std::string kId1 = std::string(64, '1'), kId2 = std::string(64, '2'), kId3 = std::string(64, '3'),
                  kId4 = std::string(64, '4'), kId5 = std::string(64, '5');

// Oldest first: a base layer A; a throwaway CMD (the empty tar E); a layer B
// listed twice under one id (docker merges such repeats); a layer that
// reuses blob A; a throwaway newest entry holding the image's config.
std::vector<V1> History() {
  const Digest a = D('a'), b = D('b'), e = D('e');
  return {
      {a,
       R"({"id":")" + kId1 +
           R"(","created":"2020-01-01T00:00:00Z","container_config":{"Cmd":["/bin/sh","-c","#(nop) ADD file:abc in /"]}})"},
      {e,
       R"({"id":")" + kId2 + R"(","parent":")" + kId1 +
           R"(","created":"2020-01-02T00:00:00Z","container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD [\"sh\"]"]},"throwaway":true})"},
      {b,
       R"({"id":")" + kId3 + R"(","parent":")" + kId2 +
           R"(","created":"2020-01-03T00:00:00Z","author":"me","comment":"built","container_config":{"Cmd":["/bin/sh","-c","make"]}})"},
      {b,
       R"({"id":")" + kId3 + R"(","parent":")" + kId2 +
           R"(","created":"2020-01-03T00:00:00Z","author":"me","comment":"built","container_config":{"Cmd":["/bin/sh","-c","make"]}})"},
      {a, R"({"id":")" + kId4 + R"(","parent":")" + kId3 +
              R"(","created":"2020-01-04T00:00:00Z","container_config":{"Cmd":["/bin/sh","-c","cp"]}})"},
      {e,
       R"({"id":")" + kId5 + R"(","parent":")" + kId4 +
           R"(","created":"2020-01-05T00:00:00Z","os":"linux","architecture":"arm64","docker_version":"1.13.1","Size":123,"layer_id":"x","parent_id":"y","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"container":"c1","container_config":{"Cmd":["/bin/sh","-c","#(nop) ENV PATH=/bin"]},"throwaway":true})"},
  };
}

std::vector<Schema1Layer> Described() { return {{D('a'), 100, D('1')}, {D('b'), 200, D('2')}}; }

TEST(Schema1, LayersAreTheDistinctRealBlobsOldestFirst) {
  Manifest m = Schema1(History());
  ASSERT_TRUE(m.is_schema1());
  ASSERT_EQ(m.layers.size(), 6u);
  auto layers = Schema1Layers(m);
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  EXPECT_EQ(*layers, (std::vector<Digest>{D('a'), D('b')}));
}

TEST(Schema1, ToSchema2BuildsConfigAndLayersAsDockerDoes) {
  Manifest m = Schema1(History());
  auto r = Schema1ToSchema2(m, Described());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Manifest& out = r->manifest;
  EXPECT_EQ(out.media_type, oci::kDockerManifest);
  ASSERT_EQ(out.layers.size(), 3u);  // A, B, A: throwaways gone, the repeated id merged
  EXPECT_EQ(out.layers[0].digest, D('a'));
  EXPECT_EQ(out.layers[1].digest, D('b'));
  EXPECT_EQ(out.layers[2].digest, D('a'));
  EXPECT_EQ(out.layers[1].size, 200);
  EXPECT_EQ(out.layers[0].media_type, oci::kDockerLayerGzip);
  ASSERT_EQ(r->blobs.size(), 1u);
  const NewBlob& config = r->blobs[0];
  EXPECT_EQ(config.descriptor.digest, Digest::Sha256Of(config.data));
  EXPECT_EQ(config.descriptor.size, static_cast<int64_t>(config.data.size()));
  EXPECT_EQ(out.config.digest, config.descriptor.digest);
  EXPECT_EQ(out.config.size, config.descriptor.size);
  EXPECT_EQ(out.config.media_type, oci::kDockerConfig);

  json::Value c = json::Value::Parse(config.data).value();
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.members()) keys.push_back(k);
  // The newest entry's fields without the v1-only ones, in byte order.
  EXPECT_EQ(keys, (std::vector<std::string>{"architecture", "config", "container", "container_config", "created",
                                            "docker_version", "history", "os", "rootfs"}));
  EXPECT_EQ(c.GetString("architecture"), "arm64");
  EXPECT_EQ(c.Find("config")->Serialize(), R"({"Cmd":["sh"],"Env":["PATH=/bin"]})");
  EXPECT_EQ(c.Find("rootfs")->Serialize(), "{\"type\":\"layers\",\"diff_ids\":[\"" + D('1').str() + "\",\"" +
                                               D('2').str() + "\",\"" + D('1').str() + "\"]}");
  const json::Value& h = *c.Find("history");
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h.items()[0].Serialize(),
            R"({"created":"2020-01-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:abc in /"})");
  EXPECT_EQ(h.items()[1].Serialize(),
            R"({"created":"2020-01-02T00:00:00Z","created_by":"/bin/sh -c #(nop) CMD [\"sh\"]","empty_layer":true})");
  EXPECT_EQ(h.items()[2].Serialize(),
            R"({"created":"2020-01-03T00:00:00Z","author":"me","created_by":"/bin/sh -c make","comment":"built"})");
  EXPECT_EQ(h.items()[4].GetString("created_by"), "/bin/sh -c #(nop) ENV PATH=/bin");
  EXPECT_TRUE(h.items()[4].Find("empty_layer")->as_bool());
}

TEST(Schema1, MissingPlatformComesFromTheManifest) {
  // The newest entry without architecture and os: the manifest's and linux.
  std::vector<V1> history = {{D('a'), R"({"id":")" + kId1 + R"(","config":{}})"}};
  Manifest m = Schema1(history, "s390x");
  auto r = Schema1ToSchema2(m, {{D('a'), 7, D('9')}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  json::Value c = json::Value::Parse(r->blobs[0].data).value();
  EXPECT_EQ(c.GetString("architecture"), "s390x");
  EXPECT_EQ(c.GetString("os"), "linux");
  EXPECT_EQ(c.Find("history")->items()[0].Serialize(), "{}");
}

TEST(Schema1, RefusesBrokenChainsAndMismatchedDescriptions) {
  std::vector<V1> bad_parent = History();
  bad_parent[4].v1 = R"({"id":")" + kId4 + R"(","parent":")" + kId1 + R"("})";
  auto r = Schema1Layers(Schema1(bad_parent));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("parent"), std::string::npos) << r.status().message();

  std::vector<V1> repeated = {{D('a'), R"({"id":")" + kId1 + R"("})"},
                              {D('b'), R"({"id":")" + kId2 + R"(","parent":")" + kId1 + R"("})"},
                              {D('c'), R"({"id":")" + kId1 + R"(","parent":")" + kId2 + R"("})"}};
  EXPECT_NE(Schema1Layers(Schema1(repeated)).status().message().find("more than once"), std::string::npos);

  std::vector<V1> based = {{D('a'), R"({"id":")" + kId1 + R"(","parent":")" + kId2 + R"("})"}};
  EXPECT_FALSE(Schema1Layers(Schema1(based)).ok());

  Manifest m = Schema1(History());
  EXPECT_EQ(Schema1ToSchema2(m, {{D('a'), 100, D('1')}}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Schema1ToSchema2(m, {{D('a'), 100, D('1')}, {D('c'), 1, D('3')}}).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(Schema1ToSchema2(m, {{D('a'), 100, D('1')}, {D('b'), 1, Digest()}}).ok());
  EXPECT_EQ(Schema1Layers(DockerImage('1')).status().code(), Code::kInvalidArgument);
  // Convert does not take schema 1: its conversion needs the layers' facts.
  EXPECT_EQ(Convert(m, Format::kDocker, Children{}.Getter()).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace mk::mutate
