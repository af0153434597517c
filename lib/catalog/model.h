// The content of an Operator catalog, whatever its format: packages,
// channels (the upgrade graph: replaces / skips / skipRange) and bundles
// with the images they reference. The two readers (file-based configs,
// sqlite index) fill it; selection and the catalog-list tool read it.
// Holds only what planning needs — never a bundle's whole document — so its
// size follows the number of bundles and images, not the catalog's bytes.
// Plain data.
#pragma once

#include <string>
#include <vector>

namespace mk::catalog {

// The two ways a catalog image carries its content, told apart by the
// image config's labels.
enum class Format { kFileBased, kSqlite };

inline constexpr char kConfigsLabel[] = "operators.operatorframework.io.index.configs.v1";
inline constexpr char kDatabaseLabel[] = "operators.operatorframework.io.index.database.v1";

struct Package {
  std::string name;
  std::string default_channel;
};

struct ChannelEntry {
  std::string name;  // a bundle name, e.g. "etcdoperator.v0.9.4"
  std::string replaces;
  std::vector<std::string> skips;
  std::string skip_range;  // a semver range, e.g. ">=0.9.0 <0.9.4"; empty when none
};

struct Channel {
  std::string name;
  std::string package;
  std::vector<ChannelEntry> entries;
};

struct RelatedImage {
  std::string name;   // may be empty
  std::string image;  // a pull spec, by digest or by tag
};

struct Bundle {
  std::string name;
  std::string package;
  std::string image;    // the bundle image's pull spec
  std::string version;  // from the olm.package property (file-based) or the version column (sqlite)
  std::vector<RelatedImage> related_images;  // operands included; may name the bundle image too
};

struct Catalog {
  Format format = Format::kFileBased;
  std::string root;  // the configs directory or the database file path the label names, without a leading '/'
  std::vector<Package> packages;
  std::vector<Channel> channels;
  std::vector<Bundle> bundles;
};

}  // namespace mk::catalog
