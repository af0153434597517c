#include "copy/copy_runner.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "base/signals.h"

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

  void Submit(json::Value record) { queue_.Push(std::move(record)); }

  // Reports a record that could not be parsed.
  void Malformed(size_t line, const std::string& message) {
    Message("line " + std::to_string(line) + ": " + message);
    json::Value rec = json::Value::Object();
    rec.Set("kind", json::Value::String("error"));
    rec.Set("line", json::Value::Number(static_cast<int64_t>(line)));
    rec.Set("error", json::Value::String(message));
    Emit(rec);
    std::lock_guard<std::mutex> lock(mu_);
    ++summary_.lines_malformed;
  }

  RunSummary Finish() {
    queue_.Close();
    for (auto& t : workers_) t.join();
    if (options_.progress) std::fputs("\r\033[K", stderr);
    summary_.interrupted = Interrupted();
    summary_.output_closed = writer_.broken_pipe() || writer_.failed();
    return summary_;
  }

 private:
  void Message(const std::string& text) {
    std::lock_guard<std::mutex> lock(err_mu_);
    if (options_.progress) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s: %s\n", options_.tool.c_str(), text.c_str());
  }

  void Emit(const json::Value& record) { writer_.Write(record); }

  void Work() {
    while (auto record = queue_.Pop()) {
      if (Interrupted()) continue;  // drain without work
      Handle(*record);
    }
  }

  void Handle(json::Value& record) {
    auto source_text = record.GetString("source");
    if (!source_text || record.Find("error")) {
      Emit(record);  // not ours to copy: pass it on
      return;
    }
    Result<CopyOutcome> outcome = InvalidArgument("no dest");
    auto dest_text = record.GetString("dest");
    auto source = store::Location::Parse(*source_text);
    if (!source.ok()) {
      outcome = source.status();
    } else if (!dest_text) {
      outcome = InvalidArgument("record for " + *source_text + " has no \"dest\" (give release-list --to or --to-dir)");
    } else {
      auto dest = store::Location::Parse(*dest_text);
      if (!dest.ok()) outcome = dest.status();
      else outcome = copier_.Copy(*source, *dest);
    }
    AnnotateRecord(record, outcome);
    if (!outcome.ok()) Message(*source_text + " -> " + dest_text.value_or("?") + ": " + outcome.status().message());
    Emit(record);
    std::lock_guard<std::mutex> lock(mu_);
    if (outcome.ok()) {
      ++summary_.images_ok;
      summary_.bytes_copied += outcome->stats.bytes_copied;
    } else {
      ++summary_.images_failed;
    }
    if (options_.progress) {
      std::lock_guard<std::mutex> err_lock(err_mu_);
      std::fprintf(stderr, "\r\033[K%d images done, %d failed, %.1f MiB copied", summary_.images_ok,
                   summary_.images_failed, static_cast<double>(summary_.bytes_copied) / (1 << 20));
      std::fflush(stderr);
    }
  }

  json::RecordWriter& writer_;
  ImageCopier& copier_;
  RunOptions options_;
  WorkQueue queue_;
  std::vector<std::thread> workers_;
  std::mutex mu_, err_mu_;
  RunSummary summary_;
};

}  // namespace

void AnnotateRecord(json::Value& record, const Result<CopyOutcome>& outcome) {
  if (!outcome.ok()) {
    record.Set("status", json::Value::String("failed"));
    record.Set("error", json::Value::String(outcome.status().message()));
    return;
  }
  const CopyOutcome& o = *outcome;
  // An image read from a directory: its original name, for ics-gen.
  if (auto source = record.GetString("source"); source && source->rfind("dir:", 0) == 0 && !o.source_name.empty())
    record.Set("origin", json::Value::String(o.source_name));
  record.Set("digest", json::Value::String(o.digest.str()));
  record.Set("media_type", json::Value::String(o.media_type));
  record.Set("status", json::Value::String(o.already_present ? "present" : "copied"));
  record.Set("bytes_copied", json::Value::Number(static_cast<int64_t>(o.stats.bytes_copied)));
  record.Set("blobs_copied", json::Value::Number(o.stats.blobs_copied));
  record.Set("blobs_skipped", json::Value::Number(o.stats.blobs_skipped));
  record.Set("blobs_mounted", json::Value::Number(o.stats.blobs_mounted));
}

RunSummary RunCopyRecords(json::LineReader& reader, json::RecordWriter& writer, ImageCopier& copier,
                          const RunOptions& options) {
  Runner runner(writer, copier, options);
  while (!Interrupted() && !writer.broken_pipe()) {
    auto line = reader.Next();
    if (!line.ok()) {
      if (line.status().code() == Code::kCancelled) break;
      if (line.status().code() == Code::kIo) {
        runner.Malformed(reader.line_number(), line.status().message());
        break;
      }
      runner.Malformed(reader.line_number(), line.status().message());
      continue;
    }
    if (!*line) break;
    std::string_view text = **line;
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank lines
    auto value = json::Value::Parse(text);
    if (!value.ok()) {
      runner.Malformed(reader.line_number(), value.status().message());
      continue;
    }
    if (!value->is_object()) {
      runner.Malformed(reader.line_number(), "record is not a JSON object");
      continue;
    }
    runner.Submit(std::move(*value));
  }
  return runner.Finish();
}

RunSummary RunCopyPairs(const std::vector<std::pair<std::string, std::string>>& pairs, json::RecordWriter& writer,
                        ImageCopier& copier, const RunOptions& options) {
  Runner runner(writer, copier, options);
  for (const auto& [source, dest] : pairs) {
    if (Interrupted()) break;
    json::Value rec = json::Value::Object();
    rec.Set("kind", json::Value::String("image"));
    rec.Set("source", json::Value::String(source));
    rec.Set("dest", json::Value::String(dest));
    runner.Submit(std::move(rec));
  }
  return runner.Finish();
}

}  // namespace mk::copy
