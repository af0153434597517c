#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "archive/tar.h"
#include "graph/graph_image.h"
#include "graph/graph_layer.h"
#include "json/value.h"
#include "oci/media_types.h"
#include "testing/image_builder.h"
#include "testing/temp_dir.h"

namespace mk::graph {
namespace {

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(GraphLayer, EntryPathsAreReRootedAndTraversalRefused) {
  EXPECT_EQ(*GraphEntryPath("./channels/stable-4.3.yaml"), "var/lib/cincinnati-graph-data/channels/stable-4.3.yaml");
  EXPECT_EQ(*GraphEntryPath("/abs/x"), "var/lib/cincinnati-graph-data/abs/x");
  EXPECT_EQ(GraphEntryPath("../etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(GraphEntryPath("a/../../b").status().code(), Code::kInvalidArgument);
}

TEST(GraphLayer, BuildsAGzipLayerWithTheFilesAndItsDiffId) {
  fixtures::ScopedTempDir tmp;
  std::string path = WriteFile(tmp.path(), "g.tar.gz",
                               fixtures::MakeTarGzEntries({{"channels/stable-4.3.yaml", "name: stable-4.3\n"},
                                                           {"blocked-edges/4.3.1.yaml", "to: 4.3.1\n"}}));
  auto layer = BuildGraphLayer(path);
  ASSERT_TRUE(layer.ok()) << layer.status().message();
  EXPECT_EQ(layer->files, 2);
  EXPECT_EQ(layer->digest, Digest::Sha256Of(layer->gzip));
  std::string tar;
  size_t off = 0;
  ASSERT_TRUE(archive::Decompress(
                  [&](char* out, size_t n) -> Result<size_t> {
                    size_t k = std::min(n, layer->gzip.size() - off);
                    std::memcpy(out, layer->gzip.data() + off, k);
                    off += k;
                    return k;
                  },
                  "t",
                  [&](const char* d, size_t n) {
                    tar.append(d, n);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(layer->diff_id, Digest::Sha256Of(tar));
  EXPECT_NE(tar.find("var/lib/cincinnati-graph-data/channels/stable-4.3.yaml"), std::string::npos);
  // The same graph data makes the same layer.
  EXPECT_EQ(BuildGraphLayer(path)->digest, layer->digest);
}

TEST(GraphLayer, RefusesTraversalLinksAndEmptyData) {
  fixtures::ScopedTempDir tmp;
  auto bad = BuildGraphLayer(
      WriteFile(tmp.path(), "bad.tar.gz", fixtures::MakeTarGzEntries({{"ok.yaml", "x"}, {"../../evil", "y"}})));
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("../../evil"), std::string::npos);
  fixtures::TarEntry link{"l", "", AE_IFLNK, "/etc/passwd"};
  EXPECT_EQ(BuildGraphLayer(WriteFile(tmp.path(), "link.tar.gz", fixtures::MakeTarGzEntries({link}))).status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(BuildGraphLayer(tmp.path() + "/missing.tar.gz").ok());
}

TEST(GraphImage, ConfigAppendsDiffIdHistoryAndCmd) {
  Digest diff = Digest::Sha256Of("tar");
  auto text = GraphConfig(
      R"({"architecture":"amd64","config":{"Entrypoint":["/x"],"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"history":[{"created_by":"base"}]})",
      diff);
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto v = json::Value::Parse(*text);
  ASSERT_TRUE(v.ok());
  const auto& ids = v->Find("rootfs")->Find("diff_ids")->items();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].as_string(), "sha256:aa");
  EXPECT_EQ(ids[1].as_string(), diff.str());
  EXPECT_EQ(v->Find("history")->size(), 2u);
  const json::Value* cfg = v->Find("config");
  EXPECT_EQ(cfg->Find("Entrypoint"), nullptr);
  ASSERT_EQ(cfg->Find("Cmd")->size(), 3u);
  EXPECT_EQ(cfg->Find("Cmd")->items()[2].as_string(), kGraphCmd);
  EXPECT_EQ(cfg->Find("Env")->items()[0].as_string(), "A=1");
  EXPECT_FALSE(GraphConfig("[1]", diff).ok());
}

TEST(GraphImage, ManifestKeepsBaseLayersFirstAndAppendsOne) {
  std::string raw = std::string(R"({"schemaVersion":2,"mediaType":")") + std::string(oci::kOciManifest) +
                    R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                    Digest::Sha256Of("c").str() +
                    R"(","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
                    Digest::Sha256Of("l").str() + R"(","size":1}]})";
  auto base = oci::Manifest::Parse(raw, "");
  ASSERT_TRUE(base.ok()) << base.status().message();
  oci::Descriptor config{.media_type = std::string(oci::kOciConfig), .digest = Digest::Sha256Of("c2"), .size = 2};
  oci::Descriptor layer{.media_type = std::string(oci::kOciLayerGzip), .digest = Digest::Sha256Of("l2"), .size = 2};
  auto m = GraphManifest(*base, config, layer);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].digest, Digest::Sha256Of("l"));
  EXPECT_EQ(m->layers[1].digest, layer.digest);
  EXPECT_EQ(m->config.digest, config.digest);
  EXPECT_EQ(m->digest, Digest::Sha256Of(m->raw));
}

TEST(GraphImage, ComponentLikeTagsAreTheOnesExtendingAnotherTag) {
  EXPECT_EQ(ComponentLikeTags({"4.3.0-x86_64", "4.3.0-x86_64-etcd", "4.3.1-x86_64", "4.3.0-x86_64-cli"}),
            (std::vector<std::string>{"4.3.0-x86_64-cli", "4.3.0-x86_64-etcd"}));
  EXPECT_TRUE(ComponentLikeTags({"4.3.0-x86_64", "4.3.1-x86_64", "4.14.0-multi"}).empty());
}

}  // namespace
}  // namespace mk::graph
