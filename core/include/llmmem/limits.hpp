#pragma once
// The bounds every door checks before it reads, fetches or copies: the JS API before a request
// enters the module's heap, the CLI before it reads past them, the page before it parses a
// paste, a file or a link, and the core before it parses (docs/security.md lists each door).
// No real config.json or request comes near them: a config is a few KB, a 100,000-point sweep
// about 1 MB.
#include <cstddef>

namespace llmmem {

constexpr std::size_t kMaxJsonBytes = std::size_t(4) << 20;  // 4 MiB of UTF-8
constexpr int kMaxJsonDepth = 64;
constexpr std::size_t kMaxJsonValues = 250000;

}  // namespace llmmem
