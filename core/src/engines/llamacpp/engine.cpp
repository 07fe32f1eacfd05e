// llama.cpp (llama-server, llama-cli, and the runners Ollama and LM Studio ship): a GGUF file's
// layers placed by -ngl, the KV cache beside each layer, the compute buffers of its worst-case
// graph. It fits when the busiest GPU's buffers do; system memory takes the rest.
//   placement   the last -ngl layers on the GPUs, the input embedding always on the CPU, the
//               output head on a GPU only when -ngl exceeds the layers (llama-model.cpp
//               load_tensors); GPUs split the layers in equal shares (--tensor-split's default
//               for GPUs of one size)
//   settings    llama-server's defaults, or Ollama's by version (settings.cpp); Ollama picks
//               -ngl itself: the most layers that fit (ollama_fit below)
//   CUDA        457 MiB per GPU for the CUDA context and cuBLAS, outside ggml's buffers: the
//               reserve Ollama keeps for it (discover/gpu.go, ml/device.go MinimumMemory)
#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"
#include "engines/common.hpp"
#include "engines/llamacpp/buffers.hpp"
#include "engines/llamacpp/settings.hpp"
#include "engines/text.hpp"

namespace llmmem::engines {
namespace {

using llamacpp::CacheType;
using llamacpp::Resolved;
using llamacpp::resolve;

constexpr double kCudaContextBytes = 457.0 * 1024 * 1024;

/// What one device holds, in bytes.
struct Device {
  double weights = 0, kv = 0, compute = 0, context = 0;
  std::int64_t layers = 0;
  bool output = false;
  double total() const { return weights + kv + compute + context; }
};

struct Placement {
  std::vector<Device> gpus;
  // System memory: the embedding and CPU layers (mapped from the file), their KV cache, the
  // pinned compute buffer, the logits.
  double host_model = 0, host_kv = 0, host_compute = 0, output = 0;
  std::int64_t gpu_layers = 0;
  bool output_on_gpu = false;
  llamacpp::KvCells cells;
  double host() const { return host_model + host_kv + host_compute + output; }
};

/// `weights`: the model's, placed (MemoryEstimator::weight_parts, worked out once per engine).
Placement place(const Request& request, const MemoryEstimator::WeightParts& weights, const Resolved& settings) {
  const ModelSpec& m = request.model;
  const llamacpp::Settings& s = settings.buffers;
  const std::int64_t layers = m.num_layers;
  const std::int64_t gpus = std::max<std::int64_t>(1, request.scenario.parallelism.pipeline_parallel_size);
  Placement p;
  p.cells = llamacpp::kv_cells(m, s);
  p.gpu_layers = std::min(settings.n_gpu_layers, layers);
  p.output_on_gpu = settings.n_gpu_layers > layers;
  p.gpus.resize(std::size_t(gpus));
  // load_tensors: layers [first, layers) go to the GPUs, the share of each by the cumulative
  // split over act_gpu_layers (the output head counted), here equal shares.
  const std::int64_t first = layers - p.gpu_layers;
  const double active = double(std::min(settings.n_gpu_layers, layers + 1));
  auto gpu_of = [&](std::int64_t il) {
    return std::min<std::int64_t>(gpus - 1, std::int64_t(std::floor(double(il - first) / active * double(gpus))));
  };
  p.host_model = weights.input;
  for (std::int64_t il = 0; il < layers; ++il) {
    const double kv = llamacpp::layer_kv_bytes(m, il, p.cells, s) + llamacpp::layer_state_bytes(m, il, s);
    if (il < first) {
      p.host_model += weights.layers[std::size_t(il)];
      p.host_kv += kv;
      continue;
    }
    Device& d = p.gpus[std::size_t(gpu_of(il))];
    d.weights += weights.layers[std::size_t(il)];
    ++d.layers;
    (settings.kv_offload ? d.kv : p.host_kv) += kv;
  }
  if (p.output_on_gpu) {
    Device& d = p.gpus[std::size_t(gpu_of(layers))];
    d.weights += weights.output;
    d.output = true;
  } else {
    p.host_model += weights.output;
  }
  // Each GPU reserves the graph's buffer; the one holding the head, its logits too.
  const llamacpp::ComputeBuffers compute = llamacpp::compute_buffers(m, s, p.cells, p.output_on_gpu);
  const double without_head = p.output_on_gpu ? llamacpp::compute_buffers(m, s, p.cells, false).gpu : compute.gpu;
  for (Device& d : p.gpus) {
    d.compute = d.output ? compute.gpu : without_head;
    d.context = kCudaContextBytes;
  }
  p.host_compute = compute.host;
  p.output = llamacpp::output_buffer_bytes(m, s);
  return p;
}

/// The GPU holding the most: the breakdown's, and what must fit.
const Device& busiest(const Placement& p) {
  return *std::max_element(p.gpus.begin(), p.gpus.end(), [](const Device& a, const Device& b) { return a.total() < b.total(); });
}

/// The most layers, from `from` down, whose busiest GPU holds at most `budget` bytes (0 where
/// none does): Ollama's choice of -ngl and llama-server's --fit alike; sets r.n_gpu_layers.
std::int64_t most_layers_within(const Request& request, const MemoryEstimator::WeightParts& weights, Resolved& r,
                                std::int64_t from, double budget) {
  std::int64_t layers = from;
  for (; layers > 0; --layers) {
    r.n_gpu_layers = layers;
    if (busiest(place(request, weights, r)).total() <= budget) break;
  }
  r.n_gpu_layers = layers;
  return layers;
}

// What Ollama decides before it starts the runner (llm/server.go): its default parallelism if
// the model then fits whole, else one slot; then as many layers as fit, from the last, with its
// reserve per GPU (the CUDA context here).
void ollama_fit(const Request& request, const MemoryEstimator::WeightParts& weights, Resolved& r) {
  const auto& f = request.scenario.framework_config;
  const std::int64_t all = request.model.num_layers + 1;
  if (!f.gpu_memory_gib) {
    if (r.ollama_picks_layers) r.say("framework_config.n_gpu_layers", std::to_string(all), "all: no GPU given for Ollama to fit them to");
    return;
  }
  const double gpu = *f.gpu_memory_gib * kBytesPerGiB;
  if (r.parallel_auto) {
    Resolved whole = r;
    whole.n_gpu_layers = all;
    if (busiest(place(request, weights, whole)).total() > gpu) {
      r.buffers.n_parallel = 1;
      r.buffers.ctx_size = r.num_ctx;
      r.say("framework_config.ollama_num_parallel", "1", "Ollama's fallback: its default parallelism does not fit the GPU");
    }
  }
  if (!r.ollama_picks_layers) return;
  const std::int64_t layers = most_layers_within(request, weights, r, all, gpu);
  r.say("framework_config.n_gpu_layers", std::to_string(layers), "Ollama's choice: the most layers that fit");
}

// llama-server's --fit from b7407 (common/common.cpp, src/llama.cpp llama_params_fit): what the
// user left unset is fitted to the GPU with 1 GiB to spare (--fit-target 1024): the context first,
// from the training context down to 4096 at least (--fit-ctx), then the layers on the GPU.
void server_fit(const Request& request, const MemoryEstimator::WeightParts& weights, Resolved& r) {
  const auto& gpu_gib = request.scenario.framework_config.gpu_memory_gib;
  if (!gpu_gib || (!r.fit_context && !r.fit_layers)) return;
  const double target = *gpu_gib * kBytesPerGiB - 1024.0 * 1024 * 1024;
  const auto fits = [&] { return busiest(place(request, weights, r)).total() <= target; };
  if (r.fit_context && !fits()) {
    const std::int64_t least = std::min<std::int64_t>(4096, r.trained_context);
    std::int64_t low = least, high = r.buffers.ctx_size;
    r.buffers.ctx_size = least;
    if (fits()) {
      while (high - low > 256) {  // cells come in 256s: the last step is below a page
        const std::int64_t mid = low + (high - low) / 2;
        r.buffers.ctx_size = mid;
        (fits() ? low : high) = mid;
      }
    }
    r.buffers.ctx_size = low / 256 * 256 > 0 ? low / 256 * 256 : low;
    r.say("framework_config.ctx_size", std::to_string(r.buffers.ctx_size), "--fit: the most context that fits the GPU with 1 GiB free");
  }
  if (r.fit_layers && !fits()) {
    const std::int64_t layers = most_layers_within(request, weights, r, r.n_gpu_layers, target);
    r.say("framework_config.n_gpu_layers", std::to_string(layers), "--fit: the most layers that fit the GPU with 1 GiB free");
  }
}

class LlamaCppEngine final : public Engine {
 public:
  explicit LlamaCppEngine(const Request& request)
      : estimator_(request.model, request.params), weights_(estimator_.weight_parts()) {}

