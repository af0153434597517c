// StoreResolver: maps a reference or a location to the store that holds it,
// creating one RegistryStore per registry host and one OciDirStore per
// directory on first use (so connections, tokens and index locks are shared
// by all images there). Stores for other domains (in-memory ones in tests)
// are registered. Thread-safe; the transport and the auth store must outlive
// it, and it owns every store it hands out.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "auth/auth_file.h"
#include "http/transport.h"
#include "store/location.h"
#include "store/store.h"

namespace mk::store {

struct ResolverOptions {
  std::set<std::string> insecure_hosts;  // host[:port] names given with --insecure
  uint64_t chunk_size = 64ull << 20;
};

class StoreResolver {
 public:
  StoreResolver(http::Transport& client, const auth::AuthStore& auth, ResolverOptions options)
      : client_(client), auth_(auth), options_(std::move(options)) {}

  Store& ForReference(const Reference& ref);
  // The store of a location and the image's full name in it. create: a
  // missing directory is made (a destination). A directory NAME may be a
  // short name or glob; an empty NAME takes default_name.
  struct Resolved {
    Store* store;
    Reference ref;
  };
  Result<Resolved> ForLocation(const Location& location, bool create, const std::string& default_name = "");
  // Serves every reference of this domain from store instead of a registry
  // (in-memory stores in tests; directory stores are opened per location).
  void Register(const std::string& domain, std::unique_ptr<Store> store);
  // Commits what was written to storage plugins (PluginStore::Finish: an
  // archive is written now). A tool calls it at the clean end of a run that
  // wrote; without it the plugins discard their writes. The first failure.
  Status Finish();

 private:
  http::Transport& client_;
  const auth::AuthStore& auth_;
  ResolverOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Store>> registries_;  // by host or registered domain
  std::map<std::string, std::unique_ptr<Store>> dirs_;        // by path
  // Storage plugins' stores, by "SCHEME:ADDRESS" (PluginStore).
  std::map<std::string, std::unique_ptr<Store>> plugins_;
};

}  // namespace mk::store
