// CopyRunner: the record-driven copy loop behind blob-copy.
//
// Reads JSON-lines records (mapping records from release-list, stream-mirror
// or the user's own stage) through records::ReadRecords, copies each mapping
// record's `source` to its `dest` with `jobs` workers, and writes one result
// record per input record as it finishes (completion order, not input
// order). Which records are copied is records::Classify's rule: records of
// other kinds and records that already carry an `error` are written out
// byte for byte as read; a line that is not a JSON object, or a mapping
// record with a missing or wrong-typed field or a `digest` that disagrees
// with its pinned source, becomes an error record (records::Error, with the
// line and the field) and the run goes on. Memory is bounded: at most
// 2 × jobs records are in flight. See man/mirrorkit-records.7 for the fields.
//
// Threads: each run starts `jobs` workers and joins them before it returns;
// the reader, writer and copier must outlive the call (the writer and the
// copier are shared by the workers, and are thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "copy/image_copier.h"
#include "json/lines.h"
#include "records/failures.h"

namespace mk::copy {

struct RunSummary {
  int images_ok = 0;
  int images_failed = 0;
  int lines_malformed = 0;  // lines not records, and mapping records with bad fields
  uint64_t bytes_copied = 0;
  bool interrupted = false;
  bool output_closed = false;
  records::FailureSet failures;  // every failed image and line: the exit status
};

struct RunOptions {
  int jobs = 6;
  std::string tool = "blob-copy";  // prefix of stderr messages
  bool progress = false;           // a live progress line is on stderr: messages clear it first
  // Progress hooks (the tool points them at progress/, which copy may not
  // include). Called from the workers: thread-safe and quick.
  std::function<void()> on_queued;           // an image was queued for copying
  std::function<void(bool ok)> on_finished;  // an image finished, copied or failed
};

// Copies records read from reader, writing results to writer.
RunSummary RunCopyRecords(json::LineReader& reader, json::RecordWriter& writer, ImageCopier& copier,
                          const RunOptions& options);

// Copies (source, dest) pairs given on the command line; same output.
RunSummary RunCopyPairs(const std::vector<std::pair<std::string, std::string>>& pairs, json::RecordWriter& writer,
                        ImageCopier& copier, const RunOptions& options);

// The content a rewritten record carries (records/rewrite.h), verified and
// parsed, for the copier.
Result<store::Overlay> OverlayFor(const json::Value& record);

// Fills a record's result fields from one copy (exposed for tests). False
// when the record failed: the copy failed, or it copied another image than
// the record's `digest` names (a source tag that moved).
bool AnnotateRecord(json::Value& record, const Result<CopyOutcome>& outcome);

}  // namespace mk::copy
