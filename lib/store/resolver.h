// StoreResolver: maps a reference to the store that holds it, creating one
// RegistryStore per registry host on first use (so connections, pings and
// tokens are shared by all images of that registry). Directory and plugin
// stores register here later. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "auth/auth_file.h"
#include "http/client.h"
#include "store/store.h"

namespace mk::store {

struct ResolverOptions {
  std::set<std::string> insecure_hosts;  // host[:port] names given with --insecure
  uint64_t chunk_size = 64ull << 20;
};

class StoreResolver {
 public:
  StoreResolver(http::Client& client, const auth::AuthStore& auth, ResolverOptions options)
      : client_(client), auth_(auth), options_(std::move(options)) {}

  Store& ForReference(const Reference& ref);
  // Serves every reference of this domain from store instead of a registry
  // (directory and plugin stores, in-memory stores in tests).
  void Register(const std::string& domain, std::unique_ptr<Store> store);

 private:
  http::Client& client_;
  const auth::AuthStore& auth_;
  ResolverOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Store>> registries_;  // by host or registered domain
};

}  // namespace mk::store
