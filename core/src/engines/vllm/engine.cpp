// vLLM's policy: one result per request, as vLLM behaves. With a GPU, the breakdown is what
// vLLM holds on each GPU after start-up (weights, the profiling run's peak, non-torch memory,
// CUDA graphs and the KV pool sized to the budget), the verdict is its start-up checks, and the
// solver asks vLLM's questions. Without one, what GPU it needs: to start, and to hold every
// sequence at full length.
#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"
#include "engines/common.hpp"
#include "engines/explain.hpp"
#include "engines/text.hpp"
#include "engines/vllm/memory.hpp"
#include "engines/vllm/rules.hpp"

namespace llmmem::engines {
namespace {

using vllm::kCudaContextGib;
using vllm::Settings;

/// Everything one request's start-up computes; the result is read from it.
struct StartUp {
  Settings settings;
  vLLMMemoryEstimator::KvLayout layout;
  double weights = 0, peak = 0, non_torch = 0, graphs = 0;
  bool graphs_in_budget = false;
  double fixed = 0;            // what comes off the budget before the KV cache
  double one_request = 0;      // GiB of KV one request of max_model_len holds
  std::optional<vllm::Refusal> refusal;
  std::optional<KvCacheCapacity> capacity;
  double outside_budget() const { return graphs_in_budget ? 0.0 : graphs; }
};

class VllmEngine final : public Engine {
 public:
  explicit VllmEngine(const Request& request) : memory_(request.model, request.params) {}

  Result compute(const Request& request, Depth depth) const override {
    const StartUp up = start_up(request, depth);
    Result r = result_of(request, up, depth);
    if (depth == Depth::full && request.scenario.framework_config.gpu_memory_gib) ask_questions(request, up, r);
    return r;
  }

 private:
  StartUp start_up(const Request& request, Depth depth) const {
    const Scenario& sc = request.scenario;
    StartUp up;
    up.settings = vllm::resolve(request.model, sc, depth == Depth::full);
    const Settings& st = up.settings;
    up.layout = memory_.kv_layout(sc, st);
    up.weights = memory_.loaded_weights_gib(sc);
    up.peak = memory_.profile_peak_gib(sc, st);
    up.non_torch = memory_.non_torch_gib(sc, st);
    up.graphs = memory_.cuda_graphs_gib(sc, st);
    // Runner v1 from 0.21 captures graphs before sizing the KV cache and takes their memory off
    // it; earlier, in V0 and in runner v2 (whose profile_cudagraph_memory returns 0) they are
    // captured afterwards, on top of the budget.
    up.graphs_in_budget = st.v1 && !st.runner_v2 && st.profile_cudagraph_memory;
    up.fixed = up.weights + up.peak + up.non_torch + (up.graphs_in_budget ? up.graphs : 0.0);
    const double bytes_per_block = up.layout.bytes_per_block();
    up.one_request = up.layout.request_gib(st.max_model_len);
    up.refusal = vllm::configuration_refusal(request.model, sc, st);
    const auto gpu = sc.framework_config.gpu_memory_gib;
    if (!gpu) return up;

    // vllm/v1/worker/gpu_worker.py, determine_available_memory: the budget is the card's memory
    // times gpu_memory_utilization; weights, the profiling run's peak and the growth of
    // non-torch memory (and from 0.21 the graphs) come off it; the rest holds KV blocks:
    // available // page_size // group_size (get_num_blocks). The log's "GPU KV cache size" is
    // num_blocks // groups x block_size, its concurrency num_blocks over one request's blocks
    // (get_max_concurrency_for_kv_cache_config; V0: tokens / max_model_len).
    KvCacheCapacity c;
    c.budget_gib = *gpu * st.gpu_memory_utilization;
    c.weights_gib = up.weights;
    c.non_torch_gib = up.non_torch;
    c.activation_peak_gib = up.peak;
    c.cuda_graph_gib = up.graphs;
    c.cuda_graph_in_budget = up.graphs_in_budget;
    c.available_gib = c.budget_gib - up.fixed;
    c.block_size = st.block_size;
    c.bytes_per_block = bytes_per_block;
    if (c.available_gib > 0 && bytes_per_block > 0) {
      c.num_gpu_blocks = std::int64_t(std::floor(c.available_gib * kBytesPerGiB / bytes_per_block));
    }
    c.tokens = c.num_gpu_blocks / std::max<std::int64_t>(up.layout.groups(), 1) * st.block_size;
    c.max_model_len = st.max_model_len;
    c.max_num_seqs = st.max_num_seqs;
    c.needed_for_one_gib = up.one_request;
    c.max_concurrency = st.v1 ? double(c.num_gpu_blocks) / double(up.layout.blocks_per_request(st.max_model_len))
                              : double(c.tokens) / double(st.max_model_len);
    up.capacity = c;
    if (!up.refusal) up.refusal = vllm::free_memory_refusal(sc, st);
    if (!up.refusal) {
      // "the estimated maximum model length": the longest whose blocks fit (vLLM bisects).
      std::int64_t low = 0, high = up.one_request > c.available_gib ? st.max_model_len : 0;
      const double room = c.available_gib * kBytesPerGiB;
      while (low < high) {
        const std::int64_t mid = (low + high + 1) / 2;
        if (double(up.layout.blocks_per_request(mid)) * bytes_per_block <= room) low = mid;
        else high = mid - 1;
      }
      up.refusal = vllm::kv_cache_refusal(st, {c.available_gib, up.one_request, c.num_gpu_blocks, low,
                                               sc.parallelism.pipeline_parallel_size});
    }
    return up;
  }

