// Small string helpers used across modules. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mk {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
// Joins parts with sep between them.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// True for a lower-case hexadecimal string of exactly n characters.
bool IsLowerHex(std::string_view s, size_t n);
// Quotes a value for a message: printable ASCII kept, others as \xNN, and
// long values cut, so a hostile input cannot forge log lines.
std::string Quote(std::string_view s, size_t max = 200);
// A message made safe to print as one line for people: control characters
// (newline, NUL, ESC...) as \xNN, UTF-8 kept, cut after max bytes. What
// stderr lines pass through, since they carry text taken from the input.
std::string OneLine(std::string_view s, size_t max = 4096);
// Case-insensitive ASCII equality (HTTP header names, auth schemes).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace mk
