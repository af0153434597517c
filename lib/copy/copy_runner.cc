#include "copy/copy_runner.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/signals.h"
#include "base/strings.h"
#include "records/mapping.h"
#include "records/reader.h"
#include "records/records.h"
#include "records/rewrite.h"

namespace mk::copy {
namespace {

// A bounded queue of records waiting for a worker.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  void Push(json::Value v) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(v));
    cv_.notify_all();
  }
  std::optional<json::Value> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    json::Value v = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    return v;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<json::Value> items_;
  bool closed_ = false;
};

class Runner {
 public:
  Runner(json::RecordWriter& writer, ImageCopier& copier, const RunOptions& options)
      : writer_(writer), copier_(copier), options_(options), queue_(static_cast<size_t>(options.jobs) * 2) {
    for (int i = 0; i < std::max(1, options.jobs); ++i) workers_.emplace_back([this] { Work(); });
  }

  void Submit(json::Value record) {
    if (options_.on_queued) options_.on_queued();
    queue_.Push(std::move(record));
  }

  // Reports a line that is not a record (record null) or a mapping record
  // whose fields are wrong (field names the culprit), in its place.
  void Reject(size_t line, const std::string& field, const std::string& message, json::Value record = {},
              Code code = Code::kInvalidArgument) {
    Message("line " + std::to_string(line) + ": " + message);
    Emit(records::Error({line, field, message, std::move(record), code}));
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.lines_malformed;
    summary_.failures.Note(code);
  }

  // A record that is not ours, written out as it was read.
  void PassThrough(const std::string& text) { writer_.WriteLine(text); }

  RunSummary Finish() {
    queue_.Close();
    for (auto& t : workers_) t.join();
    summary_.interrupted = Interrupted();
    summary_.output_closed = writer_.broken_pipe() || writer_.failed();
    return summary_;
  }

 private:
  void Message(const std::string& text) {
    // Sources and dests come from the input as they were written: a
    // newline, a NUL or a terminal escape in one must not forge, cut or
    // colour a line, and a huge one must not flood the terminal.
    const std::string line = OneLine(text);
    // One write: the progress thread's redraw never lands inside it.
    std::fprintf(stderr, "%s%s: %s\n", options_.progress ? "\r\033[K" : "", options_.tool.c_str(), line.c_str());
  }

  void Emit(const json::Value& record) { writer_.Write(record); }

  void Work() {
    while (auto record = queue_.Pop()) {
      if (Interrupted()) continue;  // drain without work
      Handle(*record);
    }
  }

  void Handle(json::Value& record) {
    // Checked by the reader (records::CheckMapping) or made from arguments.
    std::string source_text = record.GetString("source").value_or("");
    std::string dest_text = record.GetString("dest").value_or("");
    Result<CopyOutcome> outcome = InvalidArgument("not copied");
    auto source = store::Location::Parse(source_text);
    auto dest = store::Location::Parse(dest_text);
    if (!source.ok())
      outcome = source.status();
    else if (!dest.ok())
      outcome = dest.status();
    else {
      // The plan's digest is the image meant: a tag that moved since is
      // refused before anything is copied.
      std::optional<Digest> expected;
      if (auto claimed = record.GetString("digest"))
        if (auto d = Digest::Parse(*claimed); d.ok()) expected = *d;
      if (records::IsRewritten(record)) {
        auto overlay = OverlayFor(record);
        outcome =
            overlay.ok() ? copier_.Copy(*source, *dest, expected, &*overlay) : Result<CopyOutcome>(overlay.status());
      } else {
        outcome = copier_.Copy(*source, *dest, expected);
      }
    }
    bool ok = AnnotateRecord(record, outcome);
    Code code = ok ? Code::kOk : outcome.ok() ? Code::kDataLoss : outcome.status().code();
    if (!ok) Message(source_text + " -> " + dest_text + ": " + record.GetString("error").value_or("?"));
    Emit(record);
    if (options_.on_finished) options_.on_finished(ok);
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) {
      ++summary_.images_ok;
      summary_.bytes_copied += outcome->stats.bytes_copied;
    } else {
      ++summary_.images_failed;
      summary_.failures.Note(code);
    }
  }

  json::RecordWriter& writer_;
  ImageCopier& copier_;
  RunOptions options_;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  RunSummary summary_;
};

}  // namespace