  Result result_of(const Request& request, const StartUp& up, Depth depth) const {
    const Scenario& sc = request.scenario;
    const Settings& st = up.settings;
    Result r;
    r.estimator = memory_.kind();
    r.framework = Framework::vllm;
    r.mode = Mode::inference;
    MemoryBreakdown& b = r.breakdown;
    b.model_weights_gb = up.weights;
    b.activations_gb = up.peak;
    b.non_torch_memory_gb = up.non_torch;
    b.cuda_graphs_gb = up.graphs;
    const double demand = double(st.max_num_seqs) * up.one_request;
    r.kv_cache_demand_gib = demand;
    Verdict& v = r.verdict;
    if (up.capacity) {
      const KvCacheCapacity& c = *up.capacity;
      v.gpu_memory_gib = sc.framework_config.gpu_memory_gib;
      v.limit_gib = c.budget_gib + up.outside_budget();
      if (!up.refusal) {
        // What vLLM holds: its pool of whole blocks, and the budget's remainder (under a block).
        b.kv_cache_gb = double(c.num_gpu_blocks) * c.bytes_per_block / kBytesPerGiB;
        b.fragmentation_overhead_gb = std::max(0.0, c.available_gib - b.kv_cache_gb);
        r.breakdown_basis = "what vLLM holds on each GPU after start-up: its budget (gpu_memory_utilization of the GPU)"
                            + std::string(up.graphs_in_budget ? "" : " and the CUDA graphs it captures outside it");
        v.status = Verdict::Status::starts;
        const double at_once = std::min(c.max_concurrency, double(st.max_num_seqs));
        if (depth == Depth::full) v.summary = "vLLM starts on " + gpus_text(request) + ": " + count_text(c.tokens) + " tokens of KV cache; " +
                    gib_text(at_once) + " of your " + count_text(st.max_num_seqs) + " sequences at " +
                    count_text(st.max_model_len) + " tokens at once" +
                    (c.max_concurrency < double(st.max_num_seqs) ? ", the rest wait." : ".");
      } else {
        b.kv_cache_gb = up.one_request;
        r.breakdown_basis = "what vLLM would need to start: one request of max_model_len in its KV cache";
        v.status = Verdict::Status::refuses;
      }
      // What it needs to start: everything off the budget and one request of max_model_len,
      // and the graphs captured outside it. It starts when that is within its limit.
      v.needed_gib = up.fixed + up.one_request + up.outside_budget();
    } else {
      // No GPU: what vLLM holds on a GPU whose KV cache serves every sequence at full length.
      b.kv_cache_gb = demand;
      r.breakdown_basis = "what vLLM holds on a GPU whose KV cache holds all max_num_seqs sequences at max_model_len";
      Requirements q;
      const double slack = 1.0 - st.gpu_memory_utilization;
      const double for_context = vllm::checks_free_memory(st) && slack > 0 ? kCudaContextGib / slack : 0.0;
      q.to_start_gib = std::max((up.fixed + up.one_request) / st.gpu_memory_utilization, for_context);
      q.all_sequences_gib = std::max((up.fixed + demand) / st.gpu_memory_utilization, for_context);
      r.requirements = q;
      v.status = up.refusal ? Verdict::Status::refuses : Verdict::Status::no_gpu;
      v.needed_gib = q.to_start_gib;
      if (!up.refusal && depth == Depth::full) {
        v.summary = "vLLM needs a GPU of at least " + gib_text(q.to_start_gib) + " GiB to start with max_model_len " +
                    count_text(st.max_model_len) + ", and " + gib_text(q.all_sequences_gib) + " GiB to hold all " +
                    count_text(st.max_num_seqs) + " sequences at full length at once (at gpu_memory_utilization " +
                    gib_text(st.gpu_memory_utilization) + ").";
      }
    }
    if (up.refusal) {
      v.reason = up.refusal->message;
      v.field = up.refusal->field;
      if (depth == Depth::full) v.summary = "vLLM would refuse to start" + (up.capacity ? " on " + gpus_text(request) : std::string()) + ": " + v.reason;
    }
    r.capacity = up.capacity;
    require_computable(b);
    if (depth != Depth::full) return r;  // a probe or a chart's point: no model facts or warnings
    describe_model(request, memory_, r);
    r.settings = st.echo;
    r.explanations = explain_vllm(request, r, {st.max_num_batched_tokens, st.max_model_len, st.max_num_seqs,
                                               st.gpu_memory_utilization, up.graphs > 0, up.graphs_in_budget});
    r.warnings = shared_warnings(request);
    add_vllm_warnings(request, up, r.warnings);
    return r;
  }

