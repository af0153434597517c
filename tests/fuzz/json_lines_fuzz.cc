// Fuzz target: the JSON-lines record reader (lib/json/lines.h LineReader,
// lib/records/reader.h ReadRecords) and the mapping check every consumer
// applies to what it reads (lib/records/mapping.h CheckMapping).
//
// The input arrives over a SOCK_SEQPACKET socket in messages of a size the
// first byte picks, so each read(2) returns one message and the reader's
// buffer boundaries fall where the fuzzer says; the second byte picks the
// line limit.
//
// Properties: the lines read are exactly the input split at '\n' (one
// trailing '\r' dropped, a UTF-8 byte order mark before the first line
// dropped, a last line without newline kept), each line over
// the limit reported as an error in its place and never returned, line
// numbers counting every line; ReadRecords over the stream and
// ReadRecordsIn over the same bytes in memory agree line for line; a
// mapping that passes CheckMapping has a non-empty source and dest and a
// digest that agrees with a pinned source; every problem is one bounded
// line naming its field.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "fuzz_check.h"
#include "json/lines.h"
#include "records/mapping.h"
#include "records/reader.h"

namespace {

struct Read {
  bool ok;
  std::string line;
};

// Feeds text through a socket pair in messages of chunk bytes and returns
// the read end; the writer thread is joined by the caller.
int Feed(std::string_view text, size_t chunk, std::thread& writer) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) std::abort();
  writer = std::thread([fd = sv[1], text, chunk] {
    for (size_t off = 0; off < text.size(); off += chunk) {
      size_t n = std::min(chunk, text.size() - off);
      if (send(fd, text.data() + off, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)) break;  // reader gone
    }
    close(fd);
  });
  return sv[0];
}

std::vector<Read> Model(std::string_view text, size_t max_line) {
  std::vector<Read> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view piece = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (piece.size() > max_line) {
      out.push_back({false, ""});
      continue;
    }
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    // A byte order mark before the first line is not part of it.
    if (out.empty() && piece.substr(0, 3) == "\xEF\xBB\xBF") piece.remove_prefix(3);
    out.push_back({true, std::string(piece)});
  }
  return out;
}

void CheckLine(const mk::records::InputLine& in) {
  if (!in.problem.ok()) {
    const std::string& m = in.problem.message();
    FUZZ_CHECK(!m.empty() && m.find('\n') == std::string::npos && m.size() < 2048, m);
    return;
  }
  const mk::json::Value& r = in.record;
  FUZZ_CHECK(r.is_object(), in.text);
  auto role = mk::records::Classify(r);
  if (r.Find("error")) FUZZ_CHECK(role == mk::records::Role::kCarriesError, in.text);
  auto c = mk::records::CheckMapping(r);
  if (!c.ok()) {
    FUZZ_CHECK(!c.field.empty(), c.error);
    FUZZ_CHECK(c.error.find('\n') == std::string::npos && c.error.size() < 2048, c.error);
    return;
  }
  const auto& m = c.mapping;
  FUZZ_CHECK(!m.source.empty() && !m.dest.empty(), in.text);
  FUZZ_CHECK(r.GetString("source") == m.source && r.GetString("dest") == m.dest, in.text);
  FUZZ_CHECK(m.pinned == mk::records::PinnedDigest(m.source), in.text);
  FUZZ_CHECK(!mk::records::LacksDest(r), in.text);
  if (m.rewritten) {
    FUZZ_CHECK(m.source_digest.has_value(), in.text);
    if (m.pinned) FUZZ_CHECK(*m.pinned == *m.source_digest, in.text);
  } else if (m.digest && m.pinned) {
    FUZZ_CHECK(*m.digest == *m.pinned, in.text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t chunk = 1 + data[0] % 64;
  size_t max_line = data[1] < 128 ? 1 + data[1] % 64 : size_t{16} << 20;
  std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  // The reader against the model.
  {
    std::thread writer;
    int fd = Feed(text, chunk, writer);
    mk::json::LineReader reader(fd, max_line);
    std::vector<Read> got;
    for (size_t guard = 0; guard <= text.size() + 1; ++guard) {
      auto line = reader.Next();
      if (!line.ok()) {
        FUZZ_CHECK(line.status().code() == mk::Code::kInvalidArgument, line.status().message());
        got.push_back({false, ""});
        FUZZ_CHECK(reader.line_number() == got.size(), "line numbers skip");
        continue;
      }
      if (!*line) break;
      got.push_back({true, **line});
      FUZZ_CHECK(reader.line_number() == got.size(), "line numbers skip");
    }
    close(fd);
    writer.join();
    auto want = Model(text, max_line);
    FUZZ_CHECK(got.size() == want.size(),
               "read " + std::to_string(got.size()) + " lines, want " + std::to_string(want.size()));
    for (size_t i = 0; i < got.size(); ++i) {
      FUZZ_CHECK(got[i].ok == want[i].ok, "line " + std::to_string(i + 1) + ": over the limit or not");
      FUZZ_CHECK(got[i].line == want[i].line, "line " + std::to_string(i + 1) + ": " + got[i].line);
    }
  }

  // The stream and the in-memory record readers agree (no line limit hit).
  if (max_line >= text.size()) {
    std::thread writer;
    int fd = Feed(text, chunk, writer);
    mk::json::LineReader reader(fd, max_line);
    std::vector<mk::records::InputLine> streamed, in_memory;
    mk::Status s = mk::records::ReadRecords(reader, [&](mk::records::InputLine& in) {
      streamed.push_back(std::move(in));
      return true;
    });
    close(fd);
    writer.join();
    FUZZ_CHECK(s.ok(), s.message());
    s = mk::records::ReadRecordsIn(text, [&](mk::records::InputLine& in) {
      in_memory.push_back(std::move(in));
      return true;
    });
    FUZZ_CHECK(s.ok(), s.message());
    FUZZ_CHECK(streamed.size() == in_memory.size(), "the readers disagree on the number of records");
    for (size_t i = 0; i < streamed.size(); ++i) {
      const auto& a = streamed[i];
      const auto& b = in_memory[i];
      FUZZ_CHECK(a.line == b.line && a.text == b.text, "record " + std::to_string(i) + ": " + a.text);
      FUZZ_CHECK(a.problem.code() == b.problem.code() && a.problem.message() == b.problem.message(), a.text);
      FUZZ_CHECK(a.record.Serialize() == b.record.Serialize(), a.text);
      CheckLine(a);
    }
  }
  return 0;
}
