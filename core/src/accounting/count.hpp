#pragma once
// A parameter count built from a config's dimensions. Configs are untrusted: three widths of
// 2^24 multiply past 2^63, so every sum and product is checked and refuses to wrap.
#include <cstdint>

#include "llmmem/error.hpp"

namespace llmmem {

class Count {
 public:
  constexpr Count(std::int64_t value = 0) : value_(value) {}  // NOLINT: a count is a number
  constexpr std::int64_t value() const { return value_; }

  friend Count operator+(Count a, Count b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a.value_, b.value_, &sum)) too_large();
    return sum;
  }
  friend Count operator*(Count a, Count b) {
    std::int64_t product = 0;
    if (__builtin_mul_overflow(a.value_, b.value_, &product)) too_large();
    return product;
  }
  friend Count operator/(Count a, Count b) { return a.value_ / b.value_; }  // b >= 1: dimensions are positive
  Count& operator+=(Count other) { return *this = *this + other; }

  [[noreturn]] static void too_large() {
    throw InputError("config", "config: describes more parameters than can be counted (over 9.2e18)");
  }

 private:
  std::int64_t value_;
};

}  // namespace llmmem
