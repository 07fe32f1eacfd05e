// The fields every engine shares: the engine, the workload transformers and DeepSpeed run, the
// parallel sizes, the GPU, training, and the spec's parameters. Each engine adds its own block
// (engines/<engine>/fields.cpp).
#include <array>
#include <string>

#include "accounting/weights_as.hpp"
#include "input/field_block.hpp"
#include "input/json_reader.hpp"
#include "llmmem/gpus.hpp"

namespace llmmem::fields {
namespace {

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
constexpr std::array<V, 3> kAttention = {"sdpa", "flash_attention_2", "eager"};

void check_gpu(const std::string& path, const FieldValue& v) {
  if (find_gpu(v.text)) return;
  std::string names;
  for (const GpuModel& gpu : gpu_catalogue()) names += (names.empty() ? "\"" : ", \"") + std::string(gpu.name) + "\"";
  detail::fail(path, "unknown GPU " + detail::quote_text(v.text) + " (the catalogue: " + names +
                         "; or give framework_config.gpu_memory_gib alone)");
}

constexpr FieldSpec kShared[] = {
    // ---- The engine and the workload every engine shares ----
    {.path = "framework", .kind = FieldKind::choice, .choices = kFrameworkNames, .default_json = "\"transformers\"",
     .section = "Engine", .label = "Engine", .flags = "--framework",
     .help = "transformers (inference or training), vllm (serving) or deepspeed (ZeRO training)",
     .assign = LLMMEM_ASSIGN(r.framework = nth<Framework>(v, kFrameworkNames))},
    {.path = "workload.mode", .kind = FieldKind::choice, .choices = kModeNames,
     .default_note = "inference for transformers and vllm, training for deepspeed",
     .section = "Engine", .label = "Mode", .flags = "--mode",
     .help = "run the model (generate) or train it",
     .assign = LLMMEM_ASSIGN(r.scenario.mode = nth<Mode>(v, kModeNames))},
    {.path = "workload.batch_size", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens, .default_json = "1",
     .engines = kTransformers | kDeepSpeed, .section = "Workload", .label = "Batch size", .flags = "--batch --batch-size",
     .help = "sequences processed at once", .assign = LLMMEM_ASSIGN(r.scenario.workload.batch_size = v.integer)},
    {.path = "workload.sequence_length", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens, .default_json = "512",
     .engines = kTransformers | kDeepSpeed, .section = "Workload", .label = "Sequence length", .flags = "--seq --sequence-length",
     .help = "tokens per sequence", .assign = LLMMEM_ASSIGN(r.scenario.workload.sequence_length = v.integer)},    {.path = "workload.kv_cache_dtype", .kind = FieldKind::choice, .choices = kKvDtypes, .default_json = "\"auto\"",
     .default_note = "auto: the model's dtype", .engines = kTransformers | kVllm | kSglang, .modes = kInference,
     .section = "Workload", .label = "KV cache dtype", .flags = "--kv-cache-dtype", .help = "the KV cache's element type",
     .assign = LLMMEM_ASSIGN(r.scenario.workload.kv_cache_dtype = v.text)},    // ---- Parallelism ----
    {.path = "parallelism.tensor_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .engines = kSplittingEngines, .section = "Parallelism", .label = "Tensor parallel", .flags = "--tensor-parallel-size --tp",
     .help = "GPUs each layer is split over", .assign = LLMMEM_ASSIGN(r.scenario.parallelism.tensor_parallel_size = v.integer)},
    {.path = "parallelism.pipeline_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .section = "Parallelism", .label = "Pipeline parallel", .flags = "--pipeline-parallel-size --pp",
     .help = "stages the layers are split into", .assign = LLMMEM_ASSIGN(r.scenario.parallelism.pipeline_parallel_size = v.integer)},
    {.path = "parallelism.data_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .engines = kSplittingEngines, .section = "Parallelism", .label = "Data parallel", .flags = "--data-parallel-size --dp",
     .help = "replicas (ZeRO and FSDP shard states over them)", .assign = LLMMEM_ASSIGN(r.scenario.parallelism.data_parallel_size = v.integer)},
    {.path = "parallelism.expert_parallel_size", .kind = FieldKind::integer, .min = 1, .max = kMaxGpus, .default_json = "1",
     .engines = kSplittingEngines, .section = "Parallelism", .label = "Expert parallel", .flags = "--expert-parallel-size --ep",
     .help = "GPUs the experts are spread over (vLLM: tensor x data parallel, with --enable-expert-parallel)",
     .assign = LLMMEM_ASSIGN(r.scenario.parallelism.expert_parallel_size = v.integer)},
    {.path = "parallelism.sequence_parallel", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Parallelism", .label = "Sequence parallel",
     .flags = "--sequence-parallel", .help = "Megatron sequence parallelism (needs tensor parallel > 1)",
     .assign = LLMMEM_ASSIGN(r.scenario.parallelism.sequence_parallel = v.boolean)},    // ---- The GPU ----
    {.path = "framework_config.gpu", .kind = FieldKind::text, .default_note = "none: no verdict",
     .section = "GPU", .label = "GPU", .flags = "--gpu",
     .help = "a catalogue GPU by name (\"H100\", \"A100 40GB\", \"RTX 4090\"): its memory, compute capability and name",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gpu = v.text), .check = check_gpu},
    {.path = "framework_config.gpu_memory_gib", .kind = FieldKind::number, .min = 0, .max = 1e6, .min_open = true,
     .bounds_text = "a number of GiB in (0, 1000000]", .default_note = "the catalogue GPU's, else none",
     .section = "GPU", .label = "GPU memory (GiB)", .flags = "--gpu-memory --gpu-memory-gib",
     .help = "memory per GPU as the framework sees it", .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gpu_memory_gib = v.number)},
    {.path = "framework_config.gpu_compute_capability", .kind = FieldKind::number, .min = 1, .max = 100, .max_open = true,
     .bounds_text = "a CUDA compute capability such as 8.0 or 9.0", .default_note = "the catalogue GPU's",
     .engines = kVllm, .section = "GPU", .label = "GPU compute capability", .flags = "--gpu-compute-capability",
     .help = "vLLM picks kernels (and MXFP4 experts' layout) by it", .advanced = true,
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gpu_compute_capability = v.number)},    // ---- Training (transformers and DeepSpeed) ----
    {.path = "framework_config.fine_tuning", .kind = FieldKind::choice, .choices = kFineTuning, .default_json = "\"full\"",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Fine-tuning", .flags = "--fine-tuning",
     .help = "full, LoRA adapters on a 16-bit base, or QLoRA on an NF4 base",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.fine_tuning = nth<FineTuning>(v, kFineTuning))},
    {.path = "framework_config.lora_rank", .kind = FieldKind::integer, .min = 1, .max = 65536, .default_json = "16",
     .engines = kTrainingEngines, .modes = kTraining, .when_path = "framework_config.fine_tuning", .when_values = kAdapters,
     .section = "Training", .label = "LoRA rank", .flags = "--lora-rank", .help = "the adapters' rank",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.lora_rank = v.integer)},
    {.path = "framework_config.lora_target_modules", .kind = FieldKind::choice_list, .max_entries = 16, .choices = kTargets,
     .default_json = "[\"q_proj\",\"v_proj\"]", .engines = kTrainingEngines, .modes = kTraining,
     .when_path = "framework_config.fine_tuning", .when_values = kAdapters, .section = "Training", .label = "LoRA targets",
     .flags = "--lora-target-modules", .help = "projections by their Llama names, or all-linear",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.lora_target_modules = v.texts)},
    {.path = "framework_config.optimizer_type", .kind = FieldKind::choice, .choices = kOptimizers, .lowercase = true,
     .default_json = "\"adamw\"", .default_note = "torch's foreach AdamW", .engines = kTrainingEngines, .modes = kTraining,
     .section = "Training", .label = "Optimizer", .flags = "--optimizer", .help = "the optimizer and its implementation",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.optimizer_type = v.text)},
    {.path = "framework_config.training_precision", .kind = FieldKind::choice, .choices = kPrecisions, .default_json = "\"mixed\"",
     .default_note = "mixed: 16-bit compute with fp32 master weights", .engines = kTrainingEngines, .modes = kTraining,
     .section = "Training", .label = "Training precision", .flags = "--training-precision",
     .help = "mixed (AMP), pure bf16, or fp32",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.training_precision = nth<TrainingPrecision>(v, kPrecisions))},
    {.path = "framework_config.gradient_checkpointing", .kind = FieldKind::choice, .choices = kCheckpointing,
     .default_json = "\"none\"", .engines = kTrainingEngines, .modes = kTraining, .section = "Training",
     .label = "Gradient checkpointing", .flags = "--gradient-checkpointing",
     .help = "recompute activations in backward: full (transformers') or selective (attention only)",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gradient_checkpointing = nth<GradientCheckpointing>(v, kCheckpointing))},
    {.path = "framework_config.gradient_accumulation_steps", .kind = FieldKind::integer, .min = 1, .max = double(1 << 20),
     .default_json = "1", .engines = kTrainingEngines, .modes = kTraining, .section = "Training",
     .label = "Gradient accumulation steps", .flags = "--gradient-accumulation-steps",
     .help = "above 1, gradients outlive each micro-batch", .assign = LLMMEM_ASSIGN(r.scenario.framework_config.gradient_accumulation_steps = v.integer)},
    {.path = "framework_config.loss_implementation", .kind = FieldKind::choice, .choices = kLosses, .default_json = "\"standard\"",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Loss", .flags = "--loss",
     .help = "standard (whole fp32 logits) or chunked (torchtune)",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.loss_implementation = nth<LossImplementation>(v, kLosses))},
    {.path = "framework_config.offload_activations", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kTrainingEngines, .modes = kTraining, .section = "Training", .label = "Offload activations",
     .flags = "--offload-activations", .help = "checkpointed activations wait in CPU memory (torchtune)",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.offload_activations = v.boolean)},
    {.path = "framework_config.attention_implementation", .kind = FieldKind::choice, .choices = kAttention,
     .default_json = "\"sdpa\"", .engines = kTrainingEngines, .section = "Training", .label = "Attention kernel",
     .flags = "--attention", .help = "eager keeps the s x s scores; sdpa and flash do not",
     .assign = LLMMEM_ASSIGN(r.scenario.framework_config.attention_implementation = nth<AttentionImplementation>(v, kAttention))},
    // ---- The checkpoint's own word on its weights (its safetensors headers) ----
    {.path = "checkpoint.tensor_bytes", .kind = FieldKind::integer, .min = 1, .max = 1e15,
     .default_note = "none: weights from config.json's formula", .section = "Checkpoint", .label = "Tensor bytes (headers)",
     .flags = "--checkpoint-tensor-bytes",
     .help = "the bytes of every tensor its safetensors headers list (the index's metadata.total_size; llm-mem checkpoint reads them)",
     .advanced = true, .assign = LLMMEM_ASSIGN(r.model.checkpoint.tensor_bytes = v.integer)},
    {.path = "checkpoint.weights_as", .kind = FieldKind::choice, .choices = detail::kWeightsAs,
     .choice_labels = detail::kWeightsAsLabels, .lowercase = true, .default_json = "\"stored\"",
     .default_note = "the checkpoint's own dtype or quantization", .section = "Checkpoint", .label = "Weights as",
     .flags = "--weights-as",
     .help = "what if it were quantized: the weights as each tool stores them (AWQ, GPTQ, FP8, NF4, MXFP4) or as llama.cpp's quantize mixes them (Q4_K_M...)",
     .assign = LLMMEM_ASSIGN(r.model.weights_as = v.text)},
    {.path = "checkpoint.parameters", .kind = FieldKind::integer, .min = 1, .max = 1e15,
     .default_note = "none", .section = "Checkpoint", .label = "Parameters (headers)", .flags = "--checkpoint-parameters",
     .help = "the elements of every tensor its headers list (the hub's safetensors.total), to compare with the config's count",
     .advanced = true, .assign = LLMMEM_ASSIGN(r.model.checkpoint.parameters = v.integer)},
    // A GGUF header's tensors by where llama.cpp places them (llm-mem checkpoint FILE.gguf, the
    // page's "Open a GGUF file"): the weights to the byte, layer by layer.
    {.path = "checkpoint.input_bytes", .kind = FieldKind::integer, .min = 0, .max = 1e15, .default_note = "none",
     .engines = kLlamaCpp, .section = "Checkpoint", .label = "Input tensors' bytes (GGUF)", .flags = "--checkpoint-input-bytes",
     .help = "token_embd and the rest of the input side, as its GGUF header lists them", .advanced = true,
     .assign = LLMMEM_ASSIGN(r.model.checkpoint.input_bytes = v.integer)},
    {.path = "checkpoint.output_bytes", .kind = FieldKind::integer, .min = 0, .max = 1e15, .default_note = "none",
     .engines = kLlamaCpp, .section = "Checkpoint", .label = "Output tensors' bytes (GGUF)", .flags = "--checkpoint-output-bytes",
     .help = "the output head and final norm, as its GGUF header lists them", .advanced = true,
     .assign = LLMMEM_ASSIGN(r.model.checkpoint.output_bytes = v.integer)},
    {.path = "checkpoint.layer_bytes", .kind = FieldKind::integer_list, .max = 1e15, .max_entries = 100000,
     .default_note = "none", .engines = kLlamaCpp, .section = "Checkpoint", .label = "Layers' bytes (GGUF)",
     .flags = "--checkpoint-layer-bytes", .help = "each blk.N's tensors, as its GGUF header lists them", .advanced = true,
     .assign = LLMMEM_ASSIGN(r.model.checkpoint.layer_bytes = v.integers)},
};

