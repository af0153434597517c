#include "ref/reference.h"

#include <cctype>

#include "base/strings.h"

namespace mk {
namespace {

constexpr size_t kMaxNameLength = 255;

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool ValidPathComponent(std::string_view s) {
  if (s.empty() || !IsAlnumLower(s.front()) || !IsAlnumLower(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (IsAlnumLower(s[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__", or one or more "-".
    size_t j = i;
    if (s[i] == '.') {
      j = i + 1;
    } else if (s[i] == '_') {
      j = i + 1;
      if (j < s.size() && s[j] == '_') ++j;
    } else if (s[i] == '-') {
      while (j < s.size() && s[j] == '-') ++j;
    } else {
      return false;
    }
    if (j >= s.size() || !IsAlnumLower(s[j])) return false;
    i = j;
  }
  return true;
}

bool ValidDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s)
    if (!IsAlnum(c) && c != '-') return false;
  return true;
}

Status ValidateDomain(std::string_view d, std::string_view whole) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("invalid reference " + Quote(whole) + ": unclosed '[' in domain");
    std::string_view inside = d.substr(1, close - 1);
    if (inside.empty()) return InvalidArgument("invalid reference " + Quote(whole) + ": empty IPv6 address");
    for (char c : inside)
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return InvalidArgument("invalid reference " + Quote(whole) + ": bad IPv6 address");
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return InvalidArgument("invalid reference " + Quote(whole) + ": junk after IPv6 address");
      port = rest.substr(1);
      if (port.empty()) return InvalidArgument("invalid reference " + Quote(whole) + ": empty port");
    }
    host = {};
  } else {
    size_t colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty()) return InvalidArgument("invalid reference " + Quote(whole) + ": empty port");
    }
    for (const auto& comp : Split(host, '.'))
      if (!ValidDomainComponent(comp))
        return InvalidArgument("invalid reference " + Quote(whole) + ": bad domain " + Quote(d));
  }
  if (!port.empty()) {
    if (port.size() > 5) return InvalidArgument("invalid reference " + Quote(whole) + ": bad port " + Quote(port));
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return InvalidArgument("invalid reference " + Quote(whole) + ": bad port " + Quote(port));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128)
    return InvalidArgument("invalid tag " + Quote(tag) + ": want 1 to 128 characters");
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!word(tag[0])) return InvalidArgument("invalid tag " + Quote(tag) + ": must start with a letter, digit or '_'");
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return InvalidArgument("invalid tag " + Quote(tag) + ": bad character");
  return Status::Ok();
}

Result<Reference> Reference::Parse(std::string_view text) {
  if (text.empty()) return InvalidArgument("invalid reference: empty");
  Reference r;
  std::string_view rest = text;

  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    auto d = Digest::Parse(rest.substr(at + 1));
    if (!d.ok()) return InvalidArgument("invalid reference " + Quote(text) + ": " + d.status().message());
    r.digest_ = *d;
    rest = rest.substr(0, at);
  }
  // A tag is after the last ':' that follows the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    Status s = ValidateTag(tag);
    if (!s.ok()) return InvalidArgument("invalid reference " + Quote(text) + ": " + s.message());
    r.tag_ = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return InvalidArgument("invalid reference " + Quote(text) + ": no repository name");

  std::string_view path = rest;
  size_t first = rest.find('/');
  if (first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    bool is_domain = head.find('.') != std::string_view::npos || head.find(':') != std::string_view::npos ||
                     head == "localhost" || (!head.empty() && head.front() == '[');
    for (char c : head)
      if (std::isupper(static_cast<unsigned char>(c))) is_domain = true;
    if (is_domain) {
      MK_RETURN_IF_ERROR(ValidateDomain(head, text));
      r.domain_ = std::string(head);
      path = rest.substr(first + 1);
    }
  }
  if (r.domain_.empty()) r.domain_ = "docker.io";
  if (r.domain_ == "index.docker.io") r.domain_ = "docker.io";
  // Official images live under library/, whether the domain was written or
  // not: "foo", "docker.io/foo" and "docker.io/library/foo" are one image.
  if (r.domain_ == "docker.io" && path.find('/') == std::string_view::npos) r.path_ = "library/";
  if (path.empty()) return InvalidArgument("invalid reference " + Quote(text) + ": no repository path");
  for (const auto& comp : Split(path, '/')) {
    if (!ValidPathComponent(comp)) {
      bool upper = false;
      for (char c : comp) upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
      return InvalidArgument("invalid reference " + Quote(text) + ": bad path component " + Quote(comp) +
                             (upper ? " (repository names must be lower-case)" : ""));
    }
  }
  r.path_ += std::string(path);
  // The limit is on the name as printed, domain and "library/" included
  // (docker/distribution checks the normalized name): a name that passed
  // before normalizing but not after would not parse from its own String().
  if (r.repository().size() > kMaxNameLength)
    return InvalidArgument("invalid reference " + Quote(text) + ": name longer than 255 characters");
  return r;
}

Result<Reference> Reference::ParseRepository(std::string_view text) {
  MK_ASSIGN_OR_RETURN(Reference r, Parse(text));
  if (!r.tag_.empty() || r.digest_)
    return InvalidArgument("want a repository without tag or digest, got " + Quote(text));
  return r;
}

std::string Reference::manifest_ref() const {
  if (digest_) return digest_->str();
  return tag_.empty() ? "latest" : tag_;
}

std::string Reference::String() const {
  std::string out = repository();
  if (!tag_.empty()) out += ":" + tag_;
  if (digest_) out += "@" + digest_->str();
  return out;
}

Reference Reference::WithTag(std::string tag) const {
  Reference r = RepositoryOnly();
  r.tag_ = std::move(tag);
  return r;
}

Reference Reference::WithDigest(const Digest& d) const {
  Reference r = RepositoryOnly();
  r.digest_ = d;
  return r;
}

Reference Reference::WithPath(std::string path) const {
  Reference r;
  r.domain_ = domain_;
  r.path_ = std::move(path);
  return r;
}

Reference Reference::RepositoryOnly() const {
  Reference r;
  r.domain_ = domain_;
  r.path_ = path_;
  return r;
}

std::string Reference::api_host() const { return domain_ == "docker.io" ? "registry-1.docker.io" : domain_; }

}  // namespace mk
