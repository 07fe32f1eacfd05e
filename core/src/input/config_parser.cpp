// config.json -> ModelSpec. Field names and per-family defaults follow the transformers
// configuration classes (src/transformers/models/<family>/configuration_<family>.py).
#include "input/config_parser.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "input/config_sections.hpp"
#include "llmmem/error.hpp"
#include "llmmem/parameters.hpp"

namespace llmmem::detail {
namespace {

template <std::size_t N>
bool one_of(std::string_view value, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// Families whose MLP is plain up/down (GELU) rather than gated, with LayerNorm (weight + bias)
// and (unless their config says otherwise) biases on every linear layer.
constexpr std::array<std::string_view, 11> kGpt2StyleFamilies = {
    "gpt2", "gpt_bigcode", "gpt_neox", "opt", "bloom", "falcon", "phi", "starcoder2", "gptj", "bert", "roberta"};
// Encoders with BERT's embeddings (segments, LayerNorm) and heads (pooler, masked-LM transform).
constexpr std::array<std::string_view, 2> kBertFamilies = {"bert", "roberta"};
// Families with gate, up and down MLP matrices whatever their activation (GeGLU for Gemma).
constexpr std::array<std::string_view, 22> kGatedFamilies = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3_text", "phi3", "deepseek_v2", "deepseek_v3", "internlm2", "granite", "cohere", "cohere2",
    "olmo2", "gpt_oss", "qwen2_vl", "qwen2_5_vl", "exaone4"};
// Families whose configuration class defaults tie_word_embeddings to False
// (PretrainedConfig's default is True).
constexpr std::array<std::string_view, 20> kUntiedByDefault = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3", "deepseek_v2", "deepseek_v3",
    "gpt_neox", "phi", "olmo2", "granite", "internlm2", "gpt_oss", "qwen2_vl", "qwen2_5_vl", "exaone4", "nemotron_h"};
// Families counted parameter for parameter, each against a published count in
// tests/data/configs/models.json; others get the generic decoder count and a warning.
constexpr std::array<std::string_view, 33> kExactFamilies = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gpt2", "bert",
    "opt", "gpt_neox", "bloom", "falcon", "gemma", "gemma2", "gemma3_text", "phi", "phi3",
    "gpt_oss", "starcoder2", "olmo2", "internlm2", "granite", "cohere", "gpt_bigcode",
    "deepseek_v2", "deepseek_v3", "qwen2_vl", "qwen2_5_vl", "llava", "gemma3", "exaone4", "nemotron_h"};

// Text models of multimodal checkpoints that are another family's decoder under their own name:
// transformers' Qwen3VLTextModel is Qwen3's decoder (q/k norms, SwiGLU), Qwen3VLMoeTextModel
// Qwen3-MoE's (modeling_qwen3_vl.py, modeling_qwen3_vl_moe.py). Counted as that family.
// Qwen2-VL's and Qwen2.5-VL's text classes are their own families' decoders.
std::string_view decoder_family(std::string_view model_type) {
  if (model_type == "qwen3_vl_text" || model_type == "qwen3_vl") return "qwen3";
  if (model_type == "qwen3_vl_moe_text" || model_type == "qwen3_vl_moe") return "qwen3_moe";
  if (model_type == "qwen2_vl_text") return "qwen2_vl";
  if (model_type == "qwen2_5_vl_text") return "qwen2_5_vl";
  return model_type;
}

// Nested text_config objects are saved as a diff against their own class's defaults
// (PretrainedConfig.to_diff_dict), so a text_config may hold little more than its model_type,
// and transformers (and vLLM, which reads the config object) fill the rest from the class:
// the text class's __init__ defaults, keyed by the class's model_type
// (transformers/models/<family>/configuration_*.py). 0: no default, as before.
// Qwen2-VL's and Qwen2.5-VL's text classes open no sliding window unless use_sliding_window.
struct FamilyDefaults {
  std::string_view model_type;
  std::int64_t hidden_size, num_layers, num_heads, num_kv_heads, intermediate_size, vocab_size;
  std::int64_t head_dim, max_position_embeddings, sliding_window;
};
constexpr std::array<FamilyDefaults, 7> kNestedDefaults = {{
    {"llama", 4096, 32, 32, 32, 11008, 32000, 0, 0, 0},                               // LlamaConfig
    {"mistral", 4096, 32, 32, 8, 14336, 32000, 0, 0, 0},                              // MistralConfig
    {"gemma3_text", 2304, 26, 8, 4, 9216, 262208, 256, 131072, 4096},                 // Gemma3TextConfig
    {"qwen2_vl_text", 8192, 80, 64, 8, 29568, 152064, 0, 32768, 0},                   // Qwen2VLTextConfig
    {"qwen2_5_vl_text", 8192, 80, 64, 8, 29568, 152064, 0, 32768, 0},                 // Qwen2_5_VLTextConfig
    {"qwen3_vl_text", 4096, 32, 32, 32, 22016, 151936, 128, 128000, 0},               // Qwen3VLTextConfig
    {"qwen3_vl_moe_text", 2048, 24, 16, 16, 5632, 151936, 0, 128000, 0},              // Qwen3VLMoeTextConfig
}};

