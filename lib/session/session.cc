#include "session/session.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/signals.h"
#include "base/strings.h"
#include "oci/image_config.h"
#include "ref/reference.h"

namespace mk::session {

Status Session::Commit() {
  if (Interrupted()) return Cancelled("interrupted: nothing committed");
  return stores->Finish();
}

Result<std::unique_ptr<Session>> Session::Open(const Options& options) {
  auto session = std::make_unique<Session>();
  http::ClientOptions client;
  if (!options.ca_file.empty()) {
    if (::access(options.ca_file.c_str(), R_OK) != 0)
      return InvalidArgument("cannot read --ca-file " + options.ca_file + ": " + std::strerror(errno));
    client.ca_file = options.ca_file;
  }
  // Keep trusting the system's CAs when --ca-file adds one (CURLOPT_CAINFO
  // alone would replace the bundle on a libcurl built without a CA path).
  client.ca_path = options.ca_path;
  client.stall_timeout_s = options.stall_timeout_s;
  client.retry.retries = options.retries;
  client.retry.budget = options.retry_budget;
  client.retry.deadline = options.deadline;
  session->client = std::make_unique<http::Client>(client);
  auto auth = auth::AuthStore::Load(options.registry_config);
  if (!auth.ok()) {
    Code code = auth.status().code() == Code::kInvalidArgument ? Code::kDataLoss : auth.status().code();
    return Status(code, auth.status().message());
  }
  session->auth = std::move(auth).value();
  store::ResolverOptions ro;
  for (const auto& host : options.insecure) ro.insecure_hosts.insert(ToLower(host));
  ro.chunk_size = options.chunk_size;
  session->stores = std::make_unique<store::StoreResolver>(*session->client, session->auth, ro);
  return session;
}

Result<store::Location> ParseReleaseArg(const std::string& text) {
  MK_ASSIGN_OR_RETURN(store::Location location, store::Location::Parse(text));
  if (!location.is_dir()) MK_RETURN_IF_ERROR(Reference::Parse(text).status());
  return location;
}

namespace {

Result<release::ReleaseImage> Read(Session& session, const store::Location& location, const std::string& go_arch,
                                   bool must_match) {
  MK_ASSIGN_OR_RETURN(auto where, session.stores->ForLocation(location, false));
  MK_ASSIGN_OR_RETURN(release::ReleaseImage image, release::ReadRelease(*where.store, where.ref, go_arch));
  // A single-architecture release cannot honour an explicit --arch.
  if (must_match && !image.multi && go_arch != image.go_arch)
    return NotFound("release " + image.requested.String() + " is for " + image.go_arch + ", not " + go_arch);
  return image;
}

}  // namespace

Result<release::ReleaseImage> ReadReleaseAt(Session& session, const store::Location& location,
                                            const std::string& arch) {
  if (arch.empty() || arch == release::kMultiArch) return Read(session, location, arch, false);
  return Read(session, location, oci::GoArch(arch), true);
}

Result<release::ReleaseImage> ReadReleaseForArch(Session& session, const store::Location& location,
                                                 const std::string& arch) {
  if (arch == release::kMultiArch)
    return InvalidArgument("--arch multi names a whole manifest list; name one architecture (amd64, arm64, ...)");
  if (arch.empty()) return Read(session, location, oci::HostGoArch(), false);
  return Read(session, location, oci::GoArch(arch), true);
}

}  // namespace mk::session
