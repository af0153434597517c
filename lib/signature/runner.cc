#include "signature/runner.h"

#include "records/records.h"
#include "signature/config_map.h"

namespace mk::signature {
namespace {

std::string ErrorLine(const records::InputLine& in, const std::string& field, const Status& s) {
  records::ErrorRecord e;
  e.line = in.line;
  e.field = field;
  e.error = s.message();
  e.code = s.code();
  e.record = in.record;
  return records::Error(e).Serialize();
}

}  // namespace

json::Value MakeSignatureRecord(const SignatureRecord& r) {
  using json::Value;
  Value v = Value::Object();
  v.Set("kind", Value::String(kSignatureKind));
  if (!r.release.empty()) v.Set("release", Value::String(r.release));
  v.Set("digest", Value::String(r.digest));
  if (!r.source.empty()) v.Set("source", Value::String(r.source));
  v.Set("count", Value::Number(r.count));
  v.Set("verified", Value::Bool(r.verified));
  v.Set("file", Value::String(r.file));
  v.Set("store", Value::String(r.store));
  if (r.rejected > 0) v.Set("rejected", Value::Number(r.rejected));
  return v;
}

LineResult Runner::Process(const records::InputLine& in) {
  LineResult r;
  if (!in.problem.ok()) {
    // Not a record: an error record in its place, as every stage writes.
    r.out.push_back(ErrorLine(in, "", in.problem));
    r.messages.push_back(in.problem.message());
    r.failures.Note(in.problem);
    return r;
  }
  if (in.record.GetString("kind") == std::string(records::kRelease)) return ProcessRelease(in);
  r.out.push_back(in.text);  // not ours: on, byte for byte
  return r;
}

LineResult Runner::ProcessRelease(const records::InputLine& in) {
  LineResult r;
  // The release record goes on too: later stages (blob-copy, ics-gen) read it.
  r.out.push_back(in.text);
  auto fail = [&](const std::string& field, const Status& s) {
    r.out.push_back(ErrorLine(in, field, s));
    r.messages.push_back(s.message());
    r.failures.Note(s);
  };
  std::string digest = in.record.GetString("digest").value_or("");
  auto hex = Sha256Hex(digest);
  if (!hex.ok()) {
    fail("digest", hex.status().WithContext("release record"));
    return r;
  }

  // The first store that has signatures for the digest is the one used; one
  // that cannot be reached is reported and the next one tried.
  std::vector<std::string> fetched;
  std::string store;
  Status trouble;  // the last store that could not be read, for the code
  std::string troubles;
  for (const auto& s : options_.stores) {
    auto got = FetchFromStore(transport_, s, *hex, options_.fetch);
    if (got.ok()) {
      fetched = std::move(*got);
      store = s;
      break;
    }
    if (got.status().code() != Code::kNotFound) {
      troubles += (troubles.empty() ? "" : "; ") + got.status().message();
      trouble = got.status();
    }
  }
  if (fetched.empty()) {
    // One line for the release, naming every store that failed.
    if (!trouble.ok()) {
      fail("digest", Status(trouble.code(), "no signature for " + digest + " could be fetched: " + troubles));
    } else {
      fail("digest", NotFound("no signature found for " + digest + " in " + std::to_string(options_.stores.size()) +
                              " store(s)"));
    }
    return r;
  }
  if (!troubles.empty()) r.messages.push_back("warning: skipped a store: " + troubles);

  std::vector<std::string> keep;
  int rejected = 0;
  if (options_.verifier == nullptr) {
    keep = fetched;
  } else {
    for (size_t i = 0; i < fetched.size(); ++i) {
      auto v = options_.verifier->Verify(fetched[i], digest);
      if (v.ok()) {
        keep.push_back(fetched[i]);
        continue;
      }
      ++rejected;
      fail("digest", v.status().WithContext("signature-" + std::to_string(i + 1) + " of " + digest + " from " + store));
    }
    if (keep.empty()) return r;  // nothing trusted: nothing written
  }

  auto file = WriteConfigMap(options_.to_dir, *hex, keep);
  if (!file.ok()) {
    fail("", file.status());
    return r;
  }
  if (options_.verifier == nullptr)
    r.messages.push_back("warning: " + std::to_string(keep.size()) + " signature(s) of " + digest +
                         " written unverified (no --keyring)");
  SignatureRecord rec;
  rec.release = in.record.GetString("name").value_or("");
  rec.digest = digest;
  rec.source = in.record.GetString("source").value_or("");
  rec.count = static_cast<int>(keep.size());
  rec.verified = options_.verifier != nullptr;
  rec.file = *file;
  rec.store = store;
  rec.rejected = rejected;
  r.out.push_back(MakeSignatureRecord(rec).Serialize());
  return r;
}

}  // namespace mk::signature
