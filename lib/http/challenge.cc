#include "http/challenge.h"

#include <cctype>

#include "base/strings.h"

namespace mk::http {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  void Advance() { ++i_; }
  size_t pos() const { return i_; }
  void Reset(size_t p) { i_ = p; }
  std::string Token() {
    size_t b = i_;
    while (i_ < s_.size() && IsTokenChar(s_[i_]) && s_[i_] != '=') ++i_;
    return std::string(s_.substr(b, i_ - b));
  }
  // Token68 values such as base64 may end with '='.
  Result<std::string> Quoted() {
    std::string out;
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\' && i_ < s_.size()) c = s_[i_++];
      out += c;
    }
    return InvalidArgument("unterminated quoted string in WWW-Authenticate");
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

Result<std::vector<Challenge>> ParseChallenges(std::string_view header) {
  std::vector<Challenge> out;
  Scanner sc(header);
  for (;;) {
    sc.SkipSpace();
    while (sc.Peek() == ',') {
      sc.Advance();
      sc.SkipSpace();
    }
    if (sc.AtEnd()) break;
    std::string scheme = sc.Token();
    if (scheme.empty()) return InvalidArgument("malformed WWW-Authenticate header " + Quote(header));
    Challenge ch;
    ch.scheme = ToLower(scheme);
    for (;;) {
      sc.SkipSpace();
      if (sc.AtEnd()) break;
      size_t mark = sc.pos();
      std::string key = sc.Token();
      sc.SkipSpace();
      if (key.empty() || sc.Peek() != '=') {
        // Not a parameter: the start of the next challenge.
        sc.Reset(mark);
        break;
      }
      sc.Advance();  // '='
      sc.SkipSpace();
      std::string value;
      if (sc.Peek() == '"') {
        MK_ASSIGN_OR_RETURN(value, sc.Quoted());
      } else {
        value = sc.Token();
      }
      ch.params[ToLower(key)] = value;
      sc.SkipSpace();
      if (sc.Peek() == ',') sc.Advance();
    }
    out.push_back(std::move(ch));
  }
  if (out.empty()) return InvalidArgument("empty WWW-Authenticate header");
  return out;
}

}  // namespace mk::http
