// Semantic versions (semver.org 2.0.0) and the version ranges OLM writes in
// skipRange (github.com/blang/semver's range syntax).
//
// Version grammar:  [v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]
//   numbers without leading zeros; PRERELEASE and BUILD dot-separated
//   identifiers of [0-9A-Za-z-], numeric prerelease identifiers without
//   leading zeros. A leading 'v' is tolerated (OLM versions never carry
//   one, users often type it).
// Precedence as semver 2.0 §11: numbers, then a version with a prerelease
// is lower than the same without, prerelease identifiers compared one by one
// (numeric < alphanumeric, numbers numerically, text in ASCII order, a
// shorter list lower when equal so far); build metadata ignored.
//
// Range grammar (blang/semver):
//   range      := and-list ( "||" and-list )*
//   and-list   := comparator ( " "+ comparator )*
//   comparator := [op] version        op := ">" | ">=" | "<" | "<=" | "=" | "==" | "!=" | "!"
//   a bare version means "="; whitespace may separate op and version;
//   a version in a range may use x/X/* wildcards for minor or patch
//   (">=1.2.x", "<1.x"), expanded as blang does (">=1.2.0", "<1.0.0").
// Like blang (and unlike npm), a prerelease version is compared plainly.
// Values are plain data; functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mk::catalog {

struct Version {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;  // prerelease identifiers
  std::string build;             // build metadata, kept for String() only

  static Result<Version> Parse(std::string_view text);
  std::string String() const;  // without a leading 'v'
};

// <0, 0, >0 as semver precedence.
int Compare(const Version& a, const Version& b);
inline bool operator<(const Version& a, const Version& b) { return Compare(a, b) < 0; }
inline bool operator>(const Version& a, const Version& b) { return Compare(a, b) > 0; }
inline bool operator<=(const Version& a, const Version& b) { return Compare(a, b) <= 0; }
inline bool operator>=(const Version& a, const Version& b) { return Compare(a, b) >= 0; }
inline bool operator==(const Version& a, const Version& b) { return Compare(a, b) == 0; }

class Range {
 public:
  static Result<Range> Parse(std::string_view text);
  bool Contains(const Version& v) const;

 private:
  enum class Op { kEq, kNe, kGt, kGe, kLt, kLe };
  struct Comparator {
    Op op;
    Version version;
  };
  std::vector<std::vector<Comparator>> any_of_;  // OR of ANDs
};

}  // namespace mk::catalog
