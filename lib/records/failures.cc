#include "records/failures.h"

namespace mk::records {

int ExitFor(Code code) {
  switch (code) {
    case Code::kOk:
      return kExitOk;
    case Code::kUnavailable:
      return kExitTransient;
    case Code::kDataLoss:
      return kExitIntegrity;
    case Code::kIo:
      return kExitLocalIo;
    default:
      return kExitFailed;
  }
}

void FailureSet::Note(Code code) {
  if (code != Code::kOk) seen_ |= 1u << ExitFor(code);
}

void FailureSet::Merge(const FailureSet& other) { seen_ |= other.seen_; }

int FailureSet::Exit() const {
  for (int exit : {kExitIntegrity, kExitLocalIo, kExitFailed, kExitTransient})
    if (seen_ & (1u << exit)) return exit;
  return kExitOk;
}

}  // namespace mk::records
