#pragma once
// Numbers as the engines' summaries and refusals print them.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace llmmem::engines {

/// printf's "%.*f" for 0 <= decimals <= 9 and |value| x 10^decimals < 4e15, rounded as printf rounds the exact
/// binary value (ties to even), by integer arithmetic: snprintf's float conversions go through
/// long double, which WebAssembly emulates in software (an estimate's summary and explanations
/// spent 30 of 75 us in printf under wasm; this emscripten's libc++ has no floating to_chars).
/// Anything else goes to snprintf.
inline std::string fixed_text(double value, int decimals) {
  double scale = 1;
  for (int i = 0; i < decimals && i < 10; ++i) scale *= 10;
  // The scaled value must be an exact integer range for doubles (under 2^52).
  if (!(std::fabs(value) * scale < 4e15) || decimals < 0 || decimals > 9) {
    char text[400];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
  }
  const double magnitude = std::fabs(value);
  // magnitude x scale = product + residual exactly (scale is exact): the rounding looks at both.
  const double product = magnitude * scale;
  const double residual = std::fma(magnitude, scale, -product);
  double whole = std::floor(product);
  const double above_half = (product - whole - 0.5) + residual;  // its sign is exact
  if (above_half > 0 || (above_half == 0 && std::fmod(whole, 2) == 1)) whole += 1;
  const auto scaled = std::int64_t(whole);
  const auto unit = std::int64_t(scale);
  std::string out = value < 0 || std::signbit(value) ? "-" : "";
  out += std::to_string(scaled / unit);
  if (decimals > 0) {
    std::string fraction = std::to_string(scaled % unit);
    out += "." + std::string(std::size_t(decimals) - fraction.size(), '0') + fraction;
  }
  return out;
}

/// Two decimals, as the page and vLLM print GiB: "14.96".
inline std::string gib_text(double gib) { return fixed_text(gib, 2); }

/// printf's "%g" (six significant digits, no trailing zeros), as settings are typed: "0.9", "0.92".
inline std::string number_text(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude == 0 || magnitude < 1e-4 || magnitude >= 1e5) {
    if (magnitude == 0) return std::signbit(value) ? "-0" : "0";
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
  }
  int exponent = int(std::floor(std::log10(magnitude)));
  double power = std::pow(10.0, exponent);
  if (power > magnitude) { --exponent; power /= 10; }
  else if (power * 10 <= magnitude) { ++exponent; power *= 10; }
  std::string text = fixed_text(value, 5 - exponent);
  // Rounding may carry into a seventh significant digit (9.999996 -> 10.00000): one decimal
  // fewer then. Counted on the text: strtod, like printf, goes through long double in wasm.
  const auto first = text.find_first_not_of("-0.");
  const auto digits = std::count_if(text.begin() + std::ptrdiff_t(first), text.end(), [](char c) { return c != '.'; });
  if (digits > 6) text = fixed_text(value, 4 - exponent);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
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
