#include "llmmem/api.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "output/envelope.hpp"
#include "llmmem/error.hpp"
#include "accounting/units.hpp"

namespace llmmem {
namespace {

using json = nlohmann::ordered_json;

std::vector<std::string> scenario_warnings(const Request& request) {
  const ModelSpec& m = request.model;
  const Scenario& s = request.scenario;
  const MemoryEstimationParameters& params = request.params;
  std::vector<std::string> warnings = m.warnings;
  if (m.storage_dtype.empty() && !m.is_quantized()) {
    warnings.push_back("config has no torch_dtype: weights counted as params.default_storage_dtype (" +
                       params.default_storage_dtype + ")");
  }
  if (m.attention.num_kv_heads % s.parallelism.tensor_parallel_size != 0 &&
      s.parallelism.tensor_parallel_size < m.attention.num_kv_heads) {
    warnings.push_back("num_key_value_heads (" + std::to_string(m.attention.num_kv_heads) +
                       ") is not divisible by tensor_parallel_size: KV heads counted rounded up per GPU");
  }
  if (s.parallelism.expert_parallel_size > 1 && !m.is_moe()) {
    warnings.push_back("parallelism.expert_parallel_size has no effect on a dense model");
  }
  const bool has_graphs = !s.framework_config.cudagraph_capture_sizes.empty();
  if (request.framework != Framework::vllm && has_graphs) {
    warnings.push_back("framework_config.cudagraph_capture_sizes applies to vllm only: ignored");
  }
  const FrameworkConfig& f = s.framework_config;
  if (s.mode == Mode::inference &&
      (f.optimizer_type != "adamw" || f.training_precision != TrainingPrecision::mixed ||
       f.fine_tuning != FineTuning::full || f.fsdp != FsdpSharding::none || f.optimizer_in_backward ||
       f.offload_activations || f.loss_implementation != LossImplementation::standard)) {
    warnings.push_back("framework_config's training fields (optimizer_type, training_precision, fine_tuning, "
                       "fsdp, ...) have no effect on inference");
  }
  if (s.mode == Mode::training && f.fine_tuning == FineTuning::qlora && m.is_quantized()) {
    warnings.push_back("fine_tuning \"qlora\" quantizes the base to NF4 itself: the config's own "
                       "quantization_config is not used for training");
  }
  if (request.framework == Framework::vllm && m.quantization.format == QuantFormat::mxfp4 && m.is_moe()) {
    if (!f.gpu_compute_capability) {
      warnings.push_back("MXFP4 experts counted as the checkpoint stores them: vLLM pads them for the kernel "
                         "it picks by GPU (framework_config.gpu_compute_capability)");
    } else if (*f.gpu_compute_capability < 8.0) {
      warnings.push_back("vLLM runs MXFP4 only from compute capability 8.0 (Mxfp4Config.get_min_capability)");
    }
  }
  return warnings;
}

json model_json(const ModelSpec& m, const MemoryEstimator& e, const Parallelism& p) {
  const ParameterCounts& c = e.parameter_counts();
  json model = {
      {"architecture", m.architecture},
      {"model_type", m.model_type},
      {"total_parameters", c.total()},
      {"active_parameters_per_token", c.active_per_token()},
      {"embedding_parameters", c.embeddings()},
      {"language_model_parameters", c.language_model()},
      {"vision_parameters", c.vision},
      {"parameters_by_component",
       {{"embeddings", c.embeddings()}, {"attention", c.attention()}, {"mlp", c.mlp()}, {"norms", c.norms()},
        {"vision", c.vision}}},
      {"parameters_per_gpu", std::llround(e.parameters_per_gpu(p))},
      {"num_hidden_layers", m.num_layers},
      {"hidden_size", m.hidden_size},
      {"num_attention_heads", m.attention.num_heads},
      {"num_key_value_heads", m.attention.num_kv_heads},
      {"head_dim", m.attention.head_dim},
      {"intermediate_size", m.mlp.intermediate_size},
      {"vocab_size", m.vocab_size},
      {"tie_word_embeddings", m.tie_word_embeddings},
      {"gated_mlp", m.mlp.gated},
      {"num_experts", m.moe.num_experts},
      {"experts_per_token", m.moe.experts_per_token},
      {"storage_dtype", m.storage_dtype.empty() ? e.params().default_storage_dtype : m.storage_dtype},
      {"quantization_bits", m.quantization_bits},
      {"quantization_method", m.quantization_method},
      {"bytes_per_parameter", e.bytes_per_parameter()},
      {"weight_bytes", std::llround(e.weight_bytes_per_gpu(Parallelism{}))},
  };
  return model;
}

}  // namespace

std::string estimate_to_json(const Request& request) {
  const auto estimator = create_memory_estimator(request.model, request.framework, request.params);
  const Scenario& s = request.scenario;
  const MemoryBreakdown breakdown = detail::require_computable(estimator->estimate_total_memory(s));

  json response;
  response["estimator"] = estimator->kind();
  response["framework"] = to_string(request.framework);
  response["mode"] = to_string(s.mode);
  json& components = response["breakdown"];
  for (const auto& [key, gib] : breakdown.to_dict()) components[std::string(key)] = gib;
  response["model"] = model_json(request.model, *estimator, s.parallelism);
  response["kv_cache_bytes_per_token"] = estimator->kv_cache_bytes_per_token(s);
  if (s.mode == Mode::training) {
    const auto phases = estimator->training_phases(s);
    const double trained = s.framework_config.fine_tuning == FineTuning::full
                               ? estimator->parameters_per_gpu(s.parallelism)
                               : estimator->adapter_parameters_per_gpu(s);
    response["training"] = {
        {"peak_phase", phases.step_is_peak() ? "optimizer_step" : "forward_backward"},
        {"forward_backward_gib", phases.forward_backward / kBytesPerGiB},
        {"optimizer_step_gib", phases.optimizer_step / kBytesPerGiB},
        {"activations_gib", phases.activations / kBytesPerGiB},
        {"trainable_parameters_per_gpu", std::llround(trained)}};
    // Host memory per node for the model states kept there: DeepSpeed's "per CPU" figure, or
    // a paged optimizer's states.
    const double cpu = phases.states.cpu;
    if (request.framework == Framework::deepspeed || cpu > 0) response["cpu_memory_gib"] = cpu / kBytesPerGiB;
  }
  if (request.framework == Framework::vllm && s.framework_config.gpu_memory_gib) {
    const KvCacheCapacity c = static_cast<const vLLMMemoryEstimator&>(*estimator).kv_cache_capacity(s);
    response["kv_cache_capacity"] = {
        {"budget_gib", c.budget_gib}, {"weights_gib", c.weights_gib}, {"non_torch_gib", c.non_torch_gib},
        {"activation_peak_gib", c.activation_peak_gib}, {"cuda_graph_gib", c.cuda_graph_gib},
        {"cuda_graph_in_budget", c.cuda_graph_in_budget}, {"available_gib", c.available_gib},
        {"block_size", s.workload.block_size}, {"bytes_per_block", c.bytes_per_block},
        {"num_gpu_blocks", c.num_gpu_blocks}, {"tokens", c.tokens}, {"max_model_len", s.workload.max_model_len},
        {"max_concurrency", c.max_concurrency}, {"starts", c.starts}};
    if (!c.starts) response["kv_cache_capacity"]["refusal"] = c.refusal;
  }
  if (s.framework_config.gpu_memory_gib) {
    const double usable = detail::usable_gib(request);
    const double total = breakdown.total_gb();
    response["fit"] = {{"gpu_memory_gib", *s.framework_config.gpu_memory_gib},
                       {"usable_gib", usable},
                       {"fits", total <= usable},
                       {"headroom_gib", usable - total}};
  }
  response["warnings"] = scenario_warnings(request);
  return response.dump();
}

std::string estimate_json(std::string_view request_json) noexcept {
  return detail::guarded([&] { return estimate_to_json(parse_request(request_json)); });
}

std::string detail::error_envelope(const std::string& field, const std::string& message) noexcept {
  try {
    return json{{"ok", false}, {"error", {{"field", field}, {"message", message}}}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    return R"({"ok":false,"error":{"field":"","message":"internal error"}})";
  }
}

const char* version() noexcept { return LLMMEM_VERSION; }

}  // namespace llmmem
