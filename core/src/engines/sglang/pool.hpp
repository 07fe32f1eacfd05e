#pragma once
// SGLang's memory pool, pure arithmetic (python/sglang/srt/model_executor/model_runner.py,
// profile_max_num_token and init_memory_pool; mem_cache/memory_pool.py): the free memory
// before the weights times --mem-fraction-static holds the weights and the KV pool; the rest of
// the GPU is left to the request table, the CUDA graphs and the forward passes.

#include <cstdint>
#include <optional>
#include <string>

#include "engines/sglang/settings.hpp"

namespace llmmem::sglang {

struct PoolInput {
  double free_gib = 0;        // free memory before the weights (min over ranks)
  double weights_gib = 0;     // what loading the model took
  double cell_bytes = 0;      // one token's K and V over this GPU's layers
};

struct Pool {
  std::int64_t max_total_num_tokens = 0;  // <= 0: SGLang raises "Not enough memory"
  double kv_bytes = 0;                    // the K and V buffers as allocated (a page more per layer)
  std::int64_t max_num_reqs = 0;          // rows of the request-to-token table
  double req_to_token_bytes = 0;
  std::int64_t max_running_requests = 0;
  std::int64_t max_req_len = 0;
};

/// The pool SGLang sizes from `in` under `s`.
Pool size_pool(const PoolInput& in, const Settings& s);

/// The free memory SGLang starts from: torch's total less the CUDA context and, with more
/// than one rank, the communicators' buffers.
double free_before_weights_gib(double gpu_gib, std::int64_t ranks, bool custom_all_reduce);

/// The captured graphs' memory pool: per captured batch size and layer.
double cuda_graphs_gib(const Settings& s, std::int64_t layers);

/// The attention backend's workspace, allocated after the pool: FlashInfer's buffers, or
/// FlashAttention 3's on Hopper from 0.4.7.
double attention_workspace_gib(const Settings& s, double compute_capability);

}  // namespace llmmem::sglang
