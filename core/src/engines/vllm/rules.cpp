// vLLM's start-up refusals, each with the source it quotes and the versions its words changed in:
//   max_model_len        vllm/config/model.py _get_and_verify_max_len (new text from 0.11, #20904)
//   scheduler            SchedulerConfig._verify_args / verify_max_model_len (unchanged 0.8-0.21)
//   heads, experts       ModelConfig.verify_with_parallel_config
//   vocabulary, KV heads vllm/distributed/utils.py divide(), from VocabParallelEmbedding and
//                        QKVParallelLinear ("{} is not divisible by {}")
//   MLP, MoE             MergedColumnParallelLinear, FusedMoE: bare asserts
//   quantized layers     quantization/gptq.py, awq.py (alignment); fp8_utils.py, fp8.py (blocks)
//   free memory          vllm/v1/worker/gpu_worker.py init_device (0.9.1 on, #19312; device name from 0.14, #30868)
//   KV cache             vllm/v1/core/kv_cache_utils.py check_enough_kv_cache_memory (units GiB
//                        from 0.9, estimate from 0.10, docs link from 0.14 (#28051), "model's"
//                        from 0.22 (#42479)); V0: vllm/worker/worker.py raise_if_cache_size_invalid
#include "engines/vllm/rules.hpp"

#include <cmath>
#include <cstdio>

#include "accounting/units.hpp"
#include "engines/text.hpp"

