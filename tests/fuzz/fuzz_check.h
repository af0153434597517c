// What every fuzz target shares: a property check that stops the run with a
// message naming the property, so a failed property is a crash libFuzzer
// keeps (and the replay driver reports) like any other.
//
// A target's LLVMFuzzerTestOneInput must be deterministic and keep no state
// between calls: the replay driver (replay_main.cc) and libFuzzer both run
// many inputs in one process.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                        \
  do {                                                                                \
    if (!(cond)) ::mk::fuzz::Fail(__FILE__, __LINE__, #cond, std::string_view(what)); \
  } while (0)

namespace mk::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* cond, std::string_view what) {
  std::fprintf(stderr, "%s:%d: property failed: %s\n  %.*s\n", file, line, cond, static_cast<int>(what.size()),
               what.data());
  std::abort();
}

// Splits the fuzzer's bytes: the first byte as a small selector, the rest
// as the input proper.
struct Split {
  unsigned char selector = 0;
  std::string_view rest;
};
inline Split TakeSelector(const unsigned char* data, size_t size) {
  if (size == 0) return {};
  return {data[0], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

}  // namespace mk::fuzz
