// Request JSON (DESIGN.md "Contract") -> Request, every field validated with its path.
#include <algorithm>
#include <array>
#include <string_view>

#include "input/config_parser.hpp"
#include "input/json_reader.hpp"
#include "input/request_parser.hpp"
#include "llmmem/api.hpp"

namespace llmmem {
namespace {

using detail::fail;
using detail::json;
using detail::ObjectReader;

constexpr std::int64_t kMaxTokens = std::int64_t(1) << 40;  // far past any context or batch
constexpr std::int64_t kMaxGpus = std::int64_t(1) << 20;

template <typename Enum, std::size_t N>
Enum choose(const std::string& path, const std::string& value,
            const std::array<std::pair<std::string_view, Enum>, N>& choices) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (name == value) return choice;
    names += (names.empty() ? "\"" : ", \"") + std::string(name) + "\"";
  }
  fail(path, "must be one of " + names + ", got " + detail::quote_text(value));
}

/// An optional field of the request that names one of `choices`; `out` keeps its default when absent.
template <typename Enum, std::size_t N>
void read_choice(ObjectReader& r, std::string_view key, const std::array<std::pair<std::string_view, Enum>, N>& choices,
                 Enum& out) {
  if (auto value = r.string({key})) out = choose(r.path_of(key), *value, choices);
}

Workload read_workload(ObjectReader& r) {
  Workload w;
  w.batch_size = r.integer({"batch_size"}, 1, kMaxTokens).value_or(w.batch_size);
  w.sequence_length = r.integer({"sequence_length"}, 1, kMaxTokens).value_or(w.sequence_length);
  w.max_num_seqs = r.integer({"max_num_seqs"}, 1, kMaxTokens).value_or(w.max_num_seqs);
  w.max_model_len = r.integer({"max_model_len"}, 1, kMaxTokens).value_or(w.max_model_len);
  w.max_num_batched_tokens =
      r.integer({"max_num_batched_tokens"}, 1, kMaxTokens).value_or(w.max_num_batched_tokens);
  w.block_size = r.integer({"block_size"}, 1, 1 << 20).value_or(w.block_size);
  if (auto dtype = r.string({"kv_cache_dtype"})) {
    constexpr std::array<std::pair<std::string_view, int>, 11> kKvDtypes = {{
        {"auto", 0}, {"float16", 0}, {"fp16", 0}, {"half", 0}, {"bfloat16", 0}, {"bf16", 0},
        {"float32", 0}, {"fp32", 0}, {"fp8", 0}, {"fp8_e4m3", 0}, {"fp8_e5m2", 0}}};
    choose(r.path_of("kv_cache_dtype"), *dtype, kKvDtypes);
    w.kv_cache_dtype = *dtype;
  }
  r.reject_unknown_fields();
  return w;
}

Parallelism read_parallelism(ObjectReader& r) {
  Parallelism p;
  p.tensor_parallel_size = r.integer({"tensor_parallel_size"}, 1, kMaxGpus).value_or(1);
  p.pipeline_parallel_size = r.integer({"pipeline_parallel_size"}, 1, kMaxGpus).value_or(1);
  p.data_parallel_size = r.integer({"data_parallel_size"}, 1, kMaxGpus).value_or(1);
  p.expert_parallel_size = r.integer({"expert_parallel_size"}, 1, kMaxGpus).value_or(1);
  p.zero_stage = r.integer({"zero_stage"}, 0, 3).value_or(0);
  p.sequence_parallel = r.boolean({"sequence_parallel"}).value_or(false);
  r.reject_unknown_fields();
  return p;
}

/// A spec parameter: a number within its spec bound, else the spec's own message.
void read_bounded(ObjectReader& r, std::string_view name, double& target) {
  std::string written;
  auto value = r.number({name}, &written);
  if (!value) return;
  for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
    if (b->name == name && !(b->min <= *value && *value <= b->max)) {
      throw InputError(r.path_of(name), out_of_range_message(*b, written));
    }
  }
  target = *value;
}

