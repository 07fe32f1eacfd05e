#pragma once
// Bytes of quantized linear layers as their checkpoints store them: packed values plus the
// scales, zero points and indices each format keeps.

#include <utility>
#include <vector>

#include "llmmem/model_spec.hpp"

namespace llmmem::detail {

/// (in, out) of each weight matrix of one layer's attention: q, k, v, o (MLA: kv_a, kv_b, o,
/// then q_a and q_b, or q), and of an MLP of `intermediate` width: gate, up, down (or up, down).
using Matrices = std::vector<std::pair<double, double>>;
Matrices attention_matrices(const ModelSpec& model);
Matrices mlp_matrices(const ModelSpec& model, std::int64_t intermediate);

/// Bytes per weight-matrix parameter of each kind of linear layer (scales included). 0 for a
/// kind the model lacks; the storage dtype's bytes for layers left unquantized.
struct LinearByteRates {
  double attention = 0;
  double dense_mlp = 0;
  double expert = 0;
  double shared_expert = 0;
};

/// `storage_bytes` is the dtype of everything unquantized; `overhead` the spec's
/// quantization_overhead_multiplier, used only for formats not modelled.
LinearByteRates linear_byte_rates(const ModelSpec& model, double storage_bytes, double overhead);

/// Bytes of one quantized matrix of `in` inputs and `out` outputs.
double quantized_matrix_bytes(const QuantizationSpec& q, double in, double out, double overhead);

}  // namespace llmmem::detail
