#include "accounting/weights_as.hpp"

#include <string>

#include "accounting/gguf.hpp"
#include "llmmem/input.hpp"

namespace llmmem::detail {
namespace {

std::string label_of(std::string_view choice) {
  for (std::size_t i = 0; i < kWeightsAs.size(); ++i) {
    if (kWeightsAs[i] == choice) return std::string(kWeightsAsLabels[i]);
  }
  return std::string(choice);
}

// Each safetensors format as its usual tool writes it. Only decoder linear layers are
// quantized: every tool below leaves the embeddings, lm_head, norms, routers and vision
// towers as they are (llm-compressor's recipes ignore lm_head; AutoAWQ, GPTQModel and
// bitsandbytes skip the output embeddings, transformers' get_keys_to_not_convert).
QuantizationSpec format_of(std::string_view choice, bool moe) {
  // The tools keep scales they store in the weights' dtype in 16 bits: they quantize a 16-bit model.
  constexpr double model_dtype_bytes = 2;
  QuantizationSpec q;
  if (choice == "fp8" || choice == "fp8-dynamic" || choice == "fp8-block") {
    q.format = QuantFormat::fp8;
    q.bits = 8;
    if (choice == "fp8") {
      q.scales = ScaleGranularity::tensor;  // llm-compressor FP8 (static), vLLM --quantization fp8
      q.scale_bytes = 4;
    } else if (choice == "fp8-dynamic") {
      q.scales = ScaleGranularity::channel;  // llm-compressor FP8_DYNAMIC: a scale per output row
      q.scale_bytes = model_dtype_bytes;     // compressed-tensors keeps scales in the weights' dtype
    } else {
      q.scales = ScaleGranularity::block;  // DeepSeek-V3, Qwen3-FP8: an fp32 scale per 128x128 block
      q.scale_bytes = 4;
    }
  } else if (choice == "int8") {
    // llm-compressor W8A8 (compressed-tensors int-quantized): int8 values, a symmetric scale
    // per output channel in the weights' dtype.
    q.format = QuantFormat::int_packed;
    q.bits = 8;
    q.scales = ScaleGranularity::channel;
    q.scale_bytes = model_dtype_bytes;
  } else if (choice == "awq") {
    q.format = QuantFormat::awq;  // AutoAWQ GEMM: w_bit 4, q_group_size 128, zero_point true
    q.bits = 4;
    q.group_size = 128;
    q.scale_bytes = 2;
  } else if (choice == "gptq" || choice == "gptq-g32") {
    q.format = QuantFormat::gptq;  // GPTQModel / AutoGPTQ: bits 4, sym, with g_idx
    q.bits = 4;
    q.group_size = choice == "gptq" ? 128 : 32;
    q.scale_bytes = 2;
  } else if (choice == "nf4" || choice == "nf4-dq") {
    q.format = QuantFormat::bitsandbytes_4bit;  // BitsAndBytesConfig(load_in_4bit, nf4)
    q.bits = 4;
    q.double_quant = choice == "nf4-dq";
  } else if (choice == "mxfp4") {
    // OCP MXFP4: e2m1 values, an e8m0 scale per 32. MoE models as gpt-oss ships: the experts
    // in MXFP4, attention in the model's dtype; dense models every decoder linear layer.
    q.format = QuantFormat::mxfp4;
    q.bits = 4;
    q.attention = !moe;
  }
  return q;
}

}  // namespace

void apply_weights_as(ModelSpec& m, std::string_view requested, Framework framework) {
  if (requested.empty() || requested == "stored") return;
  // A copy: `requested` may view m.weights_as itself, which the next line replaces.
  const std::string choice(requested);
  const std::string label = label_of(choice);
  m.weights_as = choice;
  if (m.is_quantized()) {
    m.warnings.push_back("checkpoint.weights_as: the checkpoint's own quantization (" +
                         (m.quantization_method.empty() ? std::string("quantization_config") : m.quantization_method) +
                         ") is replaced; its parameters are counted as " + label);
  }
  if (m.checkpoint.tensor_bytes > 0) {
    m.warnings.push_back("checkpoint.tensor_bytes is the stored checkpoint's size: with checkpoint.weights_as " + label +
                         " the weights are counted from config.json's parameters");
    m.checkpoint.tensor_bytes = 0;
  }
  m.checkpoint.input_bytes = m.checkpoint.output_bytes = 0;  // a GGUF header's parts are the stored file's too
  m.checkpoint.layer_bytes.clear();
  m.quantization = QuantizationSpec{};
  m.quantization_bits = 0;
  m.quantization_method.clear();
  // Tools quantize from a 16-bit model and keep its other tensors in that dtype.
  if (m.storage_dtype.empty() || m.storage_dtype == "float32") m.storage_dtype = "bfloat16";
  if (choice == "bf16" || choice == "fp16") {
    m.storage_dtype = choice == "bf16" ? "bfloat16" : "float16";
    return;
  }
  if (const auto file_type = gguf_file_type(choice)) {
    if (framework != Framework::vllm && framework != Framework::llamacpp) {
      // docs/transformers quantization/gguf: "The GGUF checkpoint is dequantized to fp32 where the
      // full model weights are available"; DeepSpeed trains what from_pretrained loads.
      m.storage_dtype = "float32";
      m.warnings.push_back("checkpoint.weights_as " + label + ": " + std::string(to_string(framework)) +
                           " dequantizes a GGUF file to fp32 as it loads it (from_pretrained(gguf_file=...)): the "
                           "weights are counted in fp32, not as the file stores them");
      return;
    }
    m.quantization.format = QuantFormat::gguf;
    m.quantization.gguf_type = choice;
    m.quantization.bits = gguf_bits(*file_type);
    m.quantization_bits = m.quantization.bits;
    m.quantization_method = "gguf";
    return;
  }
  m.quantization = format_of(choice, m.is_moe());
  m.quantization_bits = m.quantization.bits;
  m.quantization_method = choice;
}

}  // namespace llmmem::detail
