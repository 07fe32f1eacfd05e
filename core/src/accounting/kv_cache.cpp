// The KV cache as transformers keeps it, and the bytes per token every engine starts from.
#include "llmmem/estimator.hpp"

#include <algorithm>
#include <cmath>

#include "accounting/quantization.hpp"
#include "accounting/units.hpp"

namespace llmmem {

double MemoryEstimator::kv_cache_bytes_per_token_per_layer(const Scenario& s) const {
  const std::string& dtype = s.workload.kv_cache_dtype;
  double element_bytes = 2;
  if (dtype == "auto") {
    element_bytes = compute_dtype_bytes();  // vLLM: "auto" uses the model's dtype
  } else if (dtype.rfind("fp8", 0) == 0) {
    element_bytes = 1;
  } else {
    element_bytes = dtype_bytes(dtype);
  }
  return element_bytes * kv_elements_per_token_per_layer(s.parallelism);
}

double MemoryEstimator::kv_cache_bytes_per_token(const Scenario& s) const {
  return kv_cache_bytes_per_token_per_layer(s) * double(kv_layers_per_stage(s.parallelism));
}

std::int64_t MemoryEstimator::kv_layers_per_stage(const Parallelism& p) const {
  // A hybrid decoder caches keys and values in its attention blocks only.
  return model_.blocks.hybrid() ? busiest_stage_layers(p).attention_blocks : layers_per_stage(p);
}

double MemoryEstimator::mamba_state_bytes_per_sequence(const Parallelism& p) const {
  if (!model_.blocks.hybrid()) return 0;
  // transformers' HybridMambaAttentionDynamicCache (modeling_nemotron_h.py): per Mamba block a
  // conv state [conv_dim, conv_kernel] and an SSM state [heads, head_dim, state], in the model's
  // dtype; tensor parallelism splits both by heads (vLLM's MambaMixer2).
  const MambaShape& m = model_.mamba;
  const double tp = double(p.tensor_parallel_size);
  const double elements = double(m.conv_dim()) * double(m.conv_kernel) / tp +
                          double(m.num_heads) * double(m.head_dim) * double(m.state_size) / tp;
  return double(busiest_stage_layers(p).mamba_blocks) * elements * compute_dtype_bytes();
}

std::int64_t MemoryEstimator::sliding_layers_per_stage(const Parallelism& p) const {
  return model_.sliding_window.count(0, layers_per_stage(p));
}

double MemoryEstimator::kv_elements_per_token_per_layer(const Parallelism& p) const {
  const AttentionShape& a = model_.attention;
  if (a.is_mla()) {
    // transformers' DeepSeek attention caches each head's decompressed key and value.
    return double(ceil_div(a.num_heads, p.tensor_parallel_size)) * double(a.head_dim + a.mla.v_head_dim);
  }
  // KV heads are split across TP ranks; with more ranks than KV heads each rank keeps one
  // replica (vLLM: max(1, num_kv_heads // tp_size)).
  const std::int64_t kv_heads = std::max<std::int64_t>(1, ceil_div(a.num_kv_heads, p.tensor_parallel_size));
  return 2.0 * double(kv_heads) * double(a.head_dim);
}


double MemoryEstimator::estimate_kv_cache(const Scenario& s) const {
  if (s.mode == Mode::training) return 0;  // training runs with use_cache=False
  // generate() keeps K and V of every position of every sequence (DynamicCache); since
  // transformers 4.56 a sliding layer keeps only its window (DynamicSlidingWindowLayer).
  const double length = double(s.workload.sequence_length);
  const double sliding = double(sliding_layers_per_stage(s.parallelism));
  const double full = double(kv_layers_per_stage(s.parallelism)) - sliding;
  const double window = std::min(length, double(model_.sliding_window.window));
  // A hybrid's Mamba blocks keep a fixed state per sequence beside the attention blocks' K and V.
  return double(s.workload.batch_size) *
         ((full * length + sliding * window) * kv_cache_bytes_per_token_per_layer(s) +
          mamba_state_bytes_per_sequence(s.parallelism)) / kBytesPerGiB;
}


}  // namespace llmmem
