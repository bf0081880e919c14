// Small helpers every room uses, one copy each: elapsed time, absolute paths, whole files.
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace hotcc {

using Clock = std::chrono::steady_clock;

// Milliseconds from `start` to now.
double msSince(Clock::time_point start);

// `path` made absolute against the working directory, with "." and ".." removed lexically (the
// engine names files this way, so every spelling of a path finds the same file).
std::string absolutePath(const std::string &path);

// A file's bytes, or nullopt when it cannot be read.
std::optional<std::string> readWholeFile(const std::string &path);

} // namespace hotcc
