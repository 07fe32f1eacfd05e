#pragma once
// vLLM's memory, part by part, as vLLM lays it out: weights as loaded, the profiling run's
// peak, non-torch memory, CUDA graphs and the paged KV cache in blocks.

#include <cstdint>
#include <vector>

#include "engines/vllm/settings.hpp"
#include "llmmem/estimator.hpp"

namespace llmmem {

/// The spec's vLLM estimator: the shared accounting with vLLM's own parts.
class vLLMMemoryEstimator : public MemoryEstimator {
 public:
  using MemoryEstimator::MemoryEstimator;
  const char* kind() const override { return "vLLMMemoryEstimator"; }

  /// Weights with the vocabulary padded to 64 (VocabParallelEmbedding) under TP, PP and EP.
  double estimate_model_weights(const Parallelism& parallelism) const override;
  /// The spec's estimate_kv_cache under vLLM: the demand, max_num_seqs requests of
  /// max_model_len tokens in whole blocks (settings resolved from the scenario).
  double estimate_kv_cache(const Scenario& scenario) const override;
  double kv_elements_per_token_per_layer(const Parallelism& parallelism) const override;
  std::vector<PipelineStage> pipeline_stages(const Parallelism& parallelism) const override;

  /// The weights as vLLM holds them on this GPU (MXFP4 experts re-laid out for its kernel).
  double loaded_weights_gib(const Scenario& scenario) const;
  /// The profiling run's activation peak.
  double profile_peak_gib(const Scenario& scenario, const vllm::Settings& settings) const;
  /// Growth of memory outside PyTorch at start-up (NCCL, custom all-reduce, cuBLAS), and model
  /// runner v2's penalties state, which vLLM reports with it.
  double non_torch_gib(const Scenario& scenario, const vllm::Settings& settings) const;
  /// The captured graphs' pool: vLLM's measured cost per captured size and layer, or the
  /// spec's formula when the request sets its parameters.
  double cuda_graphs_gib(const Scenario& scenario, const vllm::Settings& settings) const;

  /// How V1 lays the KV cache of one GPU out in blocks (V0: every layer alike).
  struct KvLayout {
    double page_bytes = 0;             // block_size tokens of one layer
    std::int64_t group_size = 1;       // layers sharing one block id (one KV tensor per layer slot)
    std::int64_t full_groups = 0;      // groups of full-attention layers
    std::int64_t sliding_groups = 0;   // groups of sliding-window layers
    std::int64_t block_size = 16;
    std::int64_t window_reach = 0;     // tokens a sliding layer holds: window - 1 + batched tokens
    double bytes_per_block() const { return page_bytes * double(group_size); }
    std::int64_t groups() const { return full_groups + sliding_groups; }
    /// Blocks one request of `max_model_len` tokens holds, all groups
    /// (KVCacheSpec.max_memory_usage_bytes): every token in a full layer, the window's reach
    /// in a sliding one plus a block for its edge.
    std::int64_t blocks_per_request(std::int64_t max_model_len) const;
    /// GiB of those blocks: what one request of `max_model_len` needs in the KV cache.
    double request_gib(std::int64_t max_model_len) const;
  };
  KvLayout kv_layout(const Scenario& scenario, const vllm::Settings& settings) const;

 protected:
  double expert_shares_per_gpu(const Parallelism& parallelism) const override;
};

}  // namespace llmmem
