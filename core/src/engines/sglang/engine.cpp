// SGLang's policy (python -m sglang.launch_server): one result per request, as SGLang starts.
// The free memory before the weights times --mem-fraction-static holds the weights and a KV
// pool that fills the rest of that share (pool.cpp); what is left of the GPU holds the
// request table, the attention backend's buffers, the CUDA graphs and the forward passes. It
// starts when the pool gets a token and the graphs are captured; the verdict says how many
// tokens it holds and how many full-length requests at once.
#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"
#include "engines/common.hpp"
#include "engines/sglang/pool.hpp"
#include "engines/sglang/settings.hpp"
#include "engines/text.hpp"
#include "engines/vllm/memory.hpp"

namespace llmmem::engines {
namespace {

using sglang::Settings;

/// SGLang's layers are vLLM's (srt/layers/vocab_parallel_embedding.py pads the vocabulary to 64;
/// MLA caches one latent per token on every rank): vLLM's accounting, under SGLang's name.
class SglangMemoryEstimator final : public vLLMMemoryEstimator {
 public:
  using vLLMMemoryEstimator::vLLMMemoryEstimator;
  const char* kind() const override { return "SGLangMemoryEstimator"; }
};

/// What one request's start-up computes; the result is read from it.
struct StartUp {
  Settings settings;
  double weights = 0, cell_bytes = 0, graphs = 0, workspace = 0, context = 0;
  std::optional<sglang::Pool> pool;   // with a GPU
  double free = 0;
  std::optional<std::pair<std::string, std::string>> refusal;  // field, SGLang's words
};

class SglangEngine final : public Engine {
 public:
  explicit SglangEngine(const Request& request) : estimator_(request.model, request.params) {}

  Result compute(const Request& request, Depth depth) const override {
    const StartUp up = start_up(request, depth == Depth::full);
    Result r = result_of(request, up, depth);
    if (depth == Depth::full && request.scenario.framework_config.gpu_memory_gib) ask_questions(request, up, r);
    return r;
  }

 private:
  StartUp start_up(const Request& request, bool with_echo) const {
    const Scenario& sc = request.scenario;
    const ModelSpec& m = request.model;
    StartUp up;
    up.settings = sglang::resolve(request, estimator_.compute_dtype_bytes(), with_echo);
    const Settings& s = up.settings;
    up.refusal = s.refusal;
    // The weights as loaded, and the RoPE cos/sin cache beside them (get_rope: max positions x
    // rotary dim, float32), which "Load weight end ... mem usage" includes.
    const double rope = m.attention.num_heads > 0 && m.learned_positions == 0
                            ? double(std::max<std::int64_t>(m.context.positions, 0)) *
                                  double(m.attention.is_mla() ? m.attention.mla.qk_rope_head_dim : m.attention.head_dim) * 4
                            : 0.0;
    up.weights = estimator_.estimate_model_weights(sc.parallelism) + rope / kBytesPerGiB;
    // One token's cell: the attention TP's KV heads (at least one), this stage's attention layers.
    Parallelism attention = sc.parallelism;
    attention.tensor_parallel_size = s.attention_tp;
    up.cell_bytes = s.kv_bytes * estimator_.kv_elements_per_token_per_layer(attention) *
                    double(estimator_.kv_layers_per_stage(sc.parallelism));
    up.graphs = sglang::cuda_graphs_gib(s, estimator_.layers_per_stage(sc.parallelism));
    up.workspace = sglang::attention_workspace_gib(s, sc.framework_config.gpu_compute_capability.value_or(0));
    const std::int64_t ranks = sc.parallelism.tensor_parallel_size * sc.parallelism.pipeline_parallel_size;
    const auto gpu = sc.framework_config.gpu_memory_gib;
    up.free = sglang::free_before_weights_gib(gpu.value_or(0), ranks, s.custom_all_reduce);
    up.context = gpu.value_or(0) - up.free;
    if (!gpu || up.refusal) return up;
    up.pool = sglang::size_pool({up.free, up.weights, up.cell_bytes}, s);
    if (up.pool->max_total_num_tokens <= 0) {
      // model_runner.py, init_memory_pool
      up.refusal = {"framework_config.mem_fraction_static", "Not enough memory. Please try to increase --mem-fraction-static."};
    } else if (left_gib(up) < 0) {
      // cuda_graph_runner.py: the capture runs out of memory and SGLang stops with its advice.
      up.refusal = {"framework_config.mem_fraction_static",
                    "Capture cuda graph failed: CUDA out of memory. Possible solutions: 1. set --mem-fraction-static to a "
                    "smaller value (e.g., 0.8 or 0.7) 2. set --cuda-graph-max-bs to a smaller value (e.g., 16)"};
    }
    return up;
  }

