#include "llmmem/parameters.hpp"

#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "llmmem/error.hpp"

namespace llmmem {
namespace {

using P = MemoryEstimationParameters;

// memory-estimation-spec.md, MemoryEstimationParameters.__post_init__ `bounds`, in its order.
constexpr ParameterBound kBounds[] = {
    {"fragmentation_overhead_factor", &P::fragmentation_overhead_factor, 1.0, 2.0, "[1.0, 2.0]"},
    {"min_memory_safety_margin_gb", &P::min_memory_safety_margin_gb, 0.0, 10.0, "[0.0, 10.0]"},
    {"memory_safety_margin_factor", &P::memory_safety_margin_factor, 0.0, 0.2, "[0.0, 0.2]"},
    {"activation_recomputation_factor", &P::activation_recomputation_factor, 0.0, 1.0, "[0.0, 1.0]"},
    {"gradient_memory_multiplier", &P::gradient_memory_multiplier, 0.0, 10.0, "[0.0, 10.0]"},
    {"graph_memory_overhead_ratio", &P::graph_memory_overhead_ratio, 0.0, 1.0, "[0.0, 1.0]"},
    {"graph_batch_scaling_factor", &P::graph_batch_scaling_factor, 0.0, 0.1, "[0.0, 0.1]"},
    {"quantization_overhead_multiplier", &P::quantization_overhead_multiplier, 1.0, 2.0, "[1.0, 2.0]"},
    {"mixed_precision_overhead_multiplier", &P::mixed_precision_overhead_multiplier, 1.0, 1.5,
     "[1.0, 1.5]"},
};

std::string python_repr(double value) {
  // Python prints floats in their shortest round-trip form, with ".0" when integral.
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string text = buffer;
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

// A dtype name for a message: quoted, control characters escaped, at most 40 characters.
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text.substr(0, 40)) {
    if (c < 0x20 || c == '"' || c == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += char(c);
    }
  }
  return out + (text.size() > 40 ? "...\"" : "\"");
}

}  // namespace

const ParameterBound* parameter_bounds_begin() { return std::begin(kBounds); }
const ParameterBound* parameter_bounds_end() { return std::end(kBounds); }

std::string out_of_range_message(const ParameterBound& bound, const std::string& value_text) {
  return std::string(bound.name) + "=" + value_text + " not in valid range " + bound.range_text;
}

void MemoryEstimationParameters::validate() const {
  for (const ParameterBound& bound : kBounds) {
    const double value = this->*bound.member;
    if (!(bound.min <= value && value <= bound.max)) {
      throw InputError(std::string("params.") + bound.name,
                       out_of_range_message(bound, python_repr(value)));
    }
  }
  for (const auto& [name, dtype] : {std::pair{"default_compute_dtype", &default_compute_dtype},
                                    std::pair{"default_storage_dtype", &default_storage_dtype}}) {
    if (dtype_bytes(*dtype) == 0) {
      throw InputError(std::string("params.") + name,
                       std::string("params.") + name + ": unknown dtype " + quote(*dtype) +
                           " (expected float32, float16, bfloat16, float8, int8 or int4)");
    }
  }
}

double dtype_bytes(const std::string& dtype) {
  static const std::pair<const char*, double> kDtypes[] = {
      {"float32", 4},   {"fp32", 4},     {"float", 4},         {"float16", 2},
      {"fp16", 2},      {"half", 2},     {"bfloat16", 2},      {"bf16", 2},
      {"float8", 1},    {"fp8", 1},      {"float8_e4m3fn", 1}, {"float8_e5m2", 1},
      {"fp8_e4m3", 1},  {"fp8_e5m2", 1}, {"int8", 1},          {"uint8", 1},
      {"int4", 0.5},    {"float64", 8},
  };
  std::string name = dtype;
  if (name.rfind("torch.", 0) == 0) name.erase(0, 6);
  for (const auto& [known, bytes] : kDtypes) {
    if (name == known) return bytes;
  }
  return 0;
}

}  // namespace llmmem
