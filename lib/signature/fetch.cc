#include "signature/fetch.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/atomic_file.h"
#include "base/strings.h"
#include "http/url.h"

namespace mk::signature {
namespace {

bool StartsWith(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// The directory a file:// or dir: store names; "" for a URL store.
std::string LocalDir(const std::string& store) {
  if (StartsWith(store, "file://")) return store.substr(7);
  if (StartsWith(store, "dir:")) return store.substr(4);
  return "";
}

std::string Join(std::string base, const std::string& rest) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + rest;
}

// "host:port" of an http(s) URL, lower-cased, as --insecure names hosts.
std::string HostPort(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

Result<std::optional<std::string>> ReadLocal(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return IoError("cannot read " + path + ": " + std::strerror(errno));
  }
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > kMaxSignatureBytes)
    return InvalidArgument(path + ": signature larger than " + std::to_string(kMaxSignatureBytes) + " bytes");
  auto data = ReadFileLimited(path, kMaxSignatureBytes);
  if (!data.ok()) return data.status();
  return std::optional<std::string>(std::move(*data));
}

Result<std::optional<std::string>> ReadRemote(http::Transport& transport, const std::string& url,
                                              const FetchOptions& options) {
  http::Request req;
  req.url = url;
  req.verify_tls = options.insecure_hosts.count(HostPort(url)) == 0;
  req.max_body = kMaxSignatureBytes;
  auto resp = transport.Do(req);
  if (!resp.ok()) return resp.status();
  if (resp->status == 404) return std::optional<std::string>();
  if (resp->status / 100 != 2) {
    std::string m = url + ": HTTP " + std::to_string(resp->status);
    if (!resp->retry_note.empty()) m += " (" + resp->retry_note + ")";
    if (resp->status >= 500 || resp->status == 429 || resp->status == 408) return Unavailable(m);
    if (resp->status == 401 || resp->status == 403) return PermissionDenied(m);
    return InvalidArgument(m);
  }
  return std::optional<std::string>(std::move(resp->body));
}

}  // namespace

std::vector<std::string> DefaultStores() {
  return {"https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release",
          "https://storage.googleapis.com/openshift-release/official/signatures/openshift/release"};
}

Status CheckStore(const std::string& store) {
  if (StartsWith(store, "https://") || StartsWith(store, "http://")) {
    if (HostPort(store).empty()) return InvalidArgument("store has no host: " + store);
    return Status::Ok();
  }
  if (!LocalDir(store).empty()) return Status::Ok();
  return InvalidArgument("not a signature store (https://, http://, file://DIR or dir:DIR): " + store);
}

Result<std::vector<std::string>> FetchFromStore(http::Transport& transport, const std::string& store,
                                                const std::string& hex, const FetchOptions& options) {
  std::string local = LocalDir(store);
  if (!local.empty()) {
    // A store directory that is not there is a mistake (a medium not
    // mounted, a typo), not a store without signatures.
    struct stat st;
    if (::stat(local.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return InvalidArgument("signature store " + store + ": no such directory");
  }
  std::vector<std::string> found;
  for (int n = 1; n <= kMaxSignatures; ++n) {
    std::string where = Join(local.empty() ? store : local, "sha256=" + hex + "/signature-" + std::to_string(n));
    auto got = local.empty() ? ReadRemote(transport, where, options) : ReadLocal(where);
    if (!got.ok()) return got.status();
    if (!got->has_value()) break;
    found.push_back(std::move(**got));
  }
  if (found.empty()) return NotFound("no signature for sha256:" + hex + " in " + store);
  return found;
}

}  // namespace mk::signature
