#include "store/plugin_store.h"

#include <fnmatch.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/signals.h"
#include "base/strings.h"
#include "plugin/finder.h"

namespace mk::store {
namespace {

// What version 1 defines; a plugin lists those it implements.
constexpr const char* kOperations[] = {"list",         "stat-blob",    "get-blob", "put-blob",
                                       "get-manifest", "put-manifest", "finish"};

bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

// Whether a stored name denotes the reference whose full form is full (the
// same text, or a short name another tool wrote: "foo" for
// docker.io/library/foo), as for directories.
bool SameName(const std::string& entry, const std::string& full) {
  if (entry == full) return true;
  auto parsed = Reference::Parse(entry);
  return parsed.ok() && parsed->String() == full;
}

// Media types and names travel as single words.
Status OneWord(const std::string& text, const char* what) {
  if (text.empty() || text.find_first_of(" \n\r\t") != std::string::npos)
    return InvalidArgument(std::string(what) + " " + Quote(text, 80) + " cannot be sent to a storage plugin");
  return Status::Ok();
}

}  // namespace

std::string StoragePluginName(const std::string& scheme) { return std::string(plugin::kPrefix) + "storage-" + scheme; }

PluginStore::PluginStore(std::string name, base::Child child, UniqueFd to, UniqueFd from)
    : name_(std::move(name)), child_(std::move(child)), to_(std::move(to)), from_(std::move(from)) {
  int in = child_.pid() > 0 ? child_.stdout_fd() : from_.get();
  int out = child_.pid() > 0 ? child_.stdin_fd() : to_.get();
  conn_ = std::make_unique<wire::Conn>(in, out, name_);
}

Result<std::unique_ptr<PluginStore>> PluginStore::Launch(const std::string& scheme, const std::string& address) {
  const std::string program = StoragePluginName(scheme);
  if (!plugin::ValidName("storage-" + scheme)) return InvalidArgument("bad storage scheme " + Quote(scheme, 60));
  auto found = plugin::Find("storage-" + scheme);
  if (!found.ok()) {
    if (found.status().code() == Code::kNotFound)
      return NotFound("no storage plugin " + program + " (looked in $" + plugin::kPathVariable +
                      ", the installed plugins directory and $PATH) for " + scheme + ":" + address);
    return found.status();
  }
  MK_ASSIGN_OR_RETURN(base::Child child, base::Child::Spawn(found->path, {program, address}));
  std::unique_ptr<PluginStore> store(new PluginStore(program, std::move(child), UniqueFd(), UniqueFd()));
  MK_RETURN_IF_ERROR(store->Handshake());
  return store;
}

Result<std::unique_ptr<PluginStore>> PluginStore::Connect(UniqueFd to_plugin, UniqueFd from_plugin, std::string name) {
  std::unique_ptr<PluginStore> store(
      new PluginStore(std::move(name), base::Child(), std::move(to_plugin), std::move(from_plugin)));
  MK_RETURN_IF_ERROR(store->Handshake());
  return store;
}

PluginStore::~PluginStore() {
  // A tool that wrote here without committing (no Finish: it failed, or
  // does not commit plugin stores) says so rather than losing it quietly.
  if (wrote_ && !closed_ && !broken_ && !Interrupted())
    std::fprintf(stderr, "mirrorkit: what was written to %s is discarded (the run did not finish it)\n", name_.c_str());
  Close();
}

void PluginStore::Close() {
  if (closed_) return;
  closed_ = true;
  if (child_.pid() <= 0) {
    to_.Reset();
    return;
  }
  child_.CloseStdin();
  // A plugin discarding a staging area may take a moment; one that does
  // not exit is ended by the Child (SIGTERM, then SIGKILL).
  for (int i = 0; i < 500; ++i) {
    int st;
    pid_t r = ::waitpid(child_.pid(), &st, WNOHANG);
    if (r == child_.pid() || (r < 0 && errno != EINTR)) {
      child_.Forget();
      return;
    }
    ::usleep(10000);
  }
}

Status PluginStore::Break(Status s, const char* op) {
  if (child_.pid() > 0 && (conn_->eof() || s.code() == Code::kUnavailable || s.code() == Code::kIo)) {
    // The plugin may have gone away: its exit status says more than a
    // closed pipe. Bounded: a live plugin is left to the destructor.
    for (int i = 0; i < 100; ++i) {
      int st;
      pid_t r = ::waitpid(child_.pid(), &st, WNOHANG);
      if (r == child_.pid()) {
        child_.Forget();
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        s = Internal(name_ + " exited with status " + std::to_string(code) + " during " + op);
        break;
      }
      if (r < 0) break;
      ::usleep(10000);
    }
    if (s.code() == Code::kUnavailable) s = Internal(name_ + " closed the connection during " + op);
  }
  if (!broken_) broken_ = s;
  return s;
}

Status PluginStore::Request(const std::string& line, const char* op) {
  Status s = conn_->WriteLine(line);
  if (s.ok()) s = conn_->Flush();
  if (!s.ok()) return Break(s, op);
  return Status::Ok();
}

Status PluginStore::Usable(const char* op) {
  if (broken_) return *broken_;
  if (closed_) return Internal(name_ + ": " + op + " after finish");
  if (!operations_.count(op)) return Unsupported(name_ + " does not support " + op);
  return Status::Ok();
}

Result<std::vector<std::string>> PluginStore::ReadAnswer(const char* op) {
  auto line = conn_->ReadLine();
  if (!line.ok()) return Break(line.status(), op);
  if (wire::IsErrorLine(*line)) return wire::ParseErrorLine(*line, name_);
  std::vector<std::string> words = wire::Words(*line);
  if (words.empty() || words[0] != "ok")
    return Break(InvalidArgument(name_ + " answered " + Quote(*line, 60) + " to " + op), op);
  words.erase(words.begin());
  return words;
}

Status PluginStore::Handshake() {
  std::lock_guard<std::mutex> lock(mu_);
  MK_RETURN_IF_ERROR(Request("capabilities", "capabilities"));
  MK_ASSIGN_OR_RETURN(std::vector<std::string> words, ReadAnswer("capabilities"));
  if (words.empty()) return Break(InvalidArgument(name_ + " named no protocol version"), "capabilities");
  if (words[0] != std::to_string(wire::kVersion))
    return Break(Unsupported(name_ + " speaks protocol version " + OneLine(words[0], 20) + "; this mirrorkit speaks " +
                             std::to_string(wire::kVersion)),
                 "capabilities");
  for (size_t i = 1; i < words.size(); ++i)
    for (const char* known : kOperations)
      if (words[i] == known) operations_.insert(words[i]);
  return Status::Ok();
}

Status PluginStore::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Ok();
  if (broken_) return *broken_;
  // Nothing written, nothing to commit: the plugin just sees its input end.
  if (operations_.count("finish") && wrote_) {
    MK_RETURN_IF_ERROR(Request("finish", "finish"));
    auto answer = ReadAnswer("finish");
    if (!answer.ok()) return answer.status();
  }
  closed_ = true;
  if (child_.pid() <= 0) {
    to_.Reset();
    return Status::Ok();
  }
  MK_ASSIGN_OR_RETURN(int code, child_.Wait());
  if (code != 0) return Internal(name_ + " exited with status " + std::to_string(code) + " after finish");
  return Status::Ok();
}

