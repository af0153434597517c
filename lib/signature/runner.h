// The loop of release-signatures over a record stream: every `release`
// record gets its signatures fetched from the stores in turn (the first
// store that has any is used), verified when a keyring was given, written
// as oc's ConfigMap, and described by one `signature` record written after
// it; every line, the release record included, is passed on byte for byte, so the tool can sit anywhere in a
// pipeline. What failed is an `error` record with its code (records/
// failures.h decides the exit status; a signature for another digest is a
// refused claim, kPermissionDenied, exit 1 — not kDataLoss: the bytes are
// exactly what the store served).
//
// Holds references to the transport and verifier, which must outlive it.
// One thread.
#pragma once

#include <string>
#include <vector>

#include "http/transport.h"
#include "json/value.h"
#include "records/failures.h"
#include "records/reader.h"
#include "signature/fetch.h"
#include "signature/verifier.h"

namespace mk::signature {

inline constexpr const char kSignatureKind[] = "signature";

struct RunOptions {
  std::vector<std::string> stores;  // tried in this order
  FetchOptions fetch;
  std::string to_dir = ".";
  Verifier* verifier = nullptr;  // null: no --keyring, nothing verified
};

struct LineResult {
  std::vector<std::string> out;       // lines for stdout, in order
  std::vector<std::string> messages;  // one-line messages for stderr
  records::FailureSet failures;
};

// The `signature` record (man/mirrorkit-records.7).
struct SignatureRecord {
  std::string release;  // the release's name, when the record had one
  std::string digest;
  std::string source;
  int count = 0;  // signatures written
  bool verified = false;
  std::string file;
  std::string store;
  int rejected = 0;  // signatures refused (left out when 0)
};
json::Value MakeSignatureRecord(const SignatureRecord& r);

class Runner {
 public:
  Runner(http::Transport& transport, RunOptions options) : transport_(transport), options_(std::move(options)) {}
  LineResult Process(const records::InputLine& in);

 private:
  LineResult ProcessRelease(const records::InputLine& in);
  http::Transport& transport_;
  RunOptions options_;
};

}  // namespace mk::signature