  void add_vllm_warnings(const Request& request, const StartUp& up, std::vector<std::string>& warnings) const {
    const ModelSpec& m = request.model;
    const FrameworkConfig& f = request.scenario.framework_config;
    const Settings& st = up.settings;
    if (st.version_given && !vllm::newest_version().at_least(st.version.minor, st.version.patch)) {
      warnings.push_back("vLLM " + st.version.text() + " is newer than the newest version modelled (" +
                         vllm::newest_version().text() + "): its defaults are taken as unchanged");
    }
    if (m.quantization.format == QuantFormat::mxfp4 && m.is_moe()) {
      if (!f.gpu_compute_capability) {
        warnings.push_back("MXFP4 experts counted as the checkpoint stores them: vLLM pads them for the kernel "
                           "it picks by GPU (framework_config.gpu or gpu_compute_capability)");
      } else if (*f.gpu_compute_capability < 8.0) {
        warnings.push_back("vLLM runs MXFP4 only from compute capability 8.0 (Mxfp4Config.get_min_capability)");
      }
    }
    if (st.allow_long_max_model_len && double(st.max_model_len) > st.derived_max_model_len) {
      warnings.push_back("max_model_len " + std::to_string(st.max_model_len) + " is beyond the model's " +
                         std::to_string(std::int64_t(st.derived_max_model_len)) +
                         " (VLLM_ALLOW_LONG_MAX_MODEL_LEN=1): vLLM starts, but positions beyond it lead to nan "
                         "(RoPE) or out-of-bounds errors (absolute positions)");
    }
    if (up.capacity && !up.graphs_in_budget && up.graphs > 0 &&
        up.capacity->budget_gib + up.graphs + kCudaContextGib > *f.gpu_memory_gib) {
      warnings.push_back("vLLM captures CUDA graphs (" + gib_text(up.graphs) + " GiB) after sizing the KV cache, "
                         "outside gpu_memory_utilization: with less than that left on the GPU, capturing them runs out of memory");
    }
    if (!f.gpu.empty() && f.gpu_compute_capability.value_or(0) == 0) {
      warnings.push_back("an AMD GPU: vLLM's ROCm build is counted as its CUDA build (its kernels and custom "
                         "all-reduce differ); state non_torch_memory_gib from a log for an exact budget");
    }
  }

