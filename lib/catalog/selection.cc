#include "catalog/selection.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "base/strings.h"
#include "catalog/semver.h"

namespace mk::catalog {

namespace {

Status Usage(std::string_view text, const std::string& why) {
  return InvalidArgument("invalid package selector " + Quote(text) + ": " + why);
}

// "MIN-MAX" split at the one '-' with a version on both sides.
Result<std::pair<std::string, std::string>> SplitRange(std::string_view text, std::string_view range) {
  if (size_t dots = range.find(".."); dots != std::string_view::npos) {
    std::string lo(range.substr(0, dots)), hi(range.substr(dots + 2));
    if (lo.empty() && hi.empty()) return Usage(text, "a range needs at least one end");
    return std::make_pair(lo, hi);
  }
  std::vector<std::pair<std::string, std::string>> splits;
  for (size_t i = range.find('-'); i != std::string_view::npos; i = range.find('-', i + 1)) {
    std::string lo(range.substr(0, i)), hi(range.substr(i + 1));
    if (Version::Parse(lo).ok() && Version::Parse(hi).ok()) splits.emplace_back(lo, hi);
  }
  if (splits.size() == 1) return splits.front();
  if (splits.empty()) return Usage(text, "want a version range MIN-MAX or MIN..MAX of semver versions");
  return Usage(text, "the range can be split in more than one place; write it MIN..MAX");
}

}  // namespace

Result<PackageSelector> PackageSelector::Parse(std::string_view text) {
  auto fields = Split(text, ':');
  if (fields.size() > 3) return Usage(text, "want NAME[:CHANNEL[:MIN-MAX]]");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return Usage(text, "spaces or control characters");
  PackageSelector s;
  s.package = fields[0];
  if (s.package.empty()) return Usage(text, "empty package name");
  if (fields.size() >= 2) {
    s.channel = fields[1];
    if (s.channel.empty() && fields.size() == 2) return Usage(text, "empty channel name");
  }
  if (fields.size() == 3) {
    MK_ASSIGN_OR_RETURN(auto ends, SplitRange(text, fields[2]));
    s.has_range = true;
    s.min_version = ends.first;
    s.max_version = ends.second;
    std::optional<Version> lo, hi;
    if (!s.min_version.empty()) {
      auto v = Version::Parse(s.min_version);
      if (!v.ok()) return Usage(text, v.status().message());
      lo = *v;
    }
    if (!s.max_version.empty()) {
      auto v = Version::Parse(s.max_version);
      if (!v.ok()) return Usage(text, v.status().message());
      hi = *v;
    }
    if (lo && hi && *lo > *hi) return Usage(text, "the lower end is above the upper end");
  }
  return s;
}

std::string PackageSelector::String() const {
  std::string s = package;
  if (!channel.empty() || has_range) s += ":" + channel;
  if (has_range) s += ":" + min_version + ".." + max_version;
  return s;
}

std::vector<size_t> Selection::AllBundles() const {
  std::set<size_t> all;
  for (const auto& p : packages) all.insert(p.bundles.begin(), p.bundles.end());
  return {all.begin(), all.end()};
}

Result<size_t> ChannelHead(const Channel& channel) {
  std::set<std::string> replaced;
  for (const auto& e : channel.entries) {
    if (!e.replaces.empty()) replaced.insert(e.replaces);
    replaced.insert(e.skips.begin(), e.skips.end());
  }
  std::vector<size_t> heads;
  for (size_t i = 0; i < channel.entries.size(); ++i)
    if (!replaced.count(channel.entries[i].name)) heads.push_back(i);
  if (heads.size() == 1) return heads.front();
  std::string what = "channel '" + channel.name + "' of package '" + channel.package + "'";
  if (heads.empty()) return InvalidArgument(what + " has no head: every entry is replaced or skipped by another");
  std::vector<std::string> names;
  for (size_t i : heads) names.push_back(channel.entries[i].name);
  return InvalidArgument(what + " has more than one head: " + Join(names, ", "));
}

namespace {

// Indexes of the catalog by name, for one Select call.
struct Index {
  std::map<std::string, size_t> packages;
  std::map<std::pair<std::string, std::string>, size_t> channels;  // (package, channel)
  std::map<std::pair<std::string, std::string>, size_t> bundles;   // (package, bundle)
  std::map<std::string, size_t> bundles_by_name;                   // names are unique in practice
  explicit Index(const Catalog& c) {
    for (size_t i = 0; i < c.packages.size(); ++i) packages.emplace(c.packages[i].name, i);
    for (size_t i = 0; i < c.channels.size(); ++i)
      channels.emplace(std::make_pair(c.channels[i].package, c.channels[i].name), i);
    for (size_t i = 0; i < c.bundles.size(); ++i) {
      bundles.emplace(std::make_pair(c.bundles[i].package, c.bundles[i].name), i);
      bundles_by_name.emplace(c.bundles[i].name, i);
    }
  }
};

std::string ChannelWhat(const Channel& ch) { return "channel '" + ch.name + "' of package '" + ch.package + "'"; }

// The bundle index of every entry of ch, or an error naming a missing one.
Result<std::vector<size_t>> EntryBundles(const Index& idx, const Channel& ch) {
  std::vector<size_t> out;
  for (const auto& e : ch.entries) {
    auto it = idx.bundles.find({ch.package, e.name});
    if (it == idx.bundles.end()) {
      return InvalidArgument(ChannelWhat(ch) + " names bundle '" + e.name + "', which is not in the catalog");
    }
    out.push_back(it->second);
  }
  return out;
}

// The entries of ch on upgrade paths to the highest in-range version (see
// the header).
Result<std::vector<size_t>> RangeEntries(const Catalog& catalog, const Channel& ch,
                                         const std::vector<size_t>& bundle_of, const PackageSelector& sel) {
  std::optional<Version> lo, hi;
  if (!sel.min_version.empty()) lo = Version::Parse(sel.min_version).value();
  if (!sel.max_version.empty()) hi = Version::Parse(sel.max_version).value();
  const size_t n = ch.entries.size();
  std::vector<std::optional<Version>> version(n);
  std::vector<bool> in_range(n, false);
  std::optional<size_t> top;
  for (size_t i = 0; i < n; ++i) {
    const Bundle& b = catalog.bundles[bundle_of[i]];
    auto v = Version::Parse(b.version);
    if (!v.ok()) {
      return InvalidArgument("bundle '" + b.name + "' of package '" + b.package + "' has no usable version (" +
                             v.status().message() + ")");
    }
    version[i] = *v;
    in_range[i] = (!lo || *v >= *lo) && (!hi || *v <= *hi);
    if (in_range[i] && (!top || *v > *version[*top])) top = i;
  }
  if (!top) {
    return InvalidArgument(ChannelWhat(ch) + " has no bundle in the range " + sel.min_version + ".." + sel.max_version);
  }
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < n; ++i) by_name.emplace(ch.entries[i].name, i);
  std::vector<std::optional<Range>> skip_range(n);
  for (size_t i = 0; i < n; ++i) {
    if (ch.entries[i].skip_range.empty()) continue;
    auto r = Range::Parse(ch.entries[i].skip_range);
    if (!r.ok()) return r.status().WithContext("bundle '" + ch.entries[i].name + "' in " + ChannelWhat(ch));
    skip_range[i] = std::move(r).value();
  }
  // Walk from the top to the bundles it upgrades from, through in-range ones.
  std::vector<bool> reached(n, false);
  std::vector<size_t> todo{*top};
  reached[*top] = true;
  std::optional<size_t> dangling;  // an entry on the path whose replaces names no entry
  while (!todo.empty()) {
    size_t i = todo.back();
    todo.pop_back();
    const ChannelEntry& e = ch.entries[i];
    auto visit = [&](size_t j) {
      if (in_range[j] && !reached[j]) {
        reached[j] = true;
        todo.push_back(j);
      }
    };
    if (!e.replaces.empty()) {
      auto it = by_name.find(e.replaces);
      if (it == by_name.end()) {
        if (!dangling) dangling = i;
      } else {
        visit(it->second);
      }
    }
    for (const auto& s : e.skips)
      if (auto it = by_name.find(s); it != by_name.end()) visit(it->second);
    if (skip_range[i])
      for (size_t j = 0; j < n; ++j)
        if (skip_range[i]->Contains(*version[j])) visit(j);
  }
  std::vector<size_t> out;
  bool left_out = false;
  for (size_t i = 0; i < n; ++i) {
    if (reached[i])
      out.push_back(i);
    else if (in_range[i])
      left_out = true;
  }
  if (left_out && dangling) {
    const ChannelEntry& e = ch.entries[*dangling];
    return InvalidArgument("bundle '" + e.name + "' replaces '" + e.replaces + "', which is not in " + ChannelWhat(ch));
  }
  return out;
}

void AddEntries(SelectedPackage& sp, size_t channel, const std::vector<size_t>& entries,
                const std::vector<size_t>& bundle_of) {
  auto it = std::find_if(sp.channels.begin(), sp.channels.end(), [&](const auto& c) { return c.channel == channel; });
  if (it == sp.channels.end()) {
    sp.channels.push_back({channel, {}});
    it = sp.channels.end() - 1;
  }
  for (size_t e : entries) {
    it->entries.push_back(e);
    sp.bundles.push_back(bundle_of[e]);
  }
}

void Normalize(const Catalog& catalog, SelectedPackage& sp) {
  std::sort(sp.channels.begin(), sp.channels.end(), [](const auto& a, const auto& b) { return a.channel < b.channel; });
  for (auto& c : sp.channels) {
    std::sort(c.entries.begin(), c.entries.end());
    c.entries.erase(std::unique(c.entries.begin(), c.entries.end()), c.entries.end());
  }
  std::sort(sp.bundles.begin(), sp.bundles.end());
  sp.bundles.erase(std::unique(sp.bundles.begin(), sp.bundles.end()), sp.bundles.end());
  const Package& p = catalog.packages[sp.package];
  sp.default_channel.clear();
  for (const auto& c : sp.channels)
    if (catalog.channels[c.channel].name == p.default_channel) sp.default_channel = p.default_channel;
  if (sp.default_channel.empty() && !sp.channels.empty())
    sp.default_channel = catalog.channels[sp.channels[0].channel].name;
}

}  // namespace

