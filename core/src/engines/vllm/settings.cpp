// vLLM's defaults by version, GPU and entrypoint, each from vLLM's source (vllm-project/vllm;
// the versions a change first shipped in, read from its history):
//   engine          V1 by default from 0.8.0 (#13726), V0 removed in 0.11.0 (#25033); 0.8-0.9
//                   fall back to V0 below compute capability 8.0 (arg_utils.py, the V1 oracle)
//   model runner    v2 from 0.12.0 opt-in (#25266); default for Qwen3 dense in 0.22 (#39337),
//                   + Llama/Mistral in 0.23 (#43458), quantized in 0.24, all dense models in
//                   0.25 (#44443), all models in 0.30 (#53183)
//   graph profiling runner v1 takes CUDA graphs off the KV budget from 0.21 (#38284), which also
//                   raised gpu_memory_utilization's default from 0.9 to 0.92
//   batch defaults  arg_utils.py _set_default_args_v1 / get_batch_defaults (#12369, #16158,
//                   #17073, #17885, #28665); V0: SchedulerConfig (#6666, #10544)
//   capture sizes   V0 model_runner.py (#7894); V1 config.py (#10058, #14508), #20628, #26016
//   block size      16; MLA: FlashMLA 64 on Hopper (#13747), CUTLASS MLA 128 on Blackwell
//                   (#21626), FlashInfer MLA 64 there from 0.15 (#32615)
//   max_model_len   ModelConfig._get_and_verify_max_len (keys, model_max_length #15441, RoPE)
#include "engines/vllm/settings.hpp"

#include <cstdint>
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "accounting/units.hpp"
#include "engines/text.hpp"
#include "llmmem/error.hpp"
#include "llmmem/gpus.hpp"
#include "llmmem/schema.hpp"

namespace llmmem::vllm {
namespace {

using engines::number_text;

/// Whether `text` holds `needle` (lower case), case aside.
bool contains(std::string_view text, std::string_view needle) {
  auto same = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; };
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), same) != text.end();
}

/// The model's maximum length as vLLM derives it, and the key it names in its refusal.
std::pair<double, std::string> derived_max_len(const ModelSpec& m, const Version& version) {
  const ContextLimit& c = m.context;
  double length = c.positions > 0 ? double(c.positions) : 2048.0;  // vLLM assumes 2048 with a warning
  std::string key = c.positions > 0 ? c.key : "default";
  if (c.model_max_length > 0 && version.at_least(8, 3)) {  // #15441: Command-R's model_max_length wins
    length = double(c.model_max_length);
    key = "model_max_length";
  }
  const std::string& type = c.rope_type;
  const bool scaled = !type.empty() && type != "su" && type != "longrope" && type != "llama3" && type != "default" &&
                      type != "mrope" && m.model_type.find("gemma3") == std::string::npos;
  if (scaled) {
    if (type == "yarn" && c.original_positions > 0) length = double(c.original_positions);
    length *= c.rope_factor;
  }
  return {length, key};
}

/// Which GPUs get vLLM's larger batch defaults ("For GPUs like H100 and MI300x").
bool large_gpu_defaults(const Version& v, const Scenario& s, std::string_view device) {
  const double memory = s.framework_config.gpu_memory_gib.value_or(0);
  if (v.at_least(9)) return memory >= 70 && !contains(device, "a100");  // #17885
  if (v.at_least(8, 5)) return memory >= 70;                            // #17073
  return contains(device, "h100") || contains(device, "h200");          // #12369
}