Result<std::vector<NamedImage>> PluginStore::ListLocked() {
  if (listed_) return *listed_;
  MK_RETURN_IF_ERROR(Usable("list"));
  MK_RETURN_IF_ERROR(Request("list", "list"));
  MK_RETURN_IF_ERROR(ReadAnswer("list").status());
  std::vector<NamedImage> out;
  for (;;) {
    auto line = conn_->ReadLine();
    if (!line.ok()) return Break(line.status(), "list");
    if (*line == "end") break;
    // image NAME MEDIA-TYPE DIGEST SIZE
    std::vector<std::string> w = wire::Words(*line);
    if (w.size() != 5 || w[0] != "image")
      return Break(InvalidArgument(name_ + " sent " + Quote(*line, 80) + " in a list"), "list");
    NamedImage image;
    image.name = w[1] == "-" ? "" : w[1];
    image.descriptor.media_type = w[2] == "-" ? "" : w[2];
    auto digest = Digest::Parse(w[3]);
    if (!digest.ok()) return Break(digest.status().WithContext(name_ + " list"), "list");
    image.descriptor.digest = *digest;
    auto size = wire::ParseCount(w[4], oci::kMaxManifestBytes, "manifest size");
    if (!size.ok()) return Break(size.status().WithContext(name_ + " list"), "list");
    image.descriptor.size = static_cast<int64_t>(*size);
    out.push_back(std::move(image));
  }
  listed_ = out;
  return out;
}