FrameworkConfig read_framework_config(ObjectReader& r, const MemoryEstimationParameters& params) {
  FrameworkConfig f;
  if (auto optimizer = r.string({"optimizer_type"})) {
    std::string lower = *optimizer;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    constexpr std::array<std::pair<std::string_view, int>, 10> kOptimizers = {
        {{"adamw", 0}, {"adam", 0}, {"adamw_fused", 0}, {"adamw_8bit", 0}, {"paged_adamw", 0},
         {"paged_adamw_8bit", 0}, {"adafactor", 0}, {"sgd", 0}, {"sgd_momentum", 0}, {"lion", 0}}};
    choose(r.path_of("optimizer_type"), lower, kOptimizers);
    f.optimizer_type = lower;
  }
  if (const json* sizes = r.find({"cudagraph_capture_sizes"})) {
    const std::string path = r.path_of("cudagraph_capture_sizes");
    if (!sizes->is_array()) fail(path, "must be an array of positive integers, got " + detail::quote_value(*sizes));
    if (sizes->size() > 4096) fail(path, "must have at most 4096 entries, got " + std::to_string(sizes->size()));
    for (std::size_t i = 0; i < sizes->size(); ++i) {
      f.cudagraph_capture_sizes.push_back(
          detail::integer_value((*sizes)[i], path + "[" + std::to_string(i) + "]", 1, kMaxTokens));
    }
  }
  constexpr std::array<std::pair<std::string_view, TrainingPrecision>, 3> kPrecisions = {{
      {"mixed", TrainingPrecision::mixed}, {"bf16", TrainingPrecision::bf16}, {"fp32", TrainingPrecision::fp32}}};
  read_choice(r, "training_precision", kPrecisions, f.training_precision);
  constexpr std::array<std::pair<std::string_view, GradientCheckpointing>, 3> kCheckpointing = {{
      {"none", GradientCheckpointing::none}, {"selective", GradientCheckpointing::selective},
      {"full", GradientCheckpointing::full}}};
  read_choice(r, "gradient_checkpointing", kCheckpointing, f.gradient_checkpointing);
  constexpr std::array<std::pair<std::string_view, FineTuning>, 3> kFineTuning = {{
      {"full", FineTuning::full}, {"lora", FineTuning::lora}, {"qlora", FineTuning::qlora}}};
  read_choice(r, "fine_tuning", kFineTuning, f.fine_tuning);
  f.lora_rank = r.integer({"lora_rank"}, 1, 65536).value_or(f.lora_rank);
  if (const json* targets = r.find({"lora_target_modules"})) {
    const std::string path = r.path_of("lora_target_modules");
    if (!targets->is_array() || targets->empty()) {
      fail(path, "must be a non-empty array of projection names, got " + detail::quote_value(*targets));
    }
    constexpr std::array<std::pair<std::string_view, int>, 8> kTargets = {
        {{"q_proj", 0}, {"k_proj", 0}, {"v_proj", 0}, {"o_proj", 0}, {"gate_proj", 0}, {"up_proj", 0},
         {"down_proj", 0}, {"all-linear", 0}}};
    f.lora_target_modules.clear();
    if (targets->size() > 16) fail(path, "must have at most 16 entries, got " + std::to_string(targets->size()));
    for (std::size_t i = 0; i < targets->size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (!(*targets)[i].is_string()) fail(item_path, "must be a projection name, got " + detail::quote_value((*targets)[i]));
      const std::string name = (*targets)[i].get<std::string>();
      choose(item_path, name, kTargets);
      f.lora_target_modules.push_back(name);
    }
  }
  constexpr std::array<std::pair<std::string_view, LossImplementation>, 2> kLosses = {{
      {"standard", LossImplementation::standard}, {"chunked", LossImplementation::chunked}}};
  read_choice(r, "loss_implementation", kLosses, f.loss_implementation);
  constexpr std::array<std::pair<std::string_view, FsdpSharding>, 3> kSharding = {{
      {"none", FsdpSharding::none}, {"shard_grad_op", FsdpSharding::shard_grad_op},
      {"full_shard", FsdpSharding::full_shard}}};
  read_choice(r, "fsdp", kSharding, f.fsdp);
  f.optimizer_in_backward = r.boolean({"optimizer_in_backward"}).value_or(false);
  f.gradient_accumulation_steps = r.integer({"gradient_accumulation_steps"}, 1, 1 << 20).value_or(1);
  f.offload_activations = r.boolean({"offload_activations"}).value_or(false);
  f.enforce_eager = r.boolean({"enforce_eager"}).value_or(false);
  f.profile_cudagraph_memory = r.boolean({"profile_cudagraph_memory"}).value_or(true);
  f.disable_custom_all_reduce = r.boolean({"disable_custom_all_reduce"}).value_or(false);
  constexpr std::array<std::pair<std::string_view, bool>, 2> kOffload = {{{"none", false}, {"cpu", true}}};
  read_choice(r, "offload_optimizer", kOffload, f.offload_optimizer);
  read_choice(r, "offload_param", kOffload, f.offload_param);
  f.zero_init = r.boolean({"zero_init"}).value_or(f.zero_init);
  f.gpus_per_node = r.integer({"gpus_per_node"}, 1, 1024);
  constexpr std::array<std::pair<std::string_view, AttentionImplementation>, 3> kImplementations = {{
      {"sdpa", AttentionImplementation::sdpa},
      {"flash_attention_2", AttentionImplementation::flash_attention_2},
      {"eager", AttentionImplementation::eager}}};
  read_choice(r, "attention_implementation", kImplementations, f.attention_implementation);
  if (auto memory = r.number({"gpu_memory_gib"})) {
    if (*memory <= 0 || *memory > 1e6) {
      fail(r.path_of("gpu_memory_gib"), "must be a number of GiB in (0, 1000000], got " + detail::quote_value(*memory));
    }
    f.gpu_memory_gib = *memory;
  }
  if (auto capability = r.number({"gpu_compute_capability"})) {
    if (*capability < 1 || *capability >= 100) {
      fail(r.path_of("gpu_compute_capability"), "must be a CUDA compute capability such as 8.0 or 9.0, got " +
                                                    detail::quote_value(*capability));
    }
    f.gpu_compute_capability = *capability;
  }
  if (auto utilization = r.number({"gpu_memory_utilization"})) {
    if (*utilization <= 0 || *utilization > 1) {
      fail(r.path_of("gpu_memory_utilization"), "must be in (0, 1], got " + detail::quote_value(*utilization));
    }
    f.gpu_memory_utilization = *utilization;
  }
  if (auto non_torch = r.number({"non_torch_memory_gib"})) {
    if (*non_torch < 0 || *non_torch > 1e6) {
      fail(r.path_of("non_torch_memory_gib"), "must be a number of GiB in [0, 1000000], got " + detail::quote_value(*non_torch));
    }
    f.non_torch_memory_gib = *non_torch;
  }
  constexpr std::array<std::pair<std::string_view, VllmEngine>, 2> kEngines = {{{"v1", VllmEngine::v1}, {"v0", VllmEngine::v0}}};
  read_choice(r, "vllm_engine", kEngines, f.vllm_engine);
  constexpr std::array<std::pair<std::string_view, VllmModelRunner>, 2> kRunners = {{
      {"v2", VllmModelRunner::v2}, {"v1", VllmModelRunner::v1}}};
  read_choice(r, "vllm_model_runner", kRunners, f.vllm_model_runner);
  constexpr std::array<std::pair<std::string_view, VllmSampler>, 2> kSamplers = {{
      {"pytorch", VllmSampler::pytorch}, {"flashinfer", VllmSampler::flashinfer}}};
  read_choice(r, "vllm_sampler", kSamplers, f.vllm_sampler);
  // The spec lets these two override the parameters of the same name, within the same bounds.
  double ratio = params.graph_memory_overhead_ratio, scaling = params.graph_batch_scaling_factor;
  if (r.find({"graph_memory_overhead_ratio"})) {
    read_bounded(r, "graph_memory_overhead_ratio", ratio);
    f.graph_memory_overhead_ratio = ratio;
  }
  if (r.find({"graph_batch_scaling_factor"})) {
    read_bounded(r, "graph_batch_scaling_factor", scaling);
    f.graph_batch_scaling_factor = scaling;
  }
  r.reject_unknown_fields();
  return f;
}

