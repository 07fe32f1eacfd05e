// A result out as JSON: the response of README.md. Formats, never computes: every figure is the
// engine's (llmmem/result.hpp).
#include "llmmem/api.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "output/envelope.hpp"
#include "output/result_json.hpp"

namespace llmmem {
namespace {

using json = nlohmann::ordered_json;

}  // namespace

const char* detail::verdict_status(Verdict::Status status) {
  switch (status) {
    case Verdict::Status::fits: return "fits";
    case Verdict::Status::does_not_fit: return "does_not_fit";
    case Verdict::Status::starts: return "starts";
    case Verdict::Status::refuses: return "refuses";
    case Verdict::Status::no_gpu: return "no_gpu";
  }
  return "";
}

namespace {

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json model_json(const ModelSpec& m, const Result& r) {
  const ParameterCounts& c = r.counts;
  return {
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
      {"parameters_per_gpu", std::llround(r.parameters_per_gpu)},
      {"num_hidden_layers", m.num_layers},
      {"hidden_size", m.hidden_size},
      {"num_attention_heads", m.attention.num_heads},
      {"num_key_value_heads", m.attention.num_kv_heads},
      {"head_dim", m.attention.head_dim},
      {"intermediate_size", m.mlp.intermediate_size},
      {"vocab_size", m.vocab_size},
      {"max_position_embeddings", m.context.positions},
      {"tie_word_embeddings", m.tie_word_embeddings},
      {"gated_mlp", m.mlp.gated},
      {"num_experts", m.moe.num_experts},
      {"experts_per_token", m.moe.experts_per_token},
      {"storage_dtype", r.storage_dtype},
      {"quantization_bits", m.quantization_bits},
      {"quantization_method", m.quantization_method},
      {"bytes_per_parameter", r.bytes_per_parameter},
      {"weight_bytes", std::llround(r.weight_bytes)},
  };
}

}  // namespace

json detail::verdict_json(const Verdict& v) {
  json out = {{"status", verdict_status(v.status)}, {"ok", v.ok()}, {"summary", v.summary}};
  if (!v.reason.empty()) out["reason"] = v.reason;
  if (!v.field.empty()) out["field"] = v.field;
  if (v.gpu_memory_gib) {
    out["gpu_memory_gib"] = *v.gpu_memory_gib;
    out["limit_gib"] = v.limit_gib;
  }
  out["needed_gib"] = v.needed_gib;
  if (v.gpu_memory_gib) out["headroom_gib"] = v.limit_gib - v.needed_gib;
  return out;
}

json detail::capacity_json(const KvCacheCapacity& c, bool starts) {
  return {{"budget_gib", c.budget_gib}, {"weights_gib", c.weights_gib}, {"non_torch_gib", c.non_torch_gib},
          {"activation_peak_gib", c.activation_peak_gib}, {"cuda_graph_gib", c.cuda_graph_gib},
          {"cuda_graph_in_budget", c.cuda_graph_in_budget}, {"available_gib", c.available_gib},
          {"block_size", c.block_size}, {"bytes_per_block", c.bytes_per_block}, {"num_gpu_blocks", c.num_gpu_blocks},
          {"tokens", c.tokens}, {"max_model_len", c.max_model_len}, {"max_num_seqs", c.max_num_seqs},
          {"max_concurrency", c.max_concurrency}, {"needed_for_one_request_gib", c.needed_for_one_gib},
          {"starts", starts}};
}

std::string detail::result_to_json(const Request& request, const Result& r) {
  json response;
  response["estimator"] = r.estimator;
  response["framework"] = to_string(r.framework);
  response["mode"] = to_string(r.mode);
  json& components = response["breakdown"];
  for (const auto& [key, gib] : r.breakdown.to_dict()) components[std::string(key)] = gib;
  response["breakdown_basis"] = r.breakdown_basis;
  response["verdict"] = verdict_json(r.verdict);
  response["model"] = model_json(request.model, r);
  response["kv_cache_bytes_per_token"] = r.kv_cache_bytes_per_token;
  if (r.kv_cache_demand_gib) response["kv_cache_demand_gib"] = *r.kv_cache_demand_gib;
  if (r.capacity) response["kv_cache_capacity"] = capacity_json(*r.capacity, r.verdict.ok());
  if (r.requirements) {
    response["requirements"] = {{"to_start_gib", r.requirements->to_start_gib},
                                {"all_sequences_gib", r.requirements->all_sequences_gib}};
  }
  if (r.training) {
    const TrainingSummary& t = *r.training;
    response["training"] = {{"peak_phase", t.step_is_peak ? "optimizer_step" : "forward_backward"},
                            {"forward_backward_gib", t.forward_backward_gib},
                            {"optimizer_step_gib", t.optimizer_step_gib},
                            {"activations_gib", t.activations_gib},
                            {"trainable_parameters_per_gpu", std::llround(t.trainable_parameters_per_gpu)}};
  }
  if (r.cpu_memory_gib) response["cpu_memory_gib"] = *r.cpu_memory_gib;
  json settings = json::array();
  for (const Setting& s : r.settings) {
    settings.push_back({{"path", s.path}, {"value", json::parse(s.value_json)}, {"source", s.source}});
  }
  response["settings"] = settings;
  json solver = json::array();
  for (const SolverAnswer& a : r.solver) {
    json answer = {{"field", a.field}, {"question", a.question}, {"value", optional_number(a.value)},
                   {"past", optional_number(a.past)}, {"needed_gib", optional_number(a.needed_gib)}};
    if (!a.note.empty()) answer["note"] = a.note;
    solver.push_back(std::move(answer));
  }
  response["solver"] = solver;
  json alternatives = json::array();
  for (const Alternative& a : r.alternatives) {
    json changes = json::object();
    for (const auto& [path, value] : a.changes) changes[path] = json::parse(value);
    alternatives.push_back({{"label", a.label}, {"changes", changes}, {"ok", a.ok}, {"needed_gib", a.needed_gib}});
  }
  response["alternatives"] = alternatives;
  response["warnings"] = r.warnings;
  return response.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string estimate_to_json(const Request& request) {
  const auto engine = create_engine(request);
  return detail::result_to_json(request, engine->evaluate(request));
}

std::string estimate_json(std::string_view request_json) noexcept {
  return detail::guarded([&] { return estimate_to_json(parse_request(request_json)); });
}

std::string schema_json_envelope() noexcept {
  return detail::guarded([] { return schema_json(); });
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