  Result compute(const Request& request, Depth depth) const override {
    const Scenario& s = request.scenario;
    const ModelSpec& m = request.model;
    Result r;
    r.estimator = "LlamaCppMemoryEstimator";
    r.framework = request.framework;
    r.mode = Mode::inference;
    Resolved settings = resolve(request);
    if (settings.ollama) ollama_fit(request, weights_, settings);
    else server_fit(request, weights_, settings);
    if (llamacpp::is_quantized(settings.buffers.type_v) && !settings.buffers.flash_attn) {
      Verdict& v = r.verdict;
      // llama_init_from_model refuses before allocating anything (src/llama-context.cpp).
      v.status = Verdict::Status::refuses;
      v.reason = "V cache quantization requires flash_attn";
      v.field = "framework_config.cache_type_v";
      v.summary = "llama.cpp refuses to start: " + v.reason + ".";
      if (depth == Depth::full) r.warnings = shared_warnings(request);
      return r;
    }
    const Placement p = place(request, weights_, settings);
    const Device& held = busiest(p);
    MemoryBreakdown& b = r.breakdown;
    b.model_weights_gb = held.weights / kBytesPerGiB;
    b.kv_cache_gb = held.kv / kBytesPerGiB;
    b.activations_gb = held.compute / kBytesPerGiB;
    b.non_torch_memory_gb = held.context / kBytesPerGiB;
    require_computable(b);
    r.cpu_memory_gib = p.host() / kBytesPerGiB;
    const std::int64_t offloaded = p.gpu_layers + (p.output_on_gpu ? 1 : 0);
    const bool words = depth == Depth::full;
    const bool ollama_chose = settings.ollama_picks_layers && s.framework_config.gpu_memory_gib;
    r.verdict = fit_verdict(request, b.total_gb(), words,
                            words ? " with " + std::to_string(offloaded) + "/" + std::to_string(m.num_layers + 1) +
                                        " layers on the GPU" + (ollama_chose ? " (Ollama's choice)" : "")
                                  : std::string(),
                            " (llama.cpp fails to allocate a buffer)");
    if (depth != Depth::full) return r;

    LlamaCppBuffers& out = r.llamacpp_buffers.emplace();
    for (const Device& d : p.gpus) {
      out.gpus.push_back({d.weights / kBytesPerGiB, d.kv / kBytesPerGiB, d.compute / kBytesPerGiB, d.layers, d.output});
    }
    out.host_model_gib = p.host_model / kBytesPerGiB;
    out.host_kv_gib = p.host_kv / kBytesPerGiB;
    out.host_compute_gib = p.host_compute / kBytesPerGiB;
    out.output_gib = p.output / kBytesPerGiB;
    out.kv_cells = p.cells.full;
    out.swa_cells = p.cells.swa;
    out.streams = p.cells.streams;
    out.offloaded_layers = offloaded;
    out.total_layers = m.num_layers + 1;
    Request as_run = request;  // the layer split is its only parallelism
    as_run.scenario.parallelism = Parallelism{};
    as_run.scenario.parallelism.pipeline_parallel_size = s.parallelism.pipeline_parallel_size;
    describe_model(as_run, estimator_, r);
    r.breakdown_basis = "llama.cpp's buffers on the busiest GPU: its layers' weights and KV cache, the compute buffer, "
                        "and the CUDA context";
    r.settings = settings.echo;
    r.explanations = explain(request, settings, p, held);
    r.warnings = shared_warnings(request);
    r.warnings.insert(r.warnings.end(), settings.warnings.begin(), settings.warnings.end());
    if (r.counts.vision > 0) {
      r.warnings.push_back("the vision tower is not counted: llama.cpp loads it from its own mmproj file (--mmproj), "
                           "apart from the language model's GGUF");
    }
    if (m.checkpoint.layer_bytes.empty() && (!m.is_quantized() || m.quantization.format != QuantFormat::gguf)) {
      r.warnings.push_back(m.is_quantized()
                               ? "llama.cpp loads GGUF files, not this checkpoint's format: its weights are counted as stored; "
                                 "choose checkpoint.weights_as for the GGUF type you would convert it to"
                               : "llama.cpp loads GGUF files: the weights are counted as a GGUF of the checkpoint's dtype; "
                                 "choose checkpoint.weights_as (q4_k_m, q8_0...) for a quantized file");
    }
    if (!s.framework_config.gpu_memory_gib) return r;

    Request work = request;
    auto grow = [&](std::string_view path, std::string question, std::int64_t low, std::int64_t high, std::string none) {
      work.scenario = request.scenario;
      Probe probe(*this, work, path);
      const auto value = largest_ok([&](std::int64_t x) { return probe.ok(double(x)); }, low, high);
      r.solver.push_back(answer(std::string(path), std::move(question), value,
                                value && *value < high ? std::optional<std::int64_t>(*value + 1) : std::nullopt,
                                [&](std::int64_t x) { return probe.at(double(x))->needed_gib; }, std::move(none)));
    };
    grow("framework_config.n_gpu_layers", "Most layers on the GPU (-ngl)", 0, m.num_layers + 1,
         "none: even the compute buffer and the CUDA context need more than the GPU");
    grow("framework_config.ctx_size", "Largest context (-c)", 1, std::int64_t(1) << 30,
         "none: even one cell needs more than the GPU");
    work.scenario = request.scenario;
    Probe gpus(*this, work, "parallelism.pipeline_parallel_size");
    const std::int64_t most = std::min<std::int64_t>(m.num_layers, 64);
    const auto fewest = smallest_ok([&](std::int64_t x) { return gpus.ok(double(x)); }, 1, most);
    r.solver.push_back(answer("parallelism.pipeline_parallel_size", "Fewest GPUs splitting the layers", fewest,
                              fewest && *fewest > 1 ? std::optional<std::int64_t>(*fewest - 1) : std::nullopt,
                              [&](std::int64_t x) { return gpus.at(double(x))->needed_gib; },
                              "none up to " + std::to_string(most) + " GPUs"));
    return r;
  }

