#include "catalog/documents.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <istream>
#include <map>
#include <optional>
#include <streambuf>
#include <vector>

#include "base/strings.h"

namespace mk::catalog {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end (one past) of the JSON value starting at begin: brackets counted
// outside strings; a scalar ends at whitespace or the next bracket. The
// parser checks the value itself; this only finds where it stops.
size_t ValueEnd(std::string_view s, size_t begin) {
  if (s[begin] != '{' && s[begin] != '[') {
    if (s[begin] == '"') {
      for (size_t i = begin + 1; i < s.size(); ++i) {
        if (s[i] == '\\')
          ++i;
        else if (s[i] == '"')
          return i + 1;
      }
      return s.size();
    }
    size_t i = begin;
    while (i < s.size() && !IsSpace(s[i]) && s[i] != '{' && s[i] != '[' && s[i] != '"') ++i;
    return i;
  }
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return s.size();
}

}  // namespace

Status ForEachJsonDocument(std::string_view content, const DocumentSink& sink) {
  size_t pos = 0;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // a UTF-8 byte order mark
  for (int n = 1;; ++n) {
    while (pos < content.size() && IsSpace(content[pos])) ++pos;
    if (pos >= content.size()) return Status::Ok();
    size_t end = ValueEnd(content, pos);
    auto doc = json::Value::Parse(content.substr(pos, end - pos));
    if (!doc.ok()) return doc.status().WithContext("document " + std::to_string(n));
    MK_ASSIGN_OR_RETURN(archive::Visit v, sink(std::move(doc).value()));
    if (v == archive::Visit::kStop) return Status::Ok();
    pos = end;
  }
}

namespace {

constexpr size_t kMaxYamlDepth = 256;
// Values aliases may copy into a document: a few lines of nested aliases
// would otherwise expand to billions of values. Catalogs hardly use them.
constexpr size_t kMaxAliasedNodes = 250'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
bool IsJsonNumber(const std::string& s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n || !IsDigit(s[i])) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && s[i] == '.') {
    if (++i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    if (++i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

// A scalar as YAML 1.2's core schema resolves it (plain) or as its tag says.
json::Value Scalar(const std::string& tag, const std::string& value) {
  if (tag == "!" || tag.ends_with(":str")) return json::Value::String(value);
  bool plain = tag == "?" || tag.empty();
  if (tag.ends_with(":null") ||
      (plain && (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")))
    return json::Value::Null();
  if (tag.ends_with(":bool") || plain) {
    if (value == "true" || value == "True" || value == "TRUE") return json::Value::Bool(true);
    if (value == "false" || value == "False" || value == "FALSE") return json::Value::Bool(false);
  }
  if ((tag.ends_with(":int") || tag.ends_with(":float") || plain) && IsJsonNumber(value))
    return json::Value::NumberText(value);
  return json::Value::String(value);
}

// Builds one json::Value per document from the parser's events.
class Builder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { Put(json::Value::Null(), anchor, 1); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fail(mark, "unknown alias");
    aliased_ += it->second.second;
    if (aliased_ > kMaxAliasedNodes) return Fail(mark, "aliases expand to too many values");
    Put(it->second.first, 0, it->second.second);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    Put(Scalar(tag, value), anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, json::Value::Array(), anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, json::Value::Object(), anchor);
  }
  void OnMapEnd() override { Close(); }

  // The finished document, once the parser returned from it.
  std::optional<json::Value> Take() { return std::exchange(done_, std::nullopt); }
  const Status& status() const { return status_; }

 private:
  struct Frame {
    json::Value value;
    YAML::anchor_t anchor = 0;
    std::optional<std::string> key;  // a map's key awaiting its value
    size_t nodes = 1;                // values in this one, itself included
  };

  void Fail(const YAML::Mark& mark, const std::string& why) {
    if (status_.ok()) status_ = InvalidArgument("line " + std::to_string(mark.line + 1) + ": " + why);
  }
  void Open(const YAML::Mark& mark, json::Value v, YAML::anchor_t anchor) {
    if (stack_.size() >= kMaxYamlDepth) return Fail(mark, "nested too deeply");
    stack_.push_back({std::move(v), anchor, std::nullopt});
  }
  void Close() {
    if (stack_.empty()) return;  // after a failure
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Put(std::move(f.value), f.anchor, f.nodes);
  }
  // nodes: the values v holds, itself included.
  void Put(json::Value v, YAML::anchor_t anchor, size_t nodes) {
    if (!status_.ok()) return;
    if (anchor) anchors_[anchor] = {v, nodes};
    if (stack_.empty()) {
      done_ = std::move(v);
      anchors_.clear();
      return;
    }
    Frame& top = stack_.back();
    top.nodes += nodes;
    if (top.value.is_array()) {
      top.value.Append(std::move(v));
    } else if (!top.key) {
      if (v.is_object() || v.is_array()) {
        status_ = InvalidArgument("a mapping key that is not a scalar");
        return;
      }
      top.key =
          v.is_null() ? "null" : (v.is_string() || v.is_number() ? v.as_string() : (v.as_bool() ? "true" : "false"));
    } else {
      top.value.Set(*top.key, std::move(v));
      top.key.reset();
    }
  }

  YAML::Mark start_ = YAML::Mark::null_mark();

 public:
  // Where the document began (null_mark until a document started).
  const YAML::Mark& start() const { return start_; }

 private:
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<json::Value, size_t>> anchors_;
  size_t aliased_ = 0;
  std::optional<json::Value> done_;
  Status status_;
};

}  // namespace

namespace {

// An istream's buffer over bytes someone else holds: yaml-cpp reads from
// an istream, and a catalog file can be tens of MB not worth a copy.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // only read: no put area is set
    setg(p, p, p + s.size());
  }
};

}  // namespace

Status ForEachYamlDocument(std::string_view content, const DocumentSink& sink) {
  ViewBuf buf(content);
  std::istream in(&buf);
  try {
    YAML::Parser parser(in);
    // yaml-cpp 0.7 can hand out the same empty document forever after some
    // malformed flow text (found by the catalog fuzz target): a document
    // that starts where the previous one started is an error, so the loop
    // always advances through the bytes and ends.
    int previous_start = -1;
    for (int n = 1;; ++n) {
      Builder builder;
      if (!parser.HandleNextDocument(builder)) return Status::Ok();
      if (!builder.status().ok()) return builder.status().WithContext("document " + std::to_string(n));
      int start = builder.start().pos;
      if (start >= 0 && start <= previous_start) {
        return InvalidArgument("line " + std::to_string(builder.start().line + 1) +
                               ": malformed YAML (the parser stopped advancing)");
      }
      if (start >= 0) previous_start = start;
      std::optional<json::Value> doc = builder.Take();
      if (!doc || doc->is_null()) continue;  // an empty document ("---" alone)
      MK_ASSIGN_OR_RETURN(archive::Visit v, sink(std::move(*doc)));
      if (v == archive::Visit::kStop) return Status::Ok();
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp quotes the offending character as it is (a newline, a control
    // byte): one printable line.
    return InvalidArgument("line " + std::to_string(e.mark.line + 1) + ": " + OneLine(e.msg, 200));
  }
}

}  // namespace mk::catalog