  /// vLLM's questions on this GPU, each answered where its verdict flips.
  void ask_questions(const Request& request, const StartUp& up, Result& r) const {
    const Settings& st = up.settings;
    const KvCacheCapacity& c = *up.capacity;
    const double gpu = *request.scenario.framework_config.gpu_memory_gib;
    Request work = request;  // one working copy; each question restores its scenario

    // The longest max_model_len that starts: first where vLLM's own estimate says, then bisection.
    {
      work.scenario = request.scenario;
      Probe probe(*this, work, "workload.max_model_len");
      const std::int64_t limit = st.allow_long_max_model_len ? std::int64_t(1) << 40 : std::int64_t(st.derived_max_model_len);
      auto fits = [&](std::int64_t len) { return probe.ok(double(len)); };
      std::int64_t guess = limit;
      if (c.available_gib > 0 && c.bytes_per_block > 0) {
        const double blocks = std::floor(c.available_gib * kBytesPerGiB / c.bytes_per_block);
        guess = std::min<std::int64_t>(limit, std::int64_t(blocks / double(std::max<std::int64_t>(up.layout.full_groups, 1))) * st.block_size);
      }
      std::optional<std::int64_t> longest;
      if (guess >= 1 && fits(guess) && (guess == limit || !fits(guess + 1))) longest = guess;
      else longest = largest_ok(fits, 1, limit);
      r.solver.push_back(answer("workload.max_model_len", "Longest max_model_len that starts", longest,
                                longest && *longest < limit ? std::optional<std::int64_t>(*longest + 1) : std::nullopt,
                                [&](std::int64_t v) { return probe.at(double(v))->needed_gib; },
                                "none starts: the weights and the profiling run leave no room for one block"));
      if (longest && *longest == limit && !st.allow_long_max_model_len) {
        r.solver.back().note = "the model's own maximum (" + st.derived_key + "); beyond it vLLM refuses unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1";
      }
    }
    // The fewest tensor-parallel GPUs that start: the sizes that divide the heads, in order.
    {
      work.scenario = request.scenario;
      Probe probe(*this, work, "parallelism.tensor_parallel_size");
      r.solver.push_back(fewest_tensor_parallel(probe, request.model, "Fewest tensor-parallel GPUs that start",
                                                "no tensor-parallel size up to the heads starts"));
    }
    // The fewest pipeline stages that start at this tensor-parallel size.
    {
      work.scenario = request.scenario;
      Probe probe(*this, work, "parallelism.pipeline_parallel_size");
      const auto fewest = smallest_ok([&](std::int64_t pp) { return probe.ok(double(pp)); }, 1, request.model.num_layers);
      r.solver.push_back(answer("parallelism.pipeline_parallel_size", "Fewest pipeline stages that start", fewest,
                                fewest && *fewest > 1 ? std::optional<std::int64_t>(*fewest - 1) : std::nullopt,
                                [&](std::int64_t v) { return probe.at(double(v))->needed_gib; }, "no pipeline split starts"));
    }
    // The lowest gpu_memory_utilization that starts, in hundredths (as people set it).
    {
      work.scenario = request.scenario;
      Probe probe(*this, work, "framework_config.gpu_memory_utilization");
      auto starts = [&](std::int64_t hundredths) { return probe.ok(double(hundredths) / 100); };
      const std::int64_t highest = vllm::checks_free_memory(st)
                                       ? std::int64_t(std::floor((gpu - kCudaContextGib) / gpu * 100)) : 100;
      std::optional<std::int64_t> lowest;
      const std::int64_t guess = std::int64_t(std::ceil((up.fixed + up.one_request) / gpu * 100));
      if (guess >= 1 && guess <= highest && starts(guess) && (guess == 1 || !starts(guess - 1))) {
        lowest = guess;
      } else if (guess <= highest || starts(highest)) {
        lowest = smallest_ok(starts, 1, std::min<std::int64_t>(highest, 100));
      }  // else even the highest does not start: none does
      SolverAnswer a = answer("framework_config.gpu_memory_utilization", "Lowest gpu_memory_utilization that starts", lowest,
                              lowest && *lowest > 1 ? std::optional<std::int64_t>(*lowest - 1) : std::nullopt,
                              [&](std::int64_t v) { return probe.at(double(v) / 100)->needed_gib; },
                              "none up to " + gib_text(double(highest) / 100) + " starts (above it, free memory at start-up is short)");
      if (a.value) a.value = *a.value / 100;
      if (a.past) a.past = *a.past / 100;
      r.solver.push_back(a);
    }
  }

  vLLMMemoryEstimator memory_;
};

}  // namespace

std::unique_ptr<Engine> make_vllm_engine(const Request& request) { return std::make_unique<VllmEngine>(request); }

}  // namespace llmmem::engines
