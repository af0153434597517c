// Fuzz target: image references (lib/ref), the pullspecs users type and
// records carry.
//
// Properties: a reference that parses prints back (String()) to text that
// parses to the same parts, and printing is then a fixed point; its
// components each satisfy the grammar on their own (the tag is a valid tag,
// the repository parses as a repository); ParseRepository agrees with Parse
// on inputs without tag and digest; an error never echoes more than the
// quoted input (Quote truncates), so a hostile 1 MB pullspec gives a short
// message.
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "ref/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = mk::Reference::Parse(text);
  if (!r.ok()) {
    const std::string& m = r.status().message();
    FUZZ_CHECK(m.size() < 2048 && m.find('\n') == std::string::npos, m);
    FUZZ_CHECK(!mk::Reference::ParseRepository(text).ok(), text);
    return 0;
  }
  FUZZ_CHECK(!r->domain().empty(), text);
  FUZZ_CHECK(!r->path().empty(), text);
  std::string printed = r->String();
  auto again = mk::Reference::Parse(printed);
  FUZZ_CHECK(again.ok(), "\"" + std::string(text) + "\" prints as \"" + printed +
                             "\", which does not parse: " + again.status().message());
  FUZZ_CHECK(again->domain() == r->domain(), printed);
  FUZZ_CHECK(again->path() == r->path(), printed);
  FUZZ_CHECK(again->tag() == r->tag(), printed);
  FUZZ_CHECK(again->digest() == r->digest(), printed);
  FUZZ_CHECK(again->String() == printed, printed);
  FUZZ_CHECK(*again == *r, printed);

  if (!r->tag().empty()) FUZZ_CHECK(mk::ValidateTag(r->tag()).ok(), printed);
  auto repo = mk::Reference::ParseRepository(r->repository());
  FUZZ_CHECK(repo.ok(), r->repository());
  FUZZ_CHECK(repo->repository() == r->repository(), r->repository());
  FUZZ_CHECK(repo->tag().empty() && !repo->digest(), r->repository());
  bool bare = r->tag().empty() && !r->digest();
  FUZZ_CHECK(mk::Reference::ParseRepository(text).ok() == bare, text);

  // What the registry client asks for is the digest, else the tag.
  if (r->digest())
    FUZZ_CHECK(r->manifest_ref() == r->digest()->str(), printed);
  else
    FUZZ_CHECK(r->manifest_ref() == (r->tag().empty() ? "latest" : r->tag()), printed);
  // Building a reference from parts keeps it parseable.
  if (r->digest()) {
    auto pinned = mk::Reference::Parse(r->WithDigest(*r->digest()).String());
    FUZZ_CHECK(pinned.ok() && pinned->digest() == r->digest(), printed);
  }
  return 0;
}
