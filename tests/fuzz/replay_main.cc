// The corpus replay driver: a main() that feeds every file of the given
// directories (or the given files) to a fuzz target's
// LLVMFuzzerTestOneInput, once each, in name order. CI links it with each
// target under g++ -fsanitize=address,undefined, so the corpus is replayed
// without clang or libFuzzer (make fuzz-replay, tests/fuzz/fuzz.mk).
//
// A failed property aborts and a sanitizer report ends the process; either
// way the file being replayed is named on stderr (by the SIGABRT handler or
// the sanitizers' death callback), and -v names every file as it goes.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
// From the sanitizer runtimes (sanitizer/common_interface_defs.h); absent
// from a build without them.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

namespace {

// The file being replayed, for the abort message (a plain buffer: a signal
// handler may read it).
char g_current[4096];

void NameCurrent() {
  // Async-signal-safe: write(2) only.
  const char prefix[] = "\nfuzz-replay: died on input ";
  (void)!write(2, prefix, sizeof prefix - 1);
  (void)!write(2, g_current, strlen(g_current));
  (void)!write(2, "\n", 1);
}

void OnAbort(int sig) {
  NameCurrent();
  signal(sig, SIG_DFL);
  raise(sig);
}

bool ReadFile(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  bool verbose = false;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-v") {
      verbose = true;
      continue;
    }
    if (!arg.empty() && arg[0] == '-') continue;  // libFuzzer flags: ignored here
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> dir;
      for (const auto& e : std::filesystem::directory_iterator(arg, ec))
        if (e.is_regular_file()) dir.push_back(e.path());
      if (ec) {
        std::fprintf(stderr, "fuzz-replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
        return 2;
      }
      std::sort(dir.begin(), dir.end());
      files.insert(files.end(), dir.begin(), dir.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "fuzz-replay: no such file or directory: %s\n", arg.c_str());
      return 2;
    }
  }
  // SIGSEGV and the like are left to ASan, whose report has the stack.
  signal(SIGABRT, OnAbort);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(NameCurrent);
  std::string data;
  for (const auto& f : files) {
    std::snprintf(g_current, sizeof g_current, "%s", f.c_str());
    if (verbose) std::fprintf(stderr, "fuzz-replay: %s\n", g_current);
    if (!ReadFile(f, data)) {
      std::fprintf(stderr, "fuzz-replay: cannot read %s\n", g_current);
      return 1;
    }
    // A copy of exactly size bytes on the heap, as libFuzzer passes it, so
    // that ASan sees a read past the end.
    std::vector<uint8_t> copy(data.begin(), data.end());
    LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
  }
  std::printf("%s: %zu inputs replayed\n", argc > 0 ? argv[0] : "fuzz-replay", files.size());
  return 0;
}