constexpr FieldSpec kParameters[] = {
    // ---- The spec's MemoryEstimationParameters ----
#define PARAMETER(member, shown_as, default_text, note_text, engine_mask, mode_mask)                              \
  {.path = "params." #member, .kind = FieldKind::spec_parameter, .default_json = default_text, .default_note = note_text, \
   .engines = engine_mask, .modes = mode_mask, .section = "Overheads", .label = shown_as, .flags = "--param-" #member,   \
   .help = "the spec's " #member, .advanced = true, .assign = LLMMEM_ASSIGN(r.params.member = v.number)}
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
     .help = "for configs without torch_dtype", .advanced = true, .assign = LLMMEM_ASSIGN(r.params.default_compute_dtype = v.text)},
    {.path = "params.default_storage_dtype", .kind = FieldKind::text, .default_json = "\"float16\"", .section = "Overheads",
     .label = "Default storage dtype", .flags = "--param-default_storage_dtype",
     .help = "for configs without torch_dtype", .advanced = true, .assign = LLMMEM_ASSIGN(r.params.default_storage_dtype = v.text)},
};

}  // namespace

std::span<const FieldSpec> shared_fields() { return kShared; }
std::span<const FieldSpec> parameter_fields() { return kParameters; }

}  // namespace llmmem::fields
