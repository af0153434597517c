// Fetching release signatures from a signature store laid out as the
// public ones are: STORE/sha256=<hex>/signature-N for N = 1, 2, … until the
// first that is missing (a 404, or no such file). Stores are
// https:// and http:// URLs (through the session's http::Transport: TLS
// verified unless the host was named --insecure, its retries and deadline),
// file://DIR and dir:DIR (read from disk, for a store carried offline).
//
// Each signature is at most kMaxSignatureBytes (library-go's limit) and at
// most kMaxSignatures are read: a store cannot make us read without end.
// Thread-safe when the transport is.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/transport.h"

namespace mk::signature {

inline constexpr size_t kMaxSignatureBytes = 50 << 10;
inline constexpr int kMaxSignatures = 16;

// The two public stores (from cluster-update-keys' verification ConfigMap).
std::vector<std::string> DefaultStores();

// Whether text is a store this module can read (https://, http://,
// file://DIR, dir:DIR); kInvalidArgument naming it otherwise.
Status CheckStore(const std::string& store);

struct FetchOptions {
  std::set<std::string> insecure_hosts;  // host[:port] spoken to without TLS verification
};

// The signatures one store holds for hex, in order. kNotFound when the
// store has none (signature-1 missing); kUnavailable when it could not be
// reached; kInvalidArgument for a signature over the size limit.
Result<std::vector<std::string>> FetchFromStore(http::Transport& transport, const std::string& store,
                                                const std::string& hex, const FetchOptions& options);

}  // namespace mk::signature
