#include "store/resolver.h"

#include "store/oci_dir_store.h"
#include "store/plugin_store.h"
#include "store/registry_store.h"

namespace mk::store {

void StoreResolver::Register(const std::string& domain, std::unique_ptr<Store> store) {
  std::lock_guard<std::mutex> lock(mu_);
  registries_[domain] = std::move(store);
}

Status StoreResolver::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  Status first;
  for (auto& [key, store] : plugins_) {
    Status s = static_cast<PluginStore&>(*store).Finish();
    if (first.ok()) first = s;
  }
  return first;
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

Result<StoreResolver::Resolved> StoreResolver::ForLocation(const Location& location, bool create,
                                                           const std::string& default_name) {
  if (!location.is_dir()) {
    MK_ASSIGN_OR_RETURN(Reference ref, Reference::Parse(location.name));
    return Resolved{&ForReference(ref), ref};
  }
  Store* store = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = dirs_.find(location.dir);
    if (location.is_plugin()) {
      // One plugin process per location for the whole run.
      it = plugins_.find(location.scheme + ":" + location.dir);
      if (it == plugins_.end()) {
        auto launched = PluginStore::Launch(location.scheme, location.dir);
        if (!launched.ok()) return launched.status();
        it = plugins_.emplace(location.scheme + ":" + location.dir, std::move(launched).value()).first;
      }
    } else if (it == dirs_.end()) {
      auto opened = OciDirStore::Open(location.dir, create);
      if (!opened.ok()) return opened.status();
      it = dirs_.emplace(location.dir, std::move(opened).value()).first;
    }
    store = it->second.get();
  }
  std::string name = location.name.empty() ? default_name : location.name;
  if (create) {
    // A destination name is taken as given: it must be a full reference.
    auto ref = Reference::Parse(name);
    if (!ref.ok()) return ref.status().WithContext("name in " + location.String());
    return Resolved{store, *ref};
  }
  MK_ASSIGN_OR_RETURN(Reference ref, store->ResolveName(name));
  return Resolved{store, ref};
}

}  // namespace mk::store
