#pragma once
// Numbers as the engines' summaries and refusals print them.

#include <cmath>
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

/// Parameters as people say them: "8.03B", "412.3M", "16,384".
inline std::string amount_text(double n) {
  if (n >= 1e9) return number_text(double(std::llround(n / 1e7)) / 100) + "B";
  if (n >= 1e6) return number_text(double(std::llround(n / 1e5)) / 10) + "M";
  return count_text(std::llround(n));
}

}  // namespace llmmem::engines