Result<store::Overlay> OverlayFor(const json::Value& record) {
  MK_ASSIGN_OR_RETURN(records::Rewritten rewritten, records::ReadRewritten(record));
  store::Overlay overlay;
  auto add = [&overlay](const records::InlineContent& m) -> Status {
    auto parsed = oci::Manifest::Parse(m.data, m.media_type);
    if (!parsed.ok()) return parsed.status().WithContext("rewritten manifest " + m.digest.str());
    overlay.manifests.push_back(std::move(*parsed));
    return Status::Ok();
  };
  MK_RETURN_IF_ERROR(add(rewritten.manifest));
  for (const auto& child : rewritten.children) MK_RETURN_IF_ERROR(add(child));
  for (auto& blob : rewritten.blobs) {
    oci::Descriptor d;
    d.media_type = blob.media_type;
    d.digest = blob.digest;
    d.size = blob.size();
    overlay.blobs.emplace_back(std::move(d), std::move(blob.data));
  }
  return overlay;
}

bool AnnotateRecord(json::Value& record, const Result<CopyOutcome>& outcome) {
  if (!outcome.ok()) {
    records::SetCopyFailure(record, outcome.status().message(), outcome.status().code());
    return false;
  }
  const CopyOutcome& o = *outcome;
  // The record named the image by digest and the source, named by tag, now
  // gives another: the copy is not the image the record meant. Its digest
  // is kept (it is the claim that failed), never overwritten.
  if (auto claimed = record.GetString("digest"); claimed && *claimed != o.digest.str()) {
    records::SetCopyFailure(record,
                            "the source is now " + o.digest.str() + ", not the record's \"digest\" " + *claimed +
                                " (its tag moved); " + record.GetString("dest").value_or("the dest") + " now holds " +
                                o.digest.str(),
                            Code::kDataLoss);
    return false;
  }
  records::CopyResult r;
  r.status = o.already_present ? "present" : "copied";
  r.digest = o.digest.str();
  r.media_type = o.media_type;
  // An image read from a directory: its original name, for ics-gen.
  if (auto source = record.GetString("source"); source && source->rfind("dir:", 0) == 0) r.origin = o.source_name;
  r.bytes_copied = o.stats.bytes_copied;
  r.bytes_resumed = o.stats.bytes_resumed;
  r.blobs_copied = o.stats.blobs_copied;
  r.blobs_skipped = o.stats.blobs_skipped;
  r.blobs_mounted = o.stats.blobs_mounted;
  records::SetCopyResult(record, r);
  return true;
}

RunSummary RunCopyRecords(json::LineReader& reader, json::RecordWriter& writer, ImageCopier& copier,
                          const RunOptions& options) {
  Runner runner(writer, copier, options);
  Status s = records::ReadRecords(reader, [&](records::InputLine& in) {
    if (writer.broken_pipe()) return false;
    if (!in.problem.ok()) {
      runner.Reject(in.line, "", in.problem.message());
      return true;
    }
    if (records::Classify(in.record) != records::Role::kMapping) {
      runner.PassThrough(in.text);  // byte for byte: not ours to rewrite
      return true;
    }
    records::MappingCheck check = records::CheckMapping(in.record);
    if (!check.ok())
      runner.Reject(in.line, check.field, check.error, std::move(in.record));
    else
      runner.Submit(std::move(in.record));
    return true;
  });
  if (s.code() == Code::kIo) runner.Reject(reader.line_number() + 1, "", s.message(), {}, Code::kIo);
  return runner.Finish();
}

RunSummary RunCopyPairs(const std::vector<std::pair<std::string, std::string>>& pairs, json::RecordWriter& writer,
                        ImageCopier& copier, const RunOptions& options) {
  Runner runner(writer, copier, options);
  for (const auto& [source, dest] : pairs) {
    if (Interrupted()) break;
    runner.Submit(records::ImagePair(source, dest));
  }
  return runner.Finish();
}

}  // namespace mk::copy
