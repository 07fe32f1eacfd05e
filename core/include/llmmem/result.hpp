#pragma once
// The one result of an engine for one request. Every consumer (the JS API, the CLI, the page's
// panels, charts and exports, the component, sweeps and the solver) reads it; none recomputes
// or reinterprets it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "llmmem/breakdown.hpp"
#include "llmmem/model_spec.hpp"
#include "llmmem/request.hpp"

namespace llmmem {

/// Whether it runs, as the engine decides it.
struct Verdict {
  enum class Status {
    fits,          // transformers, DeepSpeed: the breakdown fits the GPU
    does_not_fit,
    starts,        // vLLM: its start-up checks pass
    refuses,       // vLLM: it raises at start-up (reason: its words)
    no_gpu,        // no GPU given: no verdict, only what it would need
  };
  Status status = Status::no_gpu;
  bool ok() const { return status == Status::fits || status == Status::starts; }
  std::string summary;     // one sentence, in the engine's terms
  std::string reason;      // the engine's own message when it refuses
  std::string field;       // the request field a refusal is about ("" when it is memory)
  std::optional<double> gpu_memory_gib;
  double limit_gib = 0;    // what the engine may hold per GPU: the GPU, or vLLM's budget (+ graphs outside it)
  double needed_gib = 0;   // what it holds per GPU to run (vLLM: the least it needs to start)
};

/// One of the solver's questions, with the value where the verdict flips.
struct SolverAnswer {
  std::string field;                    // the request field varied
  std::string question;                 // "Longest max_model_len that starts"
  std::optional<double> value;          // the answer: the verdict is ok here...
  std::optional<double> past;           // ...and not one step further (none at a bound)
  std::optional<double> needed_gib;     // needed at `value`
  std::string note;                     // why there is no answer, or what bounds it
};

/// A change a user would try to make it fit (training: checkpointing, LoRA, ZeRO...), evaluated.
struct Alternative {
  std::string label;
  std::vector<std::pair<std::string, std::string>> changes;  // field path -> JSON value
  bool ok = false;
  double needed_gib = 0;
};

/// An engine setting the result used, and where its value came from.
struct Setting {
  std::string path;
  std::string value_json;
  std::string source;  // "given", or why this default ("vLLM 0.11 default on an H100")
};

/// What vLLM prints at start-up about its KV cache, computed as it computes it.
struct KvCacheCapacity {
  double budget_gib = 0;           // total GPU memory x gpu_memory_utilization
  double weights_gib = 0;          // as vLLM loads them (vocabulary padded to 64)
  double non_torch_gib = 0;        // growth of memory outside PyTorch (NCCL, cuBLAS, custom all-reduce)
  double activation_peak_gib = 0;  // the profiling run's peak
  double cuda_graph_gib = 0;       // the captured graphs' memory pool
  bool cuda_graph_in_budget = false;  // taken off the budget (runner v1 from 0.21), else on top of it
  double available_gib = 0;        // what is left for the KV cache (negative: it does not start)
  std::int64_t block_size = 16;
  double bytes_per_block = 0;      // block_size tokens of every layer on this GPU
  std::int64_t num_gpu_blocks = 0;
  std::int64_t tokens = 0;
  std::int64_t max_model_len = 0;
  std::int64_t max_num_seqs = 0;
  double max_concurrency = 0;      // requests of max_model_len tokens its KV cache holds at once
  double needed_for_one_gib = 0;   // KV one request of max_model_len needs
};

/// vLLM without a GPU: the GPU memory it needs, each for what it is.
struct Requirements {
  double to_start_gib = 0;          // the least GPU memory on which it starts (one full-length request)
  double all_sequences_gib = 0;     // GPU memory whose KV cache holds max_num_seqs full-length requests
};

/// llama.cpp's buffers, as its start-up log prints them ("CUDA0 model buffer size", "CUDA0 KV
/// buffer size", "CUDA0 compute buffer size", "CPU_Mapped model buffer size"...).
struct LlamaCppBuffers {
  struct Gpu {
    double model_gib = 0, kv_gib = 0, compute_gib = 0;
    std::int64_t layers = 0;  // decoder layers on it
    bool output = false;      // the output head too
  };
  std::vector<Gpu> gpus;
  double host_model_gib = 0, host_kv_gib = 0, host_compute_gib = 0, output_gib = 0;
  std::int64_t kv_cells = 0, swa_cells = 0, streams = 1;  // cells per stream, streams (slots when not unified)
  std::int64_t offloaded_layers = 0, total_layers = 0;    // "offloaded N/M layers to GPU"
};

/// SGLang's memory pool as its start-up log prints it ("Load weight end ... mem usage", "KV Cache
/// is allocated. #tokens ... K size ... V size", "max_total_num_tokens=..., max_running_requests=...,
/// context_len=..., available_gpu_mem=..."), computed as model_runner.py computes it.
struct SglangPool {
  double mem_fraction_static = 0;
  double free_gib = 0;             // "Load weight begin. avail mem": free before the weights
  double weights_gib = 0;          // "Load weight end ... mem usage"
  double static_gib = 0;           // mem_fraction_static x free: the weights and the KV pool
  double kv_pool_gib = 0;          // K size + V size (or the MLA latents' KV size)
  double cell_bytes = 0;           // one token's K and V over this GPU's layers
  std::int64_t max_total_num_tokens = 0;
  std::int64_t context_len = 0;
  std::int64_t max_running_requests = 0;
  std::int64_t max_req_len = 0;
  std::int64_t max_prefill_tokens = 16384;
  std::int64_t chunked_prefill_size = 0;
  std::int64_t cuda_graph_max_bs = 0;  // 0: CUDA graphs off
  double req_to_token_gib = 0;     // the request-to-token table, allocated after the pool
  double cuda_graph_gib = 0;
  double workspace_gib = 0;        // the attention backend's buffers
  double available_gib = 0;        // "available_gpu_mem": left for prefill and decode activations
  double full_length_requests = 0; // requests of context_len tokens the pool holds at once
};

/// Training's two peaks (the breakdown is the higher).
struct TrainingSummary {
  bool step_is_peak = false;
  double forward_backward_gib = 0;
  double optimizer_step_gib = 0;
  double activations_gib = 0;
  double trainable_parameters_per_gpu = 0;
};

/// Why each component is its size, in one line from the result's own figures: (breakdown key,
/// or "cpu_memory", text), in the breakdown's order.
using Explanations = std::vector<std::pair<std::string, std::string>>;

struct Result {
  const char* estimator = "";       // the spec's class name
  Framework framework = Framework::transformers;
  Mode mode = Mode::inference;
  MemoryBreakdown breakdown;
  std::string breakdown_basis;      // what the breakdown is, in words
  Verdict verdict;
  std::optional<KvCacheCapacity> capacity;
  std::optional<Requirements> requirements;
  std::optional<TrainingSummary> training;
  std::optional<LlamaCppBuffers> llamacpp_buffers;
  std::optional<SglangPool> sglang_pool;
  std::optional<double> cpu_memory_gib;
  std::optional<double> kv_cache_demand_gib;  // vLLM: the spec's estimate_kv_cache (max_num_seqs x max_model_len)
  double kv_cache_bytes_per_token = 0;
  // The model as this engine weighs it.
  ParameterCounts counts;
  double parameters_per_gpu = 0;
  double bytes_per_parameter = 0;   // the checkpoint's bytes over its parameters
  double weight_bytes = 0;          // the whole checkpoint's weights
  std::string storage_dtype;
  std::vector<Setting> settings;
  std::vector<SolverAnswer> solver;
  std::vector<Alternative> alternatives;
  Explanations explanations;
  std::vector<std::string> warnings;
};

}  // namespace llmmem
