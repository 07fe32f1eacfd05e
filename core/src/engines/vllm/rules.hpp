#pragma once
// What vLLM refuses at start-up, in the order it checks, in its own words.

#include <cstdint>
#include <optional>
#include <string>

#include "engines/vllm/settings.hpp"
#include "llmmem/model_spec.hpp"
#include "llmmem/request.hpp"

namespace llmmem::vllm {

struct Refusal {
  std::string field;    // the request field to change ("" when it is memory)
  std::string message;  // what vLLM raises
};

/// The configuration checks, before any memory is measured: max_model_len against the model's,
/// the scheduler's limits, the parallel sizes against the layers' shapes (ModelConfig,
/// SchedulerConfig, the parallel linear layers and MoE).
std::optional<Refusal> configuration_refusal(const ModelSpec& model, const Scenario& scenario, const Settings& settings);

/// vLLM's CUDA context and its start-up allocations, already taken when its worker checks free
/// memory: 0.61 GiB on an H100 ("Free memory on device: 78.57/79.18 GiB on startup") and 0.41
/// on an A100 ("78.84/79.25") in tests/data/vllm.
inline constexpr double kCudaContextGib = 0.5;

/// Whether the worker checks free memory against the budget at start-up (V1 from 0.9.1, #19312).
bool checks_free_memory(const Settings& settings);

/// That check: free memory (the card less kCudaContextGib) must hold the budget.
std::optional<Refusal> free_memory_refusal(const Scenario& scenario, const Settings& settings);

/// The KV cache checks after profiling: some memory left, and (V1) one request of
/// max_model_len in it, or (V0) max_model_len tokens in its blocks.
struct KvCheck {
  double available_gib = 0;
  double needed_for_one_gib = 0;       // V1: one request's blocks
  std::int64_t num_gpu_blocks = 0;
  std::int64_t longest_that_fits = 0;  // V1's estimated maximum model length
  std::int64_t pipeline_parallel_size = 1;
};
std::optional<Refusal> kv_cache_refusal(const Settings& settings, const KvCheck& check);

}  // namespace llmmem::vllm
