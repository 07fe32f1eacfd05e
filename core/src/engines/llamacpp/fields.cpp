// llama.cpp's own fields, named as llama-server's flags (common/arg.cpp); engine.cpp resolves
// their defaults.
#include <array>

#include "engines/llamacpp/buffers.hpp"
#include "input/field_block.hpp"

namespace llmmem::fields {
namespace {

constexpr std::array<V, 3> kFlashAttn = {"auto", "on", "off"};

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
};

}  // namespace

std::span<const FieldSpec> llamacpp_fields() { return kFields; }

}  // namespace llmmem::fields
