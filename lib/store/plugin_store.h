// PluginStore: a Store served by a storage plugin, git's remote helpers
// being the model: the location "SCHEME:ADDRESS[:NAME]" (location.h) runs
// the executable mirrorkit-storage-SCHEME (plugin/finder.h) with the one
// argument ADDRESS, once per location per process, and speaks the line
// protocol of man/mirrorkit-storage.7 over its stdin and stdout (framing:
// plugin_store_wire.h); the plugin's stderr is the user's.
//
// Like a directory, a plugin store keeps images by name (the full
// reference, or a shorter name another tool wrote) and shares blobs across
// the whole store. Every manifest read is checked against its digest here,
// and blobs by FetchVerified above the store, as for any store; the plugin
// checks what it is given to write (it gets the digest and size first).
//
// Writes become durable only at Finish(), which sends "finish" (an archive
// plugin writes its file then); a store destroyed without Finish() — a
// failed or interrupted run — closes the plugin's stdin without it, and
// the plugin discards what it was given.
//
// Thread-safe, but requests are serialized: a mutex is held for each
// request and its body (a whole blob transfer), so copy workers sharing the
// store wait for each other. Simple, and enough for one local file; a
// faster plugin protocol would need several connections. The store owns
// the child process (base::Child).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/subprocess.h"
#include "base/unique_fd.h"
#include "store/oci_dir_store.h"
#include "store/plugin_store_wire.h"
#include "store/store.h"

namespace mk::store {

class PluginStore : public Store {
 public:
  // Finds and runs mirrorkit-storage-SCHEME ADDRESS and asks for its
  // capabilities. kNotFound names the plugin and where it was looked for.
  static Result<std::unique_ptr<PluginStore>> Launch(const std::string& scheme, const std::string& address);
  // Speaks the protocol over two descriptors it then owns (a test's
  // in-process plugin); name is what messages call it.
  static Result<std::unique_ptr<PluginStore>> Connect(UniqueFd to_plugin, UniqueFd from_plugin, std::string name);
  // Without Finish: the plugin's stdin is closed without "finish" (it
  // discards), and it is given a few seconds to exit before it is killed.
  ~PluginStore() override;

  // Commits: "finish" (when the plugin has it and accepted a write), then
  // the plugin's stdin is closed and its exit status checked. Later
  // requests fail.
  Status Finish();
  const std::set<std::string>& operations() const { return operations_; }

  std::string Name() const override { return name_; }
  Result<oci::Manifest> GetManifest(const Reference& ref) override;
  Result<std::optional<Digest>> ManifestDigest(const Reference& ref) override;
  Result<std::optional<oci::Descriptor>> ManifestHead(const Reference& ref) override;
  Status PutManifest(const Reference& ref, const oci::Manifest& manifest, ManifestRole role) override;
  Result<Reference> ResolveName(const std::string& name) override;
  std::string BlobScope(const Reference&) const override { return ""; }
  Result<bool> HasBlob(const Reference& repo, const oci::Descriptor& blob) override;
  Status FetchBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSink& sink) override;
  Status FetchBlobFrom(const Reference& repo, const oci::Descriptor& blob, uint64_t offset,
                       const BlobSink& sink) override;
  Status PushBlob(const Reference& repo, const oci::Descriptor& blob, const BlobSource& source) override;

  // The images the plugin names ("list").
  Result<std::vector<NamedImage>> List();

 private:
  PluginStore(std::string name, base::Child child, UniqueFd to, UniqueFd from);
  Status Handshake();
  // Fails with the reason the connection is unusable, if it is.
  Status Usable(const char* op);
  // Sends a request line that has no body (written and flushed); a failure
  // breaks the connection.
  Status Request(const std::string& line, const char* op);
  // Reads the first line of an answer: its words after "ok", or the
  // error it carries. Framing failures break the connection.
  Result<std::vector<std::string>> ReadAnswer(const char* op);
  // Records a failure that leaves the stream out of step (or a dead
  // plugin, whose exit status then goes into the message).
  Status Break(Status s, const char* op);
  Result<std::vector<NamedImage>> ListLocked();
  Result<std::optional<oci::Descriptor>> FindLocked(const Reference& ref);
  Status FetchLocked(const oci::Descriptor& blob, uint64_t offset, const BlobSink& sink);
  void Close();  // closes the plugin's stdin and waits for it (bounded)

  std::string name_;
  base::Child child_;  // no process for Connect
  UniqueFd to_;
  UniqueFd from_;
  std::unique_ptr<wire::Conn> conn_;
  std::mutex mu_;
  std::set<std::string> operations_;
  std::optional<Status> broken_;
  std::optional<std::vector<NamedImage>> listed_;  // "list", until a put-manifest changes it
  bool closed_ = false;
  bool wrote_ = false;  // a put was accepted: closing without Finish discards it
};

// "mirrorkit-storage-" + scheme.
std::string StoragePluginName(const std::string& scheme);

}  // namespace mk::store
