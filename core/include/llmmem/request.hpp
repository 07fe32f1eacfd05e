#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmmem/model_spec.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem {

enum class Framework { transformers, vllm, deepspeed, llamacpp, sglang };
enum class Mode { inference, training };
/// Their names in requests and responses, in the enums' order.
inline constexpr std::string_view kFrameworkNames[] = {"transformers", "vllm", "deepspeed", "llama.cpp", "sglang"};
inline constexpr std::string_view kModeNames[] = {"inference", "training"};

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

/// PyTorch FSDP over data_parallel_size ranks: none is DDP (every rank a replica),
/// shard_grad_op shards gradients and optimizer states (ZeRO-2), full_shard also the weights (ZeRO-3).
enum class FsdpSharding { none, shard_grad_op, full_shard };

/// What transformers and DeepSpeed run: batch_size sequences of sequence_length tokens. A
/// serving engine's own workload fields (vLLM's max_num_seqs, max_model_len...) are its settings.
struct Workload {
  std::int64_t batch_size = 1;
  std::int64_t sequence_length = 512;
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
  AttentionImplementation attention_implementation = AttentionImplementation::sdpa;
  // The GPU: a catalogue name (llmmem/gpus.hpp) fills its memory, compute capability and name.
  std::string gpu;                // the catalogue's name, or "" for a GPU given by its memory only
  std::optional<double> gpu_memory_gib;
  // The GPU's CUDA compute capability (8.0 A100, 8.9 L40S, 9.0 H100, 10.0 B200, 12.0 RTX 5090):
  // vLLM picks its MXFP4 MoE kernel, and with it the experts' memory layout, by it.
  std::optional<double> gpu_compute_capability;
};

/// One value of a request field, as its schema kind reads it (llmmem/schema.hpp).
struct FieldValue {
  std::int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  std::string text;                    // a text field, or the choice made
  std::vector<std::int64_t> integers;  // an integer list
  std::vector<std::string> texts;      // a list of choices
  bool operator==(const FieldValue&) const = default;
};

/// The fields a request gave, by schema path, in the order read. An engine's own fields (vLLM's
/// max_num_seqs, gpu_memory_utilization, vllm_version...) live only here: the engine resolves
/// their defaults itself, as they depend on its version and the GPU. Shared fields are also
/// written to their typed members (Workload, Parallelism, FrameworkConfig).
class GivenFields {
 public:
  const FieldValue* find(std::string_view path) const;
  void set(std::string_view path, FieldValue value);
  const std::vector<std::pair<std::string_view, FieldValue>>& all() const { return values_; }

 private:
  std::vector<std::pair<std::string_view, FieldValue>> values_;  // paths point into the schema
};

/// What runs on the model: everything in a request but the model and the spec's parameters.
struct Scenario {
  Workload workload;
  Parallelism parallelism;
  FrameworkConfig framework_config;
  Mode mode = Mode::inference;
  /// What the request gave: what the result echoes as given, what it warns about when the
  /// engine or mode ignores it, and an engine's own settings.
  GivenFields given;
  bool gave(std::string_view path) const { return given.find(path) != nullptr; }
};

/// One request of DESIGN.md, parsed and validated.
struct Request {
  ModelSpec model;
  Framework framework = Framework::transformers;
  Scenario scenario;
  MemoryEstimationParameters params;
};

}  // namespace llmmem