std::vector<std::int64_t> default_capture_sizes(const Settings& s) {
  std::vector<std::int64_t> sizes;
  auto add_range = [&](std::int64_t from, std::int64_t to_inclusive, std::int64_t step) {
    for (std::int64_t size = from; size <= to_inclusive; size += step) sizes.push_back(size);
  };
  if (!s.v1) {
    // V0: [1, 2, 4] + 8 * i, up to the batch size max_num_seqs pads to (0.6.0 on: up to 8192;
    // before, at most 256).
    const std::int64_t padded = s.max_num_seqs <= 4 ? (s.max_num_seqs <= 1 ? 1 : s.max_num_seqs <= 2 ? 2 : 4)
                                                    : ceil_div(s.max_num_seqs, 8) * 8;
    const std::int64_t largest = std::min<std::int64_t>(padded, s.version.at_least(6) ? 8192 : 256);
    for (std::int64_t size : {1, 2, 4}) if (size <= largest) sizes.push_back(size);
    add_range(8, largest, 8);
    return sizes;
  }
  std::int64_t largest = 512;
  if (s.version.at_least(10)) largest = std::min<std::int64_t>(2 * s.max_num_seqs, 512);  // #20628
  if (s.version.at_least(11, 1)) largest = std::min(largest, s.max_num_batched_tokens);  // #26016
  for (std::int64_t size : {1, 2, 4}) if (size <= largest) sizes.push_back(size);
  if (s.version.at_least(11, 1)) {
    add_range(8, std::min<std::int64_t>(largest, 255), 8);
    add_range(256, largest, 16);
  } else {
    add_range(8, largest, 8);
  }
  // From 0.8 only sizes a step can reach: at most max_num_batched_tokens tokens (#14508).
  std::erase_if(sizes, [&](std::int64_t size) { return s.version.at_least(8) && size > s.max_num_batched_tokens; });
  return sizes;
}

}  // namespace

std::string Version::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Version newest_version() {
  static const Version newest = parse_version(std::string(kReleases[0]));
  return newest;
}

Version parse_version(const std::string& text) {
  int parts[3] = {0, 0, 0};
  std::size_t i = 0;
  for (int part = 0; part < 3 && i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++part) {
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      parts[part] = std::min(parts[part] * 10 + (text[i] - '0'), 9999);
      ++i;
    }
    if (i < text.size() && text[i] == '.') ++i;
  }
  return {parts[0], parts[1], parts[2]};
}

