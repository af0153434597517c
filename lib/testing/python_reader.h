// Test support (header-only): reads YAML or TOML we wrote with readers we
// did not write — PyYAML's safe_load (as strict as Kubernetes' YAML 1.1
// reader about types) and Python 3.11's tomllib — and hands the document
// back as JSON. python3 and python3-yaml are build dependencies (the
// Makefile's DEB_PACKAGES), so a missing one fails the test. Runs one
// python3 process per call; not for hot loops.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>

#include "base/status.h"
#include "json/value.h"
#include "testing/temp_dir.h"

namespace mk::fixtures {

// kYamlStream: documents separated by "---" lines, read as a JSON array.
enum class PythonFormat { kYaml, kYamlStream, kToml };

// The document in text as json::Value; an error carrying python's message
// when it refuses the text.
inline Result<json::Value> ReadWithPython(PythonFormat format, const std::string& text) {
  ScopedTempDir dir;
  if (dir.path().empty()) return IoError("cannot make a temporary directory");
  std::string file = dir.path() + "/doc";
  {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out.good()) return IoError("cannot write " + file);
  }
  // json.dumps escapes everything past ASCII, lone surrogates included,
  // which json::Value::Parse then refuses: a reader that produced one fails.
  // JSON would turn a key read as a bool or a number into a string, so
  // keys are checked here; a value read as a date fails json.dumps.
  const char* script = R"(import json, sys
def check(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                sys.exit('key %r is not a string' % (k,))
            check(x)
    elif isinstance(v, list):
        for x in v:
            check(x)
    return v
with open(sys.argv[2], 'rb') as f:
    if sys.argv[1] == 'yaml':
        import yaml
        doc = yaml.safe_load(f)
    elif sys.argv[1] == 'yaml-stream':
        import yaml
        doc = list(yaml.safe_load_all(f))
    else:
        import tomllib
        doc = tomllib.load(f)
print(json.dumps(check(doc)))
)";
  std::string script_file = dir.path() + "/read.py";
  {
    std::ofstream out(script_file, std::ios::binary);
    out << script;
    if (!out.good()) return IoError("cannot write " + script_file);
  }
  const char* kind = format == PythonFormat::kYaml         ? "yaml"
                     : format == PythonFormat::kYamlStream ? "yaml-stream"
                                                           : "toml";
  std::string command = "python3 '" + script_file + "' " + kind + " '" + file + "' 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return IoError("cannot run python3");
  std::string output;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
  int status = ::pclose(p);
  if (status != 0) return InvalidArgument("python3 refused the document: " + output);
  return json::Value::Parse(output);
}

}  // namespace mk::fixtures
