// Session: what a registry-speaking tool opens once per run, and the
// operations every such tool starts with (go-containerregistry's pkg/crane
// is the model: a small facade over the library, so tools stay option
// parsing and exit codes).
//
// A Session owns the HTTP transport, the credentials and the store resolver
// built from the shared registry options (-a, --ca-file, --insecure); they
// live for the whole run, and the resolver and everything it hands out hold
// references into the session, so the session must outlive them. Opening is
// not thread-safe; the opened session is (the transport, auth store and
// resolver are).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_file.h"
#include "base/status.h"
#include "http/client.h"
#include "release/release_reader.h"
#include "store/location.h"
#include "store/resolver.h"

namespace mk::session {

// The registry options every registry-speaking tool takes.
struct Options {
  std::string registry_config;             // -a FILE; "" for the default search list
  std::string ca_file;                     // extra CA bundle (PEM), added to the system's
  std::vector<std::string> insecure;       // host[:port] spoken to without TLS verification / over http
  uint64_t chunk_size = 64ull << 20;       // uploads larger than this go in PATCH chunks
  std::string ca_path = "/etc/ssl/certs";  // the system's CA directory, kept trusted with ca_file
  // Retrying (http/retry_policy.h): attempts beyond the first per request
  // or blob, retries in the whole run, the run's deadline (counted from
  // Open), and how long a transfer may stall before it counts as failed.
  int retries = 4;
  int retry_budget = 200;
  std::optional<std::chrono::milliseconds> deadline;
  long stall_timeout_s = 60;
};

struct Session {
  std::unique_ptr<http::Client> client;
  auth::AuthStore auth;
  std::unique_ptr<store::StoreResolver> stores;

  // kInvalidArgument for a bad option value (an unreadable --ca-file: a
  // usage error); kDataLoss for a malformed credentials file.
  static Result<std::unique_ptr<Session>> Open(const Options& options);

  // Commits what the run wrote through storage plugins (an oci-archive's
  // file is written now; store::StoreResolver::Finish). Every tool that
  // writes calls it once its writes are done and before it reports them;
  // a run that ends without it — interrupted, failed — leaves the plugins to
  // discard what they staged. An interrupted run commits nothing
  // (kCancelled).
  Status Commit();
};

// A RELEASE argument: a registry reference or dir:DIR:NAME. A malformed one
// is kInvalidArgument (a usage error).
Result<store::Location> ParseReleaseArg(const std::string& text);

// Reads the release a location names, for planning a mirror. arch: "" —
// a manifest list is kept whole (arch "multi"), a single-architecture
// release read as it is; "multi" — the same, but a single-architecture
// release is kInvalidArgument; any other name (amd64/x86_64, arm64/aarch64,
// ...) — that child of a list (kNotFound when it has none), and a
// single-architecture release for another architecture is kNotFound.
Result<release::ReleaseImage> ReadReleaseAt(Session& session, const store::Location& location, const std::string& arch);

// Reads one architecture's view of a release, for taking files out of it
// (release-extract): a list is resolved to the child for arch, "" meaning
// this machine's, and from_list/list_digest keep what the list was (the
// digest a cluster pulls). A single-architecture release is read as it is
// when arch is "", refused as above for another explicit arch; "multi" is
// kInvalidArgument (files come from one architecture).
Result<release::ReleaseImage> ReadReleaseForArch(Session& session, const store::Location& location,
                                                 const std::string& arch);

}  // namespace mk::session
