#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmmem {

/// Norm layers: RMSNorm has a weight vector, LayerNorm a weight and a bias (Cohere's none).
enum class NormKind { rms_norm, layer_norm, layer_norm_no_bias };

/// Norms on queries and keys: per head (Qwen3, Gemma-3: head_dim weights each) or over the
/// whole projection (OLMo-2: heads x head_dim and kv_heads x head_dim).
enum class QkNorm { none, per_head, full_width };

/// DeepSeek's multi-head latent attention (DeepSeek-V2 paper, section 2.1): queries through an
/// optional low-rank bottleneck, keys and values from one compressed latent per token.
struct MlaShape {
  std::int64_t q_lora_rank = 0;  // 0: queries projected directly (DeepSeek-V2-Lite)
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t v_head_dim = 0;
};

struct AttentionShape {
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;  // == num_heads for MHA, fewer for GQA, 1 for MQA
  std::int64_t head_dim = 0;      // MLA: qk_nope_head_dim + qk_rope_head_dim
  bool qkv_bias = false;
  bool output_bias = false;
  QkNorm qk_norm = QkNorm::none;
  bool sinks = false;  // gpt-oss: one learned attention-sink logit per head
  MlaShape mla;        // kv_lora_rank > 0 when the attention is MLA
  bool is_mla() const { return mla.kv_lora_rank > 0; }
};

/// Layers that attend to the last `window` tokens only (Mistral v0.1, Phi-3, Gemma-2/3,
/// gpt-oss): their KV cache stops growing at the window. Empty `layers`: every layer is full.
struct SlidingWindow {
  std::int64_t window = 0;
  std::vector<bool> layers;  // one flag per decoder layer, true where it slides
  /// Sliding layers among decoder layers [first, first + count).
  std::int64_t count(std::int64_t first, std::int64_t count) const;
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
  bool expert_bias = false;                   // gpt-oss: biases on each expert's projections
  std::int64_t shared_intermediate_size = 0;  // shared experts, as one MLP (DeepSeek, Qwen2-MoE)
  bool shared_expert_gate = false;            // Qwen2-MoE: a sigmoid gate (hidden x 1) on it
  bool router_bias = false;                   // gpt-oss
  bool router_correction_bias = false;        // DeepSeek-V3: e_score_correction_bias
  std::int64_t dense_layers = 0;              // layers with a dense MLP instead of experts
};

/// Mamba-2 mixers (NemotronHMamba2Mixer, transformers' modeling_nemotron_h.py): in_proj to
/// the gate, x, B, C and dt; a depthwise conv1d over x, B and C; A_log, D and dt_bias per head;
/// a gated RMSNorm; out_proj. Their cache is a fixed state per sequence, not per token.
struct MambaShape {
  std::int64_t num_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t state_size = 0;  // ssm_state_size
  std::int64_t groups = 0;      // n_groups: B and C are shared within a group of heads
  std::int64_t conv_kernel = 0;
  bool proj_bias = false;
  bool conv_bias = true;
  std::int64_t inner() const { return num_heads * head_dim; }
  std::int64_t conv_dim() const { return inner() + 2 * groups * state_size; }
};

/// A hybrid decoder whose blocks each hold one norm and one mixer (Nemotron-H's
/// hybrid_override_pattern): 'M' Mamba-2, '*' attention, '-' MLP, 'E' experts.
struct BlockPattern {
  std::string kinds;  // empty: every layer has attention and an MLP (or experts)
  bool hybrid() const { return !kinds.empty(); }
  /// Blocks of `kind` among blocks [first, first + count).
  std::int64_t count(char kind, std::int64_t first, std::int64_t count) const;
};

/// How a quantized checkpoint stores its linear layers (quantization_config).
/// gguf: a llama.cpp file whose tensors each take the type its file type's mix picks.
enum class QuantFormat { none, gptq, awq, bitsandbytes_4bit, bitsandbytes_8bit, fp8, int_packed, mxfp4, gguf, other };
enum class ScaleGranularity { tensor, channel, group, block };

struct QuantizationSpec {
  QuantFormat format = QuantFormat::none;
  int bits = 0;
  std::int64_t group_size = 128;  // groups along the input dimension; <= 0: one per output channel
  bool double_quant = false;      // bitsandbytes: absmax stored in 8 bits with fp32 constants
  ScaleGranularity scales = ScaleGranularity::tensor;
  std::int64_t block_rows = 128, block_cols = 128;  // block-wise FP8 (DeepSeek's weight_block_size)
  double scale_bytes = 4;         // fp32 scales, or the model dtype's (compressed-tensors)
  bool zero_points = false;       // asymmetric integer formats store a zero point per group
  bool attention = true;          // attention projections quantized (gpt-oss keeps them in bf16)
  std::string gguf_type;          // gguf: llama-quantize's file type, "q4_k_m"
};

/// What config.json says of the longest sequence: its position limit (the smallest of the keys
/// engines read, and which key), a tokenizer-style model_max_length, and RoPE scaling.
struct ContextLimit {
  std::int64_t positions = 0;       // 0: no key states one
  std::string key;                  // "max_position_embeddings", "n_positions", ...
  std::int64_t model_max_length = 0;
  std::string rope_type;            // rope_scaling's type: "linear", "dynamic", "yarn", "llama3", ...
  double rope_factor = 1.0;
  std::int64_t original_positions = 0;  // rope_scaling.original_max_position_embeddings
};