MemoryEstimationParameters read_params(ObjectReader& r) {
  MemoryEstimationParameters p;
  for (auto b = parameter_bounds_begin(); b != parameter_bounds_end(); ++b) {
    read_bounded(r, b->name, p.*(b->member));
  }
  p.activation_recomputation_factor_given = r.find({"activation_recomputation_factor"}) != nullptr;
  p.default_compute_dtype = r.string({"default_compute_dtype"}).value_or(p.default_compute_dtype);
  p.default_storage_dtype = r.string({"default_storage_dtype"}).value_or(p.default_storage_dtype);
  r.reject_unknown_fields();
  p.validate();
  return p;
}

}  // namespace

namespace {

// Bounds that no real config.json or request comes near (a config is a few KB; a 100,000-point
// sweep about 1 MB), checked by one pass over the bytes before any parsing, so hostile input is
// refused in microseconds instead of exhausting memory or the stack.
constexpr std::size_t kMaxJsonBytes = std::size_t(4) << 20;
constexpr int kMaxJsonDepth = 64;
constexpr std::size_t kMaxJsonValues = 250000;

void check_json_bounds(std::string_view text, const std::string& what) {
  if (text.size() > kMaxJsonBytes) {
    fail(what, "too large: " + std::to_string(text.size()) + " bytes, at most " +
                   std::to_string(kMaxJsonBytes) + " (4 MiB)");
  }
  int depth = 0;
  std::size_t separators = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '\0':  // nlohmann stops at a NUL byte and would ignore whatever follows it
        fail(what, "holds a NUL byte at offset " + std::to_string(i));
      case '"': in_string = true; break;
      case '[': case '{':
        if (++depth > kMaxJsonDepth) fail(what, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        break;
      case ']': case '}': --depth; break;
      case ',': case ':':
        if (++separators > kMaxJsonValues) {
          fail(what, "holds more than " + std::to_string(kMaxJsonValues) + " values");
        }
        break;
      default: break;
    }
  }
}

}  // namespace

