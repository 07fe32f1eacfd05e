#pragma once

#include <cstdint>

namespace llmmem {

/// The spec divides bytes by 1024**3 and calls it GB; we say GiB.
constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace llmmem
