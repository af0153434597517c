#include "mirrorconfig/format.h"

#include "mirrorconfig/cluster_config.h"
#include "mirrorconfig/registries_conf.h"

namespace mk::mirrorconfig {

const std::vector<std::string_view>& FormatNames() {
  // Indexed by Format.
  static const std::vector<std::string_view> kNames = {
      "install-config", "install-config-idms", "icsp",          "idms",
      "itms",           "registries-conf",     "updateservice", "catalogsource"};
  return kNames;
}

std::string_view FormatName(Format format) { return FormatNames().at(static_cast<size_t>(format)); }

Result<Format> ParseFormat(std::string_view name) {
  const auto& names = FormatNames();
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Format>(i);
    list += (i ? ", " : "") + std::string(names[i]);
  }
  return InvalidArgument("unknown format \"" + std::string(name) + "\" (one of " + list + ")");
}

Status ValidateObjectName(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid object name \"" + std::string(name) + "\": " + why);
  };
  if (name.empty()) return bad("empty");
  if (name.size() > 253) return bad("longer than 253 characters");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return bad("empty label between dots");
    for (char c : label)
      if (!alnum(c) && c != '-') return bad("only lower-case letters, digits, '-' and '.' are allowed");
    if (!alnum(label.front()) || !alnum(label.back()))
      return bad("each part must start and end with a lower-case letter or digit");
    if (dot == std::string_view::npos) return Status::Ok();
    start = dot + 1;
  }
}

Result<std::string> Render(const MirrorSet& set, Format format, const std::string& object_name) {
  switch (format) {
    case Format::kInstallConfig:
      return RenderImageContentSources(set);
    case Format::kInstallConfigIdms:
      return RenderImageDigestSources(set);
    case Format::kRegistriesConf:
      return RenderRegistriesConf(set);
    case Format::kUpdateService:
      return InvalidArgument("the updateservice format is made from release and graph-image records, not mappings");
    case Format::kCatalogSource:
      return InvalidArgument("the catalogsource format is made from catalog records, not mappings");
    default:
      break;
  }
  MK_RETURN_IF_ERROR(ValidateObjectName(object_name));
  switch (format) {
    case Format::kIcsp:
      return RenderImageContentSourcePolicy(set, object_name);
    case Format::kIdms:
      return RenderImageDigestMirrorSet(set, object_name);
    case Format::kItms:
      return RenderImageTagMirrorSet(set, object_name);
    default:
      return Internal("unhandled format");
  }
}

}  // namespace mk::mirrorconfig
