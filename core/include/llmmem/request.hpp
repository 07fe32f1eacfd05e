#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llmmem/model_spec.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem {

enum class Framework { transformers, vllm, deepspeed };
enum class Mode { inference, training };

/// Attention kernels differ in what they materialise: eager attention keeps the
/// batch x heads x seq x seq score matrix, SDPA/flash kernels never do.
enum class AttentionImplementation { sdpa, flash_attention_2, eager };

/// How training keeps its numbers: "mixed" is bf16/fp16 compute with fp32 master weights
/// (PyTorch AMP keeps the model in fp32; DeepSpeed keeps 16-bit weights plus an fp32 copy);
/// "bf16" is pure bf16 (weights, gradients and optimizer states); "fp32" is full precision.
enum class TrainingPrecision { mixed, bf16, fp32 };

/// Activation recomputation (transformers' gradient_checkpointing is "full"; Megatron's
/// selective recomputation recomputes only attention's s^2 part).
enum class GradientCheckpointing { none, selective, full };

/// Which weights train: all of them, LoRA adapters on a frozen 16-bit base, or LoRA adapters
/// on a base stored in bitsandbytes NF4 (QLoRA, Dettmers et al. 2023).
enum class FineTuning { full, lora, qlora };

/// How the loss meets the logits: "standard" materialises b x s x vocab logits and their fp32
/// upcast (transformers' ForCausalLMLoss); "chunked" upcasts one chunk at a time (torchtune's
/// CEWithChunkedOutputLoss, 8 chunks).
enum class LossImplementation { standard, chunked };

/// vLLM's engine generation: V1 (the default since 0.8, the only one from 0.11) or the
/// legacy V0, whose profiling run peaks differently.
enum class VllmEngine { v1, v0 };
/// vLLM V1's GPU model runner: the first (gpu_model_runner.py) or v2 (worker/gpu/model_runner.py,
/// the default for the models it supports by 0.27).
enum class VllmModelRunner { v2, v1 };
/// How the first runner's (and V0's) sampler applies top-k/top-p: PyTorch sorts, FlashInfer does not.
enum class VllmSampler { pytorch, flashinfer };

/// PyTorch FSDP over data_parallel_size ranks: none is DDP (every rank a replica),
/// shard_grad_op shards gradients and optimizer states (ZeRO-2), full_shard also the weights (ZeRO-3).
enum class FsdpSharding { none, shard_grad_op, full_shard };

struct Workload {
  std::int64_t batch_size = 1;
  std::int64_t sequence_length = 512;
  std::int64_t max_num_seqs = 256;
  std::int64_t max_model_len = 4096;
  std::int64_t max_num_batched_tokens = 8192;  // vLLM's prefill chunk; bounds its activation peak
  std::int64_t block_size = 16;                // vLLM's paged KV block, in tokens
  std::string kv_cache_dtype = "auto";
};

struct Parallelism {
  std::int64_t tensor_parallel_size = 1;
  std::int64_t pipeline_parallel_size = 1;
  std::int64_t data_parallel_size = 1;
  std::int64_t expert_parallel_size = 1;
  std::int64_t zero_stage = 0;
  bool sequence_parallel = false;  // Megatron SP: norms and dropouts split over the TP ranks too
};

struct FrameworkConfig {
  // adamw, adam, adamw_fused, adamw_8bit, paged_adamw, paged_adamw_8bit, adafactor, sgd,
  // sgd_momentum, lion
  std::string optimizer_type = "adamw";
  TrainingPrecision training_precision = TrainingPrecision::mixed;
  GradientCheckpointing gradient_checkpointing = GradientCheckpointing::none;
  FineTuning fine_tuning = FineTuning::full;
  std::int64_t lora_rank = 16;
  // Projections by their Llama names; "all-linear" expands to all seven (PEFT's default for Llama is q and v).
  std::vector<std::string> lora_target_modules = {"q_proj", "v_proj"};
  LossImplementation loss_implementation = LossImplementation::standard;
  FsdpSharding fsdp = FsdpSharding::none;
  bool optimizer_in_backward = false;  // torchtune: each gradient is applied and freed in backward
  // Above 1 the gradients outlive each micro-batch, so they meet the next forward's activations.
  std::int64_t gradient_accumulation_steps = 1;
  bool offload_activations = false;    // torchtune: checkpointed activations wait in CPU memory
  // DeepSpeed ZeRO: offload to CPU memory, zero.Init, and the node size for CPU memory per node.
  bool offload_optimizer = false;
  bool offload_param = false;
  bool zero_init = true;
  std::optional<std::int64_t> gpus_per_node;  // default: min(8, all GPUs)
  std::vector<std::int64_t> cudagraph_capture_sizes;
  AttentionImplementation attention_implementation = AttentionImplementation::sdpa;
  std::optional<double> gpu_memory_gib;
  // The GPU's CUDA compute capability (8.0 A100, 8.9 L40S, 9.0 H100, 10.0 B200, 12.0 RTX 5090):
  // vLLM picks its MXFP4 MoE kernel, and with it the experts' memory layout, by it.
  std::optional<double> gpu_compute_capability;
  double gpu_memory_utilization = 0.9;
  // vLLM: memory outside PyTorch's allocator that the profiling run sees grow (CUDA context,
  // NCCL, cuBLAS workspaces); measured per setup, so a request may state its own.
  std::optional<double> non_torch_memory_gib;
  VllmEngine vllm_engine = VllmEngine::v1;
  VllmModelRunner vllm_model_runner = VllmModelRunner::v2;
  VllmSampler vllm_sampler = VllmSampler::pytorch;
  // vLLM: --enforce-eager captures no CUDA graphs; from v0.21 the first model runner measures
  // the graphs' memory before sizing the KV cache (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS).
  bool enforce_eager = false;
  bool profile_cudagraph_memory = true;
  // vLLM's --disable-custom-all-reduce; vLLM also turns it off on more than two PCIe-only GPUs.
  bool disable_custom_all_reduce = false;
  // The spec lets the framework config override these two parameters.
  std::optional<double> graph_memory_overhead_ratio;
  std::optional<double> graph_batch_scaling_factor;
};

/// What runs on the model: everything in a request but the model and the spec's parameters.
struct Scenario {
  Workload workload;
  Parallelism parallelism;
  FrameworkConfig framework_config;
  Mode mode = Mode::inference;
};

/// One request of DESIGN.md, parsed and validated.
struct Request {
  ModelSpec model;
  Framework framework = Framework::transformers;
  Scenario scenario;
  MemoryEstimationParameters params;
};

const char* to_string(Framework framework);
const char* to_string(Mode mode);

}  // namespace llmmem
