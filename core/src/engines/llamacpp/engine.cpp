// llama.cpp (llama-server, llama-cli, and the runners Ollama and LM Studio ship): a GGUF file's
// layers placed by -ngl, the KV cache beside each layer, the compute buffers of its worst-case
// graph. It fits when the busiest GPU's buffers do; system memory takes the rest.
//   placement   the last -ngl layers on the GPUs, the input embedding always on the CPU, the
//               output head on a GPU only when -ngl exceeds the layers (llama-model.cpp
//               load_tensors); GPUs split the layers in equal shares (--tensor-split's default
//               for GPUs of one size)
//   defaults    llama-server's: -c 4096 (November 2024 to 2025 builds), -np 1, -ngl all (999
//               from October 2025), -fa auto, -ctk/-ctv f16, -ub 512 (common/common.h)
//   CUDA        457 MiB per GPU for the CUDA context and cuBLAS, outside ggml's buffers: the
//               reserve Ollama keeps for it (discover/gpu.go, ml/device.go MinimumMemory)
#include <algorithm>
#include <cmath>

#include "accounting/units.hpp"
#include "engines/common.hpp"
#include "engines/llamacpp/buffers.hpp"
#include "engines/text.hpp"

namespace llmmem::engines {
namespace {

using llamacpp::CacheType;

constexpr double kCudaContextBytes = 457.0 * 1024 * 1024;

struct Resolved {
  llamacpp::Settings buffers;
  std::int64_t n_gpu_layers = 0;
  bool kv_offload = true;
  std::vector<Setting> echo;
  std::vector<std::string> warnings;
};

Resolved resolve(const Request& request) {
  const GivenFields& given = request.scenario.given;
  const ModelSpec& m = request.model;
  Resolved r;
  llamacpp::Settings& s = r.buffers;
  auto integer = [&](const char* path, std::int64_t fallback) {
    const FieldValue* v = given.find(path);
    return v ? v->integer : fallback;
  };
  auto flag = [&](const char* path) {
    const FieldValue* v = given.find(path);
    return v && v->boolean;
  };
  auto choice = [&](const char* path, std::string_view fallback) {
    const FieldValue* v = given.find(path);
    return v ? std::string_view(v->text) : fallback;
  };
  auto echo = [&](const char* path, std::string value, std::string source) {
    r.echo.push_back({path, std::move(value), given.find(path) ? "given" : std::move(source)});
  };
  const std::int64_t trained = m.context.positions > 0 ? m.context.positions : 4096;
  const std::int64_t ctx = integer("framework_config.ctx_size", 4096);
  s.ctx_size = ctx == 0 ? trained : ctx;
  echo("framework_config.ctx_size", std::to_string(s.ctx_size),
       "llama-server's default -c 4096 (builds from November 2024 to 2025)");
  if (!given.find("framework_config.ctx_size")) {
    r.warnings.push_back("ctx_size not given: llama-server's -c 4096 of 2025 builds; builds from 2026 default to the "
                         "model's training context (" + std::to_string(trained) + ") and lower it to fit the GPU");
  } else if (s.ctx_size > trained) {
    r.warnings.push_back("n_ctx_per_seq (" + std::to_string(s.ctx_size) + ") > n_ctx_train (" + std::to_string(trained) +
                         ") -- possible training context overflow (llama.cpp's words; it still starts)");
  }
  s.n_parallel = integer("framework_config.n_parallel", 1);
  echo("framework_config.n_parallel", std::to_string(s.n_parallel), "llama-server's default -np 1");
  const std::int64_t all = m.num_layers + 1;
  r.n_gpu_layers = std::min(integer("framework_config.n_gpu_layers", all), all);
  echo("framework_config.n_gpu_layers", std::to_string(r.n_gpu_layers),
       "all layers and the output head (-ngl 999, the default from October 2025 builds)");
  const std::string_view fa = choice("framework_config.flash_attn", "auto");
  s.flash_attn = fa != "off";
  echo("framework_config.flash_attn", "\"" + std::string(fa) + "\"", "llama-server's default -fa auto: on for GPUs that run it");
  auto cache = [&](const char* path) {
    const std::string_view name = choice(path, "f16");
    for (std::size_t i = 0; i < llamacpp::kCacheTypes.size(); ++i) {
      if (llamacpp::kCacheTypes[i] == name) return CacheType(i);
    }
    return CacheType::f16;
  };
  s.type_k = cache("framework_config.cache_type_k");
  s.type_v = cache("framework_config.cache_type_v");
  echo("framework_config.cache_type_k", "\"" + std::string(choice("framework_config.cache_type_k", "f16")) + "\"", "default f16");
  echo("framework_config.cache_type_v", "\"" + std::string(choice("framework_config.cache_type_v", "f16")) + "\"", "default f16");
  s.n_ubatch = integer("framework_config.ubatch_size", 512);
  echo("framework_config.ubatch_size", std::to_string(s.n_ubatch), "default -ub 512");
  s.kv_unified = flag("framework_config.kv_unified");
  s.swa_full = flag("framework_config.swa_full");
  r.kv_offload = !flag("framework_config.no_kv_offload");
  return r;
}

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

Placement place(const Request& request, const MemoryEstimator& estimator, const Resolved& settings) {
  const ModelSpec& m = request.model;
  const llamacpp::Settings& s = settings.buffers;
  const MemoryEstimator::WeightParts weights = estimator.weight_parts();
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
  const llamacpp::ComputeBuffers compute = llamacpp::compute_buffers(m, s, p.cells, p.output_on_gpu);
  for (Device& d : p.gpus) {
    d.compute = d.output || !p.output_on_gpu ? compute.gpu : llamacpp::compute_buffers(m, s, p.cells, false).gpu;
    d.context = kCudaContextBytes;
  }
  p.host_compute = compute.host;
  p.output = llamacpp::output_buffer_bytes(m, s);
  return p;
}

class LlamaCppEngine final : public Engine {
 public:
  explicit LlamaCppEngine(const Request& request) : estimator_(request.model, request.params) {}

