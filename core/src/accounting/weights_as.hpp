#pragma once
// "What if I quantize it?": the model as a quantization tool would store it, with the tool's
// own layout (its scales, zero points, group sizes) and its own defaults for what stays
// unquantized (embeddings, the output head, norms, routers, a vision tower).

#include <array>
#include <string_view>

#include "llmmem/model_spec.hpp"
#include "llmmem/request.hpp"

namespace llmmem::detail {

/// checkpoint.weights_as's values, and the page's words for them, in the same order.
inline constexpr std::array<std::string_view, 24> kWeightsAs = {
    "stored", "bf16",     "fp16",     "fp8",    "fp8-dynamic", "fp8-block", "int8",   "awq",
    "gptq",   "gptq-g32", "nf4",      "nf4-dq", "mxfp4",       "q8_0",      "q6_k",   "q5_k_m",
    "q5_k_s", "q4_k_m",   "q4_k_s",   "q3_k_l", "q3_k_m",      "q3_k_s",    "q2_k",   "iq4_xs"};
inline constexpr std::array<std::string_view, 24> kWeightsAsLabels = {
    "as stored",
    "BF16",
    "FP16",
    "FP8, a scale per tensor",
    "FP8-dynamic, a scale per channel",
    "FP8, 128x128 blocks",
    "INT8 (W8A8), a scale per channel",
    "AWQ 4-bit, group 128",
    "GPTQ 4-bit, group 128",
    "GPTQ 4-bit, group 32",
    "bitsandbytes NF4",
    "bitsandbytes NF4, double quant",
    "MXFP4",
    "GGUF Q8_0",
    "GGUF Q6_K",
    "GGUF Q5_K_M",
    "GGUF Q5_K_S",
    "GGUF Q4_K_M",
    "GGUF Q4_K_S",
    "GGUF Q3_K_L",
    "GGUF Q3_K_M",
    "GGUF Q3_K_S",
    "GGUF Q2_K",
    "GGUF IQ4_XS"};

/// Rewrites `model`'s storage as the tool behind `choice` writes it, from the model's
/// parameters (a checkpoint already quantized is requantized from them). `framework` loads
/// it: transformers and DeepSpeed dequantize a GGUF file as they read it.
void apply_weights_as(ModelSpec& model, std::string_view choice, Framework framework);

}  // namespace llmmem::detail
