// Choosing bundles from a catalog: --package selectors, channel heads, and
// upgrade paths within a version range.
//
// Selector grammar (PackageSelector::Parse):
//   selector := PACKAGE [ ":" [CHANNEL] [ ":" RANGE ] ]
//   RANGE    := MIN ".." MAX | MIN "-" MAX | MIN ".." | ".." MAX
//   PACKAGE and CHANNEL: non-empty, no ':' (an empty CHANNEL with a RANGE,
//   "etcd::0.9.0-0.9.4", means the package's default channel); no spaces or
//   control characters anywhere.
// MIN and MAX are semver versions (semver.h), both ends included. "MIN-MAX"
// is split at the one '-' whose both sides parse as versions, so
// prereleases work ("1.2.0-rc.1-1.4.0" is 1.2.0-rc.1 to 1.4.0); when more
// than one split parses ("1.0.0-1.0.0-1") the selector is refused with a
// hint to write MIN..MAX, which is never ambiguous. An open end (MIN.. or
// ..MAX) needs "..". MIN above MAX is refused.
//
// Select:
// - PACKAGE alone: the head of the package's default channel.
// - PACKAGE:CHANNEL: the head of that channel.
// - PACKAGE:CHANNEL:RANGE: starting from the highest version in range, every
//   in-range bundle of the channel from which that top can be reached by
//   upgrades through in-range bundles only — an upgrade goes from a bundle
//   to an entry that replaces it, skips it, or whose skipRange contains its
//   version (OLM's three edges). So a cluster running any selected version
//   upgrades to the top using only mirrored bundles; in-range bundles on a
//   branch that never leads to the top are not kept. This is the in-range
//   replaces chain from the top plus the in-range bundles skipped by it.
//   A `replaces` naming no entry of the channel is tolerated (pruned
//   catalogs end so) unless it is needed: when in-range bundles of the
//   channel are left unreached and an entry on the path replaces a missing
//   bundle, the error names both ("bundle 'b' replaces 'a', which is not in
//   channel 'stable' of package 'p'"). An empty range in a channel is an
//   error naming the channel and the range.
// - Several selectors of one package add up (union of channels and bundles).
// - No selectors: every package, channel and bundle (the caller warns with
//   the count).
// The head of a channel is the entry no other entry replaces or skips;
// none or several is an error naming the channel and the candidates. An
// unknown package or channel is an error naming it ("package 'nosuch' is
// not in the catalog"); so is a channel entry naming a bundle the catalog
// lacks, in a channel a selector reads. Errors are kInvalidArgument.
//
// The Selection holds indexes into the catalog it was made from, which must
// outlive its use, unchanged. Everything is in a deterministic order:
// packages and channels in catalog order, entries in channel order,
// bundles by index. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"

namespace mk::catalog {

struct PackageSelector {
  std::string package;
  std::string channel;      // empty: the default channel
  std::string min_version;  // empty: no lower bound (only when a range was given)
  std::string max_version;  // empty: no upper bound
  bool has_range = false;

  static Result<PackageSelector> Parse(std::string_view text);
  std::string String() const;  // as it would be typed
};

struct SelectedChannel {
  size_t channel = 0;           // index into Catalog::channels
  std::vector<size_t> entries;  // indexes into that channel's entries, ascending
};

struct SelectedPackage {
  size_t package = 0;  // index into Catalog::packages
  // The package's default channel when it is kept, else the first kept
  // channel: what a pruned catalog's olm.package must name.
  std::string default_channel;
  std::vector<SelectedChannel> channels;  // ascending by channel index
  std::vector<size_t> bundles;            // indexes into Catalog::bundles, ascending, unique
};

struct Selection {
  std::vector<SelectedPackage> packages;  // ascending by package index
  // Every selected bundle of every package, ascending, unique.
  std::vector<size_t> AllBundles() const;
};

Result<Selection> Select(const Catalog& catalog, const std::vector<PackageSelector>& selectors);

// The index (into channel.entries) of the channel's head.
Result<size_t> ChannelHead(const Channel& channel);

}  // namespace mk::catalog
