#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmmem {

/// Norm layers: RMSNorm has a weight vector, LayerNorm a weight and a bias.
enum class NormKind { rms_norm, layer_norm };

struct AttentionShape {
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;  // == num_heads for MHA, fewer for GQA, 1 for MQA
  std::int64_t head_dim = 0;
  bool qkv_bias = false;
  bool output_bias = false;
};

struct MlpShape {
  std::int64_t intermediate_size = 0;
  bool gated = false;  // gate, up and down matrices (SwiGLU/GeGLU) instead of up and down
  bool bias = false;
};

/// Routed experts; `num_experts == 0` for a dense model.
struct MoeShape {
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t expert_intermediate_size = 0;
};

/// Exact parameter counts, as integers. "Per layer" counts are for one decoder layer.
struct ParameterCounts {
  std::int64_t token_embedding = 0;
  std::int64_t position_embedding = 0;  // learned absolute positions (GPT-2, OPT), else 0
  std::int64_t lm_head = 0;             // 0 when tied to the token embedding; a classifier's weights
  std::int64_t extras = 0;  // outside the decoder layout: BERT's segment embeddings, embedding
                            // LayerNorm, pooler or masked-LM transform
  std::int64_t final_norm = 0;
  std::int64_t attention_per_layer = 0;
  std::int64_t dense_mlp_per_layer = 0;    // 0 for MoE layers
  std::int64_t one_expert = 0;             // one routed expert's MLP
  std::int64_t router_per_layer = 0;
  std::int64_t norms_per_layer = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;

  // Sums and products are overflow-checked: a config whose counts do not fit in 64 bits is an
  // InputError on "config", never a wrapped, negative count.
  std::int64_t experts_per_layer() const;
  std::int64_t layer() const;
  std::int64_t embeddings() const;
  std::int64_t total() const;
  /// Parameters one token passes through: all but the experts it is not routed to.
  std::int64_t active_per_token() const;
};

/// The architecture, derived once from config.json: everything later accounting needs.
struct ModelSpec {
  std::string architecture;  // first of config.architectures, else model_type
  std::string model_type;
  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t vocab_size = 0;
  std::int64_t learned_positions = 0;  // rows of a learned position table, 0 for RoPE/ALiBi
  AttentionShape attention;
  MlpShape mlp;
  MoeShape moe;
  NormKind norm = NormKind::rms_norm;
  bool tie_word_embeddings = false;
  // Encoders (BERT): segment embeddings, a LayerNorm after the embeddings, the pooler.
  std::int64_t token_type_vocab = 0;
  bool embedding_norm = false;
  bool pooler = false;
  bool masked_lm_head = false;  // BertForMaskedLM: dense + LayerNorm before the tied decoder, its bias
  /// A *ForSequenceClassification head of this many labels replaces the LM head; 0: an LM head.
  std::int64_t num_labels = 0;
  // Dropout in training keeps a 1-byte mask per dropped element (Korthikanti et al. 2022).
  bool hidden_dropout = false;
  bool attention_dropout = false;

  std::string storage_dtype;       // the checkpoint's dtype ("bfloat16", ...), or the default
  int quantization_bits = 0;       // 0: not quantized
  std::string quantization_method; // quantization_config.quant_method, when given

  /// What the parser assumed or could not model exactly, in words for the user.
  std::vector<std::string> warnings;

  bool is_moe() const { return moe.num_experts > 0; }
  bool is_quantized() const { return quantization_bits > 0; }
  ParameterCounts parameter_counts() const;
  /// K and V elements one token adds to the cache of one layer (all KV heads).
  std::int64_t kv_elements_per_token_per_layer() const {
    return 2 * attention.num_kv_heads * attention.head_dim;
  }
};

}  // namespace llmmem
