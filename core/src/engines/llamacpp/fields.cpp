// llama.cpp's own fields, named as llama-server's flags (common/arg.cpp); engine.cpp resolves
// their defaults.
#include <array>
#include <cctype>
#include <string>

#include "engines/llamacpp/buffers.hpp"
#include "input/field_block.hpp"
#include "input/json_reader.hpp"

namespace llmmem::fields {
namespace {

constexpr std::array<V, 3> kFlashAttn = {"auto", "on", "off"};
constexpr std::array<V, 3> kOllamaKvTypes = {"f16", "q8_0", "q4_0"};
// Ollama releases whose defaults differ (tests/data/llamacpp/SOURCE_NOTES.md), newest first.
constexpr std::array<V, 6> kOllamaReleases = {"0.15.5", "0.12.4", "0.9.7", "0.6.7", "0.6.6", "0.5.7"};

void check_ollama_version(const std::string& path, const FieldValue& v) {
  // "0.12.6", "0.6.8-rc1": as `ollama --version` prints it.
  const std::string& t = v.text;
  bool ok = !t.empty() && t.size() <= 40 && std::isdigit(static_cast<unsigned char>(t[0])) && t.find('.') != std::string::npos;
  for (char c : t) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  if (!ok) detail::fail(path, "must be an Ollama version such as \"0.12.6\", got " + detail::quote_text(t));
}

constexpr FieldSpec kFields[] = {
    {.path = "framework_config.ctx_size", .kind = FieldKind::integer, .min = 0, .max = kMaxTokens, .default_json = "4096",
     .engines = kLlamaCpp, .section = "llama.cpp", .label = "Context size (-c)", .flags = "--ctx-size",
     .help = "KV cells over all slots; 0: the model's training context (llama-server's default from 2026 builds)"},
    {.path = "framework_config.n_parallel", .kind = FieldKind::integer, .min = 1, .max = 65536, .default_json = "1",
     .engines = kLlamaCpp, .section = "llama.cpp", .label = "Parallel slots (-np)", .flags = "--parallel",
     .help = "sequences served at once; each gets ctx_size / n_parallel cells unless the cache is unified"},
    {.path = "framework_config.n_gpu_layers", .kind = FieldKind::integer, .min = 0, .max = 1 << 20,
     .default_note = "all (999: llama.cpp's default from October 2025 builds; 0 before)", .engines = kLlamaCpp,
     .section = "llama.cpp", .label = "GPU layers (-ngl)", .flags = "--n-gpu-layers --gpu-layers",
     .help = "the last N layers go to the GPU; more than the model's layers also moves the output head"},
    {.path = "framework_config.flash_attn", .kind = FieldKind::choice, .choices = kFlashAttn, .default_json = "\"auto\"",
     .engines = kLlamaCpp, .section = "llama.cpp", .label = "Flash attention (-fa)", .flags = "--flash-attn",
     .help = "auto: on where the GPU runs it (CUDA, Metal, Vulkan); off: KQ is materialised in the compute buffer"},
    {.path = "framework_config.cache_type_k", .kind = FieldKind::choice, .choices = llamacpp::kCacheTypes,
     .default_json = "\"f16\"", .engines = kLlamaCpp, .section = "llama.cpp", .label = "K cache type (-ctk)",
     .flags = "--cache-type-k", .help = "the K cache's element type"},
    {.path = "framework_config.cache_type_v", .kind = FieldKind::choice, .choices = llamacpp::kCacheTypes,
     .default_json = "\"f16\"", .engines = kLlamaCpp, .section = "llama.cpp", .label = "V cache type (-ctv)",
     .flags = "--cache-type-v", .help = "the V cache's element type; a quantized V needs flash attention"},
    {.path = "framework_config.ubatch_size", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens, .default_json = "512",
     .engines = kLlamaCpp, .section = "llama.cpp", .label = "Micro-batch (-ub)", .flags = "--ubatch-size",
     .help = "tokens per graph evaluation: the compute buffer is reserved for it", .advanced = true},
    {.path = "framework_config.kv_unified", .kind = FieldKind::boolean, .default_json = "false", .engines = kLlamaCpp,
     .section = "llama.cpp", .label = "Unified KV cache", .flags = "--kv-unified",
     .help = "the slots share one cache of ctx_size cells", .advanced = true},
    {.path = "framework_config.no_kv_offload", .kind = FieldKind::boolean, .default_json = "false", .engines = kLlamaCpp,
     .section = "llama.cpp", .label = "KV cache in system memory (-nkvo)", .flags = "--no-kv-offload",
     .help = "keep every layer's KV cache in host memory", .advanced = true},
    {.path = "framework_config.swa_full", .kind = FieldKind::boolean, .default_json = "false", .engines = kLlamaCpp,
     .section = "llama.cpp", .label = "Full-size SWA cache", .flags = "--swa-full",
     .help = "sliding-window layers keep every cell instead of the window", .advanced = true},
    {.path = "framework_config.llamacpp_build", .kind = FieldKind::integer, .min = 1, .max = 1e6,
     .default_note = "a 2025 build (b4014 to b6867): -c 4096, cells padded to 256 with flash attention and 32 without",
     .engines = kLlamaCpp, .section = "llama.cpp", .label = "llama.cpp build", .flags = "--llamacpp-build",
     .help = "as llama-server prints it (\"build: 9849\"): from b6975 cells pad to 256, from b7407 -c defaults to the "
             "training context and --fit fits the context and the layers to the GPU, from b9460 the logits are reserved per slot"},
    // ---- Ollama on top of llama.cpp: its defaults by version, and its own choice of -ngl ----
    {.path = "framework_config.ollama_version", .kind = FieldKind::text,
     .default_note = "not through Ollama: llama-server as started", .suggestions = kOllamaReleases, .engines = kLlamaCpp,
     .section = "Ollama", .label = "Ollama version", .flags = "--ollama-version",
     .help = "run through Ollama: its context, parallelism, flash attention and layer offload by version", .check = check_ollama_version},
    {.path = "framework_config.num_ctx", .kind = FieldKind::integer, .min = 1, .max = kMaxTokens,
     .default_note = "Ollama's: 2048, 4096 from 0.6.7, by the GPUs' memory from 0.15.5 (4k, 32k from 23 GiB, 256k from 47 GiB)",
     .engines = kLlamaCpp, .section = "Ollama", .label = "num_ctx", .flags = "--num-ctx",
     .help = "each request's context (the num_ctx option, OLLAMA_CONTEXT_LENGTH); the runner gets num_ctx x parallel cells"},
    {.path = "framework_config.ollama_num_parallel", .kind = FieldKind::integer, .min = 1, .max = 65536,
     .default_note = "Ollama's: 4, 2 from 0.6.7 (1 where that does not fit), 1 from 0.9.7", .engines = kLlamaCpp,
     .section = "Ollama", .label = "Parallel requests", .flags = "--ollama-num-parallel",
     .help = "requests served at once (OLLAMA_NUM_PARALLEL)"},
    {.path = "framework_config.ollama_flash_attention", .kind = FieldKind::boolean,
     .default_note = "off; from 0.12.4 on for Gemma 3, gpt-oss and Qwen3", .engines = kLlamaCpp, .section = "Ollama",
     .label = "Flash attention", .flags = "--ollama-flash-attention",
     .help = "flash attention in the runner (OLLAMA_FLASH_ATTENTION)"},
    {.path = "framework_config.ollama_kv_cache_type", .kind = FieldKind::choice, .choices = kOllamaKvTypes,
     .default_json = "\"f16\"", .engines = kLlamaCpp, .section = "Ollama", .label = "KV cache type",
     .flags = "--ollama-kv-cache-type", .help = "the KV cache's type (OLLAMA_KV_CACHE_TYPE); Ollama quantizes it only with flash attention"},
};

}  // namespace

std::span<const FieldSpec> llamacpp_fields() { return kFields; }

}  // namespace llmmem::fields
