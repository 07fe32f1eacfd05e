#pragma once
// A model as llama.cpp's llama-quantize writes it: each tensor's ggml type as the file type's
// mix picks it (llama.cpp src/llama-quant.cpp, llama_tensor_get_type), at ggml's block sizes
// (ggml/src/ggml-common.h). Norms, biases and routers stay F32, as convert_hf_to_gguf.py
// writes them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmmem/model_spec.hpp"

namespace llmmem::detail {

enum class GgmlType { f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs };

/// llama-quantize's file types (LLAMA_FTYPE_MOSTLY_*) modelled here, by their names.
enum class GgufFileType { q8_0, q6_k, q5_k_m, q5_k_s, q4_k_m, q4_k_s, q3_k_l, q3_k_m, q3_k_s, q2_k, iq4_xs };
std::optional<GgufFileType> gguf_file_type(std::string_view name);  // "q4_k_m" -> Q4_K_M

const char* ggml_type_name(GgmlType type);
/// Bytes of a tensor of `rows` rows of `ncols` values (ncols a multiple of the type's block).
double ggml_tensor_bytes(GgmlType type, double ncols, double rows);

/// Which part of the estimator's accounting a tensor belongs to.
enum class GgufPart { attention, dense_mlp, expert, shared_expert, mamba, embedding, lm_head };

struct GgufTensor {
  std::string name;  // llama.cpp's: "blk.0.attn_v.weight"
  GgmlType type;
  double ncols = 0, rows = 0;  // ne[0] (inputs) and the rows of all experts together
  GgufPart part;
};

/// The model's quantizable tensors (2-D weights) and the type each gets, in layer order.
std::vector<GgufTensor> gguf_plan(const ModelSpec& model, GgufFileType file_type);

/// Bytes per parameter of each part's weight matrices (attention, MLPs, experts: what the
/// estimator prices as matrices), of the token embedding and of the output head; a Mamba
/// mixer's bytes per parameter with its F32 conv1d and per-head tensors.
struct GgufRates {
  double attention = 0, dense_mlp = 0, expert = 0, shared_expert = 0, mamba = 0, embedding = 0, lm_head = 0;
};
GgufRates gguf_rates(const ModelSpec& model, const ParameterCounts& counts, GgufFileType file_type);

/// The file type's nominal bits (its base type's whole bits: Q4_K_M 4, Q8_0 8).
int gguf_bits(GgufFileType file_type);

}  // namespace llmmem::detail