  /// What is left for the forward passes after the pool, the request table, the backend's
  /// buffers and the graphs ("available_gpu_mem").
  static double left_gib(const StartUp& up) {
    return up.free - up.weights - up.pool->kv_bytes / kBytesPerGiB - up.pool->req_to_token_bytes / kBytesPerGiB -
           up.workspace - up.graphs;
  }

  Result result_of(const Request& request, const StartUp& up, Depth depth) const {
    const Scenario& sc = request.scenario;
    const Settings& s = up.settings;
    const bool words = depth == Depth::full;
    Result r;
    r.estimator = estimator_.kind();
    r.framework = request.framework;
    r.mode = Mode::inference;
    Verdict& v = r.verdict;
    v.gpu_memory_gib = sc.framework_config.gpu_memory_gib;
    MemoryBreakdown& b = r.breakdown;
    b.model_weights_gb = up.weights;
    b.cuda_graphs_gb = up.graphs;
    b.non_torch_memory_gb = up.context;
    const double one_request = double(s.context_len) * up.cell_bytes / kBytesPerGiB;
    if (up.pool && up.pool->max_total_num_tokens > 0) {
      const sglang::Pool& p = *up.pool;
      b.kv_cache_gb = (p.kv_bytes + p.req_to_token_bytes) / kBytesPerGiB;
      b.activations_gb = up.workspace + std::max(0.0, left_gib(up));
    } else {
      // Without a GPU (or where the pool is empty): one request of context_len tokens.
      b.kv_cache_gb = one_request;
      b.activations_gb = up.workspace;
    }
    require_computable(b);
    // The least GPU on which it starts with room for one full-length request.
    const double to_start = (up.weights + one_request) / s.mem_fraction_static + up.context;
    v.needed_gib = std::max(to_start, b.total_gb());
    v.limit_gib = sc.framework_config.gpu_memory_gib.value_or(0);
    if (up.refusal) {
      v.status = Verdict::Status::refuses;
      v.field = up.refusal->first;
      v.reason = up.refusal->second;
      if (words) v.summary = "SGLang refuses to start: " + v.reason;
    } else if (!up.pool) {
      v.status = Verdict::Status::no_gpu;
      if (words) v.summary = "Needs " + gib_text(to_start) + " GiB per GPU to start with one " + count_text(s.context_len) +
                             "-token request; choose a GPU for SGLang's pool.";
    } else {
      v.status = Verdict::Status::starts;
      const sglang::Pool& p = *up.pool;
      const double full = double(p.max_total_num_tokens) / double(s.context_len);
      if (words) {
        v.summary = "Starts on " + gpus_text(request) + ": a pool of " + count_text(p.max_total_num_tokens) + " tokens, " +
                    (full >= 1 ? fixed_text(full, 2) + " requests of " + count_text(s.context_len) + " tokens at once"
                               : "shorter than one " + count_text(s.context_len) + "-token request (max_req_len " +
                                     count_text(p.max_req_len) + ")") +
                    ".";
      }
    }
    if (depth == Depth::verdict) return r;

    if (up.pool) {
      const sglang::Pool& p = *up.pool;
      SglangPool& out = r.sglang_pool.emplace();
      out.mem_fraction_static = s.mem_fraction_static;
      out.free_gib = up.free;
      out.weights_gib = up.weights;
      out.static_gib = up.free * s.mem_fraction_static;
      out.kv_pool_gib = p.kv_bytes / kBytesPerGiB;
      out.cell_bytes = up.cell_bytes;
      out.max_total_num_tokens = std::max<std::int64_t>(0, p.max_total_num_tokens);
      out.context_len = s.context_len;
      out.max_running_requests = p.max_running_requests;
      out.max_req_len = std::max<std::int64_t>(0, p.max_req_len);
      out.chunked_prefill_size = s.chunked_prefill_size;
      out.cuda_graph_max_bs = s.cuda_graphs ? s.cuda_graph_max_bs : 0;
      out.req_to_token_gib = p.req_to_token_bytes / kBytesPerGiB;
      out.cuda_graph_gib = up.graphs;
      out.workspace_gib = up.workspace;
      out.available_gib = p.max_total_num_tokens > 0 ? left_gib(up) : 0;
      out.full_length_requests = double(out.max_total_num_tokens) / double(s.context_len);
      if (words && !up.refusal && out.available_gib < 1) {
        r.warnings.push_back("only " + gib_text(out.available_gib) + " GiB is left for prefill activations: long prompts may run "
                             "out of memory (SGLang's tuning guide keeps 5-8 GB free; lower --mem-fraction-static)");
      }
    } else {
      Requirements& q = r.requirements.emplace();
      q.to_start_gib = to_start;
      q.all_sequences_gib = to_start;
    }
    if (!words) return r;
    describe_model(request, estimator_, r);
    r.kv_cache_bytes_per_token = up.cell_bytes;
    r.breakdown_basis = up.pool ? "what SGLang holds on each GPU: its weights, the KV pool and request table, the CUDA graphs, "
                                  "the memory it leaves for forward passes, and the CUDA context"
                                : "what SGLang needs per GPU to start with one request of context_len tokens";
    r.settings = s.echo;
    r.explanations = explain(up);
    std::vector<std::string> warnings = shared_warnings(request);
    warnings.insert(warnings.end(), s.warnings.begin(), s.warnings.end());
    warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
    r.warnings = std::move(warnings);
    return r;
  }

