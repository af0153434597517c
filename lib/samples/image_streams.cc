#include "samples/image_streams.h"

#include "base/strings.h"

namespace mk::samples {
namespace {

constexpr int kMaxReferenceChain = 10;

Status ParseStream(const json::Value& is, ImageStreams& out) {
  if (is.GetString("kind").value_or("ImageStream") != "ImageStream")
    return InvalidArgument("item of kind " + Quote(is.GetString("kind").value_or("")) + " is not an ImageStream");
  const json::Value* meta = is.Find("metadata");
  std::string name = meta ? meta->GetString("name").value_or("") : "";
  if (name.empty()) return InvalidArgument("an ImageStream without metadata.name");
  std::string ns = meta->GetString("namespace").value_or("");
  out.streams.push_back(name);
  const json::Value* spec = is.Find("spec");
  const json::Value* tags = spec ? spec->Find("tags") : nullptr;
  if (!tags) return Status::Ok();
  if (!tags->is_array()) return InvalidArgument("ImageStream " + name + ": spec.tags is not an array");
  for (const auto& t : tags->items()) {
    StreamTag st;
    st.stream = name;
    st.namespace_ = ns;
    st.tag = t.GetString("name").value_or("");
    if (st.tag.empty()) return InvalidArgument("ImageStream " + name + ": a tag without a name");
    if (const json::Value* from = t.Find("from"); from && from->is_object()) {
      st.from_kind = from->GetString("kind").value_or("");
      st.from_name = from->GetString("name").value_or("");
    }
    out.tags.push_back(std::move(st));
  }
  return Status::Ok();
}

}  // namespace

Result<ImageStreams> ImageStreams::Parse(std::string_view text) {
  auto doc = json::Value::Parse(text);
  if (!doc.ok()) return doc.status().WithContext("image streams");
  if (!doc->is_object()) return InvalidArgument("image streams: not a JSON object");
  ImageStreams out;
  std::string kind = doc->GetString("kind").value_or("");
  if (kind == "List" || kind == "ImageStreamList") {
    const json::Value* items = doc->Find("items");
    if (!items || !items->is_array()) return InvalidArgument("image streams: " + kind + " without items");
    for (const auto& item : items->items()) MK_RETURN_IF_ERROR(ParseStream(item, out));
  } else if (kind == "ImageStream") {
    MK_RETURN_IF_ERROR(ParseStream(*doc, out));
  } else {
    return InvalidArgument("image streams: kind " + Quote(kind) + ", want ImageStreamList, List or ImageStream");
  }
  return out;
}

bool IsPayloadStream(const std::string& s) {
  static const std::set<std::string> kPayload = {
      "jenkins", "jenkins-agent-maven", "jenkins-agent-nodejs", "cli", "installer", "must-gather", "test"};
  return kPayload.count(s) > 0;
}

Result<Reference> MirrorDestination(const std::string& mirror, const Reference& source) {
  std::string base = mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string text = base + "/" + source.path();
  if (!source.tag().empty())
    text += ":" + source.tag();
  else if (source.digest())
    text += "@" + source.digest()->str();
  auto dest = Reference::Parse(text);
  if (!dest.ok()) return dest.status().WithContext("mirror destination for " + source.String());
  std::string host = base.substr(0, base.find('/'));
  if (host.find('.') == std::string::npos && host.find(':') == std::string::npos && host != "localhost")
    return InvalidArgument("--to " + Quote(mirror) + " does not start with a registry host");
  return dest;
}

Result<Selection> Select(const ImageStreams& in, const SelectOptions& options) {
  Selection out;
  std::map<std::pair<std::string, std::string>, const StreamTag*> by_name;
  for (const auto& t : in.tags) by_name[{t.stream, t.tag}] = &t;
  std::map<std::string, size_t> mapping_index;  // dest string -> mappings_

  for (const auto& stream : in.streams) {
    if (IsPayloadStream(stream)) continue;
    if (options.only_streams.empty() || options.only_streams.count(stream))
      out.managed_streams.insert(stream);
    else
      out.unselected_streams.insert(stream);
  }

  for (const auto& t : in.tags) {
    if (!out.managed_streams.count(t.stream)) continue;
    auto skip = [&](std::string from, std::string reason) {
      out.skipped.push_back({t.stream, t.tag, std::move(from), std::move(reason)});
    };
    // Follow ImageStreamTag references to a DockerImage.
    const StreamTag* cur = &t;
    std::set<std::pair<std::string, std::string>> seen;
    bool failed = false;
    for (int hops = 0; cur->from_kind == "ImageStreamTag"; ++hops) {
      std::string target_stream = cur->stream, target_tag = cur->from_name;
      if (size_t colon = cur->from_name.find(':'); colon != std::string::npos) {
        target_stream = cur->from_name.substr(0, colon);
        target_tag = cur->from_name.substr(colon + 1);
      }
      if (hops >= kMaxReferenceChain || !seen.insert({target_stream, target_tag}).second) {
        skip(cur->from_name, "ImageStreamTag references form a cycle");
        failed = true;
        break;
      }
      auto it = by_name.find({target_stream, target_tag});
      if (it == by_name.end()) {
        skip(target_stream + ":" + target_tag, "refers to a stream tag that is not in the input");
        failed = true;
        break;
      }
      cur = it->second;
    }
    if (failed) continue;
    if (cur->from_kind != "DockerImage") {
      skip(cur->from_name,
           cur->from_kind.empty() ? "tag has no from" : "from kind " + cur->from_kind + " is not mirrored");
      continue;
    }
    auto source = Reference::Parse(cur->from_name);
    if (!source.ok()) {
      skip(cur->from_name, source.status().message());
      continue;
    }
    if (!options.registries.count(source->domain())) {
      skip(cur->from_name, "not on " + Join({options.registries.begin(), options.registries.end()}, ", "));
      continue;
    }
    MK_ASSIGN_OR_RETURN(Reference dest, MirrorDestination(options.mirror, *source));
    std::string key = dest.String();
    auto [it, fresh] = mapping_index.emplace(key, out.mappings.size());
    if (fresh) out.mappings.push_back({*source, dest, {}});
    out.mappings[it->second].stream_tags.push_back(t.stream + ":" + t.tag);
  }
  return out;
}

}  // namespace mk::samples