/// What the checkpoint's own safetensors headers say (the request's `checkpoint`); 0: not given.
struct CheckpointFacts {
  std::int64_t tensor_bytes = 0;  // the weights are these bytes, split as the config's parts are
  std::int64_t parameters = 0;    // compared with the config's count
  // A GGUF header's tensors by place (llmmem/gguf_header.hpp GgufParts): given, the weights by
  // part are these bytes instead of the config's formula.
  std::int64_t input_bytes = 0, output_bytes = 0;
  std::vector<std::int64_t> layer_bytes;
};

/// A vision tower and its projector into the language model (multimodal checkpoints).
struct VisionShape {
  std::string model_type;        // vision_config.model_type, or the family's
  std::int64_t parameters = 0;   // the tower (and its projector), counted from vision_config
};

/// Exact parameter counts, as integers. "Per layer" counts are for one decoder layer.
struct ParameterCounts {
  std::int64_t token_embedding = 0;
  std::int64_t position_embedding = 0;  // learned absolute positions (GPT-2, OPT), else 0
  std::int64_t lm_head = 0;             // 0 when tied to the token embedding; a classifier's weights
  std::int64_t extras = 0;  // outside the decoder layout: BERT's segment embeddings, embedding
                            // LayerNorm (BERT, BLOOM), pooler or masked-LM transform
  std::int64_t final_norm = 0;
  std::int64_t vision = 0;               // vision tower and projector
  std::int64_t attention_per_layer = 0;  // projections, their biases, q/k norms, sinks
  std::int64_t norms_per_layer = 0;
  std::int64_t dense_mlp_per_layer = 0;  // the MLP of a dense layer
  // The weight matrices among those (what quantization packs; biases and norms stay 16-bit).
  std::int64_t attention_matrices_per_layer = 0;
  std::int64_t dense_mlp_matrices = 0;
  std::int64_t expert_matrices = 0;
  std::int64_t shared_expert_matrices = 0;
  std::int64_t one_expert = 0;           // one routed expert's MLP
  std::int64_t shared_experts_per_layer = 0;  // shared experts and their gate, in MoE layers
  std::int64_t router_per_layer = 0;
  std::int64_t mamba_per_layer = 0;  // one Mamba-2 mixer (hybrid decoders)
  std::int64_t num_layers = 0;       // decoder layers; a hybrid's blocks
  std::int64_t attention_layers = 0; // layers with attention: all of them, or a hybrid's '*' blocks
  std::int64_t mamba_layers = 0;
  std::int64_t mlp_layers = 0;       // layers with an MLP or experts: all of them, or a hybrid's '-' and 'E' blocks
  std::int64_t dense_layers = 0;  // layers with a dense MLP (all of them in a dense model)
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;

  // Sums and products are overflow-checked: a config whose counts do not fit in 64 bits is an
  // InputError on "config", never a wrapped, negative count.
  std::int64_t moe_layers() const { return mlp_layers - dense_layers; }
  std::int64_t experts_per_layer() const;
  /// The MLP side of one MoE layer: routed experts, shared experts, router.
  std::int64_t moe_mlp_per_layer() const;
  std::int64_t attention() const;
  std::int64_t mlp() const;  // dense MLPs, experts, shared experts and routers of all layers
  std::int64_t norms() const;
  std::int64_t mamba() const;
  std::int64_t embeddings() const;
  std::int64_t language_model() const;
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
  SlidingWindow sliding_window;
  MlpShape mlp;
  MoeShape moe;
  BlockPattern blocks;
  MambaShape mamba;
  NormKind norm = NormKind::rms_norm;
  int norms_per_layer = 2;   // 1 for parallel attention (Falcon-7B, Phi-2), 4 for Gemma-2/3
  bool final_norm = true;    // BERT normalises after each sub-layer instead
  bool lm_head_bias = false; // Phi-2
  bool tie_word_embeddings = false;
  VisionShape vision;
  CheckpointFacts checkpoint;
  ContextLimit context;
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
  QuantizationSpec quantization;   // how the quantized linear layers are stored
  /// checkpoint.weights_as: the model as a tool would store it ("q4_k_m", "awq"...), which
  /// replaced the checkpoint's own storage above; empty: as stored.
  std::string weights_as;

  /// What the parser assumed or could not model exactly, in words for the user.
  std::vector<std::string> warnings;

  bool is_moe() const { return moe.num_experts > 0; }
  bool is_quantized() const { return quantization_bits > 0; }
  ParameterCounts parameter_counts() const;
  /// K and V elements one token adds to the cache of one layer (all KV heads); for MLA as
  /// transformers caches it, each head's decompressed key and value.
  std::int64_t kv_elements_per_token_per_layer() const {
    if (attention.is_mla()) return attention.num_heads * (attention.head_dim + attention.mla.v_head_dim);
    return 2 * attention.num_kv_heads * attention.head_dim;
  }
};

}  // namespace llmmem
