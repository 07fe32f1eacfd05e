#pragma once
// Numbers as the engines' summaries and refusals print them.

#include <cstdint>
#include <cstdio>
#include <string>

namespace llmmem::engines {

/// Two decimals, as the page and vLLM print GiB: "14.96".
inline std::string gib_text(double gib) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", gib);
  return text;
}

/// The shortest of %g, as settings are typed: "0.9", "0.92".
inline std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// Thousands grouped: "131,072".
inline std::string count_text(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && digits[i - 1] != '-' && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace llmmem::engines
