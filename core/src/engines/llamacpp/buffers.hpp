#pragma once
// What llama.cpp allocates, buffer by buffer, as its source sizes them: the KV cache's cells and
// rows (src/llama-kv-cache.cpp, src/llama-model.cpp create_memory), the recurrent state
// (src/llama-memory-recurrent.cpp), the compute buffers ggml's scheduler reserves for the
// worst-case graph (src/llama-context.cpp graph_reserve) and the logits' output buffer.
// Pure arithmetic on the model and the settings; engine.cpp places it on devices.

#include <array>
#include <cstdint>
#include <string_view>

#include "llmmem/model_spec.hpp"

namespace llmmem::llamacpp {

/// -ctk / -ctv: the cache types llama.cpp accepts (common/arg.cpp kv_cache_types).
enum class CacheType { f16, bf16, f32, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl };
inline constexpr std::array<std::string_view, 9> kCacheTypes = {"f16", "bf16", "f32", "q8_0", "q4_0",
                                                                "q4_1", "q5_0", "q5_1", "iq4_nl"};
/// The type a flag names (f16 for a name it does not know: the schema checked it already).
CacheType cache_type(std::string_view name);
/// Whether `type` is one of the block-quantized types (not f16, bf16 or f32).
inline bool is_quantized(CacheType type) { return type != CacheType::f16 && type != CacheType::bf16 && type != CacheType::f32; }
/// ggml_row_size: bytes of `elements` values of `type` (whole blocks of 32 for the quantized ones).
double cache_row_bytes(CacheType type, std::int64_t elements);

/// How a build pads the cache's cells (tests/data/llamacpp/SOURCE_NOTES.md, from llama.cpp's history):
/// to 256 with flash attention and 32 without (llama_kv_cache::get_padding) to b6867; not at all
/// from b6868 (#16812); to 256 always from b6975 (#17046, llama_context's constructor).
enum class Padding { by_flash_attention, none, always_256 };

/// The settings that size the buffers, resolved (engine.cpp fills the defaults).
struct Settings {
  std::int64_t ctx_size = 4096;   // -c: cells asked for, over all sequences
  std::int64_t n_parallel = 1;    // -np: sequences (slots)
  std::int64_t n_ubatch = 512;    // -ub: tokens of the worst-case graph
  bool flash_attn = true;         // -fa
  bool kv_unified = false;        // --kv-unified: one cache the sequences share
  bool swa_full = false;          // --swa-full: sliding-window layers keep every cell
  CacheType type_k = CacheType::f16, type_v = CacheType::f16;
  Padding padding = Padding::by_flash_attention;
  // Rows of logits the worst-case graph reserves: 0, the whole micro-batch (to b9459); from
  // b9460 (#23861) llama-server sets n_outputs_max to its slots.
  std::int64_t n_outputs_max = 0;
};

/// The cache's cells: per stream (one stream, or one per sequence when not unified), for the
/// full-attention and the sliding-window layers. Padded as llama.cpp pads them: to 256 with
/// flash attention, 32 without (llama_kv_cache::get_padding).
struct KvCells {
  std::int64_t full = 0, swa = 0, streams = 1;
};
KvCells kv_cells(const ModelSpec& model, const Settings& settings);

/// Bytes of layer `layer`'s K and V over all streams (0 for a layer without attention).
double layer_kv_bytes(const ModelSpec& model, std::int64_t layer, const KvCells& cells, const Settings& settings);
/// Bytes of one recurrent (Mamba) layer's state for all sequences: F32 conv and SSM states.
double layer_state_bytes(const ModelSpec& model, std::int64_t layer, const Settings& settings);

/// The compute buffers of the worst-case graph: on the GPU that runs the layers (and the
/// output head when `output_on_gpu`), and in pinned host memory (graph inputs, the KQ mask,
/// the CPU's share of the work).
struct ComputeBuffers {
  double gpu = 0, host = 0;
};
ComputeBuffers compute_buffers(const ModelSpec& model, const Settings& settings, const KvCells& cells, bool output_on_gpu);

/// The logits buffer in host memory: a row of the vocabulary per sequence (output_reserve).
double output_buffer_bytes(const ModelSpec& model, const Settings& settings);

}  // namespace llmmem::llamacpp
