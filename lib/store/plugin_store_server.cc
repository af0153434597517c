#include "store/plugin_store_server.h"

#include "base/strings.h"
#include "oci/manifest.h"
#include "store/plugin_store_wire.h"

namespace mk::store {
namespace {

class Server {
 public:
  Server(PluginBackend& backend, int in_fd, int out_fd, const std::string& core)
      : backend_(backend), conn_(in_fd, out_fd, core) {}

  Status Run() {
    for (;;) {
      auto line = conn_.ReadLine();
      if (!line.ok()) {
        if (!finished_) backend_.Discard();
        return conn_.eof() ? Status::Ok() : line.status();
      }
      Status s = Handle(wire::Words(*line));
      if (!s.ok()) {
        // The connection itself failed: nothing more can be answered.
        if (!finished_) backend_.Discard();
        return s;
      }
    }
  }

 private:
  // Answers one request; an error only when the connection broke.
  Status Handle(const std::vector<std::string>& w) {
    const std::string& op = w.empty() ? std::string() : w[0];
    if (op == "capabilities" && w.size() == 1) {
      std::string line = "ok " + std::to_string(wire::kVersion);
      for (const std::string& o : backend_.Operations()) line += " " + o;
      return Answer(line);
    }
    if (op == "list" && w.size() == 1) return List();
    if (op == "stat-blob" && w.size() == 2) {
      auto d = Digest::Parse(w[1]);
      if (!d.ok()) return Answer(wire::ErrorLine(d.status()));
      auto size = backend_.StatBlob(*d);
      if (!size.ok()) return Answer(wire::ErrorLine(size.status()));
      return Answer("ok " + std::to_string(*size));
    }
    if (op == "get-blob" && w.size() == 3) return GetBlob(w[1], w[2]);
    if (op == "put-blob" && w.size() == 3) return PutBlob(w[1], w[2]);
    if (op == "get-manifest" && w.size() == 2) {
      auto m = backend_.GetManifest(w[1]);
      if (!m.ok()) return Answer(wire::ErrorLine(m.status()));
      MK_RETURN_IF_ERROR(conn_.WriteLine("ok " + (m->media_type.empty() ? std::string("-") : m->media_type) + " " +
                                         std::to_string(m->raw.size())));
      MK_RETURN_IF_ERROR(conn_.Write(m->raw));
      return conn_.Flush();
    }
    if (op == "put-manifest" && w.size() == 6) return PutManifest(w);
    if (op == "finish" && w.size() == 1) {
      Status s = backend_.Finish();
      if (s.ok()) finished_ = true;
      return Answer(s.ok() ? "ok" : wire::ErrorLine(s));
    }
    return Answer(wire::ErrorLine(Unsupported("unknown request " + Quote(op, 40) + " (or wrong arguments)")));
  }

  Status Answer(const std::string& line) {
    MK_RETURN_IF_ERROR(conn_.WriteLine(line));
    return conn_.Flush();
  }

  Status List() {
    auto all = backend_.List();
    if (!all.ok()) return Answer(wire::ErrorLine(all.status()));
    MK_RETURN_IF_ERROR(conn_.WriteLine("ok"));
    for (const NamedImage& image : *all) {
      auto word = [](const std::string& s) {
        return s.empty() || s.find_first_of(" \n") != std::string::npos ? std::string("-") : s;
      };
      MK_RETURN_IF_ERROR(conn_.WriteLine("image " + word(image.name) + " " + word(image.descriptor.media_type) + " " +
                                         image.descriptor.digest.str() + " " + std::to_string(image.descriptor.size)));
    }
    return Answer("end");
  }

  Status GetBlob(const std::string& digest_text, const std::string& offset_text) {
    auto d = Digest::Parse(digest_text);
    if (!d.ok()) return Answer(wire::ErrorLine(d.status()));
    auto offset = wire::ParseCount(offset_text, UINT64_MAX / 2, "offset");
    if (!offset.ok()) return Answer(wire::ErrorLine(offset.status()));
    // "ok" goes out with the first bytes, so a blob that cannot be read at
    // all is a plain error answer.
    bool started = false;
    Status conn_error;
    Status s = backend_.GetBlob(*d, *offset, [&](const char* data, size_t n) -> Status {
      if (!started) {
        started = true;
        conn_error = conn_.WriteLine("ok");
      }
      if (conn_error.ok()) conn_error = conn_.WriteChunk(data, n);
      return conn_error;
    });
    if (!conn_error.ok()) return conn_error;
    if (!started) {
      if (!s.ok()) return Answer(wire::ErrorLine(s));
      MK_RETURN_IF_ERROR(conn_.WriteLine("ok"));
    }
    return Answer(s.ok() ? "end" : wire::ErrorLine(s));
  }

  Status PutBlob(const std::string& digest_text, const std::string& size_text) {
    // The body follows whatever the arguments say: read it all, then answer.
    wire::BodyReader body(conn_);
    auto d = Digest::Parse(digest_text);
    auto size = wire::ParseCount(size_text, UINT64_MAX / 2, "blob size");
    Status s = !d.ok() ? d.status() : !size.ok() ? size.status() : Status::Ok();
    if (s.ok()) s = backend_.PutBlob(*d, *size, [&](char* out, size_t n) { return body.Read(out, n); });
    if (!body.done()) {
      Status drained = body.Drain();
      if (!drained.ok() && !body.done()) return drained;  // out of step: give up
    }
    return Answer(s.ok() ? "ok" : wire::ErrorLine(s));
  }

  Status PutManifest(const std::vector<std::string>& w) {
    // put-manifest NAME ROLE MEDIA-TYPE DIGEST SIZE, then SIZE bytes
    MK_ASSIGN_OR_RETURN(uint64_t size, wire::ParseCount(w[5], oci::kMaxManifestBytes, "manifest size"));
    std::string raw;
    MK_RETURN_IF_ERROR(conn_.ReadExact(static_cast<size_t>(size), raw));
    Status s;
    auto d = Digest::Parse(w[4]);
    if (!d.ok()) s = d.status();
    if (s.ok() && w[2] != "top" && w[2] != "child")
      s = InvalidArgument("role " + Quote(w[2], 20) + " is not top or child");
    if (s.ok()) s = VerifyDigest(*d, raw, "manifest " + w[1]);
    if (s.ok())
      s = backend_.PutManifest(w[1], w[2] == "top" ? ManifestRole::kTop : ManifestRole::kChild, w[3], *d,
                               std::move(raw));
    return Answer(s.ok() ? "ok" : wire::ErrorLine(s));
  }

  PluginBackend& backend_;
  wire::Conn conn_;
  bool finished_ = false;
};

}  // namespace

std::set<std::string> PluginBackend::Operations() const {
  return {"list", "stat-blob", "get-blob", "put-blob", "get-manifest", "put-manifest", "finish"};
}

Status ServePlugin(PluginBackend& backend, int in_fd, int out_fd, const std::string& core_name) {
  return Server(backend, in_fd, out_fd, core_name).Run();
}

}  // namespace mk::store
