#include "mutate/plan_rewrite.h"

#include <gtest/gtest.h>

namespace mk::mutate {
namespace {

std::vector<DestMap> Maps(const std::vector<std::string>& texts) {
  std::vector<DestMap> out;
  for (const auto& t : texts) out.push_back(DestMap::Parse(t).value());
  return out;
}

TEST(PlanRewrite, DestMapParse) {
  struct Case {
    std::string text;
    bool ok;
    std::string from, to;
  };
  const Case cases[] = {
      {"quay.io/a=mirror.local/b", true, "quay.io/a", "mirror.local/b"},
      {"quay.io/a/=mirror.local/b/", true, "quay.io/a", "mirror.local/b"},  // trailing '/' ignored
      {"quay.io=mirror.local:5000", true, "quay.io", "mirror.local:5000"},
      {"a=b=c", true, "a", "b=c"},  // the first '=' splits
      {"quay.io/a", false, "", ""},
      {"=mirror.local", false, "", ""},
      {"quay.io=", false, "", ""},
  };
  for (const auto& c : cases) {
    auto m = DestMap::Parse(c.text);
    ASSERT_EQ(m.ok(), c.ok) << c.text;
    if (!c.ok) {
      EXPECT_EQ(m.status().code(), Code::kInvalidArgument) << c.text;
      EXPECT_NE(m.status().message().find(c.text), std::string::npos) << m.status().message();
      continue;
    }
    EXPECT_EQ(m->from, c.from) << c.text;
    EXPECT_EQ(m->to, c.to) << c.text;
  }
}

TEST(PlanRewrite, MapDestAtPathBoundaryFirstMatchWins) {
  struct Case {
    std::vector<std::string> maps;
    std::string dest;
    std::optional<std::string> want;
  };
  const std::string d = "sha256:" + std::string(64, 'a');
  const Case cases[] = {
      {{"quay.io/a=m.local/x"}, "quay.io/a/b:t", "m.local/x/b:t"},
      {{"quay.io/a=m.local/x"}, "quay.io/a:t", "m.local/x:t"},
      {{"quay.io/a=m.local/x"}, "quay.io/a@" + d, "m.local/x@" + d},
      {{"quay.io/a=m.local/x"}, "quay.io/a", "m.local/x"},
      {{"quay.io/a=m.local/x"}, "quay.io/ab:t", std::nullopt},  // not at a boundary
      {{"quay.io/a=m.local/x"}, "quay.io:443/a:t", std::nullopt},
      {{"quay.io/a=m.local/x"}, "docker.io/quay.io/a:t", std::nullopt},  // a prefix, not a substring
      // First match wins, even when a later one is longer.
      {{"quay.io=first.local", "quay.io/a=second.local"}, "quay.io/a/b:t", "first.local/a/b:t"},
      {{"quay.io/a=second.local", "quay.io=first.local"}, "quay.io/a/b:t", "second.local/b:t"},
      {{"quay.io/ab=x.local", "quay.io/a=y.local"}, "quay.io/a/b:t", "y.local/b:t"},
      {{}, "quay.io/a:t", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(MapDest(Maps(c.maps), c.dest), c.want) << c.dest;
}

TEST(PlanRewrite, ExpandTagFillsFieldsAndRefusesBadResults) {
  TagFields f{"4.3.0", "x86_64", "cli", "4.3.0-x86_64-cli", "sha256:0123456789abcdef" + std::string(48, '0')};
  struct Case {
    std::string tmpl;
    TagFields fields;
    std::string want;  // the tag, or a piece of the error message
    bool ok;
  };
  TagFields no_arch = f;
  no_arch.arch = "";
  TagFields no_digest = f;
  no_digest.digest = "";
  const Case cases[] = {
      {"{version}-{arch}-{name}", f, "4.3.0-x86_64-cli", true},
      {"{tag}", f, "4.3.0-x86_64-cli", true},
      {"{name}-{digest12}", f, "cli-0123456789ab", true},
      {"fixed", f, "fixed", true},
      {"v{version}_{arch}", f, "v4.3.0_x86_64", true},
      {"{release}", f, "unknown tag template field {release}", false},
      {"{version", f, "'{' without '}'", false},
      {"version}", f, "'}' without '{'", false},
      {"{version}/{arch}", f, "not a valid tag", false},  // '/' is not a tag character
      {"-{version}", f, "not a valid tag", false},        // a tag cannot start with '-'
      {"{tag}{tag}{tag}{tag}{tag}{tag}{tag}{tag}", f,
       "4.3.0-x86_64-cli4.3.0-x86_64-cli4.3.0-x86_64-cli4.3.0-x86_64-cli4.3.0-x86_64-cli4.3.0-x86_64-cli4.3.0-x86_64-"
       "cli4.3.0-x86_64-cli",
       true},                                                                      // 128: the longest tag
      {"x{tag}{tag}{tag}{tag}{tag}{tag}{tag}{tag}", f, "not a valid tag", false},  // 129
      {"{version}-{arch}", no_arch, "{arch} is empty", false},
      {"{digest12}", no_digest, "{digest12} is empty", false},
  };
  for (const auto& c : cases) {
    auto r = ExpandTag(c.tmpl, c.fields);
    ASSERT_EQ(r.ok(), c.ok) << c.tmpl << ": " << (r.ok() ? *r : r.status().message());
    if (c.ok) {
      EXPECT_EQ(*r, c.want) << c.tmpl;
    } else {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.tmpl;
      EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
    }
  }
}

TEST(PlanRewrite, CheckTagTemplateBeforeAnyRecord) {
  const std::pair<std::string, bool> cases[] = {
      {"{version}-{arch}-{name}", true},
      {"{tag}", true},
      {"mirror-{digest12}", true},
      {"{nope}", false},
      {"{version", false},
      {"a b", false},
      {"", false},
      {".{tag}", false},
      {"{tag}:{arch}", false},
  };
  for (const auto& [tmpl, ok] : cases) EXPECT_EQ(CheckTagTemplate(tmpl).ok(), ok) << tmpl;
}

TEST(PlanRewrite, SelectionMatchesNameOrSource) {
  struct Case {
    std::vector<std::string> include, exclude;
    std::string name, source;
    bool keeps;
  };
  const std::string src = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:" + std::string(64, 'a');
  const Case cases[] = {
      {{}, {}, "cli", src, true},                  // no patterns: everything
      {{"cli"}, {}, "cli", src, true},             // name, exactly
      {{"cli"}, {}, "cli-artifacts", src, false},  // a glob is whole
      {{"cli*"}, {}, "cli-artifacts", src, true},
      {{"*ocp-v4.0-art-dev*"}, {}, "etcd", src, true},  // the source
      {{"quay.io/*"}, {}, "etcd", src, true},           // '*' crosses '/'
      {{"docker.io/*"}, {}, "etcd", src, false},
      {{"etcd", "cli"}, {}, "cli", src, true},                   // any include
      {{}, {"*installer*"}, "installer-artifacts", src, false},  // exclude by name
      {{}, {"*@sha256:aaaa*"}, "cli", src, false},               // exclude by source
      {{"c*"}, {"cli-*"}, "cli-artifacts", src, false},          // exclude beats include
      {{"c*"}, {"cli-*"}, "console", src, true},
      {{"[ce]*"}, {}, "etcd", src, true},  // brackets
      {{"?li"}, {}, "cli", src, true},
  };
  for (const auto& c : cases) {
    Selection s{c.include, c.exclude};
    EXPECT_EQ(s.Keeps(c.name, c.source), c.keeps) << c.name;
  }
}

}  // namespace
}  // namespace mk::mutate
