// The request's fields, in blocks: the shared ones, then each engine's own. A block per engine
// is all an engine adds here; fields without `assign` reach the engine as scenario.given.
#include "llmmem/schema.hpp"

#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

#include "input/json_reader.hpp"
#include "llmmem/gpus.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem {
namespace {

using V = std::string_view;
constexpr double kMaxTokens = double(std::int64_t(1) << 40);  // far past any context or batch
constexpr double kMaxGpus = double(1 << 20);

constexpr EngineMask kTransformers = engine_bit(Framework::transformers);
constexpr EngineMask kVllm = engine_bit(Framework::vllm);
constexpr EngineMask kDeepSpeed = engine_bit(Framework::deepspeed);
constexpr ModeMask kInference = mode_bit(Mode::inference);
constexpr ModeMask kTraining = mode_bit(Mode::training);

constexpr std::array<V, 3> kFrameworks = {"transformers", "vllm", "deepspeed"};
constexpr std::array<V, 2> kModes = {"inference", "training"};
constexpr std::array<V, 11> kKvDtypes = {"auto", "float16", "fp16", "half", "bfloat16", "bf16",
                                         "float32", "fp32", "fp8", "fp8_e4m3", "fp8_e5m2"};
constexpr std::array<V, 10> kOptimizers = {"adamw", "adam", "adamw_fused", "adamw_8bit", "paged_adamw",
                                           "paged_adamw_8bit", "adafactor", "sgd", "sgd_momentum", "lion"};
constexpr std::array<V, 3> kPrecisions = {"mixed", "bf16", "fp32"};
constexpr std::array<V, 3> kCheckpointing = {"none", "selective", "full"};
constexpr std::array<V, 3> kFineTuning = {"full", "lora", "qlora"};
constexpr std::array<V, 2> kAdapters = {"lora", "qlora"};
constexpr std::array<V, 8> kTargets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "all-linear"};
constexpr std::array<V, 2> kLosses = {"standard", "chunked"};
constexpr std::array<V, 3> kSharding = {"none", "shard_grad_op", "full_shard"};
constexpr std::array<V, 2> kOffload = {"none", "cpu"};
constexpr std::array<V, 3> kAttention = {"sdpa", "flash_attention_2", "eager"};
constexpr std::array<V, 2> kVllmEngines = {"v1", "v0"};
constexpr std::array<V, 2> kRunners = {"v2", "v1"};
constexpr std::array<V, 2> kSamplers = {"pytorch", "flashinfer"};
constexpr std::array<V, 2> kEntrypoints = {"serve", "llm"};

template <typename Enum>
Enum nth(const FieldValue& v, std::span<const V> choices) {
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == v.text) return Enum(i);
  }
  return Enum(0);
}

void check_gpu(const std::string& path, const FieldValue& v) {
  if (find_gpu(v.text)) return;
  std::string names;
  for (const GpuModel& gpu : gpu_catalogue()) names += (names.empty() ? "\"" : ", \"") + std::string(gpu.name) + "\"";
  detail::fail(path, "unknown GPU " + detail::quote_text(v.text) + " (the catalogue: " + names +
                         "; or give framework_config.gpu_memory_gib alone)");
}

void check_version(const std::string& path, const FieldValue& v) {
  // "0.11", "0.6.4.post1", "0.10.1.1", "0.11.0rc1": a release as `pip show vllm` prints it.
  const std::string& t = v.text;
  std::size_t i = 0, dots = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < t.size() && i - start < 4 && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > start;
  };
  bool ok = t.size() <= 40 && digits();
  while (ok && i < t.size() && t[i] == '.' && dots < 3) {
    ++i;
    ++dots;
    if (!digits()) {
      --i;  // a suffix such as ".post1" or ".dev0"
      break;
    }
  }
  if (!ok || dots == 0) {
    detail::fail(path, "must be a vLLM version such as \"0.11.0\" or \"0.6.4.post1\", got " + detail::quote_text(t));
  }
}

// Assigning the shared, typed fields.
#define ASSIGN(expression) [](Request& r, const FieldValue& v) { expression; }