json detail::parse_json_text(std::string_view text, const std::string& what) {
  check_json_bounds(text, what);
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // Syntax errors and number overflow (1e400). nlohmann's text says where ("line 1,
    // column 2"); drop its "[json.exception...]" prefix.
    std::string detail = e.what();
    if (auto bracket = detail.find("] "); bracket != std::string::npos) detail.erase(0, bracket + 2);
    fail(what, "not valid JSON (" + detail + ")");
  }
}

const char* to_string(Framework framework) {
  switch (framework) {
    case Framework::vllm: return "vllm";
    case Framework::deepspeed: return "deepspeed";
    default: return "transformers";
  }
}

const char* to_string(Mode mode) { return mode == Mode::training ? "training" : "inference"; }

ModelSpec parse_config(std::string_view config_json) {
  return detail::model_from_config(detail::parse_json_text(config_json, "config"), "config");
}

Request parse_request(std::string_view request_json) {
  return detail::request_from_json(detail::parse_json_text(request_json, "request"));
}

Request detail::request_from_json(const json& root) {
  if (!root.is_object()) fail("request", std::string("must be a JSON object, got ") + detail::json_type_name(root));
  ObjectReader r(root, "");

  Request request;
  if (const json* params = r.find({"params"})) {
    ObjectReader reader(*params, "params");
    request.params = read_params(reader);
  }
  const json* config = r.find({"config"});
  if (!config) fail("config", "missing (the model's Hugging Face config.json object)");
  request.model = detail::model_from_config(*config, "config");

  if (auto framework = r.string({"framework"})) {
    constexpr std::array<std::pair<std::string_view, Framework>, 3> kFrameworks = {{
        {"transformers", Framework::transformers}, {"vllm", Framework::vllm},
        {"deepspeed", Framework::deepspeed}}};
    request.framework = choose("framework", *framework, kFrameworks);
  }
  Scenario& scenario = request.scenario;
  scenario.mode = request.framework == Framework::deepspeed ? Mode::training : Mode::inference;
  if (const json* workload = r.find({"workload"})) {
    ObjectReader reader(*workload, "workload");
    if (auto mode = reader.string({"mode"})) {
      constexpr std::array<std::pair<std::string_view, Mode>, 2> kModes = {{
          {"inference", Mode::inference}, {"training", Mode::training}}};
      scenario.mode = choose("workload.mode", *mode, kModes);
    }
    scenario.workload = read_workload(reader);
  }
  if (request.framework == Framework::vllm && scenario.mode == Mode::training) {
    fail("workload.mode", "vllm serves models: \"training\" needs framework \"transformers\" or \"deepspeed\"");
  }
  if (request.framework == Framework::deepspeed && scenario.mode == Mode::inference) {
    fail("workload.mode", "the deepspeed estimator models ZeRO training: use \"training\", or framework "
                          "\"transformers\" or \"vllm\" for inference");
  }
  if (const json* parallelism = r.find({"parallelism"})) {
    ObjectReader reader(*parallelism, "parallelism");
    scenario.parallelism = read_parallelism(reader);
  }
  if (const json* framework_config = r.find({"framework_config"})) {
    ObjectReader reader(*framework_config, "framework_config");
    scenario.framework_config = read_framework_config(reader, request.params);
  }
  r.reject_unknown_fields();
  validate_request(request);
  return request;
}

