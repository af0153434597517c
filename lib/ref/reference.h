// Reference: a parsed image reference, following the docker/distribution
// reference grammar:
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] path-component ( "/" path-component )*
//   domain           := host [ ":" port ]
//   host             := domain-component ( "." domain-component )* | "[" ipv6 "]"
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   port             := [0-9]+
//   path-component   := alnum ( separator alnum )*
//   alnum            := [a-z0-9]+
//   separator        := "." | "_" | "__" | "-"+
//   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest           := algorithm ":" hex   (see digest/digest.h)
//
// The first component is a domain only if it holds "." or ":", is
// "localhost", or is bracketed; otherwise the domain is docker.io, and a
// single path component there gets "library/". A name is at most 255
// characters. Values are immutable and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "digest/digest.h"

namespace mk {

class Reference {
 public:
  // Parses text; errors say which part is wrong and quote the input.
  static Result<Reference> Parse(std::string_view text);
  // Parses a repository (no tag, no digest), e.g. a --to destination.
  static Result<Reference> ParseRepository(std::string_view text);

  const std::string& domain() const { return domain_; }  // "quay.io", "127.0.0.1:5000"
  const std::string& path() const { return path_; }      // "openshift-release-dev/ocp-release"
  const std::string& tag() const { return tag_; }        // "" when absent
  const std::optional<Digest>& digest() const { return digest_; }

  // domain/path, the key for imageContentSources and auth lookups.
  std::string repository() const { return domain_ + "/" + path_; }
  // The manifest reference to request: the digest when present, else the
  // tag, else "latest".
  std::string manifest_ref() const;
  // Full string: repository[:tag][@digest].
  std::string String() const;

  Reference WithTag(std::string tag) const;     // keeps no digest
  Reference WithDigest(const Digest& d) const;  // keeps no tag
  Reference WithPath(std::string path) const;   // same domain, no tag/digest
  Reference RepositoryOnly() const;

  // The host to connect to: docker.io's API lives at registry-1.docker.io.
  std::string api_host() const;

  bool operator==(const Reference& o) const { return String() == o.String(); }

 private:
  std::string domain_;
  std::string path_;
  std::string tag_;
  std::optional<Digest> digest_;
};

// Validates a tag on its own (used when building tag names).
Status ValidateTag(std::string_view tag);

}  // namespace mk
