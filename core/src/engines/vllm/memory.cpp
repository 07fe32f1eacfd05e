// vLLM's memory as vLLM lays it out, each part with the vLLM source it follows.
#include "engines/vllm/memory.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"

namespace llmmem {

double vLLMMemoryEstimator::kv_elements_per_token_per_layer(const Parallelism& p) const {
  const AttentionShape& a = model_.attention;
  // vLLM's MLA backends cache one latent per token, kv_lora_rank + qk_rope_head_dim wide,
  // replicated on every TP rank (vllm/attention/backends/mla, MLACommonBackend.get_kv_cache_shape).
  if (a.is_mla()) return double(a.mla.kv_lora_rank + a.mla.qk_rope_head_dim);
  return MemoryEstimator::kv_elements_per_token_per_layer(p);
}

namespace {

/// The kernels vLLM runs MXFP4 experts with; each lays the experts out its own way.
enum class Mxfp4Kernel { checkpoint, marlin, triton, flashinfer_sm100 };

/// vllm/model_executor/layers/quantization/mxfp4.py, get_mxfp4_backend (0.10.2 onwards, with
/// vLLM's image: FlashInfer and triton_kernels installed, no VLLM_*MXFP4* variables set).
Mxfp4Kernel mxfp4_kernel(const std::optional<double>& capability) {
  if (!capability) return Mxfp4Kernel::checkpoint;  // the GPU is not known: as stored
  if (*capability >= 10.0 && *capability < 11.0) return Mxfp4Kernel::flashinfer_sm100;  // B200, GB200
  if (*capability >= 9.0 && *capability < 10.0) return Mxfp4Kernel::triton;  // H100, H200
  return Mxfp4Kernel::marlin;  // Ampere, Ada and the RTX Blackwells (12.x): no Triton kernels there
}

/// One MoE layer's MXFP4 experts on one GPU as `kernel` holds them: `experts` of a fused
/// gate_up (w13: 2I x H) and a down (w2: H x I) projection, 4-bit values with an e8m0 scale
/// per 32, and their biases (Mxfp4MoEMethod.create_weights, process_weights_after_loading).
double mxfp4_expert_layer_bytes(Mxfp4Kernel kernel, double experts, std::int64_t intermediate,
                                std::int64_t hidden) {
  std::int64_t i = intermediate, h = hidden;
  double bias_bytes = 2;  // bf16
  double swizzled_scales = 0;
  switch (kernel) {
    case Mxfp4Kernel::marlin:  // the Marlin MoE kernel needs n % 256 == 0 and k % 128 == 0
      i = ceil_div(i, 128) * 128;
      h = ceil_div(h, 256) * 256;
      break;
    case Mxfp4Kernel::triton:
      // Values keep their shape (swizzled in place); biases become fp32; the scales get a
      // swizzled copy padded to 2 x num_warps(8) x 2 x 8 = 256 rows
      // (triton_kernels HopperMXScaleLayout) while the loaded ones stay registered.
      i = ceil_div(i, 64) * 64;
      bias_bytes = 4;
      swizzled_scales = double(ceil_div(2 * i, 256) * 256 * h / 32 + ceil_div(h, 256) * 256 * i / 32);
      break;
    case Mxfp4Kernel::flashinfer_sm100:  // TRT-LLM's shuffled layout, fp32 biases
      i = ceil_div(i, 256) * 256;
      h = ceil_div(h, 256) * 256;
      bias_bytes = 4;
      break;
    case Mxfp4Kernel::checkpoint: break;
  }
  const double values = 3.0 * double(i) * double(h);
  const double per_expert = values / 2.0 + values / 32.0 + double(2 * i + h) * bias_bytes + swizzled_scales;
  return experts * per_expert;
}

}  // namespace

double vLLMMemoryEstimator::expert_shares_per_gpu(const Parallelism& p) const {
  // vLLM's --enable-expert-parallel spreads whole experts over all TP x DP ranks instead of
  // splitting each expert by TP (vllm/model_executor/layers/fused_moe/layer.py, FusedMoE).
  if (p.expert_parallel_size == 1) return MemoryEstimator::expert_shares_per_gpu(p);
  return double(ceil_div(model_.moe.num_experts, p.expert_parallel_size));
}

double vLLMMemoryEstimator::estimate_model_weights(const Parallelism& p) const {
  // VocabParallelEmbedding and ParallelLMHead pad the vocabulary to a multiple of 64 before
  // splitting it over TP ranks (vllm/model_executor/layers/vocab_parallel_embedding.py,
  // pad_vocab_size, DEFAULT_VOCAB_PADDING_SIZE).
  const std::int64_t padded = ceil_div(model_.vocab_size, 64) * 64;
  const double extra_rows = double(padded - model_.vocab_size) / double(p.tensor_parallel_size);
  const double tables = (model_.tie_word_embeddings || model_.num_labels > 0) ? 1.0 : 2.0;
  const double padding = extra_rows * double(model_.hidden_size) * tables * storage_bytes();
  return (weight_bytes_per_gpu(p) + padding) / kBytesPerGiB;
}

std::vector<MemoryEstimator::PipelineStage> vLLMMemoryEstimator::pipeline_stages(const Parallelism& p) const {
  // vllm/distributed/utils.py get_pp_indices: num_layers // pp layers each, the remainder one
  // each to the stages before the last, counting back from the second to last (DeepSeek-R1's
  // 61 layers on two stages: 31 and 30). The dense layers come first (first_k_dense_replace).
  const std::int64_t stages = p.pipeline_parallel_size, layers = model_.num_layers;
  const std::int64_t dense = layers - counts_.moe_layers();
  std::vector<std::int64_t> sizes(std::size_t(stages), layers / stages);
  for (std::int64_t i = 2; i < layers % stages + 2; ++i) ++sizes[std::size_t(stages - i)];
  std::vector<PipelineStage> result;
  std::int64_t start = 0;
  for (std::int64_t i = 0; i < stages; ++i) {
    const std::int64_t end = start + sizes[std::size_t(i)];
    const std::int64_t dense_here = std::max<std::int64_t>(0, std::min(end, dense) - start);
    PipelineStage stage = model_.blocks.hybrid() ? hybrid_stage(start, end - start)
                                                 : PipelineStage{dense_here, end - start - dense_here};
    stage.first = i == 0;
    stage.last = i == stages - 1;
    result.push_back(stage);
    start = end;
  }
  return result;
}

double vLLMMemoryEstimator::loaded_weights_gib(const Scenario& s) const {
  const double stored = estimate_model_weights(s.parallelism);
  const Mxfp4Kernel kernel = mxfp4_kernel(s.framework_config.gpu_compute_capability);
  if (kernel == Mxfp4Kernel::checkpoint || model_.quantization.format != QuantFormat::mxfp4 || !model_.is_moe() ||
      !model_.mlp.gated) {
    return stored;
  }
  // gpt-oss: vLLM pads and re-lays the experts out for the kernel it picks by GPU (Marlin on an
  // A100 adds 0.85 GiB to gpt-oss-20b), in place of the checkpoint's layout counted above.
  const Parallelism& p = s.parallelism;
  const bool expert_parallel = p.expert_parallel_size > 1;
  const double experts = expert_parallel ? double(ceil_div(model_.moe.num_experts, p.expert_parallel_size))
                                         : double(model_.moe.num_experts);
  const std::int64_t intermediate = expert_parallel ? model_.moe.expert_intermediate_size
                                                    : model_.moe.expert_intermediate_size / p.tensor_parallel_size;
  const double stored_layer = mxfp4_expert_layer_bytes(Mxfp4Kernel::checkpoint, experts, intermediate, model_.hidden_size);
  const double loaded_layer = mxfp4_expert_layer_bytes(kernel, experts, intermediate, model_.hidden_size);
  return stored + double(busiest_stage_layers(p).moe_layers) * (loaded_layer - stored_layer) / kBytesPerGiB;
}

namespace {

/// Bytes the profiling run's sampler holds per logits row and vocabulary entry.
double sampler_bytes_per_logit(const vllm::Settings& settings) {
  if (settings.v1 && settings.runner_v2) {
    // Model runner v2 (vllm/v1/worker/gpu/model_runner.py, _dummy_sampler_run) profiles a
    // sampler that skips top-k and top-p: bf16 logits and their fp32 copy (Qwen2.5 under
    // 0.27.1: 0.25 GiB at 256 rows).
    return 6.0;
  }
  if (settings.flashinfer_sampler) {
    // FlashInfer's top_k_top_p_sampling_from_logits sorts nothing: bf16 and fp32 logits, the
    // top-k-masked copy and its softmax (a Llama-3.2-1B log under 0.10.1 that names it:
    // 0.45 GiB at 256 rows).
    return 14.0;
  }
  // V0 and the first runner profile with top_k = vocab - 1 and top_p < 1, so PyTorch sorts:
  // bf16 and fp32 logits, the sorted copy and its int64 indices, the sort's scratch, the
  // softmax and masks. The logs show 38.5 (tests/data/vllm: Qwen2.5 under V0 on T4/L4,
  // 1.40-1.44 GiB at 256 rows; Llama-3.1-8B, Qwen3-32B and gpt-oss-20b under V1 on H100, 4.76,
  // 5.64 and 7.38 GiB at 1024 rows).
  return 38.5;
}

}  // namespace

double vLLMMemoryEstimator::profile_peak_gib(const Scenario& s, const vllm::Settings& settings) const {
  // The profiling run's peak of allocated bytes (vllm/v1/worker/gpu_model_runner.py
  // profile_run; V0: vllm/worker/model_runner.py). One batch of max_num_batched_tokens goes
  // through the model (attention is skipped or flash: no s^2 scores), then the sampler draws
  // from min(max_num_seqs, tokens) rows of logits, every TP rank the full vocabulary (V1
  // all-gathers them). Only the final hidden states outlive the forward pass, so the peak is
  // the larger of the two.
  const double tokens = std::min(double(settings.max_num_batched_tokens),
                                 double(settings.max_num_seqs) * double(settings.max_model_len));
  const double hidden = tokens * double(model_.hidden_size) * compute_dtype_bytes();
  // vLLM's MLP (vllm/model_executor/models/llama.py, LlamaMLP.forward) still holds gate_up
  // when down_proj writes its output: one hidden-sized tensor more than transformers' peak
  // (the 3090 logs of vllm#10517: 2.07 and 2.99 GiB at 20k and 29k tokens).
  // Its fused MoE kernel (fused_moe.py) also keeps intermediate_cache3, tokens x top_k x
  // hidden_size whatever the TP split, in chunks of VLLM_FUSED_MOE_CHUNK_SIZE (32768) tokens
  // (DeepSeek-V2-Lite at TP8, 8192 tokens: 0.36 GiB logged).
  const double moe_cache = model_.is_moe() ? std::min(tokens, 32768.0) * double(model_.moe.experts_per_token) *
                                                 double(model_.hidden_size) * compute_dtype_bytes()
                                           : 0.0;
  const double forward = layer_forward_bytes(tokens, 1, tokens, s.parallelism, false) + hidden + moe_cache;
  const double rows = std::min(double(settings.max_num_seqs), tokens);
  const double sampler = rows * double(model_.vocab_size) * sampler_bytes_per_logit(settings);
  return std::max(forward, sampler + hidden) / kBytesPerGiB;
}

double vLLMMemoryEstimator::non_torch_gib(const Scenario& s, const vllm::Settings& settings) const {
  if (settings.non_torch_memory_gib) return *settings.non_torch_memory_gib;
  // Without a stated figure: 0.15 GiB on one GPU (the median of tests/data/vllm's logs), and
  // per further rank 0.25 GiB with vLLM's custom all-reduce (its IPC buffers: TP8 on A100s
  // logs 2.10) or 0.02 without it (NCCL's growth after init: TP4 on PCIe-only 2080 Tis, 0.20).
  // Model runner v2 also holds its penalties state from start-up, which it reports with the
  // non-torch memory ("consumed memory (weights + non-torch)"): an int32 count per request and
  // vocabulary entry, and a bit mask of the prompt's tokens (worker/gpu/sample/penalties.py,
  // PenaltiesState; Llama-3.1-8B under 0.31 at 256 requests: 0.27 GiB logged, 0.15 + 0.12).
  const double ranks = double(s.parallelism.tensor_parallel_size * s.parallelism.pipeline_parallel_size);
  const double per_rank = settings.disable_custom_all_reduce ? 0.02 : 0.25;
  const double vocab = double(model_.vocab_size);
  const double penalties = settings.v1 && settings.runner_v2
                               ? double(settings.max_num_seqs) * (vocab + std::ceil(vocab / 32.0)) * 4.0 / kBytesPerGiB
                               : 0.0;
  return 0.15 + per_rank * (ranks - 1) + penalties;
}

vLLMMemoryEstimator::KvLayout vLLMMemoryEstimator::kv_layout(const Scenario& s, const vllm::Settings& settings) const {
  // vllm/v1/core/kv_cache_utils.py (get_kv_cache_groups, _get_kv_cache_groups_uniform_page_size,
  // v0.9 onwards): layers of one kind form groups of group_size layers, and each of group_size
  // tensors is shared by one layer of every group. V0 and a model of one kind: one group.
  KvLayout layout;
  layout.page_bytes = double(settings.block_size) * kv_cache_bytes_per_token_per_layer(s);
  const std::int64_t layers = kv_layers_per_stage(s.parallelism);
  const std::int64_t sliding = settings.v1 ? sliding_layers_per_stage(s.parallelism) : 0;
  const std::int64_t full = layers - sliding;
  if (sliding == 0 || full == 0) {
    layout.group_size = std::max<std::int64_t>(1, layers);
    layout.full_groups = full > 0 ? 1 : 0;
    layout.sliding_groups = sliding > 0 ? 1 : 0;
  } else {
    // The smaller kind sets the group size, unless the larger is under 1.5 times it (then
    // padding a group wastes less than splitting one: "gpt-oss-20b + eagle, 12 sw + 13 full").
    const std::int64_t fewer = std::min(full, sliding), more = std::max(full, sliding);
    layout.group_size = double(more) < 1.5 * double(fewer) ? more : fewer;
    layout.full_groups = ceil_div(full, layout.group_size);
    layout.sliding_groups = ceil_div(sliding, layout.group_size);
  }
  layout.block_size = settings.block_size;
  layout.window_reach = std::max<std::int64_t>(0, model_.sliding_window.window - 1 + settings.max_num_batched_tokens);
  return layout;
}

std::int64_t vLLMMemoryEstimator::KvLayout::blocks_per_request(std::int64_t max_model_len) const {
  return full_groups * ceil_div(max_model_len, block_size) +
         sliding_groups * (ceil_div(std::min(window_reach, max_model_len), block_size) + 1);
}

double vLLMMemoryEstimator::KvLayout::request_gib(std::int64_t max_model_len) const {
  return double(blocks_per_request(max_model_len)) * bytes_per_block() / kBytesPerGiB;
}

double vLLMMemoryEstimator::estimate_kv_cache(const Scenario& s) const {
  // The spec's demand: max_num_seqs requests of max_model_len tokens, each in whole paged
  // blocks, sliding layers holding their window only (V1).
  const vllm::Settings settings = vllm::resolve(model_, s, false);
  return double(settings.max_num_seqs) * kv_layout(s, settings).request_gib(settings.max_model_len);
}

double vLLMMemoryEstimator::cuda_graphs_gib(const Scenario& s, const vllm::Settings& settings) const {
  const std::vector<std::int64_t>& sizes = settings.cudagraph_capture_sizes;
  const bool spec_formula = settings.graph_ratio || settings.graph_scaling ||
                            s.gave("params.graph_memory_overhead_ratio") || s.gave("params.graph_batch_scaling_factor");
  if (spec_formula) {
    // The spec's empirical formula, asked for by its two parameters: per capture size,
    // weights x ratio x (1 + size x scaling), on this GPU's (sharded) weights.
    const double ratio = settings.graph_ratio.value_or(params_.graph_memory_overhead_ratio);
    const double scaling = settings.graph_scaling.value_or(params_.graph_batch_scaling_factor);
    const double weights = loaded_weights_gib(s);
    double total = 0;
    for (std::int64_t size : sizes) total += weights * ratio * (1.0 + double(size) * scaling);
    return total;
  }
  // What vLLM's "Graph capturing finished in N secs, took X GiB" reports: the graphs share one
  // memory pool, and what they keep grows with the graphs captured, one per capture size and
  // (piecewise) per layer. 0.375 MiB per size and layer is the median of five logs
  // (tests/data/vllm/cuda_graph_logs.json: 0.23 to 0.95 MiB, V0 and V1, 16 to 94 layers).
  constexpr double kBytesPerSizeAndLayer = 0.375 * 1024 * 1024;
  return double(sizes.size()) * double(layers_per_stage(s.parallelism)) * kBytesPerSizeAndLayer / kBytesPerGiB;
}

}  // namespace llmmem
