#include "catalog/fbc_reader.h"

#include <algorithm>
#include <set>

namespace mk::catalog {

namespace {

// Field access that names the file, the schema and the object in errors.
class Doc {
 public:
  Doc(const std::string& path, const std::string& schema, const json::Value& v) : path_(path), schema_(schema), v_(v) {}

  Result<std::string> Required(std::string_view key) const {
    const json::Value* f = v_.Find(key);
    if (!f || f->is_null()) return Bad("without " + std::string(key));
    if (!f->is_string()) return Bad(std::string(key) + " is not a string");
    if (f->as_string().empty()) return Bad("with an empty " + std::string(key));
    return f->as_string();
  }
  Result<std::string> Optional(std::string_view key) const { return OptionalIn(v_, key, ""); }
  Result<std::string> OptionalIn(const json::Value& v, std::string_view key, const std::string& where) const {
    const json::Value* f = v.Find(key);
    if (!f || f->is_null()) return std::string();
    if (!f->is_string()) return Bad(where + std::string(key) + " is not a string");
    return f->as_string();
  }
  // An array member, empty when absent.
  Result<const std::vector<json::Value>*> Array(std::string_view key) const {
    static const std::vector<json::Value> kNone;
    const json::Value* f = v_.Find(key);
    if (!f || f->is_null()) return &kNone;
    if (!f->is_array()) return Bad(std::string(key) + " is not an array");
    return &f->items();
  }
  Status Bad(const std::string& what) const {
    std::string name;
    if (auto n = v_.GetString("name"); n && !n->empty()) name = " '" + *n + "'";
    return InvalidArgument(path_ + ": " + schema_ + name +
                           (what.rfind("without", 0) == 0 || what.rfind("with ", 0) == 0 ? " " : ": ") + what);
  }

 private:
  const std::string& path_;
  const std::string& schema_;
  const json::Value& v_;
};

}  // namespace

Status FbcBuilder::Add(const std::string& path, const json::Value& doc) {
  auto schema_field = doc.Find("schema");
  if (!schema_field || !schema_field->is_string()) return Status::Ok();  // not a declarative config object
  const std::string& schema = schema_field->as_string();
  Doc d(path, schema, doc);
  if (schema == "olm.package") {
    Package p;
    MK_ASSIGN_OR_RETURN(p.name, d.Required("name"));
    MK_ASSIGN_OR_RETURN(p.default_channel, d.Optional("defaultChannel"));
    catalog_.packages.push_back(std::move(p));
  } else if (schema == "olm.channel") {
    Channel c;
    MK_ASSIGN_OR_RETURN(c.name, d.Required("name"));
    MK_ASSIGN_OR_RETURN(c.package, d.Required("package"));
    MK_ASSIGN_OR_RETURN(const std::vector<json::Value>* entries, d.Array("entries"));
    for (size_t i = 0; i < entries->size(); ++i) {
      const json::Value& e = (*entries)[i];
      const std::string where = "entries[" + std::to_string(i) + "].";
      if (!e.is_object()) return d.Bad("entries[" + std::to_string(i) + "] is not an object");
      ChannelEntry entry;
      MK_ASSIGN_OR_RETURN(entry.name, d.OptionalIn(e, "name", where));
      if (entry.name.empty()) return d.Bad("entries[" + std::to_string(i) + "] without name");
      MK_ASSIGN_OR_RETURN(entry.replaces, d.OptionalIn(e, "replaces", where));
      MK_ASSIGN_OR_RETURN(entry.skip_range, d.OptionalIn(e, "skipRange", where));
      if (const json::Value* skips = e.Find("skips"); skips && !skips->is_null()) {
        if (!skips->is_array()) return d.Bad(where + "skips is not an array");
        for (const auto& s : skips->items()) {
          if (!s.is_string()) return d.Bad(where + "skips holds a value that is not a string");
          entry.skips.push_back(s.as_string());
        }
      }
      c.entries.push_back(std::move(entry));
    }
    catalog_.channels.push_back(std::move(c));
  } else if (schema == "olm.bundle") {
    Bundle b;
    MK_ASSIGN_OR_RETURN(b.name, d.Required("name"));
    MK_ASSIGN_OR_RETURN(b.package, d.Required("package"));
    MK_ASSIGN_OR_RETURN(b.image, d.Optional("image"));
    MK_ASSIGN_OR_RETURN(const std::vector<json::Value>* properties, d.Array("properties"));
    for (size_t i = 0; i < properties->size(); ++i) {
      const json::Value& p = (*properties)[i];
      const std::string where = "properties[" + std::to_string(i) + "]";
      if (!p.is_object()) return d.Bad(where + " is not an object");
      if (p.GetString("type") != "olm.package") continue;
      const json::Value* value = p.Find("value");
      if (!value || !value->is_object()) return d.Bad(where + ": olm.package property without a value object");
      MK_ASSIGN_OR_RETURN(b.version, d.OptionalIn(*value, "version", where + ".value."));
    }
    MK_ASSIGN_OR_RETURN(const std::vector<json::Value>* related, d.Array("relatedImages"));
    for (size_t i = 0; i < related->size(); ++i) {
      const json::Value& r = (*related)[i];
      const std::string where = "relatedImages[" + std::to_string(i) + "]";
      if (!r.is_object()) return d.Bad(where + " is not an object");
      RelatedImage ri;
      MK_ASSIGN_OR_RETURN(ri.name, d.OptionalIn(r, "name", where + "."));
      MK_ASSIGN_OR_RETURN(ri.image, d.OptionalIn(r, "image", where + "."));
      if (ri.image.empty()) return d.Bad(where + " without image");
      b.related_images.push_back(std::move(ri));
    }
    catalog_.bundles.push_back(std::move(b));
  }
  // olm.deprecations and schemas of other tools carry nothing planning needs.
  return Status::Ok();
}

Result<Catalog> FbcBuilder::Finish() && {
  Catalog c = std::move(catalog_);
  std::sort(c.packages.begin(), c.packages.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (size_t i = 1; i < c.packages.size(); ++i)
    if (c.packages[i].name == c.packages[i - 1].name)
      return InvalidArgument("package '" + c.packages[i].name + "' is defined more than once");
  auto by_package = [](const auto& a, const auto& b) {
    return a.package != b.package ? a.package < b.package : a.name < b.name;
  };
  std::stable_sort(c.channels.begin(), c.channels.end(), by_package);
  for (size_t i = 1; i < c.channels.size(); ++i)
    if (c.channels[i].package == c.channels[i - 1].package && c.channels[i].name == c.channels[i - 1].name)
      return InvalidArgument("channel '" + c.channels[i].name + "' of package '" + c.channels[i].package +
                             "' is defined more than once");
  std::stable_sort(c.bundles.begin(), c.bundles.end(), by_package);
  for (size_t i = 1; i < c.bundles.size(); ++i)
    if (c.bundles[i].package == c.bundles[i - 1].package && c.bundles[i].name == c.bundles[i - 1].name)
      return InvalidArgument("bundle '" + c.bundles[i].name + "' of package '" + c.bundles[i].package +
                             "' is defined more than once");
  return c;
}

}  // namespace mk::catalog
