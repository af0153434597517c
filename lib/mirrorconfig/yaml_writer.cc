#include "mirrorconfig/yaml_writer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace mk::mirrorconfig {

YamlWriter::YamlWriter() {
  out_.SetIndent(2);
  out_.SetSeqFormat(YAML::Block);
  out_.SetMapFormat(YAML::Block);
  out_.SetStringFormat(YAML::Auto);
}

YamlWriter& YamlWriter::String(const std::string& s) {
  if (YamlNeedsQuotes(s)) out_ << YAML::DoubleQuoted;
  out_ << s;
  return *this;
}

Result<std::string> YamlWriter::Text() const {
  if (!out_.good()) return Internal("yaml emitter: " + out_.GetLastError());
  return OutdentSequencesInMaps(std::string_view(out_.c_str(), out_.size()));
}

bool YamlNeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/' || c == '-' || c == '_' || c == ':' ||
              c == '@';
    if (!ok) return true;
  }
  // Indicators, and "key: value" look-alikes.
  if (s[0] == '-' || s[0] == ':' || s[0] == '@' || s[0] == '.' || s.back() == ':') return true;
  // Without a "/" a plain scalar may resolve to a non-string: YAML 1.1 bools
  // (yes, on, y, ...), nulls, and numbers or timestamps, which all start with
  // a digit (or a sign or dot, already quoted). Image repositories always
  // hold a "/", so they stay plain.
  if (s.find('/') != std::string_view::npos) return false;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) return true;
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::array<std::string_view, 9> kWords = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"};
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

// Line by line: yaml-cpp starts a sequence that is a mapping value on the
// line after "KEY:", its "-" two columns right of KEY. Each line then moves
// left two columns for every such sequence it is inside. A line ending in
// ":" is a key whose value is a block node: scalars ending in ":" are never
// plain.
std::string OutdentSequencesInMaps(std::string_view yaml) {
  std::string out;
  std::vector<size_t> open;                    // input columns of the "-" of the sequences moved
  size_t key_column = std::string_view::npos;  // of the previous line, when it ends in ":"
  size_t pos = 0;
  while (pos < yaml.size()) {
    size_t end = yaml.find('\n', pos);
    if (end == std::string_view::npos) end = yaml.size();
    std::string_view line = yaml.substr(pos, end - pos);
    pos = end + 1;
    size_t column = std::min(line.find_first_not_of(' '), line.size());
    while (!open.empty() && column < open.back()) open.pop_back();
    std::string_view rest = line.substr(column);
    bool dash = rest == "-" || rest.substr(0, 2) == "- ";
    if (dash && key_column != std::string_view::npos && column == key_column + 2) open.push_back(column);
    out.append(column - 2 * open.size(), ' ');
    out.append(rest);
    out += '\n';
    size_t k = column;
    while (line.substr(k, 2) == "- ") k += 2;
    key_column = !line.empty() && line.back() == ':' ? k : std::string_view::npos;
  }
  return out;
}

}  // namespace mk::mirrorconfig
