// config.json -> ModelSpec. Field names and per-family defaults follow the transformers
// configuration classes (src/transformers/models/<family>/configuration_<family>.py).
#include "config_parser.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "json_reader.hpp"
#include "llmmem/api.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem::detail {
namespace {

constexpr std::int64_t kMaxDimension = std::int64_t(1) << 24;  // 16M: far above any real width
constexpr std::int64_t kMaxLayers = 100000;
constexpr std::int64_t kMaxVocabulary = std::int64_t(1) << 26;

template <std::size_t N>
bool one_of(std::string_view value, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// Families whose MLP is plain up/down (GELU) rather than gated, with LayerNorm (weight + bias)
// and biases on every linear layer.
constexpr std::array<std::string_view, 11> kGpt2StyleFamilies = {
    "gpt2", "gpt_bigcode", "gpt_neox", "opt", "bloom", "falcon", "phi", "starcoder2", "gptj", "bert", "roberta"};
// Encoders with BERT's embeddings (segments, LayerNorm) and heads (pooler, masked-LM transform).
constexpr std::array<std::string_view, 2> kBertFamilies = {"bert", "roberta"};
// Families with gate, up and down MLP matrices whatever their activation (GeGLU for Gemma).
constexpr std::array<std::string_view, 16> kGatedFamilies = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3_text", "phi3", "deepseek_v2", "deepseek_v3", "internlm2", "granite", "cohere"};
// Families whose configuration class defaults tie_word_embeddings to False
// (PretrainedConfig's default is True).
constexpr std::array<std::string_view, 11> kUntiedByDefault = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe",
    "phi3", "deepseek_v2", "deepseek_v3", "gpt_neox"};
// Families whose every parameter this foundation counts exactly (tests/core/test_model_spec.cpp).
constexpr std::array<std::string_view, 6> kExactFamilies = {"llama", "mistral", "mixtral", "qwen2",
                                                            "gpt2", "bert"};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Dropout probabilities under their families' names; training keeps a mask wherever one is > 0.
bool has_dropout(ObjectReader& config, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (const json* value = config.find({key}); value && value->is_number() && value->get<double>() > 0) return true;
  }
  return false;
}

void read_quantization(ObjectReader& config, ModelSpec& spec) {
  const json* quantization = config.find({"quantization_config"});
  if (!quantization) return;
  ObjectReader q(*quantization, config.path_of("quantization_config"), Nulls::mean_default);
  spec.quantization_method = q.string({"quant_method"}).value_or("");
  if (auto bits = q.integer({"bits", "weight_bits"}, 1, 16)) {
    spec.quantization_bits = static_cast<int>(*bits);
  } else if (q.boolean({"load_in_4bit"}).value_or(false)) {
    spec.quantization_bits = 4;  // bitsandbytes nf4/fp4
  } else if (q.boolean({"load_in_8bit"}).value_or(false)) {
    spec.quantization_bits = 8;  // bitsandbytes LLM.int8
  } else if (spec.quantization_method == "fp8" || spec.quantization_method == "fbgemm_fp8") {
    spec.quantization_bits = 8;
  } else if (spec.quantization_method == "mxfp4") {
    spec.quantization_bits = 4;
  } else {
    spec.warnings.push_back("quantization_config (" +
                            (spec.quantization_method.empty() ? std::string("no quant_method")
                                                              : spec.quantization_method) +
                            ") gives no bit width: weights counted in the storage dtype");
  }
}

}  // namespace