Result<Selection> Select(const Catalog& catalog, const std::vector<PackageSelector>& selectors) {
  Index idx(catalog);
  std::map<size_t, SelectedPackage> chosen;
  if (selectors.empty()) {
    for (size_t p = 0; p < catalog.packages.size(); ++p) chosen[p].package = p;
    for (size_t c = 0; c < catalog.channels.size(); ++c) {
      const Channel& ch = catalog.channels[c];
      auto pit = idx.packages.find(ch.package);
      if (pit == idx.packages.end()) return InvalidArgument(ChannelWhat(ch) + ": the package is not in the catalog");
      MK_ASSIGN_OR_RETURN(std::vector<size_t> bundle_of, EntryBundles(idx, ch));
      std::vector<size_t> all(ch.entries.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      AddEntries(chosen[pit->second], c, all, bundle_of);
    }
    // Every bundle, in a channel or not.
    for (size_t b = 0; b < catalog.bundles.size(); ++b) {
      auto pit = idx.packages.find(catalog.bundles[b].package);
      if (pit == idx.packages.end()) {
        return InvalidArgument("bundle '" + catalog.bundles[b].name + "' names package '" + catalog.bundles[b].package +
                               "', which is not in the catalog");
      }
      chosen[pit->second].bundles.push_back(b);
    }
  }
  for (const auto& sel : selectors) {
    auto pit = idx.packages.find(sel.package);
    if (pit == idx.packages.end()) return InvalidArgument("package '" + sel.package + "' is not in the catalog");
    const Package& p = catalog.packages[pit->second];
    std::string channel_name = sel.channel.empty() ? p.default_channel : sel.channel;
    if (channel_name.empty()) return InvalidArgument("package '" + p.name + "' has no default channel");
    auto cit = idx.channels.find({p.name, channel_name});
    if (cit == idx.channels.end()) {
      return InvalidArgument("channel '" + channel_name + "' is not in package '" + p.name + "'" +
                             (sel.channel.empty() ? " (its default channel)" : ""));
    }
    const Channel& ch = catalog.channels[cit->second];
    MK_ASSIGN_OR_RETURN(std::vector<size_t> bundle_of, EntryBundles(idx, ch));
    std::vector<size_t> entries;
    if (sel.has_range) {
      MK_ASSIGN_OR_RETURN(entries, RangeEntries(catalog, ch, bundle_of, sel));
    } else {
      MK_ASSIGN_OR_RETURN(size_t head, ChannelHead(ch));
      entries.push_back(head);
    }
    SelectedPackage& sp = chosen[pit->second];
    sp.package = pit->second;
    AddEntries(sp, cit->second, entries, bundle_of);
  }
  Selection out;
  for (auto& [index, sp] : chosen) {
    Normalize(catalog, sp);
    out.packages.push_back(std::move(sp));
  }
  return out;
}

}  // namespace mk::catalog
