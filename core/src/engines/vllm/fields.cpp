// vLLM's own fields, named as its flags; their defaults follow vllm_version and the GPU
// (engines/vllm/settings.cpp resolves them).
#include <array>
#include <cctype>
#include <string>

#include "engines/vllm/settings.hpp"
#include "input/field_block.hpp"
#include "input/json_reader.hpp"

namespace llmmem::fields {
namespace {

constexpr std::array<V, 2> kVllmEngines = {"v1", "v0"};
constexpr std::array<V, 2> kRunners = {"v2", "v1"};
constexpr std::array<V, 2> kSamplers = {"pytorch", "flashinfer"};
constexpr std::array<V, 2> kEntrypoints = {"serve", "llm"};

void check_version(const std::string& path, const FieldValue& v) {
  // "0.11", "0.6.4.post1", "0.10.1.1", "0.11.0rc1": a release as `pip show vllm` prints it.
  const std::string& t = v.text;
  std::size_t i = 0, dots = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < t.size() && i - start < 4 && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > start;
  };
  bool ok = t.size() <= 40 && digits();
  while (ok && i < t.size() && t[i] == '.' && dots < 3) {
    ++i;
    ++dots;
    if (!digits()) {
      --i;  // a suffix such as ".post1" or ".dev0"
      break;
    }
  }
  if (!ok || dots == 0) {
    detail::fail(path, "must be a vLLM version such as \"0.11.0\" or \"0.6.4.post1\", got " + detail::quote_text(t));
  }
}

constexpr FieldSpec kFields[] = {
    // ---- vLLM's workload ----
    {.path = "workload.max_model_len", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "the model's maximum length, derived from config.json as vLLM derives it",
     .engines = kVllm, .section = "Workload", .label = "Max model length", .flags = "--max-model-len",
     .help = "the longest request (prompt + output) vLLM accepts; its KV cache must hold one"},
    {.path = "workload.max_num_seqs", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "vLLM's default for the version, the GPU and the entrypoint (256 or 1024)",
     .engines = kVllm, .section = "Workload", .label = "Max concurrent sequences", .flags = "--max-num-seqs",
     .help = "requests scheduled at once"},
    {.path = "workload.max_num_batched_tokens", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "vLLM's default for the version, the GPU and the entrypoint (2048 to 16384)",
     .engines = kVllm, .section = "Workload", .label = "Max batched tokens", .flags = "--max-num-batched-tokens",
     .help = "tokens per scheduler step (the prefill chunk); bounds the profiling run's activations", .advanced = true},
    {.path = "workload.block_size", .kind = FieldKind::integer, .min = 1, .max = double(1 << 20), .default_json = "16",
     .engines = kVllm, .section = "Workload", .label = "KV block size", .flags = "--block-size",
     .help = "tokens per paged KV block", .advanced = true},
    // ---- vLLM's flags ----
    {.path = "framework_config.vllm_version", .kind = FieldKind::text,
     .default_note = "the newest vLLM this calculator models", .suggestions = vllm::kReleases, .engines = kVllm, .section = "vLLM",
     .label = "vLLM version", .flags = "--vllm-version",
     .help = "as `pip show vllm` prints it: the engine, model runner and defaults follow from it", .check = check_version},
    {.path = "framework_config.gpu_memory_utilization", .kind = FieldKind::number, .min = 0, .max = 1, .min_open = true,
     .bounds_text = "in (0, 1]", .default_note = "vLLM's default for the version", .engines = kVllm, .section = "vLLM",
     .label = "GPU memory utilization", .flags = "--gpu-memory-utilization --gpu-utilization",
     .help = "the share of the GPU's memory vLLM may claim"},
    {.path = "framework_config.vllm_entrypoint", .kind = FieldKind::choice, .choices = kEntrypoints, .default_json = "\"serve\"",
     .engines = kVllm, .section = "vLLM", .label = "Started with", .flags = "--vllm-entrypoint",
     .help = "serve: `vllm serve` (the OpenAI server); llm: Python's LLM class (other defaults)"},
    {.path = "framework_config.enforce_eager", .kind = FieldKind::boolean, .default_json = "false", .engines = kVllm,
     .section = "vLLM", .label = "Enforce eager (no CUDA graphs)", .flags = "--enforce-eager", .help = "capture no CUDA graphs"},
    {.path = "framework_config.disable_custom_all_reduce", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kVllm | kSglang, .section = "Parallelism", .label = "Disable custom all-reduce", .flags = "--disable-custom-all-reduce",
     .help = "NCCL only (vLLM and SGLang also turn it off on more than two PCIe-only GPUs)", .advanced = true},
    {.path = "framework_config.enable_chunked_prefill", .kind = FieldKind::boolean,
     .default_note = "always in V1; V0 turns it on for contexts over 32K", .engines = kVllm, .section = "vLLM",
     .label = "Chunked prefill", .flags = "--enable-chunked-prefill",
     .help = "split long prompts into max_num_batched_tokens chunks (V0: else a step must hold a whole prompt)", .advanced = true},
    {.path = "framework_config.allow_long_max_model_len", .kind = FieldKind::boolean, .default_json = "false",
     .engines = kVllm, .section = "vLLM", .label = "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1", .flags = "--allow-long-max-model-len",
     .help = "accept a max_model_len beyond the model's derived maximum (vLLM's environment variable)", .advanced = true},
    {.path = "framework_config.cudagraph_capture_sizes", .kind = FieldKind::integer_list, .max = kMaxTokens,
     .max_entries = 4096, .default_note = "vLLM's default list for the version", .engines = kVllm, .section = "vLLM",
     .label = "CUDA graph sizes", .flags = "--cudagraph-capture-sizes --cudagraph-sizes",
     .help = "the batch sizes captured", .advanced = true},
    {.path = "framework_config.non_torch_memory_gib", .kind = FieldKind::number, .min = 0, .max = 1e6,
     .bounds_text = "a number of GiB in [0, 1000000]", .default_note = "estimated from the GPUs and the version",
     .engines = kVllm, .section = "vLLM", .label = "Non-torch memory (GiB)", .flags = "--non-torch-memory-gib",
     .help = "memory outside PyTorch that grows at start-up (NCCL, cuBLAS): state it for WSL2 or a desktop", .advanced = true},
    {.path = "framework_config.vllm_engine", .kind = FieldKind::choice, .choices = kVllmEngines,
     .default_note = "V1 from 0.8 (V0 where 0.8-0.10 fall back to it), V0 before", .engines = kVllm, .section = "vLLM",
     .label = "Engine (override)", .flags = "--vllm-engine", .help = "override what the version implies", .advanced = true},
    {.path = "framework_config.vllm_model_runner", .kind = FieldKind::choice, .choices = kRunners,
     .default_note = "what the version runs by default", .engines = kVllm, .section = "vLLM",
     .label = "Model runner (override)", .flags = "--vllm-model-runner", .help = "V1's model runner", .advanced = true},
    {.path = "framework_config.vllm_sampler", .kind = FieldKind::choice, .choices = kSamplers, .default_json = "\"pytorch\"",
     .engines = kVllm, .section = "vLLM", .label = "Top-k/top-p sampler", .flags = "--vllm-sampler",
     .help = "flashinfer where the log says \"Using FlashInfer for top-p & top-k sampling\"", .advanced = true},
    {.path = "framework_config.profile_cudagraph_memory", .kind = FieldKind::boolean,
     .default_note = "what the version does (the first model runner from 0.21)", .engines = kVllm, .section = "vLLM",
     .label = "Graphs in the KV budget (override)", .flags = "--profile-cudagraph-memory",
     .help = "take the CUDA graphs' memory off the KV budget", .advanced = true},
    {.path = "framework_config.graph_memory_overhead_ratio", .kind = FieldKind::spec_parameter,
     .default_note = "params.graph_memory_overhead_ratio", .engines = kVllm, .section = "vLLM", .label = "Graph overhead ratio (spec formula)",
     .flags = "--graph-memory-overhead-ratio", .help = "the spec's CUDA graph formula instead of vLLM's measured one", .advanced = true},
    {.path = "framework_config.graph_batch_scaling_factor", .kind = FieldKind::spec_parameter,
     .default_note = "params.graph_batch_scaling_factor", .engines = kVllm, .section = "vLLM", .label = "Graph batch scaling (spec formula)",
     .flags = "--graph-batch-scaling-factor", .help = "the spec's CUDA graph formula instead of vLLM's measured one", .advanced = true},
};

}  // namespace

std::span<const FieldSpec> vllm_fields() { return kFields; }

}  // namespace llmmem::fields