namespace llmmem::vllm {
namespace {

/// Python's repr of round(value, 2), as vLLM's format_gib prints it: 10.5, 3.0, 12.34.
std::string rounded_repr(double value) {
  std::string text = engines::gib_text(value);
  while (text.size() > 1 && text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text;
}

/// A Python float or int as vLLM's f-strings print it.
std::string python_number(double value, bool is_float) {
  if (!is_float) return std::to_string(std::int64_t(value));
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  std::string s = text;
  if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
  return s;
}

std::string divisible(std::int64_t numerator, std::int64_t denominator) {
  return std::to_string(numerator) + " is not divisible by " + std::to_string(denominator);
}

const char* kDocs = " See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.";

}  // namespace

std::optional<Refusal> configuration_refusal(const ModelSpec& m, const Scenario& scenario, const Settings& s) {
  const Version& v = s.version;
  const Parallelism& p = scenario.parallelism;
  const std::int64_t tp = p.tensor_parallel_size;
  const std::string tp_field = "parallelism.tensor_parallel_size";

  // ModelConfig: a max_model_len beyond the model's, unless its config's model_max_length
  // allows it or VLLM_ALLOW_LONG_MAX_MODEL_LEN=1.
  const bool beyond = double(s.max_model_len) > s.derived_max_model_len &&
                      !(m.context.model_max_length > 0 && m.context.model_max_length >= s.max_model_len);
  if (beyond && !s.allow_long_max_model_len) {
    const bool scaled = s.derived_max_model_len != std::floor(s.derived_max_model_len) || m.context.rope_factor != 1.0;
    const std::string head = "User-specified max_model_len (" + std::to_string(s.max_model_len) +
                             ") is greater than the derived max_model_len (" + s.derived_key + "=" +
                             python_number(s.derived_max_model_len, scaled && !m.context.rope_type.empty()) +
                             " or model_max_length=" +
                             (m.context.model_max_length > 0 ? std::to_string(m.context.model_max_length) : "None") +
                             " in model's config.json). ";
    const std::string tail =
        v.at_least(11)
            ? "To allow overriding this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. "
              "VLLM_ALLOW_LONG_MAX_MODEL_LEN must be used with extreme caution. If the model uses relative position "
              "encoding (RoPE), positions exceeding derived_max_model_len lead to nan. If the model uses absolute "
              "position encoding, positions exceeding derived_max_model_len will cause a CUDA array out-of-bounds error."
            : "This may lead to incorrect model outputs or CUDA errors. To allow overriding this maximum, set the env "
              "var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1";
    return Refusal{"workload.max_model_len", head + tail};
  }
  // SchedulerConfig.
  if (!s.chunked_prefill && s.max_num_batched_tokens < s.max_model_len) {
    return Refusal{"workload.max_num_batched_tokens",
                   "max_num_batched_tokens (" + std::to_string(s.max_num_batched_tokens) + ") is smaller than max_model_len (" +
                       std::to_string(s.max_model_len) + "). This effectively limits the maximum sequence length to "
                       "max_num_batched_tokens and makes vLLM reject longer sequences. Please increase "
                       "max_num_batched_tokens or decrease max_model_len."};
  }
  if (s.max_num_batched_tokens < s.max_num_seqs) {
    return Refusal{"workload.max_num_batched_tokens",
                   "max_num_batched_tokens (" + std::to_string(s.max_num_batched_tokens) +
                       ") must be greater than or equal to max_num_seqs (" + std::to_string(s.max_num_seqs) + ")."};
  }
  // ModelConfig.verify_with_parallel_config.
  if (m.attention.num_heads % tp != 0) {
    return Refusal{tp_field, "Total number of attention heads (" + std::to_string(m.attention.num_heads) +
                                 ") must be divisible by tensor parallel size (" + std::to_string(tp) + ")."};
  }
  const bool expert_parallel = p.expert_parallel_size > 1;
  if (expert_parallel && !m.is_moe()) {
    return Refusal{"parallelism.expert_parallel_size",
                   "Number of experts in the model must be greater than 0 when expert parallelism is enabled."};
  }
  // Building the model on each rank: the embedding first, then each layer's attention and MLP.
  const std::int64_t padded_vocab = ceil_div(m.vocab_size, 64) * 64;
  if (padded_vocab % tp != 0) return Refusal{tp_field, divisible(padded_vocab, tp)};
  const std::int64_t kv = m.attention.num_kv_heads;
  if (!m.attention.is_mla()) {
    if (tp >= kv && tp % kv != 0) return Refusal{tp_field, divisible(tp, kv)};
    if (tp < kv && kv % tp != 0) return Refusal{tp_field, divisible(kv, tp)};
  }
  const bool dense_layers = !m.is_moe() || m.moe.dense_layers > 0;
  if (dense_layers && m.mlp.intermediate_size % tp != 0) {
    return Refusal{tp_field, "AssertionError: assert all(output_size % self.tp_size == 0 for output_size in output_sizes)"};
  }
  if (m.is_moe()) {
    const bool checks_experts = m.model_type == "qwen2_moe" || m.model_type == "qwen3_moe";
    if (checks_experts && !expert_parallel && tp > m.moe.num_experts) {
      return Refusal{tp_field, "Tensor parallel size " + std::to_string(tp) + " is greater than the number of experts " +
                                   std::to_string(m.moe.num_experts) + "."};
    }
    if (m.moe.shared_intermediate_size > 0 && m.moe.shared_intermediate_size % tp != 0) {
      return Refusal{tp_field, "AssertionError: assert all(output_size % self.tp_size == 0 for output_size in output_sizes)"};
    }
    // FusedMoE splits each expert over every tensor x data parallel rank, unless experts are spread.
    const std::int64_t moe_tp = expert_parallel ? 1 : tp * p.data_parallel_size;
    if (m.moe.expert_intermediate_size % moe_tp != 0) {
      return Refusal{tp_field, "AssertionError: assert intermediate_size % self.tp_size == 0"};
    }
  }
  // Quantized linear layers: a TP split must keep whole groups (GPTQ, AWQ) or blocks (FP8).
  const QuantizationSpec& q = m.quantization;
  const std::int64_t hd = m.attention.head_dim;
  const std::int64_t inter = m.mlp.intermediate_size;
  if (tp > 1 && (q.format == QuantFormat::gptq || q.format == QuantFormat::awq) && q.group_size > 0 && !m.attention.is_mla()) {
    const std::int64_t pack = 32 / std::max(1, q.bits);
    const std::int64_t outputs[] = {m.attention.num_heads * hd / tp, (tp <= kv ? kv / tp : 1) * hd, dense_layers ? inter / tp : pack};
    const std::int64_t inputs[] = {m.attention.num_heads * hd / tp, dense_layers ? inter / tp : q.group_size};
    for (std::int64_t out : outputs) {
      if (out % pack != 0) {
        return Refusal{tp_field, "The output size is not aligned with the quantized weight shape. This can be caused by "
                                 "too large tensor parallel size."};
      }
    }
    for (std::int64_t in : inputs) {
      if (in % q.group_size != 0) {
        return Refusal{tp_field, "The input size is not aligned with the quantized weight shape. This can be caused by "
                                 "too large tensor parallel size."};
      }
    }
  }
  if (q.format == QuantFormat::fp8 && q.scales == ScaleGranularity::block) {
    const std::int64_t bn = q.block_rows, bk = q.block_cols;
    if (tp > 1 && dense_layers && !m.attention.is_mla()) {
      for (std::int64_t out : {m.attention.num_heads * hd / tp, (tp <= kv ? kv / tp : 1) * hd, inter / tp}) {
        if (out % bn != 0) {
          return Refusal{tp_field, "Weight output_partition_size = " + std::to_string(out) +
                                       " is not divisible by weight quantization block_n = " + std::to_string(bn) + "."};
        }
      }
      for (std::int64_t in : {m.attention.num_heads * hd / tp, inter / tp}) {
        if (in % bk != 0) {
          return Refusal{tp_field, "Weight input_size_per_partition = " + std::to_string(in) +
                                       " is not divisible by weight quantization block_k = " + std::to_string(bk) + "."};
        }
      }
    }
    if (m.is_moe()) {
      const std::int64_t per_rank = m.moe.expert_intermediate_size / (expert_parallel ? 1 : tp * p.data_parallel_size);
      if (per_rank % bn != 0) {
        return Refusal{tp_field, "The output_size of gate's and up's weight = " + std::to_string(per_rank) +
                                     " is not divisible by weight quantization block_n = " + std::to_string(bn) + "."};
      }
      if (tp > 1 && per_rank % bk != 0) {
        return Refusal{tp_field, "The input_size of down's weight = " + std::to_string(per_rank) +
                                     " is not divisible by weight quantization block_k = " + std::to_string(bk) + "."};
      }
    }
  }
  return std::nullopt;
}

bool checks_free_memory(const Settings& s) { return s.v1 && s.version.at_least(9, 1); }

std::optional<Refusal> free_memory_refusal(const Scenario& scenario, const Settings& s) {
  const std::optional<double> total = scenario.framework_config.gpu_memory_gib;
  if (!total || !checks_free_memory(s)) return std::nullopt;
  const double requested = *total * s.gpu_memory_utilization;
  const double free = std::max(0.0, *total - kCudaContextGib);
  if (free >= requested) return std::nullopt;
  return Refusal{"framework_config.gpu_memory_utilization",
                 std::string("Free memory on device ") + (s.version.at_least(14) ? "cuda:0 " : "") + "(" + engines::gib_text(free) +
                     "/" + engines::gib_text(*total) + " GiB) on startup is less than desired GPU memory utilization (" + engines::number_text(s.gpu_memory_utilization) +
                     ", " + engines::gib_text(requested) + " GiB). Decrease GPU memory utilization or reduce GPU memory used by "
                     "other processes."};
}

std::optional<Refusal> kv_cache_refusal(const Settings& s, const KvCheck& check) {
  const Version& v = s.version;
  if (!s.v1) {
    if (check.num_gpu_blocks <= 0) {
      return Refusal{"", "No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when "
                         "initializing the engine."};
    }
    const std::int64_t tokens = s.block_size * (check.num_gpu_blocks / check.pipeline_parallel_size);
    if (s.max_model_len > tokens) {
      return Refusal{"workload.max_model_len",
                     "The model's max seq len (" + std::to_string(s.max_model_len) + ") is larger than the maximum number "
                     "of tokens that can be stored in KV cache (" + std::to_string(tokens) + "). Try increasing "
                     "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."};
    }
    return std::nullopt;
  }
  if (check.available_gib <= 0) {
    std::string message = "No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when "
                          "initializing the engine";
    if (v.at_least(22)) message += " (this flag also controls CPU memory reservation on the CPU backend, despite its name)";
    message += ".";
    if (v.at_least(14)) message += kDocs;
    return Refusal{"", message};
  }
  if (check.needed_for_one_gib <= check.available_gib) return std::nullopt;
  const std::string gib = v.at_least(9) ? " GiB" : " GB";
  auto amount = [&](double value) { return v.at_least(14) ? rounded_repr(value) : engines::gib_text(value); };
  std::string message = std::string("To serve at least one request with the ") + (v.at_least(22) ? "model's" : "models's") +
                        " max seq len (" + std::to_string(s.max_model_len) + "), (" + amount(check.needed_for_one_gib) + gib +
                        " KV cache is needed, which is larger than the available KV cache memory (" +
                        amount(check.available_gib) + gib + ").";
  if (v.at_least(10)) {
    if (check.longest_that_fits > 0) {
      message += " Based on the available memory, the estimated maximum model length is " +
                 std::to_string(check.longest_that_fits) + ".";
    }
  } else if (v.at_least(9)) {
    message += " Based on the available memory, ";  // 0.9's estimate sentence was lost to a stray f-string
  }
  message += v.at_least(22) ? " Try increasing `gpu_memory_utilization` (which also controls CPU memory on the CPU backend) "
                              "or decreasing `max_model_len` when initializing the engine."
                            : " Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.";
  if (v.at_least(14)) message += kDocs;
  return Refusal{"workload.max_model_len", message};
}

}  // namespace llmmem::vllm