Settings resolve(const ModelSpec& model, const Scenario& scenario, bool with_echo) {
  const GivenFields& given = scenario.given;
  const FrameworkConfig& f = scenario.framework_config;
  Settings s;
  const GpuModel* gpu = f.gpu.empty() ? nullptr : find_gpu(f.gpu);
  const std::string_view device = gpu ? std::string_view(gpu->device_name) : std::string_view();
  const bool rocm = gpu && gpu->compute_capability == 0;
  const std::optional<double> capability = f.gpu_compute_capability;
  // Called only `if (with_echo)`: the probes of the solver build no strings.
  auto echo = [&](const char* path, auto&& value, auto&& source) {
    s.echo.push_back({path, std::string(value), given.find(path) ? "given" : std::string(source)});
  };
  auto flag = [&](const char* path) { const FieldValue* v = given.find(path); return v && v->boolean; };
  auto integer = [&](const char* path) -> std::optional<std::int64_t> {
    if (const FieldValue* v = given.find(path)) return v->integer;
    return std::nullopt;
  };
  auto choice = [&](const char* path) -> std::string_view {
    const FieldValue* v = given.find(path);
    return v ? std::string_view(v->text) : std::string_view();
  };

  const FieldValue* version = given.find("framework_config.vllm_version");
  s.version = version ? parse_version(version->text) : newest_version();
  s.version_given = version != nullptr;
  const Version& v = s.version;
  if (with_echo) echo("framework_config.vllm_version", "\"" + (version ? version->text : v.text()) + "\"",
       "the newest vLLM modelled");

  // The engine.
  const std::string_view engine = choice("framework_config.vllm_engine");
  const bool turing_fallback = v.at_least(8) && !v.at_least(10) && capability && *capability < 8.0;
  s.v1 = engine.empty() ? v.at_least(8) && !turing_fallback : engine == "v1";
  if (!s.v1 && v.at_least(11)) {
    throw InputError("framework_config.vllm_engine",
                     "framework_config.vllm_engine: vLLM " + v.text() + " has no V0 engine (removed in 0.11.0)");
  }
  if (with_echo) echo("framework_config.vllm_engine", s.v1 ? "\"v1\"" : "\"v0\"",
       turing_fallback ? "vLLM 0.8-0.9 falls back to V0 below compute capability 8.0"
                       : v.at_least(8) ? "V1: the default from 0.8.0" : "V0: the default before 0.8.0");

  // The model runner (V1 only).
  const std::string_view runner = choice("framework_config.vllm_model_runner");
  const std::string& arch = model.architecture;
  const bool dense = !model.is_moe();
  const bool listed = arch == "Qwen3ForCausalLM" || (v.at_least(23) && (arch == "LlamaForCausalLM" || arch == "MistralForCausalLM"));
  bool runner_default = false;
  if (v.at_least(30)) runner_default = true;
  else if (v.at_least(25)) runner_default = dense;
  else if (v.at_least(22)) runner_default = dense && listed && (v.at_least(24) || !model.is_quantized());
  s.runner_v2 = s.v1 && (runner.empty() ? runner_default : runner == "v2");
  if (s.v1) {
    if (with_echo) echo("framework_config.vllm_model_runner", s.runner_v2 ? "\"v2\"" : "\"v1\"",
         runner_default ? "model runner v2: vLLM " + v.text() + "'s default for " + arch
                        : "the first model runner: vLLM " + v.text() + "'s default for " + arch);
  }
  s.flashinfer_sampler = choice("framework_config.vllm_sampler") == "flashinfer";
  s.enforce_eager = flag("framework_config.enforce_eager");
  s.disable_custom_all_reduce = flag("framework_config.disable_custom_all_reduce");
  s.allow_long_max_model_len = flag("framework_config.allow_long_max_model_len");
  s.offline = choice("framework_config.vllm_entrypoint") == "llm";

  // CUDA graph memory profiling: runner v1 from 0.21 (ROCm from 0.26); runner v2 reserves none.
  if (const FieldValue* profile = given.find("framework_config.profile_cudagraph_memory")) {
    s.profile_cudagraph_memory = profile->boolean;
  } else {
    s.profile_cudagraph_memory = s.v1 && !s.runner_v2 && v.at_least(21) && (!rocm || v.at_least(26));
  }
  if (s.v1) {
    if (with_echo) echo("framework_config.profile_cudagraph_memory", s.profile_cudagraph_memory ? "true" : "false",
         s.profile_cudagraph_memory ? "the default from 0.21 (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS)"
                                    : s.runner_v2 ? "model runner v2 reserves nothing for CUDA graphs"
                                                  : "off before 0.21");
  }
  if (const FieldValue* utilization = given.find("framework_config.gpu_memory_utilization")) {
    s.gpu_memory_utilization = utilization->number;
  } else {
    s.gpu_memory_utilization = v.at_least(21) ? 0.92 : 0.9;
  }
  if (with_echo) echo("framework_config.gpu_memory_utilization", number_text(s.gpu_memory_utilization),
       v.at_least(21) ? "0.92: the default from 0.21" : "0.9: the default before 0.21");

  // max_model_len: the model's derived maximum unless given.
  const auto [derived, key] = derived_max_len(model, v);
  s.derived_max_model_len = derived;
  s.derived_key = key;
  s.max_model_len = integer("workload.max_model_len").value_or(std::int64_t(derived));
  if (with_echo) echo("workload.max_model_len", std::to_string(s.max_model_len), "the model's maximum (" + key + ")");

  // Chunked prefill: always in V1; V0 turns it on for contexts over 32K (#6666).
  const bool mla = model.attention.is_mla();
  if (const FieldValue* chunked = given.find("framework_config.enable_chunked_prefill"); chunked && !s.v1) {
    s.chunked_prefill = chunked->boolean;
  } else {
    s.chunked_prefill = s.v1 || (v.at_least(5, 3) && s.max_model_len > 32768 && model.sliding_window.layers.empty() &&
                                 !(v.at_least(8) && (mla || model.vision.parameters > 0)));
  }

  // Batch defaults.
  const bool large = large_gpu_defaults(v, scenario, device);
  std::int64_t seqs = 256, tokens = 2048;
  std::string batch_source;
  if (s.v1) {
    seqs = !v.at_least(8, 4) || large ? 1024 : 256;  // 1024 everywhere until #16158 (0.8.4)
    tokens = large ? (s.offline ? 16384 : 8192) : (s.offline ? 8192 : 2048);
    if (with_echo) {
      batch_source = std::string("vLLM ") + v.text() + "'s default for " + (s.offline ? "the LLM class" : "`vllm serve`") +
                     (f.gpu_memory_gib ? (large ? " on this GPU (>= 70 GiB, not an A100)" : " on this GPU")
                                       : " (no GPU given: the smaller GPUs' defaults)");
    }
  } else {
    tokens = s.chunked_prefill ? (v.at_least(6, 5) ? 2048 : 512) : std::max<std::int64_t>(s.max_model_len, 2048);
    if (with_echo) batch_source = s.chunked_prefill ? "V0's chunked prefill (contexts over 32K)" : "V0: max(max_model_len, 2048)";
  }
  const auto given_seqs = integer("workload.max_num_seqs");
  const auto given_tokens = integer("workload.max_num_batched_tokens");
  s.max_num_seqs = given_seqs.value_or(seqs);
  s.max_num_batched_tokens = given_tokens.value_or(tokens);
  if (s.v1 && v.at_least(11, 1)) {  // #28665: defaults never exceed what a step can hold
    // Both may be 2^40: a product past int64 holds more than any default anyway.
    std::int64_t step_tokens = 0;
    if (__builtin_mul_overflow(s.max_num_seqs, s.max_model_len, &step_tokens)) step_tokens = INT64_MAX;
    if (!given_tokens) s.max_num_batched_tokens = std::min(s.max_num_batched_tokens, step_tokens);
    if (!given_seqs) s.max_num_seqs = std::min(s.max_num_seqs, s.max_num_batched_tokens);
  }
  if (with_echo) echo("workload.max_num_seqs", std::to_string(s.max_num_seqs), s.v1 ? batch_source : "V0's default");
  if (with_echo) echo("workload.max_num_batched_tokens", std::to_string(s.max_num_batched_tokens), batch_source);

  // Block size: 16, but for MLA kernels that need larger pages.
  std::int64_t block = 16;
  std::string block_source = "vLLM's default";
  if (s.v1 && mla && capability && v.at_least(8)) {
    if (*capability >= 9.0 && *capability < 10.0) {
      block = 64;
      block_source = "FlashMLA's pages on Hopper";
    } else if (*capability >= 10.0 && *capability < 11.0 && v.at_least(10, 1)) {
      block = v.at_least(15) ? 64 : 128;
      block_source = v.at_least(15) ? "FlashInfer MLA's pages on Blackwell" : "CUTLASS MLA's pages on Blackwell";
    }
  }
  s.block_size = integer("workload.block_size").value_or(block);
  if (with_echo) echo("workload.block_size", std::to_string(s.block_size), block_source);

  if (const FieldValue* non_torch = given.find("framework_config.non_torch_memory_gib")) s.non_torch_memory_gib = non_torch->number;
  if (const FieldValue* ratio = given.find("framework_config.graph_memory_overhead_ratio")) s.graph_ratio = ratio->number;
  if (const FieldValue* scaling = given.find("framework_config.graph_batch_scaling_factor")) s.graph_scaling = scaling->number;
  if (const FieldValue* sizes = given.find("framework_config.cudagraph_capture_sizes")) {
    s.cudagraph_capture_sizes = s.enforce_eager ? std::vector<std::int64_t>{} : sizes->integers;
  } else if (!s.enforce_eager) {
    s.cudagraph_capture_sizes = default_capture_sizes(s);
  }
  if (with_echo) {
    std::string sizes_text = "[";
    for (std::int64_t size : s.cudagraph_capture_sizes) {
      if (sizes_text.size() > 1) sizes_text += ',';
      sizes_text += std::to_string(size);
    }
    sizes_text += ']';
    echo("framework_config.cudagraph_capture_sizes", sizes_text,
         s.enforce_eager ? "none: --enforce-eager" : "vLLM " + v.text() + "'s default list");
  }
  return s;
}

}  // namespace llmmem::vllm