Result<std::vector<NamedImage>> PluginStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  return ListLocked();
}

Result<std::optional<oci::Descriptor>> PluginStore::FindLocked(const Reference& ref) {
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, ListLocked());
  std::string name = ref.String();
  for (const auto& image : all)
    if (SameName(image.name, name)) return std::optional<oci::Descriptor>(image.descriptor);
  return std::optional<oci::Descriptor>();
}

Result<oci::Manifest> PluginStore::GetManifest(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  MK_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> named, FindLocked(ref));
  if (!named && !ref.digest()) return NotFound("no image named " + ref.String() + " in " + name_);
  // By digest always, so what comes back can be checked.
  const Digest digest = named ? named->digest : *ref.digest();
  MK_RETURN_IF_ERROR(Usable("get-manifest"));
  MK_RETURN_IF_ERROR(Request("get-manifest " + digest.str(), "get-manifest"));
  MK_ASSIGN_OR_RETURN(std::vector<std::string> w, ReadAnswer("get-manifest"));
  // ok MEDIA-TYPE SIZE, then SIZE bytes
  if (w.size() != 2) return Break(InvalidArgument(name_ + ": malformed get-manifest answer"), "get-manifest");
  auto size = wire::ParseCount(w[1], oci::kMaxManifestBytes, "manifest size");
  if (!size.ok()) return Break(size.status().WithContext(name_ + " get-manifest " + digest.str()), "get-manifest");
  std::string raw;
  Status s = conn_->ReadExact(static_cast<size_t>(*size), raw);
  if (!s.ok()) return Break(s, "get-manifest");
  MK_RETURN_IF_ERROR(VerifyDigest(digest, raw, "manifest " + digest.str() + " from " + name_));
  std::string media_type = w[0] == "-" ? (named ? named->media_type : "") : w[0];
  auto m = oci::Manifest::Parse(std::move(raw), media_type);
  if (!m.ok()) return m.status().WithContext(name_ + " " + digest.str());
  return m;
}

Result<std::optional<Digest>> PluginStore::ManifestDigest(const Reference& ref) {
  MK_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> head, ManifestHead(ref));
  if (!head) return std::optional<Digest>();
  return std::optional<Digest>(head->digest);
}

Result<std::optional<oci::Descriptor>> PluginStore::ManifestHead(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(ref);
}

Status PluginStore::PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole role) {
  std::lock_guard<std::mutex> lock(mu_);
  MK_RETURN_IF_ERROR(Usable("put-manifest"));
  const std::string name = ref.String();
  MK_RETURN_IF_ERROR(OneWord(name, "name"));
  MK_RETURN_IF_ERROR(OneWord(manifest.media_type, "media type"));
  // put-manifest NAME ROLE MEDIA-TYPE DIGEST SIZE, then SIZE bytes
  Status s =
      conn_->WriteLine("put-manifest " + name + (role == ManifestRole::kTop ? " top " : " child ") +
                       manifest.media_type + " " + manifest.digest.str() + " " + std::to_string(manifest.raw.size()));
  if (s.ok()) s = conn_->Write(manifest.raw);
  if (s.ok()) s = conn_->Flush();
  if (!s.ok()) return Break(s, "put-manifest");
  listed_.reset();
  Status answer = ReadAnswer("put-manifest").status();
  if (answer.ok()) wrote_ = true;
  return answer;
}

Result<Reference> PluginStore::ResolveName(const std::string& name) {
  MK_ASSIGN_OR_RETURN(std::vector<NamedImage> all, List());
  if (name.empty()) {
    if (all.size() == 1 && !all[0].name.empty()) return ResolveName(all[0].name);
    return InvalidArgument("name one of the " + std::to_string(all.size()) + " images in " + name_ +
                           " (SCHEME:ADDRESS:NAME)");
  }
  // The rules of a directory (oci_dir_store.h): the full name, the name
  // without its registry, or the tag, each as a glob.
  std::vector<std::string> hits;
  for (const auto& image : all) {
    if (image.name.empty()) continue;
    bool hit = image.name == name || Glob(name, image.name);
    if (!hit) {
      auto ref = Reference::Parse(image.name);
      if (ref.ok()) {
        std::string short_name = ref->path() + (ref->tag().empty() ? "" : ":" + ref->tag()) +
                                 (ref->digest() ? "@" + ref->digest()->str() : "");
        hit = Glob(name, short_name) || (!ref->tag().empty() && Glob(name, ref->tag()));
      }
    }
    if (hit) {
      if (image.name == name) return Reference::Parse(name);
      hits.push_back(image.name);
    }
  }
  if (hits.empty()) {
    auto ref = Reference::Parse(name);
    if (ref.ok() && ref->digest()) return ref;
    return NotFound("no image matching " + Quote(name) + " in " + name_);
  }
  if (hits.size() > 1)
    return InvalidArgument(Quote(name) + " matches " + std::to_string(hits.size()) + " images in " + name_ + ": " +
                           hits[0] + ", " + hits[1] + (hits.size() > 2 ? ", ..." : ""));
  return Reference::Parse(hits[0]);
}

