// Failures and the exit status they earn: one rule for every tool, so a
// script can tell "run it again" from "something is wrong" by $? alone, and
// by the "code" field (base::CodeName) an error record carries.
//
//   0  success
//   1  some item failed for good: not found, denied, unsupported, invalid
//   3  every failure was transient (network, 408/429/5xx after retries, the
//      retry budget or the deadline spent): a re-run may succeed
//   4  integrity: some content did not match its digest or size (kDataLoss)
//   5  local I/O: the disk is full, a read or write failed, a file-size limit
// When failures are mixed, the worst decides: 4, then 5, then 1, then 3
// (one permanent failure among transient ones means a re-run will not do).
// 2 (usage), 126/127 (plugins) and 130 (interrupted) are decided by the
// tool before or beside this.
//
// FailureSet is a plain value (not thread-safe: callers that share one hold
// their own lock).
#pragma once

#include "base/status.h"

namespace mk::records {

enum ExitStatus {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitTransient = 3,
  kExitIntegrity = 4,
  kExitLocalIo = 5,
};

// The exit status a failure with this code earns alone (kOk: 0).
int ExitFor(Code code);

class FailureSet {
 public:
  void Note(Code code);
  void Note(const Status& s) { Note(s.code()); }
  void Merge(const FailureSet& other);
  bool any() const { return seen_ != 0; }
  // The worst failure's exit status; 0 when none was noted.
  int Exit() const;

 private:
  unsigned seen_ = 0;  // one bit per exit status earned
};

}  // namespace mk::records