// The text_config class of a multimodal config whose text_config does not name its model_type:
// Gemma3Config builds Gemma3TextConfig(**text_config), LlavaConfig defaults it to "llama",
// Mistral3Config to "mistral"; the Qwen-VL configs build their own text classes.
std::string_view nested_text_type(std::string_view outer_type) {
  if (outer_type == "gemma3") return "gemma3_text";
  if (outer_type == "qwen2_vl") return "qwen2_vl_text";
  if (outer_type == "qwen2_5_vl") return "qwen2_5_vl_text";
  if (outer_type == "qwen3_vl") return "qwen3_vl_text";
  if (outer_type == "qwen3_vl_moe") return "qwen3_vl_moe_text";
  if (outer_type == "llava") return "llama";
  if (outer_type == "mistral3") return "mistral";
  return outer_type;
}

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

}  // namespace

ModelSpec model_from_config(const json& root, const std::string& root_path) {
  ObjectReader outer(root, root_path, Nulls::mean_default);
  // Multimodal configs (LLaVA, Gemma-3, Llama-4, Mistral-3) keep the language model in text_config.
  const json* text_config = outer.find({"text_config"});
  const bool nested = text_config != nullptr && !root.contains("hidden_size");
  const json& node = nested ? *text_config : root;
  ObjectReader config(node, nested ? outer.path_of("text_config") : root_path, Nulls::mean_default);

  ModelSpec spec;
  spec.model_type = config.string({"model_type"}).value_or(outer.string({"model_type"}).value_or(""));
  // Falcon's first releases name their family after the code that shipped with them.
  if (spec.model_type == "RefinedWebModel" || spec.model_type == "RefinedWeb") spec.model_type = "falcon";
  const std::string outer_type = outer.string({"model_type"}).value_or(spec.model_type);
  if (const json* architectures = outer.find({"architectures"});
      architectures && architectures->is_array() && !architectures->empty() &&
      (*architectures)[0].is_string()) {
    spec.architecture = (*architectures)[0].get<std::string>();
  } else {
    spec.architecture = spec.model_type.empty() ? "unknown" : spec.model_type;
  }
  // A text_config that does not name its model_type is its outer class's text class.
  if (nested && !config.string({"model_type"})) spec.model_type = std::string(nested_text_type(spec.model_type));
  const FamilyDefaults* defaults = nullptr;
  for (const FamilyDefaults& d : kNestedDefaults) {
    if (nested && d.model_type == spec.model_type) defaults = &d;
  }
  const std::string text_class = spec.model_type;
  if (nested) spec.model_type = std::string(decoder_family(spec.model_type));
  const std::string_view type = spec.model_type;

  std::vector<std::string_view> from_class;  // the keys a nested text_config left to its class's defaults
  auto require = [&](std::initializer_list<std::string_view> keys, std::int64_t max, std::int64_t fallback) {
    if (auto value = config.integer(keys, 1, max)) return *value;
    if (fallback > 0) {
      from_class.push_back(*keys.begin());
      return fallback;
    }
    fail(config.path_of(*keys.begin()), "missing (a required positive integer)");
  };
  spec.hidden_size = require({"hidden_size", "n_embd", "d_model"}, kMaxDimension, defaults ? defaults->hidden_size : 0);
  spec.num_layers = require({"num_hidden_layers", "n_layer", "num_layers"}, kMaxLayers, defaults ? defaults->num_layers : 0);
  AttentionShape& attention = spec.attention;
  attention.num_heads = require({"num_attention_heads", "n_head"}, kMaxDimension, defaults ? defaults->num_heads : 0);

  // GPTBigCode (StarCoder) and Falcon-7B say multi-query attention with a flag: one K/V head;
  // Falcon's new decoder names its K/V heads num_kv_heads.
  const bool multi_query = config.boolean({"multi_query"}).value_or(false);
  const bool falcon_new_decoder = type == "falcon" && config.boolean({"new_decoder_architecture"}).value_or(false);
  std::int64_t kv_fallback = multi_query ? 1 : (defaults ? defaults->num_kv_heads : attention.num_heads);
  if (falcon_new_decoder) kv_fallback = config.integer({"num_kv_heads"}, 1, kMaxDimension).value_or(attention.num_heads);
  attention.num_kv_heads = config.integer({"num_key_value_heads"}, 1, kMaxDimension).value_or(kv_fallback);
  if (defaults && !multi_query && !config.find({"num_key_value_heads"})) from_class.push_back("num_key_value_heads");
  if (attention.num_kv_heads > attention.num_heads ||
      attention.num_heads % attention.num_kv_heads != 0) {
    fail(config.path_of("num_key_value_heads"),
         "must divide num_attention_heads (" + std::to_string(attention.num_heads) + "), got " +
             std::to_string(attention.num_kv_heads));
  }
  if (auto head_dim = config.integer({"head_dim", "attention_head_dim"}, 1, kMaxDimension)) {  // Nemotron-H-8B: the latter
    attention.head_dim = *head_dim;
  } else if (defaults && defaults->head_dim > 0) {
    attention.head_dim = defaults->head_dim;
    from_class.push_back("head_dim");
  } else if (spec.hidden_size % attention.num_heads == 0) {
    attention.head_dim = spec.hidden_size / attention.num_heads;
  } else {
    fail(config.path_of("num_attention_heads"),
         "must divide hidden_size (" + std::to_string(spec.hidden_size) +
             ") when head_dim is not given, got " + std::to_string(attention.num_heads));
  }

  if (auto vocab = config.integer({"vocab_size"}, 1, kMaxVocabulary)) {
    spec.vocab_size = *vocab;
  } else if (defaults) {
    spec.vocab_size = defaults->vocab_size;
    from_class.push_back("vocab_size");
  } else {
    spec.vocab_size = 50257;  // the spec's getattr default (GPT-2's vocabulary)
    spec.warnings.push_back("config has no vocab_size: assumed 50257 (GPT-2's), as the spec does");
  }
  if (!from_class.empty()) {
    std::string keys;
    for (std::string_view key : from_class) keys += (keys.empty() ? "" : ", ") + std::string(key);
    spec.warnings.push_back(outer.path_of("text_config") + " leaves out " + keys + ": the " + text_class +
                            " class's defaults, as transformers fills them");
  }

  const std::string hidden_act =
      config.string({"hidden_act", "activation_function", "hidden_activation"}).value_or("");
  const bool gpt2_style = one_of(type, kGpt2StyleFamilies);
  MlpShape& mlp = spec.mlp;
  mlp.intermediate_size = config.integer({"intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size"}, 1, kMaxDimension)
                              .value_or(defaults ? defaults->intermediate_size : 4 * spec.hidden_size);  // GPT-2: null is 4h
  // Nemotron-H's MLPs and experts are up and down only (squared ReLU, mlp_hidden_act "relu2").
  mlp.gated = !gpt2_style && type != "nemotron_h" &&
              (one_of(type, kGatedFamilies) || hidden_act.empty() || hidden_act == "silu" || hidden_act == "swish" ||
               hidden_act == "swiglu");
  // Linear biases: GPT-2-style families have them unless their config turns them off
  // (Falcon's "bias", StarCoder2's "use_bias", OPT's "enable_bias", InternLM2's "bias").
  bool linear_bias = gpt2_style;
  if (type == "falcon" || type == "internlm2") linear_bias = config.boolean({"bias"}).value_or(false);
  if (type == "starcoder2") linear_bias = config.boolean({"use_bias"}).value_or(true);
  if (type == "opt") linear_bias = config.boolean({"enable_bias"}).value_or(true);
  mlp.bias = linear_bias || config.boolean({"mlp_bias"}).value_or(false);
  const bool attention_bias = config.boolean({"attention_bias"}).value_or(false);
  attention.qkv_bias = linear_bias || attention_bias || type == "qwen2" || type == "qwen2_moe" ||
                       type == "qwen2_vl" || type == "qwen2_5_vl";  // Qwen2: bias on q, k, v only
  attention.output_bias = linear_bias || attention_bias;
  if (gpt2_style) spec.norm = NormKind::layer_norm;
  if (type == "cohere" || type == "cohere2") spec.norm = NormKind::layer_norm_no_bias;

  // Per-layer extras by family (transformers' modeling_<family>.py).
  // EXAONE-4: q_norm and k_norm per head, and post-attention and post-MLP norms in place of the
  // pre-norms (two per layer either way; modeling_exaone4.py).
  if (type == "qwen3" || type == "qwen3_moe" || type == "gemma3_text" || type == "exaone4") {
    attention.qk_norm = QkNorm::per_head;
  }
  if (type == "olmo2") attention.qk_norm = QkNorm::full_width;
  if ((type == "cohere" || type == "cohere2") && config.boolean({"use_qk_norm"}).value_or(false)) {
    attention.qk_norm = QkNorm::full_width;
  }
  if (type == "gpt_oss") attention.sinks = true;
  if (type == "gemma2" || type == "gemma3_text") spec.norms_per_layer = 4;  // pre and post norms
  const bool parallel_attention = (type == "falcon" && config.boolean({"parallel_attn"}).value_or(true)) ||
                                  type == "phi" || type == "gptj" || type == "cohere" || type == "cohere2";
  if (parallel_attention && !falcon_new_decoder) spec.norms_per_layer = 1;  // one norm feeds both
  if (type == "phi") spec.lm_head_bias = true;
  if (type == "bloom") spec.embedding_norm = true;  // word_embeddings_layernorm

  if (type == "gpt2" || type == "gpt_bigcode") {
    spec.learned_positions = config.integer({"n_positions"}, 1, kMaxDimension).value_or(1024);
  } else if (one_of(type, kBertFamilies)) {
    spec.learned_positions = config.integer({"max_position_embeddings"}, 1, kMaxDimension).value_or(512);
    spec.token_type_vocab = config.integer({"type_vocab_size"}, 0, kMaxDimension).value_or(2);
    spec.embedding_norm = true;
    spec.final_norm = false;
  } else if (type == "opt") {
    // OPTLearnedPositionalEmbedding keeps 2 extra rows (an offset from fairseq).
    spec.learned_positions =
        config.integer({"max_position_embeddings"}, 1, kMaxDimension).value_or(2048) + 2;
    if (auto projection = config.integer({"word_embed_proj_dim"}, 1, kMaxDimension);
        projection && *projection != spec.hidden_size) {
      spec.warnings.push_back("OPT's word_embed_proj_dim differs from hidden_size: its project_in/out "
                              "layers are not counted exactly");
    }
  }

  spec.tie_word_embeddings = config.boolean({"tie_word_embeddings"})
                                 .value_or(outer.boolean({"tie_word_embeddings"})
                                               .value_or(!one_of(type, kUntiedByDefault)));

  // A classification head replaces the LM head (transformers' *ForSequenceClassification).
  if (ends_with(spec.architecture, "ForSequenceClassification")) {
    std::int64_t labels = 2;  // PretrainedConfig's default num_labels
    if (const json* id2label = config.find({"id2label"}); id2label && id2label->is_object() && !id2label->empty()) {
      labels = std::int64_t(id2label->size());
    }
    spec.num_labels = config.integer({"num_labels"}, 1, kMaxVocabulary).value_or(labels);
    spec.pooler = one_of(type, kBertFamilies);
  } else if (one_of(type, kBertFamilies)) {
    spec.masked_lm_head = true;
  }
  spec.hidden_dropout = has_dropout(config, {"hidden_dropout_prob", "resid_pdrop", "hidden_dropout", "dropout"});
  spec.attention_dropout = has_dropout(config, {"attention_probs_dropout_prob", "attn_pdrop", "attention_dropout"});

  read_mla(config, spec);
  read_moe(config, spec);
  read_hybrid(config, spec);
  // A class default fills a key the text_config leaves out, not one it sets to null (None).
  const auto class_default = [&](std::string_view key, std::int64_t value) {
    return defaults && !node.contains(key) ? value : 0;
  };
  read_sliding_window(config, spec, class_default("sliding_window", defaults ? defaults->sliding_window : 0));
  read_context_length(config, spec, class_default("max_position_embeddings", defaults ? defaults->max_position_embeddings : 0));

  // transformers >= 4.56 writes "dtype"; older checkpoints "torch_dtype".
  for (ObjectReader* reader : {&config, &outer}) {
    std::string key;
    if (!reader->find({"torch_dtype", "dtype"}, &key) || !spec.storage_dtype.empty()) continue;
    std::string dtype = *reader->string({key});
    // One "torch." prefix, as str(torch.float16) writes it; dtype_bytes reads no other.
    if (dtype_bytes(dtype) == 0) {
      fail(reader->path_of(key), "unknown dtype " + quote_text(dtype) + " (expected float32, float16, bfloat16, ...)");
    }
    spec.storage_dtype = dtype.rfind("torch.", 0) == 0 ? dtype.substr(6) : dtype;
  }
  read_quantization(config, spec);
  if (!spec.is_quantized()) read_quantization(outer, spec);
  read_vision(outer, outer_type, spec);

  (void)spec.parameter_counts().active_per_token();  // refuses counts beyond 64 bits, naming config
  if (!one_of(type, kExactFamilies)) {
    const std::string family =
        spec.model_type.empty() ? "a config without model_type" : "model_type \"" + spec.model_type + "\"";
    spec.warnings.push_back(family +
                            " is counted with the generic decoder formula (attention, MLP, norms, "
                            "embeddings): family-specific parts may be missing");
  }
  return spec;
}

}  // namespace llmmem::detail
