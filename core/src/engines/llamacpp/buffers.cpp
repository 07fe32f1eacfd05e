#include "engines/llamacpp/buffers.hpp"

#include <algorithm>

namespace llmmem::llamacpp {
namespace {

std::int64_t pad(std::int64_t n, std::int64_t to) { return (n + to - 1) / to * to; }

// ggml/src/ggml-common.h: bytes per block and values per block of each cache type.
struct Block {
  double bytes, values;
};
constexpr std::array<Block, 9> kBlocks = {{{2, 1}, {2, 1}, {4, 1}, {34, 32}, {18, 32}, {20, 32}, {22, 32}, {24, 32}, {18, 32}}};

// The architectures llama.cpp runs with sliding-window layers (llama-model.cpp: swa_type set
// in load_hparams); it runs Mistral-7B-v0.1's and Qwen2's windows as full attention.
bool slides_in_llamacpp(const ModelSpec& m) {
  for (std::string_view type : {"gemma2", "gemma3_text", "gemma3", "cohere2", "gpt_oss", "exaone4"}) {
    if (m.model_type == type) return true;
  }
  return false;
}

bool has_attention(const ModelSpec& m, std::int64_t layer) {
  if (!m.blocks.hybrid()) return true;
  return m.blocks.count('*', layer, 1) == 1;
}

// K and V widths per token of one layer: n_embd_k_gqa and n_embd_v_gqa. MLA files converted
// since llama.cpp PR #12801 cache the latent and the rope key as one K "head" (kv_lora_rank +
// qk_rope_head_dim) and still allocate a V of kv_lora_rank.
std::pair<std::int64_t, std::int64_t> kv_widths(const ModelSpec& m) {
  const AttentionShape& a = m.attention;
  if (a.is_mla()) return {a.mla.kv_lora_rank + a.mla.qk_rope_head_dim, a.mla.kv_lora_rank};
  return {a.num_kv_heads * a.head_dim, a.num_kv_heads * a.head_dim};
}

}  // namespace

CacheType cache_type(std::string_view name) {
  const auto found = std::find(kCacheTypes.begin(), kCacheTypes.end(), name);
  return found == kCacheTypes.end() ? CacheType::f16 : CacheType(found - kCacheTypes.begin());
}

double cache_row_bytes(CacheType type, std::int64_t elements) {
  const Block& b = kBlocks[std::size_t(type)];
  return double(elements) / b.values * b.bytes;
}

KvCells kv_cells(const ModelSpec& m, const Settings& s) {
  const std::int64_t padding = s.padding == Padding::always_256 ? 256
                               : s.padding == Padding::none    ? 1
                               : s.flash_attn                  ? 256
                                                               : 32;
  const bool unified = s.kv_unified || s.n_parallel == 1;
  KvCells cells;
  cells.streams = unified ? 1 : s.n_parallel;
  // create_memory: one stream of the padded context, or each sequence its share, padded.
  cells.full = unified ? pad(s.ctx_size, padding) : pad((s.ctx_size + s.n_parallel - 1) / s.n_parallel, padding);
  // llama_kv_cache_iswa: a sliding layer keeps the window for each sequence sharing the
  // stream, and a micro-batch more (PR #13833); --swa-full keeps them all.
  const std::int64_t window = slides_in_llamacpp(m) ? m.sliding_window.window : 0;
  cells.swa = window > 0 && !s.swa_full
                  ? std::min(cells.full, pad(window * (unified ? s.n_parallel : 1) + s.n_ubatch, padding))
                  : cells.full;
  return cells;
}

double layer_kv_bytes(const ModelSpec& m, std::int64_t layer, const KvCells& cells, const Settings& s) {
  if (!has_attention(m, layer)) return 0;
  const bool sliding = slides_in_llamacpp(m) && m.sliding_window.window > 0 &&
                       layer < std::int64_t(m.sliding_window.layers.size()) &&
                       m.sliding_window.layers[std::size_t(layer)];
  const double rows = double(sliding ? cells.swa : cells.full) * double(cells.streams);
  const auto [k, v] = kv_widths(m);
  return (cache_row_bytes(s.type_k, k) + cache_row_bytes(s.type_v, v)) * rows;
}

double layer_state_bytes(const ModelSpec& m, std::int64_t layer, const Settings& s) {
  if (!m.blocks.hybrid() || m.blocks.count('M', layer, 1) == 0) return 0;
  const MambaShape& mb = m.mamba;
  // n_embd_r: the convolution's last (d_conv - 1) inputs; n_embd_s: the SSM state. One cell
  // per sequence, F32 (llama_memory_recurrent; llama-hparams.cpp n_embd_r, n_embd_s).
  const double r = double(mb.conv_kernel - 1) * double(mb.conv_dim());
  const double state = double(mb.state_size) * double(mb.inner());
  return 4.0 * (r + state) * double(std::max<std::int64_t>(1, s.n_parallel));
}

ComputeBuffers compute_buffers(const ModelSpec& m, const Settings& s, const KvCells& cells, bool output_on_gpu) {
  // graph_reserve(n_tokens = min(n_ctx, n_ubatch)) over the whole cache (n_kv = its cells).
  const double t = double(std::min(cells.full * cells.streams, s.n_ubatch));
  const double e = double(m.hidden_size), h = double(m.attention.num_heads), vocab = double(m.vocab_size);
  const double n_kv = double(cells.full);
  // Without flash attention each layer materialises KQ in F32 ([n_kv, T, heads]) beside the
  // residual stream; ggml-alloc reuses it layer after layer. Flash attention never does.
  const double attention = s.flash_attn ? 4.0 * t * (1.0 + 4.0 * e) : 4.0 * t * (1.0 + 4.0 * e + n_kv * (1.0 + h));
  // The head's logits: for every token of the micro-batch (n_outputs = n_tokens in the reserve),
  // or from b9460 for n_outputs_max rows (sched_reserve: min(n_tokens, n_outputs_max)).
  const double outputs = s.n_outputs_max > 0 ? std::min(t, double(s.n_outputs_max)) : t;
  const double logits = 4.0 * outputs * (e + vocab);
  // The MLP's F32 intermediates beside three rows of the residual stream: the peak once the
  // logits no longer dominate. Dense: gate, up and their product (build 9849, Qwen3-8B at a
  // 2048-token micro-batch: 4 x 2048 x 3 x (4096 + 12288) = 384.00 MiB, 384.04 logged). MoE: for
  // each token's k experts the gate, the up, the activation and the product (mul_mat_id's
  // [n_ff, k, T]), and the experts' outputs before their weighted sum ([n_embd, k, T]):
  // Qwen3-30B-A3B, 4 x 2048 x (3 x 2048 + 4 x 8 x 768 + 8 x 2048) = 368.00 MiB, 368.04 logged.
  // Shared experts and hybrid (Mamba) graphs are not modelled.
  const MoeShape& moe = m.moe;
  const double k = double(moe.experts_per_token);
  const double mlp = m.blocks.hybrid() ? 0.0
                     : m.is_moe()      ? 4.0 * t * (3.0 * e + 4.0 * k * double(moe.expert_intermediate_size) + k * e)
                                       : 12.0 * t * (e + double(m.mlp.intermediate_size));
  ComputeBuffers b;
  b.gpu = std::max({attention, mlp, output_on_gpu ? logits : 0.0});
  // Pinned host memory: the input embeddings' rows (token_embd stays on the CPU) and the F32
  // KQ mask ([n_kv, T]), and the logits when the head runs there.
  b.host = 4.0 * t * (e + n_kv) + (output_on_gpu ? 0.0 : logits);
  return b;
}

double output_buffer_bytes(const ModelSpec& m, const Settings& s) {
  return 4.0 * double(m.vocab_size) * double(std::max<std::int64_t>(1, s.n_parallel));
}

}  // namespace llmmem::llamacpp