 private:
  static Explanations explain(const Request& request, const Resolved& settings, const Placement& p, const Device& gpu) {
    const ModelSpec& m = request.model;
    const llamacpp::Settings& s = settings.buffers;
    Explanations e;
    e.emplace_back("model_weights", std::to_string(gpu.layers) + " of " + std::to_string(m.num_layers) + " layers" +
                                        (gpu.output ? " and the output head" : "") +
                                        " (the input embedding stays in system memory)");
    e.emplace_back("kv_cache", settings.kv_offload
                                   ? std::to_string(p.cells.full) + " cells" +
                                         (p.cells.streams > 1 ? " for each of " + std::to_string(p.cells.streams) + " slots" : "") +
                                         (p.cells.swa != p.cells.full ? ", " + std::to_string(p.cells.swa) + " in sliding-window layers" : "") +
                                         " of this GPU's layers (-c " + std::to_string(s.ctx_size) + ", padded to " +
                                         (s.flash_attn ? "256" : "32") + ")"
                                   : "none: -nkvo keeps the KV cache in system memory");
    e.emplace_back("activations", std::string("the compute buffer for a ") + std::to_string(s.n_ubatch) + "-token micro-batch" +
                                      (s.flash_attn ? " with flash attention" : ", KQ materialised without flash attention") +
                                      (gpu.output ? ", and the logits" : ""));
    e.emplace_back("non_torch_memory", "the CUDA context and cuBLAS outside llama.cpp's buffers (Ollama reserves 457 MiB)");
    e.emplace_back("cpu_memory", "the input embedding, layers kept on the CPU and their KV cache, the host compute buffer "
                                 "and the logits");
    return e;
  }

  TransformersMemoryEstimator estimator_;
  MemoryEstimator::WeightParts weights_;  // the model's weights by part: the same for every request
};

}  // namespace

std::unique_ptr<Engine> make_llamacpp_engine(const Request& request) { return std::make_unique<LlamaCppEngine>(request); }

}  // namespace llmmem::engines
