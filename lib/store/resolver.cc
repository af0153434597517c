#include "store/resolver.h"

#include "store/registry_store.h"

namespace mk::store {

void StoreResolver::Register(const std::string& domain, std::unique_ptr<Store> store) {
  std::lock_guard<std::mutex> lock(mu_);
  registries_[domain] = std::move(store);
}

Store& StoreResolver::ForReference(const Reference& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = registries_.find(ref.domain()); it != registries_.end()) return *it->second;
  std::string host = ref.api_host();
  auto it = registries_.find(host);
  if (it != registries_.end()) return *it->second;
  registry::RegistryOptions ro;
  ro.insecure = options_.insecure_hosts.count(ref.domain()) > 0 || options_.insecure_hosts.count(host) > 0;
  ro.chunk_size = options_.chunk_size;
  auto store = std::make_unique<RegistryStore>(std::make_unique<registry::RegistryClient>(host, client_, auth_, ro));
  Store& s = *store;
  registries_.emplace(host, std::move(store));
  return s;
}

}  // namespace mk::store