  static Explanations explain(const StartUp& up) {
    const Settings& s = up.settings;
    Explanations e;
    e.emplace_back("model_weights", "the weights as SGLang loads them (vocabulary padded to 64) and the RoPE cache");
    if (up.pool) {
      const sglang::Pool& p = *up.pool;
      e.emplace_back("kv_cache", count_text(p.max_total_num_tokens) + " tokens of " + count_text(std::int64_t(up.cell_bytes)) +
                                     " bytes: " + number_text(s.mem_fraction_static) + " of the " + gib_text(up.free) +
                                     " GiB free before the weights, less the weights; and the request table of " +
                                     count_text(p.max_num_reqs) + " rows");
      e.emplace_back("activations", "the attention backend's buffers and what SGLang leaves free for forward passes");
    } else {
      e.emplace_back("kv_cache", "one request of " + count_text(s.context_len) + " tokens");
    }
    e.emplace_back("cuda_graphs", s.cuda_graphs ? std::to_string(s.capture_sizes.size()) + " decode batch sizes up to " +
                                                      std::to_string(s.cuda_graph_max_bs)
                                                : std::string("none: --disable-cuda-graph"));
    e.emplace_back("non_torch_memory", "the CUDA context and the communicators' buffers, taken before SGLang measures free memory");
    return e;
  }

  void ask_questions(const Request& request, const StartUp& up, Result& r) const {
    Request work = request;
    // The largest --mem-fraction-static that starts, in thousandths: from the least that gives
    // the pool a token (the weights' share of the free memory), up to where the graphs no
    // longer fit beside it.
    {
      Probe probe(*this, work, "framework_config.mem_fraction_static");
      const auto ok = [&](std::int64_t x) { return probe.ok(double(x) / 1000); };
      const std::int64_t least = up.free > 0 ? std::int64_t(std::ceil((up.weights + up.cell_bytes / kBytesPerGiB) / up.free * 1000)) : 1001;
      std::optional<std::int64_t> best;
      for (std::int64_t x = std::max<std::int64_t>(1, least); x <= std::min<std::int64_t>(1000, least + 2) && !best; ++x) {
        if (ok(x)) best = largest_ok(ok, x, 1000);
      }
      SolverAnswer a;
      a.field = "framework_config.mem_fraction_static";
      a.question = "Largest --mem-fraction-static that starts";
      if (best) {
        a.value = double(*best) / 1000;
        a.needed_gib = probe.at(*a.value)->needed_gib;
        if (*best < 1000) a.past = double(*best + 1) / 1000;
      } else {
        a.note = "none: the weights and the graphs do not fit beside a pool whatever the fraction";
      }
      r.solver.push_back(a);
      work.scenario = request.scenario;
    }
    // The longest context one request can fill: the pool's tokens, within the model's length.
    if (up.pool && up.pool->max_total_num_tokens > 0) {
      SolverAnswer a;
      a.field = "framework_config.context_length";
      a.question = "Longest request the pool holds (tokens)";
      a.value = double(std::min(up.pool->max_total_num_tokens, up.settings.context_len));
      a.note = "the pool's max_total_num_tokens, within the context length";
      r.solver.push_back(a);
    }
    Probe tp(*this, work, "parallelism.tensor_parallel_size");
    r.solver.push_back(fewest_tensor_parallel(tp, request.model, "Fewest tensor-parallel GPUs that start",
                                              "no tensor-parallel size up to the heads starts"));
  }

  SglangMemoryEstimator estimator_;
};

}  // namespace

std::unique_ptr<Engine> make_sglang_engine(const Request& request) { return std::make_unique<SglangEngine>(request); }

}  // namespace llmmem::engines
