// Test support (header-only): a fresh directory under /tmp, removed with
// everything in it when the object goes away.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <string>

namespace mk::fixtures {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    char tmpl[] = "/tmp/mk-test-XXXXXX";
    if (::mkdtemp(tmpl)) path_ = tmpl;
  }
  ~ScopedTempDir() {
    if (!path_.empty()) (void)std::system(("chmod -R u+w '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'").c_str());
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mk::fixtures