const FieldSpec kFields[] = {
    // ---- The engine and the workload every engine shares ----
    {.path = "framework", .kind = FieldKind::choice, .choices = kFrameworks, .default_json = "\"transformers\"",
     .section = "Engine", .label = "Engine", .flags = "--framework",
     .help = "transformers (inference or training), vllm (serving) or deepspeed (ZeRO training)",
     .assign = ASSIGN(r.framework = nth<Framework>(v, kFrameworks))},
    {.path = "workload.mode", .kind = FieldKind::choice, .choices = kModes,
     .default_note = "inference for transformers and vllm, training for deepspeed",
     .section = "Engine", .label = "Mode", .flags = "--mode",
     .help = "run the model (generate) or train it",
     .assign = ASSIGN(r.scenario.mode = nth<Mode>(v, kModes))},
    {.path = "workload.batch_size", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens, .default_json = "1",
     .engines = kTransformers | kDeepSpeed, .section = "Workload", .label = "Batch size", .flags = "--batch --batch-size",
     .help = "sequences processed at once", .assign = ASSIGN(r.scenario.workload.batch_size = v.integer)},
    {.path = "workload.sequence_length", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens, .default_json = "512",
     .engines = kTransformers | kDeepSpeed, .section = "Workload", .label = "Sequence length", .flags = "--seq --sequence-length",
     .help = "tokens per sequence", .assign = ASSIGN(r.scenario.workload.sequence_length = v.integer)},
    // ---- vLLM's workload: its own flags, its defaults by version and GPU ----
    {.path = "workload.max_model_len", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "the model's maximum length, derived from config.json as vLLM derives it",
     .engines = kVllm, .section = "Workload", .label = "Max model length", .flags = "--max-model-len",
     .help = "the longest request (prompt + output) vLLM accepts; its KV cache must hold one"},
    {.path = "workload.max_num_seqs", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "vLLM's default for the version, the GPU and the entrypoint (256 or 1024)",
     .engines = kVllm, .section = "Workload", .label = "Max concurrent sequences", .flags = "--max-num-seqs",
     .help = "requests scheduled at once"},
    {.path = "workload.max_num_batched_tokens", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "vLLM's default for the version, the GPU and the entrypoint (2048 to 16384)",
     .engines = kVllm, .section = "Workload", .label = "Max batched tokens", .flags = "--max-num-batched-tokens",
     .help = "tokens per scheduler step (the prefill chunk); bounds the profiling run's activations", .advanced = true},
    {.path = "workload.block_size", .kind = FieldKind::integer, .min = 1, .max = double(1 << 20), .default_json = "16",
     .engines = kVllm, .section = "Workload", .label = "KV block size", .flags = "--block-size",
     .help = "tokens per paged KV block", .advanced = true},
    {.path = "workload.kv_cache_dtype", .kind = FieldKind::choice, .choices = kKvDtypes, .default_json = "\"auto\"",
     .default_note = "auto: the model's dtype", .engines = kTransformers | kVllm, .modes = kInference,
     .section = "Workload", .label = "KV cache dtype", .flags = "--kv-cache-dtype", .help = "the KV cache's element type",
     .assign = ASSIGN(r.scenario.workload.kv_cache_dtype = v.text)},
    // ---- Parallelism ----
    {.path = "parallelism.tensor_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .section = "Parallelism", .label = "Tensor parallel", .flags = "--tensor-parallel-size --tp",
     .help = "GPUs each layer is split over", .assign = ASSIGN(r.scenario.parallelism.tensor_parallel_size = v.integer)},
    {.path = "parallelism.pipeline_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .section = "Parallelism", .label = "Pipeline parallel", .flags = "--pipeline-parallel-size --pp",
     .help = "stages the layers are split into", .assign = ASSIGN(r.scenario.parallelism.pipeline_parallel_size = v.integer)},
    {.path = "parallelism.data_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .section = "Parallelism", .label = "Data parallel", .flags = "--data-parallel-size --dp",
     .help = "replicas (ZeRO and FSDP shard states over them)", .assign = ASSIGN(r.scenario.parallelism.data_parallel_size = v.integer)},
    {.path = "parallelism.expert_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .section = "Parallelism", .label = "Expert parallel", .flags = "--expert-parallel-size --ep",
     .help = "GPUs the experts are spread over (vLLM: tensor x data parallel, with --enable-expert-parallel)",
     .assign = ASSIGN(r.scenario.parallelism.expert_parallel_size = v.integer)},
    {.path = "parallelism.zero_stage", .kind = FieldKind::integer, .min = 0, .max = 3, .default_json = "0",
     .engines = kDeepSpeed, .modes = kTraining, .section = "Parallelism", .label = "ZeRO stage", .flags = "--zero --zero-stage",
     .help = "1 shards optimizer states, 2 also gradients, 3 also weights", .assign = ASSIGN(r.scenario.parallelism.zero_stage = v.integer)},
    {.path = "parallelism.sequence_parallel", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Parallelism", .label = "Sequence parallel",
     .flags = "--sequence-parallel", .help = "Megatron sequence parallelism (needs tensor parallel > 1)",
     .assign = ASSIGN(r.scenario.parallelism.sequence_parallel = v.boolean)},
    // ---- The GPU ----
    {.path = "framework_config.gpu", .kind = FieldKind::text, .default_note = "none: no verdict",
     .section = "GPU", .label = "GPU", .flags = "--gpu",
     .help = "a catalogue GPU by name (\"H100\", \"A100 40GB\", \"RTX 4090\"): its memory, compute capability and name",
     .assign = ASSIGN(r.scenario.framework_config.gpu = v.text), .check = check_gpu},
    {.path = "framework_config.gpu_memory_gib", .kind = FieldKind::number, .min = 0, .max = 1e6, .min_open = true,
     .bounds_text = "a number of GiB in (0, 1000000]", .default_note = "the catalogue GPU's, else none",
     .section = "GPU", .label = "GPU memory (GiB)", .flags = "--gpu-memory --gpu-memory-gib",
     .help = "memory per GPU as the framework sees it", .assign = ASSIGN(r.scenario.framework_config.gpu_memory_gib = v.number)},
    {.path = "framework_config.gpu_compute_capability", .kind = FieldKind::number, .min = 1, .max = 100, .max_open = true,
     .bounds_text = "a CUDA compute capability such as 8.0 or 9.0", .default_note = "the catalogue GPU's",
     .engines = kVllm, .section = "GPU", .label = "GPU compute capability", .flags = "--gpu-compute-capability",
     .help = "vLLM picks kernels (and MXFP4 experts' layout) by it", .advanced = true,
     .assign = ASSIGN(r.scenario.framework_config.gpu_compute_capability = v.number)},
    // ---- Training (transformers and DeepSpeed) ----
    {.path = "framework_config.fine_tuning", .kind = FieldKind::choice, .choices = kFineTuning, .default_json = "\"full\"",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Fine-tuning", .flags = "--fine-tuning",
     .help = "full, LoRA adapters on a 16-bit base, or QLoRA on an NF4 base",
     .assign = ASSIGN(r.scenario.framework_config.fine_tuning = nth<FineTuning>(v, kFineTuning))},
    {.path = "framework_config.lora_rank", .kind = FieldKind::integer, .min = 1, .max = 65536, .default_json = "16",
     .engines = kTrainingEngines, .modes = kTraining, .when_path = "framework_config.fine_tuning", .when_values = kAdapters,
     .section = "Training", .label = "LoRA rank", .flags = "--lora-rank", .help = "the adapters' rank",
     .assign = ASSIGN(r.scenario.framework_config.lora_rank = v.integer)},
    {.path = "framework_config.lora_target_modules", .kind = FieldKind::choice_list, .max_entries = 16, .choices = kTargets,
     .default_json = "[\"q_proj\",\"v_proj\"]", .engines = kTrainingEngines, .modes = kTraining,
     .when_path = "framework_config.fine_tuning", .when_values = kAdapters, .section = "Training", .label = "LoRA targets",
     .flags = "--lora-target-modules", .help = "projections by their Llama names, or all-linear",
     .assign = ASSIGN(r.scenario.framework_config.lora_target_modules = v.texts)},
    {.path = "framework_config.optimizer_type", .kind = FieldKind::choice, .choices = kOptimizers, .lowercase = true,
     .default_json = "\"adamw\"", .default_note = "torch's foreach AdamW", .engines = kTrainingEngines, .modes = kTraining,
     .section = "Training", .label = "Optimizer", .flags = "--optimizer", .help = "the optimizer and its implementation",
     .assign = ASSIGN(r.scenario.framework_config.optimizer_type = v.text)},
    {.path = "framework_config.training_precision", .kind = FieldKind::choice, .choices = kPrecisions, .default_json = "\"mixed\"",
     .default_note = "mixed: 16-bit compute with fp32 master weights", .engines = kTrainingEngines, .modes = kTraining,
     .section = "Training", .label = "Training precision", .flags = "--training-precision",
     .help = "mixed (AMP), pure bf16, or fp32",
     .assign = ASSIGN(r.scenario.framework_config.training_precision = nth<TrainingPrecision>(v, kPrecisions))},
    {.path = "framework_config.gradient_checkpointing", .kind = FieldKind::choice, .choices = kCheckpointing,
     .default_json = "\"none\"", .engines = kTrainingEngines, .modes = kTraining, .section = "Training",
     .label = "Gradient checkpointing", .flags = "--gradient-checkpointing",
     .help = "recompute activations in backward: full (transformers') or selective (attention only)",
     .assign = ASSIGN(r.scenario.framework_config.gradient_checkpointing = nth<GradientCheckpointing>(v, kCheckpointing))},
    {.path = "framework_config.gradient_accumulation_steps", .kind = FieldKind::integer, .min = 1, .max = double(1 << 20),
     .default_json = "1", .engines = kTrainingEngines, .modes = kTraining, .section = "Training",
     .label = "Gradient accumulation steps", .flags = "--gradient-accumulation-steps",
     .help = "above 1, gradients outlive each micro-batch", .assign = ASSIGN(r.scenario.framework_config.gradient_accumulation_steps = v.integer)},
    {.path = "framework_config.loss_implementation", .kind = FieldKind::choice, .choices = kLosses, .default_json = "\"standard\"",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Loss", .flags = "--loss",
     .help = "standard (whole fp32 logits) or chunked (torchtune)",
     .assign = ASSIGN(r.scenario.framework_config.loss_implementation = nth<LossImplementation>(v, kLosses))},
    {.path = "framework_config.offload_activations", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Offload activations",
     .flags = "--offload-activations", .help = "checkpointed activations wait in CPU memory (torchtune)",
     .assign = ASSIGN(r.scenario.framework_config.offload_activations = v.boolean)},
    {.path = "framework_config.attention_implementation", .kind = FieldKind::choice, .choices = kAttention,
     .default_json = "\"sdpa\"", .engines = kTrainingEngines, .section = "Training", .label = "Attention kernel",
     .flags = "--attention", .help = "eager keeps the s x s scores; sdpa and flash do not",
     .assign = ASSIGN(r.scenario.framework_config.attention_implementation = nth<AttentionImplementation>(v, kAttention))},
    // ---- transformers (PyTorch) training ----
    {.path = "framework_config.fsdp", .kind = FieldKind::choice, .choices = kSharding, .default_json = "\"none\"",
     .engines = kTransformers, .modes = kTraining, .section = "Training", .label = "FSDP sharding", .flags = "--fsdp",
     .help = "PyTorch FSDP over the data-parallel ranks",
     .assign = ASSIGN(r.scenario.framework_config.fsdp = nth<FsdpSharding>(v, kSharding))},
    {.path = "framework_config.optimizer_in_backward", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTransformers, .modes = kTraining, .section = "Training", .label = "Optimizer in backward",
     .flags = "--optimizer-in-backward", .help = "step each parameter in backward, freeing its gradient (torchtune)",
     .assign = ASSIGN(r.scenario.framework_config.optimizer_in_backward = v.boolean)},
    // ---- DeepSpeed ----
    {.path = "framework_config.offload_optimizer", .kind = FieldKind::choice, .choices = kOffload, .default_json = "\"none\"",
     .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed", .label = "Offload optimizer", .flags = "--offload-optimizer",
     .help = "ZeRO-Offload: optimizer states in CPU memory",
     .assign = ASSIGN(r.scenario.framework_config.offload_optimizer = v.text == "cpu")},
    {.path = "framework_config.offload_param", .kind = FieldKind::choice, .choices = kOffload, .default_json = "\"none\"",
     .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed", .label = "Offload parameters", .flags = "--offload-param",
     .help = "ZeRO-3 parameters in CPU memory", .assign = ASSIGN(r.scenario.framework_config.offload_param = v.text == "cpu")},
    {.path = "framework_config.zero_init", .kind = FieldKind::boolean, .default_json = "true", .engines = kDeepSpeed,
     .modes = kTraining, .section = "DeepSpeed", .label = "zero.Init (ZeRO-3)", .flags = "--zero-init",
     .help = "ZeRO-3 builds the model partitioned", .assign = ASSIGN(r.scenario.framework_config.zero_init = v.boolean)},
    {.path = "framework_config.gpus_per_node", .kind = FieldKind::integer, .min = 1, .max = 1024,
     .default_note = "min(8, all GPUs)", .engines = kDeepSpeed, .modes = kTraining, .section = "DeepSpeed",
     .label = "GPUs per node", .flags = "--gpus-per-node", .help = "for CPU memory per node",
     .assign = ASSIGN(r.scenario.framework_config.gpus_per_node = v.integer)},
    // ---- vLLM: its flags, in its own words; defaults follow vllm_version and the GPU ----
    {.path = "framework_config.vllm_version", .kind = FieldKind::text,
     .default_note = "the newest vLLM this calculator models", .engines = kVllm, .section = "vLLM",
     .label = "vLLM version", .flags = "--vllm-version",
     .help = "as `pip show vllm` prints it: the engine, model runner and defaults follow from it", .check = check_version},
    {.path = "framework_config.gpu_memory_utilization", .kind = FieldKind::number, .min = 0, .max = 1, .min_open = true,
     .bounds_text = "in (0, 1]", .default_note = "vLLM's default for the version", .engines = kVllm, .section = "vLLM",
     .label = "GPU memory utilization", .flags = "--gpu-memory-utilization --gpu-utilization",
     .help = "the share of the GPU's memory vLLM may claim"},
    {.path = "framework_config.vllm_entrypoint", .kind = FieldKind::choice, .choices = kEntrypoints, .default_json = "\"serve\"",
     .engines = kVllm, .section = "vLLM", .label = "Started with", .flags = "--vllm-entrypoint",
     .help = "serve: `vllm serve` (the OpenAI server); llm: Python's LLM class (other defaults)"},
    {.path = "framework_config.enforce_eager", .kind = FieldKind::boolean, .default_json = "false", .engines = kVllm,
     .section = "vLLM", .label = "Enforce eager (no CUDA graphs)", .flags = "--enforce-eager", .help = "capture no CUDA graphs"},
    {.path = "framework_config.disable_custom_all_reduce", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kVllm, .section = "vLLM", .label = "Disable custom all-reduce", .flags = "--disable-custom-all-reduce",
     .help = "NCCL only (vLLM also turns it off on more than two PCIe-only GPUs)"},
    {.path = "framework_config.enable_chunked_prefill", .kind = FieldKind::boolean,
     .default_note = "always in V1; V0 turns it on for contexts over 32K", .engines = kVllm, .section = "vLLM",
     .label = "Chunked prefill", .flags = "--enable-chunked-prefill",
     .help = "split long prompts into max_num_batched_tokens chunks (V0: else a step must hold a whole prompt)", .advanced = true},
    {.path = "framework_config.allow_long_max_model_len", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kVllm, .section = "vLLM", .label = "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1", .flags = "--allow-long-max-model-len",
     .help = "accept a max_model_len beyond the model's derived maximum (vLLM's environment variable)", .advanced = true},
    {.path = "framework_config.cudagraph_capture_sizes", .kind = FieldKind::integer_list, .max = kMaxTokens,
     .max_entries = 4096, .default_note = "vLLM's default list for the version", .engines = kVllm, .section = "vLLM",
     .label = "CUDA graph sizes", .flags = "--cudagraph-capture-sizes --cudagraph-sizes",
     .help = "the batch sizes captured", .advanced = true},
    {.path = "framework_config.non_torch_memory_gib", .kind = FieldKind::number, .min = 0, .max = 1e6,
     .bounds_text = "a number of GiB in [0, 1000000]", .default_note = "estimated from the GPUs and the version",
     .engines = kVllm, .section = "vLLM", .label = "Non-torch memory (GiB)", .flags = "--non-torch-memory-gib",
     .help = "memory outside PyTorch that grows at start-up (NCCL, cuBLAS): state it for WSL2 or a desktop", .advanced = true},
    {.path = "framework_config.vllm_engine", .kind = FieldKind::choice, .choices = kVllmEngines,
     .default_note = "V1 from 0.8 (V0 where 0.8-0.10 fall back to it), V0 before", .engines = kVllm, .section = "vLLM",
     .label = "Engine (override)", .flags = "--vllm-engine", .help = "override what the version implies", .advanced = true},
    {.path = "framework_config.vllm_model_runner", .kind = FieldKind::choice, .choices = kRunners,
     .default_note = "what the version runs by default", .engines = kVllm, .section = "vLLM",
     .label = "Model runner (override)", .flags = "--vllm-model-runner", .help = "V1's model runner", .advanced = true},
    {.path = "framework_config.vllm_sampler", .kind = FieldKind::choice, .choices = kSamplers, .default_json = "\"pytorch\"",
     .engines = kVllm, .section = "vLLM", .label = "Top-k/top-p sampler", .flags = "--vllm-sampler",
     .help = "flashinfer where the log says \"Using FlashInfer for top-p & top-k sampling\"", .advanced = true},
    {.path = "framework_config.profile_cudagraph_memory", .kind = FieldKind::boolean,
     .default_note = "what the version does (the first model runner from 0.21)", .engines = kVllm, .section = "vLLM",
     .label = "Graphs in the KV budget (override)", .flags = "--profile-cudagraph-memory",
     .help = "take the CUDA graphs' memory off the KV budget", .advanced = true},
    {.path = "framework_config.graph_memory_overhead_ratio", .kind = FieldKind::spec_parameter,
     .default_note = "params.graph_memory_overhead_ratio", .engines = kVllm, .section = "vLLM", .label = "Graph overhead ratio (spec formula)",
     .flags = "--graph-memory-overhead-ratio", .help = "the spec's CUDA graph formula instead of vLLM's measured one", .advanced = true},
    {.path = "framework_config.graph_batch_scaling_factor", .kind = FieldKind::spec_parameter,
     .default_note = "params.graph_batch_scaling_factor", .engines = kVllm, .section = "vLLM", .label = "Graph batch scaling (spec formula)",
     .flags = "--graph-batch-scaling-factor", .help = "the spec's CUDA graph formula instead of vLLM's measured one", .advanced = true},
    // ---- The spec's MemoryEstimationParameters ----
#define PARAMETER(member, shown_as, default_text, note_text, engine_mask, mode_mask)                              \
  {.path = "params." #member, .kind = FieldKind::spec_parameter, .default_json = default_text, .default_note = note_text, \
   .engines = engine_mask, .modes = mode_mask, .section = "Overheads", .label = shown_as, .flags = "--param-" #member,   \
   .help = "the spec's " #member, .advanced = true, .assign = ASSIGN(r.params.member = v.number)}
    // vLLM sizes its pool to gpu_memory_utilization: the spec's fragmentation and margin do not
    // stack on it. mixed_precision_overhead_multiplier is read by no engine: precisions are
    // counted tensor by tensor (docs/formulas.md).
    PARAMETER(fragmentation_overhead_factor, "Fragmentation factor", "1.05", "transformers and DeepSpeed", kTrainingEngines, kAllModes),
    PARAMETER(min_memory_safety_margin_gb, "Min safety margin (GiB)", "0.5", "transformers and DeepSpeed", kTrainingEngines, kAllModes),
    PARAMETER(memory_safety_margin_factor, "Safety margin factor", "0.02", "transformers and DeepSpeed", kTrainingEngines, kAllModes),
    PARAMETER(activation_recomputation_factor, "Activations kept (override)", "0.3", "training; applied only when given",
              kTrainingEngines, kTraining),
    PARAMETER(gradient_memory_multiplier, "Gradient multiplier", "1.0", "training", kTrainingEngines, kTraining),
    PARAMETER(graph_memory_overhead_ratio, "Graph overhead ratio", "0.1", "vLLM: set to use the spec's graph formula", kVllm, kAllModes),
    PARAMETER(graph_batch_scaling_factor, "Graph batch scaling", "0.02", "vLLM: set to use the spec's graph formula", kVllm, kAllModes),
    PARAMETER(quantization_overhead_multiplier, "Quantization overhead", "1.1", "formats not modelled", kAllEngines, kAllModes),
    PARAMETER(mixed_precision_overhead_multiplier, "Mixed precision overhead", "1.05", "read by no engine", 0, kAllModes),
#undef PARAMETER
    {.path = "params.default_compute_dtype", .kind = FieldKind::text, .default_json = "\"float16\"", .section = "Overheads",
     .label = "Default compute dtype", .flags = "--param-default_compute_dtype",
     .help = "for configs without torch_dtype", .advanced = true, .assign = ASSIGN(r.params.default_compute_dtype = v.text)},
    {.path = "params.default_storage_dtype", .kind = FieldKind::text, .default_json = "\"float16\"", .section = "Overheads",
     .label = "Default storage dtype", .flags = "--param-default_storage_dtype",
     .help = "for configs without torch_dtype", .advanced = true, .assign = ASSIGN(r.params.default_storage_dtype = v.text)},
};
#undef ASSIGN

const char* kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::integer: return "integer";
    case FieldKind::number: case FieldKind::spec_parameter: return "number";
    case FieldKind::boolean: return "boolean";
    case FieldKind::choice: return "choice";
    case FieldKind::text: return "text";
    case FieldKind::integer_list: return "integer_list";
    case FieldKind::choice_list: return "choice_list";
  }
  return "";
}

