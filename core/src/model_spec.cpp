#include "llmmem/model_spec.hpp"

namespace llmmem {

ParameterCounts ModelSpec::parameter_counts() const {
  const std::int64_t h = hidden_size;
  const AttentionShape& a = attention;
  const std::int64_t norm_params = norm == NormKind::layer_norm ? 2 * h : h;

  ParameterCounts counts;
  counts.num_layers = num_layers;
  counts.token_embedding = vocab_size * h;
  counts.position_embedding = learned_positions * h;
  counts.lm_head = tie_word_embeddings ? 0 : vocab_size * h;
  counts.final_norm = norm_params;

  // Q and O span all heads; K and V only the KV heads (GQA/MQA), each head_dim wide,
  // which need not equal hidden_size / num_heads (Gemma, Qwen3).
  const std::int64_t q_width = a.num_heads * a.head_dim;
  const std::int64_t kv_width = a.num_kv_heads * a.head_dim;
  counts.attention_per_layer = h * (q_width + 2 * kv_width) + q_width * h +
                               (a.qkv_bias ? q_width + 2 * kv_width : 0) +
                               (a.output_bias ? h : 0);

  // Gated MLPs (SwiGLU, GeGLU) have gate, up and down matrices; plain ones up and down.
  auto mlp_params = [&](std::int64_t intermediate) {
    const std::int64_t matrices = mlp.gated ? 3 : 2;
    const std::int64_t biases = mlp.bias ? (matrices - 1) * intermediate + h : 0;
    return matrices * h * intermediate + biases;
  };
  if (is_moe()) {
    counts.num_experts = moe.num_experts;
    counts.experts_per_token = moe.experts_per_token;
    counts.one_expert = mlp_params(moe.expert_intermediate_size);
    counts.router_per_layer = h * moe.num_experts;
  } else {
    counts.dense_mlp_per_layer = mlp_params(mlp.intermediate_size);
  }
  counts.norms_per_layer = 2 * norm_params;  // before attention and before the MLP
  return counts;
}

}  // namespace llmmem