  Result compute(const Request& request, Depth depth) const override {
    const Scenario& s = request.scenario;
    const ModelSpec& m = request.model;
    Result r;
    r.estimator = "LlamaCppMemoryEstimator";
    r.framework = request.framework;
    r.mode = Mode::inference;
    const Resolved settings = resolve(request);
    Verdict& v = r.verdict;
    if (settings.buffers.type_v != CacheType::f16 && settings.buffers.type_v != CacheType::bf16 &&
        settings.buffers.type_v != CacheType::f32 && !settings.buffers.flash_attn) {
      // llama_init_from_model refuses before allocating anything (src/llama-context.cpp).
      v.status = Verdict::Status::refuses;
      v.reason = "V cache quantization requires flash_attn";
      v.field = "framework_config.cache_type_v";
      v.summary = "llama.cpp refuses to start: " + v.reason + ".";
      if (depth == Depth::full) r.warnings = shared_warnings(request);
      return r;
    }
    const Placement p = place(request, estimator_, settings);
    const Device& busiest = *std::max_element(p.gpus.begin(), p.gpus.end(),
                                              [](const Device& a, const Device& b) { return a.total() < b.total(); });
    MemoryBreakdown& b = r.breakdown;
    b.model_weights_gb = busiest.weights / kBytesPerGiB;
    b.kv_cache_gb = busiest.kv / kBytesPerGiB;
    b.activations_gb = busiest.compute / kBytesPerGiB;
    b.non_torch_memory_gb = busiest.context / kBytesPerGiB;
    require_computable(b);
    r.cpu_memory_gib = p.host() / kBytesPerGiB;
    const double total = b.total_gb();
    v.needed_gib = total;
    const std::int64_t offloaded = p.gpu_layers + (p.output_on_gpu ? 1 : 0);
    const std::string layers_text =
        std::to_string(offloaded) + "/" + std::to_string(m.num_layers + 1) + " layers on the GPU";
    if (const auto gpu = s.framework_config.gpu_memory_gib) {
      v.gpu_memory_gib = *gpu;
      v.limit_gib = *gpu;
      v.status = total <= *gpu ? Verdict::Status::fits : Verdict::Status::does_not_fit;
      if (depth == Depth::full) {
        v.summary = total <= *gpu ? "Fits on " + gpus_text(request) + " with " + layers_text + ": " + gib_text(*gpu - total) +
                                        " GiB to spare per GPU of " + gib_text(*gpu) + " GiB."
                                  : "Does not fit on " + gpus_text(request) + " with " + layers_text + ": needs " +
                                        gib_text(total - *gpu) + " GiB more per GPU than its " + gib_text(*gpu) +
                                        " GiB (llama.cpp fails to allocate a buffer).";
      }
    } else if (depth == Depth::full) {
      v.summary = "Needs " + gib_text(total) + " GiB per GPU with " + layers_text + "; choose a GPU for a verdict.";
    }
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
    r.explanations = explain(request, settings, p, busiest);
    r.warnings = shared_warnings(request);
    r.warnings.insert(r.warnings.end(), settings.warnings.begin(), settings.warnings.end());
    if (!m.is_quantized() || m.quantization.format != QuantFormat::gguf) {
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
};

}  // namespace

std::unique_ptr<Engine> make_llamacpp_engine(const Request& request) { return std::make_unique<LlamaCppEngine>(request); }

}  // namespace llmmem::engines
