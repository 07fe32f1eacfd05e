#pragma once

#include <string>

namespace llmmem {

/// The spec's tunable overheads (memory-estimation-spec.md, `MemoryEstimationParameters`),
/// with the same names, defaults and bounds. `*_gb` values are GiB (the spec divides by 1024^3).
struct MemoryEstimationParameters {
  double fragmentation_overhead_factor = 1.05;      // [1.0, 2.0]
  double min_memory_safety_margin_gb = 0.5;         // [0.0, 10.0]
  double memory_safety_margin_factor = 0.02;        // [0.0, 0.2]
  double activation_recomputation_factor = 0.3;     // [0.0, 1.0]
  double gradient_memory_multiplier = 1.0;          // [0.0, 10.0]
  std::string default_compute_dtype = "float16";
  std::string default_storage_dtype = "float16";
  double graph_memory_overhead_ratio = 0.1;         // [0.0, 1.0]
  double graph_batch_scaling_factor = 0.02;         // [0.0, 0.1]
  double quantization_overhead_multiplier = 1.1;    // [1.0, 2.0]
  double mixed_precision_overhead_multiplier = 1.05;  // [1.0, 1.5]

  /// Throws InputError (field `params.<name>`) with the spec's message,
  /// e.g. `activation_recomputation_factor=1.5 not in valid range [0.0, 1.0]`.
  void validate() const;
};

/// One bounded parameter of the spec: its name, bounds, and the bounds as Python prints them.
struct ParameterBound {
  const char* name;
  double MemoryEstimationParameters::*member;
  double min;
  double max;
  const char* range_text;  // "[0.0, 1.0]", exactly as the spec's ValueError shows it
};

/// The spec's `bounds` table, in its order.
const ParameterBound* parameter_bounds_begin();
const ParameterBound* parameter_bounds_end();

/// The spec's message for a value outside its bound. `value_text` is the value as the user wrote it.
std::string out_of_range_message(const ParameterBound& bound, const std::string& value_text);

/// Bytes of one element of a dtype name ("float16", "bfloat16", "float32", "fp8", "int8", ...);
/// 0 when the name is not a dtype we know.
double dtype_bytes(const std::string& dtype);

}  // namespace llmmem
