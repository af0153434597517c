#include "catalog/semver.h"

#include <cctype>

#include "base/strings.h"

namespace mk::catalog {

namespace {

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool IsIdentChars(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

// A version number: digits, no leading zero, no overflow.
bool ParseNumber(std::string_view s, uint64_t& out) {
  if (!IsDigits(s) || (s.size() > 1 && s[0] == '0') || s.size() > 19) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<uint64_t>(c - '0');
  return true;
}

int CompareIdent(const std::string& a, const std::string& b) {
  bool na = IsDigits(a), nb = IsDigits(b);
  if (na && nb) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;  // no leading zeros: length orders
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (na != nb) return na ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

Result<Version> Version::Parse(std::string_view text) {
  auto bad = [&](const char* why) { return InvalidArgument("invalid version " + Quote(text) + ": " + why); };
  std::string_view s = text;
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  Version v;
  if (size_t plus = s.find('+'); plus != std::string_view::npos) {
    v.build = std::string(s.substr(plus + 1));
    for (const auto& id : Split(v.build, '.'))
      if (!IsIdentChars(id)) return bad("bad build metadata");
    s = s.substr(0, plus);
  }
  if (size_t dash = s.find('-'); dash != std::string_view::npos) {
    for (auto& id : Split(s.substr(dash + 1), '.')) {
      if (!IsIdentChars(id)) return bad("bad prerelease");
      if (IsDigits(id) && id.size() > 1 && id[0] == '0') return bad("leading zero in a numeric prerelease part");
      v.pre.push_back(std::move(id));
    }
    s = s.substr(0, dash);
  }
  auto parts = Split(s, '.');
  if (parts.size() != 3) return bad("want MAJOR.MINOR.PATCH");
  if (!ParseNumber(parts[0], v.major) || !ParseNumber(parts[1], v.minor) || !ParseNumber(parts[2], v.patch))
    return bad("version parts must be numbers without leading zeros");
  return v;
}

std::string Version::String() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!pre.empty()) s += "-" + Join(pre, ".");
  if (!build.empty()) s += "+" + build;
  return s;
}

int Compare(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.pre.empty() || b.pre.empty()) return a.pre.empty() == b.pre.empty() ? 0 : (a.pre.empty() ? 1 : -1);
  for (size_t i = 0; i < a.pre.size() && i < b.pre.size(); ++i)
    if (int c = CompareIdent(a.pre[i], b.pre[i]); c != 0) return c;
  if (a.pre.size() == b.pre.size()) return 0;
  return a.pre.size() < b.pre.size() ? -1 : 1;
}

namespace {

bool IsWild(std::string_view p) { return p == "x" || p == "X" || p == "*"; }

}  // namespace

Result<Range> Range::Parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid version range " + Quote(text) + ": " + why);
  };
  Range r;
  std::string_view rest = text;
  while (true) {
    size_t bar = rest.find("||");
    std::string_view alt = rest.substr(0, bar);
    // Tokens split on spaces; an operator alone joins the next token (">= 1.0.0").
    std::vector<std::string> tokens;
    std::string pending;
    for (const auto& raw : Split(alt, ' ')) {
      std::string t(Trim(raw));
      if (t.empty()) continue;
      if (t.find_first_not_of("<>=!") == std::string::npos) {
        pending += t;
        continue;
      }
      tokens.push_back(pending + t);
      pending.clear();
    }
    if (!pending.empty()) return bad("operator " + Quote(pending) + " without a version");
    if (tokens.empty()) return bad("empty alternative");
    std::vector<Comparator> all;
    for (const auto& t : tokens) {
      size_t n = t.find_first_not_of("<>=!");
      std::string op_text = t.substr(0, n);
      std::string vtext = t.substr(n);
      Op op;
      if (op_text.empty() || op_text == "=" || op_text == "==")
        op = Op::kEq;
      else if (op_text == "!=" || op_text == "!")
        op = Op::kNe;
      else if (op_text == ">")
        op = Op::kGt;
      else if (op_text == ">=")
        op = Op::kGe;
      else if (op_text == "<")
        op = Op::kLt;
      else if (op_text == "<=")
        op = Op::kLe;
      else
        return bad("unknown operator " + Quote(op_text));
      // Wildcards, expanded as blang/semver's expandWildcardVersion.
      std::string_view vs = vtext;
      if (!vs.empty() && vs[0] == 'v') vs.remove_prefix(1);
      auto parts = Split(vs, '.');
      int wild = -1;  // index of the first wildcard part
      for (size_t i = 0; i < parts.size(); ++i)
        if (IsWild(parts[i])) {
          wild = static_cast<int>(i);
          break;
        }
      if (wild < 0) {
        MK_ASSIGN_OR_RETURN(Version v, Version::Parse(vtext));
        all.push_back({op, std::move(v)});
        continue;
      }
      if (wild == 0 || parts.size() < 2 || parts.size() > 3) return bad("unsupported wildcard in " + Quote(t));
      for (size_t i = wild; i < parts.size(); ++i)
        if (!IsWild(parts[i])) return bad("unsupported wildcard in " + Quote(t));
      Version lo;
      if (!ParseNumber(parts[0], lo.major) || (wild == 2 && !ParseNumber(parts[1], lo.minor)))
        return bad("invalid version in " + Quote(t));
      Version hi = lo;  // the next version the wildcard does not cover
      if (wild == 1) {
        hi.major++;
      } else {
        hi.minor++;
      }
      switch (op) {
        case Op::kEq:
          all.push_back({Op::kGe, lo});
          all.push_back({Op::kLt, hi});
          break;
        case Op::kGt:
          all.push_back({Op::kGe, hi});
          break;
        case Op::kGe:
          all.push_back({Op::kGe, lo});
          break;
        case Op::kLt:
          all.push_back({Op::kLt, lo});
          break;
        case Op::kLe:
          all.push_back({Op::kLt, hi});
          break;
        case Op::kNe:
          return bad("a wildcard with != is not supported");
      }
    }
    r.any_of_.push_back(std::move(all));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return r;
}

bool Range::Contains(const Version& v) const {
  for (const auto& all : any_of_) {
    bool ok = true;
    for (const auto& c : all) {
      int cmp = Compare(v, c.version);
      switch (c.op) {
        case Op::kEq:
          ok = cmp == 0;
          break;
        case Op::kNe:
          ok = cmp != 0;
          break;
        case Op::kGt:
          ok = cmp > 0;
          break;
        case Op::kGe:
          ok = cmp >= 0;
          break;
        case Op::kLt:
          ok = cmp < 0;
          break;
        case Op::kLe:
          ok = cmp <= 0;
          break;
      }
      if (!ok) break;
    }
    if (ok) return true;
  }
  return false;
}

}  // namespace mk::catalog
