// A result out as JSON: the response of README.md. Formats, never computes: every figure is the
// engine's (llmmem/result.hpp).
#include "llmmem/api.hpp"

#include <cmath>

#include "output/envelope.hpp"
#include "output/json_writer.hpp"
#include "output/result_json.hpp"

namespace llmmem {
namespace {

using detail::JsonWriter;

void model_json(JsonWriter& w, const ModelSpec& m, const Result& r) {
  const ParameterCounts& c = r.counts;
  w.begin_object()
      .field("architecture", m.architecture)
      .field("model_type", m.model_type)
      .field("total_parameters", c.total())
      .field("active_parameters_per_token", c.active_per_token())
      .field("embedding_parameters", c.embeddings())
      .field("language_model_parameters", c.language_model())
      .field("vision_parameters", c.vision);
  w.key("parameters_by_component").begin_object()
      .field("embeddings", c.embeddings()).field("attention", c.attention()).field("mlp", c.mlp())
      .field("norms", c.norms()).field("vision", c.vision).field("mamba", c.mamba()).end_object();
  w.field("parameters_per_gpu", std::int64_t(std::llround(r.parameters_per_gpu)))
      .field("num_hidden_layers", m.num_layers)
      .field("hidden_size", m.hidden_size)
      .field("num_attention_heads", m.attention.num_heads)
      .field("num_key_value_heads", m.attention.num_kv_heads)
      .field("head_dim", m.attention.head_dim)
      .field("intermediate_size", m.mlp.intermediate_size)
      .field("vocab_size", m.vocab_size)
      .field("max_position_embeddings", m.context.positions)
      .field("tie_word_embeddings", m.tie_word_embeddings)
      .field("gated_mlp", m.mlp.gated)
      .field("num_experts", m.moe.num_experts)
      .field("experts_per_token", m.moe.experts_per_token)
      .field("storage_dtype", r.storage_dtype)
      .field("quantization_bits", m.quantization_bits)
      .field("quantization_method", m.quantization_method)
      .field("bytes_per_parameter", r.bytes_per_parameter)
      .field("weight_bytes", std::int64_t(std::llround(r.weight_bytes)))
      // Where the weights' bytes come from: the checkpoint's own headers, or config.json's formula.
      .field("weights_from", !m.checkpoint.layer_bytes.empty() ? "GGUF header" : m.checkpoint.tensor_bytes > 0 ? "safetensors headers" : "config.json")
      // checkpoint.weights_as: "stored", or the format the what-if stores the weights in.
      .field("weights_as", m.weights_as.empty() ? std::string_view("stored") : std::string_view(m.weights_as));
  if (m.checkpoint.tensor_bytes > 0) w.field("checkpoint_tensor_bytes", m.checkpoint.tensor_bytes);
  if (m.checkpoint.parameters > 0) w.field("checkpoint_parameters", m.checkpoint.parameters);
  w.end_object();
}

void verdict_json(JsonWriter& w, const Verdict& v) {
  w.begin_object().field("status", detail::verdict_status(v.status)).field("ok", v.ok()).field("summary", v.summary);
  if (!v.reason.empty()) w.field("reason", v.reason);
  if (!v.field.empty()) w.field("field", v.field);
  if (v.gpu_memory_gib) w.field("gpu_memory_gib", *v.gpu_memory_gib).field("limit_gib", v.limit_gib);
  w.field("needed_gib", v.needed_gib);
  if (v.gpu_memory_gib) w.field("headroom_gib", v.limit_gib - v.needed_gib);
  w.end_object();
}

void capacity_json(JsonWriter& w, const KvCacheCapacity& c, bool starts) {
  w.begin_object()
      .field("budget_gib", c.budget_gib).field("weights_gib", c.weights_gib).field("non_torch_gib", c.non_torch_gib)
      .field("activation_peak_gib", c.activation_peak_gib).field("cuda_graph_gib", c.cuda_graph_gib)
      .field("cuda_graph_in_budget", c.cuda_graph_in_budget).field("available_gib", c.available_gib)
      .field("block_size", c.block_size).field("bytes_per_block", c.bytes_per_block)
      .field("num_gpu_blocks", c.num_gpu_blocks).field("tokens", c.tokens).field("max_model_len", c.max_model_len)
      .field("max_num_seqs", c.max_num_seqs).field("max_concurrency", c.max_concurrency)
      .field("needed_for_one_request_gib", c.needed_for_one_gib).field("starts", starts)
      .end_object();
}

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

std::string detail::result_to_json(const Request& request, const Result& r) {
  JsonWriter w;
  w.begin_object()
      .field("estimator", r.estimator)
      .field("framework", to_string(r.framework))
      .field("mode", to_string(r.mode));
  w.key("breakdown").begin_object();
  for (const auto& [key, gib] : r.breakdown.to_dict()) w.field(key, gib);
  w.end_object();
  w.field("breakdown_basis", r.breakdown_basis);
  w.key("verdict");
  verdict_json(w, r.verdict);
  w.key("model");
  model_json(w, request.model, r);
  w.field("kv_cache_bytes_per_token", r.kv_cache_bytes_per_token);
  if (r.kv_cache_demand_gib) w.field("kv_cache_demand_gib", *r.kv_cache_demand_gib);
  if (r.capacity) {
    w.key("kv_cache_capacity");
    capacity_json(w, *r.capacity, r.verdict.ok());
  }
  if (r.requirements) {
    w.key("requirements").begin_object()
        .field("to_start_gib", r.requirements->to_start_gib)
        .field("all_sequences_gib", r.requirements->all_sequences_gib)
        .end_object();
  }
  if (r.training) {
    const TrainingSummary& t = *r.training;
    w.key("training").begin_object()
        .field("peak_phase", t.step_is_peak ? "optimizer_step" : "forward_backward")
        .field("forward_backward_gib", t.forward_backward_gib)
        .field("optimizer_step_gib", t.optimizer_step_gib)
        .field("activations_gib", t.activations_gib)
        .field("trainable_parameters_per_gpu", std::int64_t(std::llround(t.trainable_parameters_per_gpu)))
        .end_object();
  }
  if (r.llamacpp_buffers) {
    const LlamaCppBuffers& b = *r.llamacpp_buffers;
    w.key("llamacpp_buffers").begin_object().key("gpus").begin_array();
    for (const LlamaCppBuffers::Gpu& g : b.gpus) {
      w.begin_object().field("model_gib", g.model_gib).field("kv_gib", g.kv_gib).field("compute_gib", g.compute_gib)
          .field("layers", g.layers).field("output", g.output).end_object();
    }
    w.end_array()
        .field("host_model_gib", b.host_model_gib).field("host_kv_gib", b.host_kv_gib)
        .field("host_compute_gib", b.host_compute_gib).field("output_gib", b.output_gib)
        .field("kv_cells", b.kv_cells).field("swa_cells", b.swa_cells).field("streams", b.streams)
        .field("offloaded_layers", b.offloaded_layers).field("total_layers", b.total_layers)
        .end_object();
  }
  if (r.sglang_pool) {
    const SglangPool& p = *r.sglang_pool;
    w.key("sglang_pool").begin_object()
        .field("mem_fraction_static", p.mem_fraction_static).field("free_gib", p.free_gib).field("weights_gib", p.weights_gib)
        .field("static_gib", p.static_gib).field("kv_pool_gib", p.kv_pool_gib).field("cell_bytes", p.cell_bytes)
        .field("max_total_num_tokens", p.max_total_num_tokens).field("context_len", p.context_len)
        .field("max_running_requests", p.max_running_requests).field("max_req_len", p.max_req_len)
        .field("max_prefill_tokens", p.max_prefill_tokens).field("chunked_prefill_size", p.chunked_prefill_size)
        .field("cuda_graph_max_bs", p.cuda_graph_max_bs).field("req_to_token_gib", p.req_to_token_gib)
        .field("cuda_graph_gib", p.cuda_graph_gib).field("workspace_gib", p.workspace_gib)
        .field("available_gib", p.available_gib).field("full_length_requests", p.full_length_requests)
        .end_object();
  }
  if (r.cpu_memory_gib) w.field("cpu_memory_gib", *r.cpu_memory_gib);
  w.key("settings").begin_array();
  for (const Setting& s : r.settings) {
    w.begin_object().field("path", s.path).key("value").raw(s.value_json).field("source", s.source).end_object();
  }
  w.end_array();
  w.key("solver").begin_array();
  for (const SolverAnswer& a : r.solver) {
    w.begin_object().field("field", a.field).field("question", a.question);
    w.field("value", a.value);
    w.field("past", a.past);
    w.field("needed_gib", a.needed_gib);
    if (!a.note.empty()) w.field("note", a.note);
    w.end_object();
  }
  w.end_array();
  w.key("alternatives").begin_array();
  for (const Alternative& a : r.alternatives) {
    w.begin_object().field("label", a.label).key("changes").begin_object();
    for (const auto& [path, value] : a.changes) w.key(path).raw(value);
    w.end_object().field("ok", a.ok).field("needed_gib", a.needed_gib).end_object();
  }
  w.end_array();
  w.key("explanations").begin_object();
  for (const auto& [key, text] : r.explanations) w.field(key, text);
  w.end_object();
  w.key("warnings").begin_array();
  for (const std::string& warning : r.warnings) w.value(warning);
  w.end_array();
  w.end_object();
  return w.take();
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
    JsonWriter w;
    w.begin_object().field("ok", false).key("error").begin_object().field("field", field).field("message", message)
        .end_object().end_object();
    return w.take();
  } catch (...) {
    return R"({"ok":false,"error":{"field":"","message":"internal error"}})";
  }
}

const char* version() noexcept { return LLMMEM_VERSION; }

}  // namespace llmmem
