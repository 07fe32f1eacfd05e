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

/// The V1 worker's start-up check (0.9.1 on): free memory must hold the budget. vLLM's CUDA
/// context is already allocated then: `context_gib` of the card is not free.
std::optional<Refusal> free_memory_refusal(const Scenario& scenario, const Settings& settings, double context_gib);

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
