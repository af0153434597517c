#include "json/value.h"

#include <simdjson.h>

#include <charconv>

#include "base/utf8.h"

namespace mk::json {
namespace {

constexpr int kMaxDepth = 256;

Result<Value> Convert(simdjson::dom::element e, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("json nested too deeply");
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      Value obj = Value::Object();
      for (auto field : simdjson::dom::object(e)) {
        MK_ASSIGN_OR_RETURN(Value v, Convert(field.value, depth + 1));
        // Duplicate keys: the last one wins, as in most decoders.
        obj.Set(field.key, std::move(v));
      }
      return obj;
    }
    case simdjson::dom::element_type::ARRAY: {
      Value arr = Value::Array();
      for (auto item : simdjson::dom::array(e)) {
        MK_ASSIGN_OR_RETURN(Value v, Convert(item, depth + 1));
        arr.Append(std::move(v));
      }
      return arr;
    }
    case simdjson::dom::element_type::STRING:
      return Value::String(std::string(std::string_view(e)));
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return Value::NumberText(simdjson::minify(e));
    case simdjson::dom::element_type::BOOL:
      return Value::Bool(bool(e));
    case simdjson::dom::element_type::NULL_VALUE:
      return Value::Null();
  }
  return InvalidArgument("unknown json value");
}

}  // namespace

Value Value::Bool(bool b) {
  Value v(Type::kBool);
  v.text_ = b ? "true" : "false";
  return v;
}

Value Value::Number(int64_t n) {
  Value v(Type::kNumber);
  v.text_ = std::to_string(n);
  return v;
}

Value Value::NumberText(std::string text) {
  Value v(Type::kNumber);
  v.text_ = std::move(text);
  return v;
}

Value Value::String(std::string s) {
  Value v(Type::kString);
  v.text_ = std::move(s);
  return v;
}

Result<Value> Value::Parse(std::string_view text) {
  // A parser per call keeps this thread-safe; inputs are small documents.
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto err = parser.parse(padded).get(root);
  if (err) return InvalidArgument(std::string("invalid json: ") + simdjson::error_message(err));
  return Convert(root, 0);
}

std::optional<int64_t> Value::as_int() const {
  if (type_ != Type::kNumber) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), n);
  if (ec != std::errc() || p != text_.data() + text_.size()) return std::nullopt;
  return n;
}

const Value* Value::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (const auto& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value* Value::Find(std::string_view key) { return const_cast<Value*>(static_cast<const Value*>(this)->Find(key)); }

std::optional<std::string> Value::GetString(std::string_view key) const {
  const Value* v = Find(key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->text_;
}

std::optional<int64_t> Value::GetInt(std::string_view key) const {
  const Value* v = Find(key);
  return v ? v->as_int() : std::nullopt;
}

void Value::Set(std::string_view key, Value v) {
  if (type_ != Type::kObject) {
    *this = Object();
  }
  if (Value* existing = Find(key)) {
    *existing = std::move(v);
    return;
  }
  members_.emplace_back(std::string(key), std::move(v));
}

bool Value::Erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

void AppendQuoted(std::string& out, std::string_view s, HexCase hex_case) {
  const char* kHex = hex_case == HexCase::kUpper ? "0123456789ABCDEF" : "0123456789abcdef";
  out += '"';
  utf8::ForEach(s, [&](const utf8::CodePoint& cp) {
    if (!cp.valid) {
      // simdjson, like every strict reader, refuses ill-formed UTF-8.
      out += hex_case == HexCase::kUpper ? "\\uFFFD" : "\\ufffd";
      return;
    }
    if (cp.value >= 0x80) {
      out.append(cp.bytes);
      return;
    }
    char c = static_cast<char>(cp.value);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (cp.value < 0x20 || cp.value == 0x7f) {
          out += "\\u00";
          out += kHex[cp.value >> 4];
          out += kHex[cp.value & 15];
        } else {
          out += c;
        }
    }
  });
  out += '"';
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendQuoted(out, s);
  return out;
}

void Value::Write(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent <= 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (type_) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
    case Type::kNumber:
      out += text_;
      return;
    case Type::kString:
      AppendQuoted(out, text_);
      return;
    case Type::kArray:
      if (items_.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        items_[i].Write(out, indent, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    case Type::kObject:
      if (members_.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        AppendQuoted(out, members_[i].first);
        out += indent > 0 ? ": " : ":";
        members_[i].second.Write(out, indent, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
  }
}

std::string Value::Serialize() const {
  std::string out;
  Write(out, 0, 0);
  return out;
}

std::string Value::SerializePretty(int indent) const {
  std::string out;
  Write(out, indent, 0);
  return out;
}

}  // namespace mk::json
