#include "progress/format.h"

#include <cstdio>

namespace mk::progress {

Result<Mode> ParseMode(std::string_view text) {
  if (text == "auto") return Mode::kAuto;
  if (text == "tty") return Mode::kTty;
  if (text == "plain") return Mode::kPlain;
  if (text == "none") return Mode::kNone;
  return InvalidArgument("--progress must be auto, tty, plain or none, not '" + std::string(text.substr(0, 40)) + "'");
}

Mode Decide(Mode mode, bool stderr_is_terminal) {
  if (mode != Mode::kAuto) return mode;
  return stderr_is_terminal ? Mode::kTty : Mode::kNone;
}

std::string HumanBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    v /= 1024;
    ++unit;
  }
  // Three significant digits at most: "1.50 GiB", "12.3 MiB", "512 KiB".
  // Rounding may reach 1024 ("1024 KiB" for 1048575 B): fine, it is honest.
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  return buf;
}

std::string HumanDuration(std::chrono::seconds d) {
  long long s = d.count() < 0 ? 0 : d.count();
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%llds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::optional<double> Rate(uint64_t bytes, std::chrono::milliseconds elapsed) {
  if (elapsed < std::chrono::seconds(1)) return std::nullopt;
  return static_cast<double>(bytes) * 1000.0 / static_cast<double>(elapsed.count());
}

std::optional<std::chrono::seconds> Eta(const Snapshot& s, std::chrono::milliseconds elapsed) {
  if (s.images_done == 0 || s.images_done >= s.images_total) return std::nullopt;
  const double per_image = static_cast<double>(elapsed.count()) / static_cast<double>(s.images_done);
  const double left_ms = per_image * static_cast<double>(s.images_total - s.images_done);
  return std::chrono::seconds(static_cast<long long>(left_ms / 1000.0 + 0.5));
}

std::string FormatLine(const Snapshot& s, std::chrono::milliseconds elapsed) {
  std::string line = std::to_string(s.images_done) + "/" + std::to_string(s.images_total) + " images";
  if (s.images_failed > 0) line += " (" + std::to_string(s.images_failed) + " failed)";
  line += ", " + HumanBytes(s.bytes);
  if (auto r = Rate(s.bytes, elapsed)) line += ", " + HumanBytes(static_cast<uint64_t>(*r)) + "/s";
  if (auto eta = Eta(s, elapsed)) line += ", ETA " + HumanDuration(*eta);
  return line;
}

}  // namespace mk::progress