nlohmann::ordered_json names(std::span<const V> values) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (V value : values) list.push_back(value);
  return list;
}

nlohmann::ordered_json words(V text) {  // "--a --b" -> ["--a", "--b"]
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    list.push_back(text.substr(0, space));
    text = space == V::npos ? V() : text.substr(space + 1);
  }
  return list;
}

}  // namespace

std::span<const FieldSpec> request_fields() { return kFields; }

const FieldSpec* find_field(std::string_view path) {
  for (const FieldSpec& field : kFields) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

std::string field_value_json(const Scenario& scenario, const FieldSpec& field) {
  const FieldValue* v = scenario.given.find(field.path);
  if (!v) return std::string(field.default_json);
  nlohmann::json value;
  switch (field.kind) {
    case FieldKind::integer: value = v->integer; break;
    case FieldKind::number: case FieldKind::spec_parameter: value = v->number; break;
    case FieldKind::boolean: value = v->boolean; break;
    case FieldKind::choice: case FieldKind::text: value = v->text; break;
    case FieldKind::integer_list: value = v->integers; break;
    case FieldKind::choice_list: value = v->texts; break;
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool field_applies(const FieldSpec& field, const Request& request) {
  if (!field.applies_to(request.framework, request.scenario.mode)) return false;
  if (field.when_path.empty()) return true;
  const std::string current = field_value_json(request.scenario, *find_field(field.when_path));
  for (V value : field.when_values) {
    if (current == "\"" + std::string(value) + "\"") return true;
  }
  return false;
}

std::string schema_json() {
  using ordered = nlohmann::ordered_json;
  ordered fields = ordered::array();
  for (const FieldSpec& f : kFields) {
    ordered field = {{"path", f.path}, {"kind", kind_name(f.kind)}};
    if (f.kind == FieldKind::integer || f.kind == FieldKind::number) {
      field["min"] = f.min;
      field["max"] = f.max;
      if (f.min_open) field["min_open"] = true;
      if (f.max_open) field["max_open"] = true;
    }
    if (f.kind == FieldKind::spec_parameter) {
      const V name = f.path.substr(f.path.rfind('.') + 1);
      for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
        if (b->name == name) field.update({{"min", b->min}, {"max", b->max}});
      }
    }
    if (f.max_entries) field["max_entries"] = f.max_entries;
    if (!f.choices.empty()) field["choices"] = names(f.choices);
    field["default"] = f.default_json.empty() ? ordered(nullptr) : ordered::parse(f.default_json);
    if (!f.default_note.empty()) field["default_note"] = f.default_note;
    ordered engines = ordered::array(), modes = ordered::array();
    for (std::size_t i = 0; i < kFrameworks.size(); ++i) {
      if (f.engines & (1u << i)) engines.push_back(kFrameworks[i]);
    }
    for (std::size_t i = 0; i < kModes.size(); ++i) {
      if (f.modes & (1u << i)) modes.push_back(kModes[i]);
    }
    field["engines"] = engines;
    field["modes"] = modes;
    if (!f.when_path.empty()) field["when"] = {{"path", f.when_path}, {"values", names(f.when_values)}};
    field.update({{"section", f.section}, {"label", f.label}, {"flags", words(f.flags)}, {"help", f.help},
                  {"advanced", f.advanced}});
    fields.push_back(std::move(field));
  }
  ordered gpus = ordered::array();
  for (const GpuModel& g : gpu_catalogue()) {
    gpus.push_back({{"name", g.name}, {"aliases", words(g.aliases)}, {"device_name", g.device_name},
                    {"memory_gib", g.memory_gib},
                    {"compute_capability", g.compute_capability > 0 ? ordered(g.compute_capability) : ordered(nullptr)},
                    {"source", g.source}});
  }
  return ordered{{"fields", fields}, {"engines", names(kFrameworks)}, {"gpus", gpus}}.dump();
}

}  // namespace llmmem