Result<bool> PluginStore::HasBlob(const Reference&, const oci::Descriptor& blob) {
  std::lock_guard<std::mutex> lock(mu_);
  MK_RETURN_IF_ERROR(Usable("stat-blob"));
  MK_RETURN_IF_ERROR(Request("stat-blob " + blob.digest.str(), "stat-blob"));
  auto w = ReadAnswer("stat-blob");
  if (!w.ok()) {
    if (w.status().code() == Code::kNotFound) return false;  // "error not-found ...": missing
    return w.status();
  }
  if (w->size() != 1) return Break(InvalidArgument(name_ + ": malformed stat-blob answer"), "stat-blob");
  auto size = wire::ParseCount((*w)[0], UINT64_MAX / 2, "blob size");
  if (!size.ok()) return Break(size.status().WithContext(name_), "stat-blob");
  // A blob of another size is not the blob (a damaged store): write it again.
  return static_cast<int64_t>(*size) == blob.size;
}

Status PluginStore::FetchBlob(const Reference&, const oci::Descriptor& blob, const BlobSink& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  return FetchLocked(blob, 0, sink);
}

Status PluginStore::FetchBlobFrom(const Reference&, const oci::Descriptor& blob, uint64_t offset,
                                  const BlobSink& sink) {
  std::lock_guard<std::mutex> lock(mu_);
  return FetchLocked(blob, offset, sink);
}

Status PluginStore::FetchLocked(const oci::Descriptor& blob, uint64_t offset, const BlobSink& sink) {
  MK_RETURN_IF_ERROR(Usable("get-blob"));
  MK_RETURN_IF_ERROR(Request("get-blob " + blob.digest.str() + " " + std::to_string(offset), "get-blob"));
  MK_RETURN_IF_ERROR(ReadAnswer("get-blob").status());
  wire::BodyReader body(*conn_);
  std::vector<char> buf(wire::kChunk);
  for (;;) {
    auto n = body.Read(buf.data(), buf.size());
    if (!n.ok()) {
      // An error line from the plugin keeps the stream in step; anything
      // else (a dead plugin, garbage) does not.
      if (body.done()) return n.status();
      return Break(n.status(), "get-blob");
    }
    if (*n == 0) return Status::Ok();
    Status s = sink(buf.data(), *n);
    if (!s.ok()) {
      Status drained = body.Drain();
      if (!drained.ok() && !body.done()) (void)Break(drained, "get-blob");
      return s;
    }
  }
}

Status PluginStore::PushBlob(const Reference&, const oci::Descriptor& blob, const BlobSource& source) {
  std::lock_guard<std::mutex> lock(mu_);
  MK_RETURN_IF_ERROR(Usable("put-blob"));
  // put-blob DIGEST SIZE, then the body; the plugin checks both.
  Status s = conn_->WriteLine("put-blob " + blob.digest.str() + " " + std::to_string(blob.size));
  if (!s.ok()) return Break(s, "put-blob");
  std::vector<char> buf(wire::kChunk);
  Status source_error;
  for (;;) {
    auto n = source(buf.data(), buf.size());
    if (!n.ok()) {
      source_error = n.status();
      s = conn_->WriteLine("abort");
      break;
    }
    if (*n == 0) {
      s = conn_->WriteLine("end");
      break;
    }
    s = conn_->WriteChunk(buf.data(), *n);
    if (!s.ok()) break;
  }
  if (s.ok()) s = conn_->Flush();
  if (!s.ok()) return Break(s, "put-blob");
  Status answer = ReadAnswer("put-blob").status();
  if (answer.ok() && source_error.ok()) wrote_ = true;
  return source_error.ok() ? answer : source_error;
}

}  // namespace mk::store
