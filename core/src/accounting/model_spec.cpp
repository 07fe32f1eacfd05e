#include "llmmem/model_spec.hpp"

#include <initializer_list>

#include "accounting/count.hpp"

namespace llmmem {
namespace {

std::int64_t mul(std::int64_t a, std::int64_t b) { return (Count(a) * b).value(); }

std::int64_t mul(std::initializer_list<std::int64_t> factors) {
  Count product = 1;
  for (std::int64_t factor : factors) product = product * factor;
  return product.value();
}

std::int64_t add(std::initializer_list<std::int64_t> terms) {
  Count sum = 0;
  for (std::int64_t term : terms) sum += term;
  return sum.value();
}

}  // namespace

std::int64_t ParameterCounts::experts_per_layer() const { return mul(one_expert, num_experts); }

std::int64_t ParameterCounts::moe_mlp_per_layer() const {
  return add({experts_per_layer(), shared_experts_per_layer, router_per_layer});
}

std::int64_t ParameterCounts::attention() const { return mul(attention_layers, attention_per_layer); }
std::int64_t ParameterCounts::mamba() const { return mul(mamba_layers, mamba_per_layer); }
std::int64_t ParameterCounts::norms() const {
  return add({mul(num_layers, norms_per_layer), final_norm});
}
std::int64_t ParameterCounts::mlp() const {
  return add({mul(dense_layers, dense_mlp_per_layer), mul(moe_layers(), moe_mlp_per_layer())});
}

std::int64_t ParameterCounts::embeddings() const {
  return add({token_embedding, position_embedding, lm_head, extras});
}

std::int64_t ParameterCounts::language_model() const {
  return add({embeddings(), attention(), mamba(), mlp(), norms()});
}

std::int64_t ParameterCounts::total() const { return add({language_model(), vision}); }

std::int64_t ParameterCounts::active_per_token() const {
  return total() - mul({moe_layers(), one_expert, num_experts - experts_per_token});
}

std::int64_t BlockPattern::count(char kind, std::int64_t first, std::int64_t count) const {
  std::int64_t found = 0;
  for (std::int64_t i = first; i < first + count && i < std::int64_t(kinds.size()); ++i) found += kinds[std::size_t(i)] == kind;
  return found;
}

std::int64_t SlidingWindow::count(std::int64_t first, std::int64_t count) const {
  std::int64_t sliding = 0;
  for (std::int64_t i = first; i < first + count && i < std::int64_t(layers.size()); ++i) sliding += layers[i];
  return sliding;
}

ParameterCounts ModelSpec::parameter_counts() const {
  const std::int64_t h = hidden_size;
  const AttentionShape& a = attention;
  const std::int64_t norm_params = norm == NormKind::layer_norm ? 2 * h : h;

  ParameterCounts counts;
  counts.num_layers = num_layers;
  // Which layers hold what: every layer attention and an MLP (DeepSeek's first ones dense), or a
  // hybrid's blocks one mixer each.
  counts.attention_layers = counts.mlp_layers = num_layers;
  counts.dense_layers = is_moe() ? moe.dense_layers : num_layers;
  if (blocks.hybrid()) {
    counts.attention_layers = blocks.count('*', 0, num_layers);
    counts.dense_layers = blocks.count('-', 0, num_layers);
    counts.mlp_layers = counts.dense_layers + blocks.count('E', 0, num_layers);
    counts.mamba_layers = blocks.count('M', 0, num_layers);
    // modeling_nemotron_h.py, NemotronHMamba2Mixer: in_proj (gate, x, B, C, dt), conv1d
    // (depthwise over x, B, C), A_log, D, dt_bias, the gated norm, out_proj.
    const MambaShape& m = mamba;
    const std::int64_t projected = add({m.inner(), m.conv_dim(), m.num_heads});
    counts.mamba_per_layer = add({mul(h, projected), m.proj_bias ? projected : 0, mul(m.conv_dim(), m.conv_kernel),
                                  m.conv_bias ? m.conv_dim() : 0, 3 * m.num_heads, m.inner(), mul(m.inner(), h),
                                  m.proj_bias ? h : 0});
  }
  counts.token_embedding = mul(vocab_size, h);
  counts.position_embedding = mul(learned_positions, h);
  if (num_labels > 0) {
    // The classifier (score) of *ForSequenceClassification; BERT's has a bias, Llama's not.
    counts.lm_head = add({mul(h, num_labels), pooler ? num_labels : 0});
  } else {
    counts.lm_head = tie_word_embeddings ? 0 : add({mul(vocab_size, h), lm_head_bias ? vocab_size : 0});
  }
  counts.final_norm = final_norm ? norm_params : 0;
  counts.extras = add({mul(token_type_vocab, h), embedding_norm ? norm_params : 0,
                       pooler ? add({mul(h, h), h}) : 0,
                       masked_lm_head ? add({mul(h, h), h, norm_params, vocab_size}) : 0});
  counts.vision = vision.parameters;

  if (a.is_mla()) {
    // modeling_deepseek.py, DeepseekV2Attention: q_a_proj + q_a_layernorm + q_b_proj (or
    // q_proj), kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj, o_proj; no biases.
    const MlaShape& m = a.mla;
    const std::int64_t q_out = mul(a.num_heads, m.qk_nope_head_dim + m.qk_rope_head_dim);
    const std::int64_t q = m.q_lora_rank > 0 ? add({mul(h, m.q_lora_rank), m.q_lora_rank, mul(m.q_lora_rank, q_out)})
                                             : mul(h, q_out);
    counts.attention_per_layer =
        add({q, mul(h, m.kv_lora_rank + m.qk_rope_head_dim), m.kv_lora_rank,
             mul({m.kv_lora_rank, a.num_heads, m.qk_nope_head_dim + m.v_head_dim}),
             mul({a.num_heads, m.v_head_dim, h})});
    counts.attention_matrices_per_layer = counts.attention_per_layer - m.kv_lora_rank - m.q_lora_rank;
  } else {
    // Q and O span all heads; K and V only the KV heads (GQA/MQA), each head_dim wide,
    // which need not equal hidden_size / num_heads (Gemma, Qwen3).
    const std::int64_t q_width = mul(a.num_heads, a.head_dim);
    const std::int64_t kv_width = mul(a.num_kv_heads, a.head_dim);
    const std::int64_t qkv_width = add({q_width, mul(2, kv_width)});
    const std::int64_t qk_norm = a.qk_norm == QkNorm::per_head     ? 2 * a.head_dim
                                 : a.qk_norm == QkNorm::full_width ? add({q_width, kv_width})
                                                                   : 0;
    counts.attention_matrices_per_layer = add({mul(h, qkv_width), mul(q_width, h)});
    counts.attention_per_layer = add({counts.attention_matrices_per_layer, a.qkv_bias ? qkv_width : 0,
                                      a.output_bias ? h : 0, qk_norm, a.sinks ? a.num_heads : 0});
  }

  // Gated MLPs (SwiGLU, GeGLU) have gate, up and down matrices; plain ones up and down.
  auto mlp_params = [&](std::int64_t intermediate, bool bias) {
    const std::int64_t matrices = mlp.gated ? 3 : 2;
    const std::int64_t biases = bias ? add({mul(matrices - 1, intermediate), h}) : 0;
    return add({mul({matrices, h, intermediate}), biases});
  };
  const std::int64_t matrices = mlp.gated ? 3 : 2;
  counts.dense_mlp_per_layer = mlp_params(mlp.intermediate_size, mlp.bias);
  counts.dense_mlp_matrices = mul({matrices, h, mlp.intermediate_size});
  if (is_moe()) {
    counts.num_experts = moe.num_experts;
    counts.experts_per_token = moe.experts_per_token;
    counts.one_expert = mlp_params(moe.expert_intermediate_size, moe.expert_bias);
    counts.expert_matrices = mul({matrices, h, moe.expert_intermediate_size});
    counts.shared_expert_matrices = mul({matrices, h, moe.shared_intermediate_size});
    counts.shared_experts_per_layer =
        moe.shared_intermediate_size > 0
            ? add({mlp_params(moe.shared_intermediate_size, false), moe.shared_expert_gate ? h : 0})
            : 0;
    counts.router_per_layer = add({mul(h, moe.num_experts), moe.router_bias ? moe.num_experts : 0,
                                   moe.router_correction_bias ? moe.num_experts : 0});
  }
  counts.norms_per_layer = mul(norms_per_layer, norm_params);
  return counts;
}

}  // namespace llmmem
