#include "llmmem/model_spec.hpp"

#include <initializer_list>

#include "llmmem/error.hpp"

namespace llmmem {
namespace {

[[noreturn]] void too_large() {
  throw InputError("config", "config: describes more parameters than can be counted (over 9.2e18)");
}

std::int64_t mul(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) too_large();
  return product;
}

std::int64_t mul(std::initializer_list<std::int64_t> factors) {
  std::int64_t product = 1;
  for (std::int64_t factor : factors) product = mul(product, factor);
  return product;
}

std::int64_t add(std::initializer_list<std::int64_t> terms) {
  std::int64_t sum = 0;
  for (std::int64_t term : terms) {
    if (__builtin_add_overflow(sum, term, &sum)) too_large();
  }
  return sum;
}

}  // namespace

std::int64_t ParameterCounts::experts_per_layer() const { return mul(one_expert, num_experts); }

std::int64_t ParameterCounts::layer() const {
  return add({attention_per_layer, dense_mlp_per_layer, experts_per_layer(), router_per_layer,
              norms_per_layer});
}

std::int64_t ParameterCounts::embeddings() const {
  return add({token_embedding, position_embedding, lm_head, extras});
}

std::int64_t ParameterCounts::total() const {
  return add({embeddings(), final_norm, mul(num_layers, layer())});
}

std::int64_t ParameterCounts::active_per_token() const {
  return total() - mul({num_layers, one_expert, num_experts - experts_per_token});
}

ParameterCounts ModelSpec::parameter_counts() const {
  const std::int64_t h = hidden_size;
  const AttentionShape& a = attention;
  const std::int64_t norm_params = norm == NormKind::layer_norm ? 2 * h : h;

  ParameterCounts counts;
  counts.num_layers = num_layers;
  counts.token_embedding = mul(vocab_size, h);
  counts.position_embedding = mul(learned_positions, h);
  if (num_labels > 0) {
    // The classifier (score) of *ForSequenceClassification; BERT's has a bias, Llama's not.
    counts.lm_head = add({mul(h, num_labels), pooler ? num_labels : 0});
  } else {
    counts.lm_head = tie_word_embeddings ? 0 : mul(vocab_size, h);
  }
  // BERT normalises after each sub-layer and after the embeddings, not at the end.
  counts.final_norm = embedding_norm ? 0 : norm_params;
  counts.extras = add({mul(token_type_vocab, h), embedding_norm ? norm_params : 0,
                                 pooler ? add({mul(h, h), h}) : 0,
                                 masked_lm_head ? add({mul(h, h), h, norm_params, vocab_size}) : 0});

  // Q and O span all heads; K and V only the KV heads (GQA/MQA), each head_dim wide,
  // which need not equal hidden_size / num_heads (Gemma, Qwen3).
  const std::int64_t q_width = mul(a.num_heads, a.head_dim);
  const std::int64_t kv_width = mul(a.num_kv_heads, a.head_dim);
  const std::int64_t qkv_width = add({q_width, mul(2, kv_width)});
  counts.attention_per_layer = add({mul(h, qkv_width), mul(q_width, h), a.qkv_bias ? qkv_width : 0,
                                    a.output_bias ? h : 0});

  // Gated MLPs (SwiGLU, GeGLU) have gate, up and down matrices; plain ones up and down.
  auto mlp_params = [&](std::int64_t intermediate) {
    const std::int64_t matrices = mlp.gated ? 3 : 2;
    const std::int64_t biases = mlp.bias ? add({mul(matrices - 1, intermediate), h}) : 0;
    return add({mul({matrices, h, intermediate}), biases});
  };
  if (is_moe()) {
    counts.num_experts = moe.num_experts;
    counts.experts_per_token = moe.experts_per_token;
    counts.one_expert = mlp_params(moe.expert_intermediate_size);
    counts.router_per_layer = mul(h, moe.num_experts);
  } else {
    counts.dense_mlp_per_layer = mlp_params(mlp.intermediate_size);
  }
  counts.norms_per_layer = 2 * norm_params;  // before attention and before the MLP
  return counts;
}

}  // namespace llmmem