void validate_request(const Request& request) {
  const Parallelism& p = request.scenario.parallelism;
  if (p.zero_stage > 0 && request.framework != Framework::deepspeed) {
    fail("parallelism.zero_stage", "ZeRO needs framework \"deepspeed\", got zero_stage " +
                                       std::to_string(p.zero_stage) + " with \"" +
                                       to_string(request.framework) + "\"");
  }
  const FrameworkConfig& f = request.scenario.framework_config;
  if ((f.offload_optimizer || f.offload_param) && request.framework != Framework::deepspeed) {
    fail(f.offload_optimizer ? "framework_config.offload_optimizer" : "framework_config.offload_param",
         "CPU offload needs framework \"deepspeed\"");
  }
  if (f.offload_optimizer && p.zero_stage == 0) {
    fail("framework_config.offload_optimizer", "ZeRO-Offload needs zero_stage 1, 2 or 3, got 0");
  }
  if (f.offload_param && (p.zero_stage != 3 || !f.offload_optimizer)) {
    fail("framework_config.offload_param",
         "parameter offload needs zero_stage 3 with offload_optimizer \"cpu\" (DeepSpeed offers no other combination)");
  }
  if (f.fsdp != FsdpSharding::none && request.framework != Framework::transformers) {
    fail("framework_config.fsdp", std::string("FSDP is PyTorch's: it needs framework \"transformers\" (DeepSpeed shards with zero_stage), got \"") +
                                      to_string(request.framework) + "\"");
  }
  if (f.optimizer_in_backward && request.framework == Framework::deepspeed) {
    fail("framework_config.optimizer_in_backward", "optimizer_in_backward is a PyTorch (torchtune) technique: it needs framework \"transformers\"");
  }
  if (f.offload_activations && f.gradient_checkpointing == GradientCheckpointing::none) {
    fail("framework_config.offload_activations",
         "activation offloading moves the checkpointed layer inputs: it needs gradient_checkpointing \"full\" or \"selective\"");
  }
  if (p.sequence_parallel && p.tensor_parallel_size == 1) {
    fail("parallelism.sequence_parallel", "sequence parallelism splits over the tensor-parallel ranks: it needs tensor_parallel_size > 1");
  }
  const ModelSpec& m = request.model;
  if (m.attention.num_heads % p.tensor_parallel_size != 0) {
    fail("parallelism.tensor_parallel_size",
         "must divide num_attention_heads (" + std::to_string(m.attention.num_heads) + "), got " +
             std::to_string(p.tensor_parallel_size));
  }
  if (p.pipeline_parallel_size > m.num_layers) {
    fail("parallelism.pipeline_parallel_size",
         "must be at most num_hidden_layers (" + std::to_string(m.num_layers) + "), got " +
             std::to_string(p.pipeline_parallel_size));
  }
  const std::int64_t tp_times_dp = p.tensor_parallel_size * p.data_parallel_size;
  if (request.framework == Framework::vllm && p.expert_parallel_size > 1 &&
      p.expert_parallel_size != tp_times_dp) {
    fail("parallelism.expert_parallel_size",
         "vLLM's expert parallelism spans every tensor x data parallel rank: must be 1 or " +
             std::to_string(tp_times_dp) + ", got " + std::to_string(p.expert_parallel_size));
  }
  if (p.expert_parallel_size > 1 && m.is_moe() && p.expert_parallel_size > m.moe.num_experts) {
    fail("parallelism.expert_parallel_size",
         "must be at most the number of experts (" + std::to_string(m.moe.num_experts) + "), got " +
             std::to_string(p.expert_parallel_size));
  }
}

}  // namespace llmmem
