#include "accounting/quantization.hpp"

#include <cmath>
#include <utility>
#include <vector>

namespace llmmem::detail {

Matrices attention_matrices(const ModelSpec& m) {
  const AttentionShape& a = m.attention;
  const double h = double(m.hidden_size);
  if (a.is_mla()) {
    const MlaShape& l = a.mla;
    const double heads = double(a.num_heads), q_out = heads * double(l.qk_nope_head_dim + l.qk_rope_head_dim);
    Matrices matrices = {{h, double(l.kv_lora_rank + l.qk_rope_head_dim)},
                         {double(l.kv_lora_rank), heads * double(l.qk_nope_head_dim + l.v_head_dim)},
                         {heads * double(l.v_head_dim), h}};
    if (l.q_lora_rank > 0) {
      matrices.push_back({h, double(l.q_lora_rank)});
      matrices.push_back({double(l.q_lora_rank), q_out});
    } else {
      matrices.push_back({h, q_out});
    }
    return matrices;
  }
  const double q = double(a.num_heads * a.head_dim), kv = double(a.num_kv_heads * a.head_dim);
  return {{h, q}, {h, kv}, {h, kv}, {q, h}};
}

Matrices mlp_matrices(const ModelSpec& m, std::int64_t intermediate) {
  const double h = double(m.hidden_size), i = double(intermediate);
  if (m.mlp.gated) return {{h, i}, {h, i}, {i, h}};
  return {{h, i}, {i, h}};
}

namespace {

double rate(const ModelSpec& m, const Matrices& matrices, double overhead) {
  double params = 0, bytes = 0;
  for (const auto& [in, out] : matrices) {
    params += in * out;
    bytes += quantized_matrix_bytes(m.quantization, in, out, overhead);
  }
  return params > 0 ? bytes / params : 0;
}

}  // namespace

double quantized_matrix_bytes(const QuantizationSpec& q, double in, double out, double overhead) {
  const double values = in * out;
  const double packed = values * q.bits / 8.0;
  const double groups = q.group_size > 0 ? std::ceil(in / double(q.group_size)) : 1.0;
  switch (q.format) {
    case QuantFormat::gptq:
      // AutoGPTQ / GPTQModel: qweight, qzeros (packed like the weights), fp16 scales per group
      // and output, and g_idx, one int32 per input (written with and without desc_act).
      return packed + groups * out * (q.bits / 8.0 + q.scale_bytes) + in * 4.0;
    case QuantFormat::awq:
      // AutoAWQ GEMM: qweight, qzeros and fp16 scales per group and output; no g_idx.
      return packed + groups * out * (q.bits / 8.0 + q.scale_bytes);
    case QuantFormat::bitsandbytes_4bit: {
      // Params4bit: 4-bit codes, an absmax per block of 64 (fp32, or 8-bit with an fp32
      // constant per 256 blocks under double quantization), a 16-value fp32 code table.
      const double blocks = std::ceil(values / 64.0);
      const double absmax = q.double_quant ? blocks + std::ceil(blocks / 256.0) * 4.0 + 256.0 * 4.0 : blocks * 4.0;
      return values / 2.0 + absmax + 16.0 * 4.0;
    }
    case QuantFormat::bitsandbytes_8bit:
      return values + out * 4.0;  // Int8Params and the fp32 row scales SCB
    case QuantFormat::fp8:
      switch (q.scales) {
        case ScaleGranularity::block:
          return values + std::ceil(out / double(q.block_rows)) * std::ceil(in / double(q.block_cols)) * q.scale_bytes;
        case ScaleGranularity::channel: return values + out * q.scale_bytes;
        case ScaleGranularity::group: return values + groups * out * q.scale_bytes;
        default: return values + q.scale_bytes;  // one scale per tensor
      }
    case QuantFormat::int_packed: {
      // compressed-tensors pack-quantized: int32-packed values, scales (and zero points) per
      // group or channel in the model dtype, the weight's shape (2 x int64).
      const double scale_rows = q.scales == ScaleGranularity::group ? groups : 1.0;
      const double scales = q.scales == ScaleGranularity::tensor ? 1.0 : scale_rows * out;
      return packed + scales * q.scale_bytes * (q.zero_points ? 2.0 : 1.0) + 16.0;
    }
    case QuantFormat::mxfp4:
      return values / 2.0 + values / 32.0;  // e2m1 pairs per byte, an e8m0 scale per 32
    case QuantFormat::other:
      return packed * (q.bits < 8 ? overhead : 1.0);  // the spec's _get_precision_bytes
    case QuantFormat::gguf:  // priced tensor by tensor (accounting/gguf.cpp), never here
    case QuantFormat::none: break;
  }
  return values * 2.0;
}

LinearByteRates linear_byte_rates(const ModelSpec& m, double storage_bytes, double overhead) {
  LinearByteRates rates;
  rates.attention = m.quantization.attention ? rate(m, attention_matrices(m), overhead) : storage_bytes;
  rates.dense_mlp = rate(m, mlp_matrices(m, m.mlp.intermediate_size), overhead);
  if (m.is_moe()) {
    rates.expert = rate(m, mlp_matrices(m, m.moe.expert_intermediate_size), overhead);
    if (m.moe.shared_intermediate_size > 0) {
      rates.shared_expert = rate(m, mlp_matrices(m, m.moe.shared_intermediate_size), overhead);
    }
  }
  return rates;
}

}  // namespace llmmem::detail