ModelSpec model_from_config(const json& root, const std::string& root_path) {
  ObjectReader outer(root, root_path, Nulls::mean_default);
  // Multimodal configs (LLaVA, Gemma-3, Qwen2-VL, Llama-4) keep the language model in text_config.
  const json* text_config = outer.find({"text_config"});
  const bool nested = text_config != nullptr && !root.contains("hidden_size");
  const json& node = nested ? *text_config : root;
  ObjectReader config(node, nested ? outer.path_of("text_config") : root_path, Nulls::mean_default);

  ModelSpec spec;
  spec.model_type = config.string({"model_type"}).value_or(outer.string({"model_type"}).value_or(""));
  if (const json* architectures = outer.find({"architectures"});
      architectures && architectures->is_array() && !architectures->empty() &&
      (*architectures)[0].is_string()) {
    spec.architecture = (*architectures)[0].get<std::string>();
  } else {
    spec.architecture = spec.model_type.empty() ? "unknown" : spec.model_type;
  }
  if (nested) {
    spec.warnings.push_back("multimodal config: the language model (text_config) is counted; "
                            "the vision tower is not");
  }

  auto require = [&](std::initializer_list<std::string_view> keys, std::int64_t max) {
    if (auto value = config.integer(keys, 1, max)) return *value;
    fail(config.path_of(*keys.begin()), "missing (a required positive integer)");
  };
  spec.hidden_size = require({"hidden_size", "n_embd", "d_model"}, kMaxDimension);
  spec.num_layers = require({"num_hidden_layers", "n_layer", "num_layers"}, kMaxLayers);
  AttentionShape& attention = spec.attention;
  attention.num_heads = require({"num_attention_heads", "n_head"}, kMaxDimension);

  // GPTBigCode (StarCoder) and old Falcon say multi-query attention with a flag: one K/V head.
  const bool multi_query = config.boolean({"multi_query"}).value_or(false);
  attention.num_kv_heads = config.integer({"num_key_value_heads"}, 1, kMaxDimension)
                               .value_or(multi_query ? 1 : attention.num_heads);  // absent: multi-head
  if (attention.num_kv_heads > attention.num_heads ||
      attention.num_heads % attention.num_kv_heads != 0) {
    fail(config.path_of("num_key_value_heads"),
         "must divide num_attention_heads (" + std::to_string(attention.num_heads) + "), got " +
             std::to_string(attention.num_kv_heads));
  }
  if (auto head_dim = config.integer({"head_dim"}, 1, kMaxDimension)) {
    attention.head_dim = *head_dim;
  } else if (spec.hidden_size % attention.num_heads == 0) {
    attention.head_dim = spec.hidden_size / attention.num_heads;
  } else {
    fail(config.path_of("num_attention_heads"),
         "must divide hidden_size (" + std::to_string(spec.hidden_size) +
             ") when head_dim is not given, got " + std::to_string(attention.num_heads));
  }

  if (auto vocab = config.integer({"vocab_size"}, 1, kMaxVocabulary)) {
    spec.vocab_size = *vocab;
  } else {
    spec.vocab_size = 50257;  // the spec's getattr default (GPT-2's vocabulary)
    spec.warnings.push_back("config has no vocab_size: assumed 50257 (GPT-2's), as the spec does");
  }

  const std::string hidden_act =
      config.string({"hidden_act", "activation_function", "hidden_activation"}).value_or("");
  const bool gpt2_style = one_of(spec.model_type, kGpt2StyleFamilies);
  MlpShape& mlp = spec.mlp;
  mlp.intermediate_size = config.integer({"intermediate_size", "n_inner", "ffn_dim"}, 1, kMaxDimension)
                              .value_or(4 * spec.hidden_size);  // GPT-2: n_inner null means 4h
  mlp.gated = !gpt2_style && (one_of(spec.model_type, kGatedFamilies) || hidden_act.empty() ||
                              hidden_act == "silu" || hidden_act == "swish" || hidden_act == "swiglu");
  mlp.bias = gpt2_style || config.boolean({"mlp_bias"}).value_or(false);
  const bool attention_bias = config.boolean({"attention_bias"}).value_or(false);
  attention.qkv_bias = gpt2_style || attention_bias || spec.model_type == "qwen2" ||
                       spec.model_type == "qwen2_moe";  // Qwen2: bias on q, k, v only
  attention.output_bias = gpt2_style || attention_bias;
  spec.norm = gpt2_style ? NormKind::layer_norm : NormKind::rms_norm;

  if (spec.model_type == "gpt2" || spec.model_type == "gpt_bigcode") {
    spec.learned_positions = config.integer({"n_positions"}, 1, kMaxDimension).value_or(1024);
  } else if (one_of(spec.model_type, kBertFamilies)) {
    spec.learned_positions = config.integer({"max_position_embeddings"}, 1, kMaxDimension).value_or(512);
    spec.token_type_vocab = config.integer({"type_vocab_size"}, 0, kMaxDimension).value_or(2);
    spec.embedding_norm = true;
  } else if (spec.model_type == "opt") {
    // OPTLearnedPositionalEmbedding keeps 2 extra rows (an offset from fairseq).
    spec.learned_positions =
        config.integer({"max_position_embeddings"}, 1, kMaxDimension).value_or(2048) + 2;
  }

  spec.tie_word_embeddings = config.boolean({"tie_word_embeddings"})
                                 .value_or(outer.boolean({"tie_word_embeddings"})
                                               .value_or(!one_of(spec.model_type, kUntiedByDefault)));

  // A classification head replaces the LM head (transformers' *ForSequenceClassification).
  if (ends_with(spec.architecture, "ForSequenceClassification")) {
    std::int64_t labels = 2;  // PretrainedConfig's default num_labels
    if (const json* id2label = config.find({"id2label"}); id2label && id2label->is_object() && !id2label->empty()) {
      labels = std::int64_t(id2label->size());
    }
    spec.num_labels = config.integer({"num_labels"}, 1, kMaxVocabulary).value_or(labels);
    spec.pooler = one_of(spec.model_type, kBertFamilies);
  } else if (one_of(spec.model_type, kBertFamilies)) {
    spec.masked_lm_head = true;
  }
  spec.hidden_dropout = has_dropout(config, {"hidden_dropout_prob", "resid_pdrop", "hidden_dropout", "dropout"});
  spec.attention_dropout = has_dropout(config, {"attention_probs_dropout_prob", "attn_pdrop", "attention_dropout"});

  if (auto experts = config.integer({"num_local_experts", "num_experts", "n_routed_experts"}, 0,
                                    kMaxDimension);
      experts && *experts > 0) {
    MoeShape& moe = spec.moe;
    moe.num_experts = *experts;
    moe.experts_per_token =
        config.integer({"num_experts_per_tok", "num_experts_per_token", "top_k"}, 1, *experts)
            .value_or(1);  // the spec's default
    moe.expert_intermediate_size = config.integer({"moe_intermediate_size"}, 1, kMaxDimension)
                                       .value_or(mlp.intermediate_size);
  }

  // transformers >= 4.56 writes "dtype"; older checkpoints "torch_dtype".
  for (ObjectReader* reader : {&config, &outer}) {
    std::string key;
    if (!reader->find({"torch_dtype", "dtype"}, &key) || !spec.storage_dtype.empty()) continue;
    std::string dtype = *reader->string({key});
    if (dtype.rfind("torch.", 0) == 0) dtype.erase(0, 6);
    if (dtype_bytes(dtype) == 0) {
      fail(reader->path_of(key), "unknown dtype " + quote_text(dtype) + " (expected float32, float16, bfloat16, ...)");
    }
    spec.storage_dtype = dtype;
  }
  read_quantization(config, spec);
  if (!spec.is_quantized()) read_quantization(outer, spec);

  (void)spec.parameter_counts().active_per_token();  // refuses counts beyond 64 bits, naming config
  if (!one_of(spec.model_type, kExactFamilies)) {
    const std::string family =
        spec.model_type.empty() ? "a config without model_type" : "model_type \"" + spec.model_type + "\"";
    spec.warnings.push_back(family +
                            " is counted with the generic decoder formula (attention, MLP, norms, "
                            "embeddings): family-specific parts may be missing");
  }
  return spec;
}

}  // namespace llmmem::detail
