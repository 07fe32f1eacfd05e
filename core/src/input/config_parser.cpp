// config.json -> ModelSpec. Field names and per-family defaults follow the transformers
// configuration classes (src/transformers/models/<family>/configuration_<family>.py).
#include "input/config_parser.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "input/json_reader.hpp"
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
// and (unless their config says otherwise) biases on every linear layer.
constexpr std::array<std::string_view, 11> kGpt2StyleFamilies = {
    "gpt2", "gpt_bigcode", "gpt_neox", "opt", "bloom", "falcon", "phi", "starcoder2", "gptj", "bert", "roberta"};
// Encoders with BERT's embeddings (segments, LayerNorm) and heads (pooler, masked-LM transform).
constexpr std::array<std::string_view, 2> kBertFamilies = {"bert", "roberta"};
// Families with gate, up and down MLP matrices whatever their activation (GeGLU for Gemma).
constexpr std::array<std::string_view, 20> kGatedFamilies = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3_text", "phi3", "deepseek_v2", "deepseek_v3", "internlm2", "granite", "cohere", "cohere2",
    "olmo2", "gpt_oss", "qwen2_5_vl"};
// Families whose configuration class defaults tie_word_embeddings to False
// (PretrainedConfig's default is True).
constexpr std::array<std::string_view, 17> kUntiedByDefault = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "phi3", "deepseek_v2",
    "deepseek_v3", "gpt_neox", "phi", "olmo2", "granite", "internlm2", "gpt_oss", "qwen2_5_vl"};
// Families counted parameter for parameter, each against a published count in
// tests/data/configs/models.json; others get the generic decoder count and a warning.
constexpr std::array<std::string_view, 30> kExactFamilies = {
    "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gpt2", "bert",
    "opt", "gpt_neox", "bloom", "falcon", "gemma", "gemma2", "gemma3_text", "phi", "phi3",
    "gpt_oss", "starcoder2", "olmo2", "internlm2", "granite", "cohere", "gpt_bigcode",
    "deepseek_v2", "deepseek_v3", "qwen2_5_vl", "llava", "gemma3"};

// Nested text_config objects are saved as a diff against their own class's defaults
// (PretrainedConfig.to_diff_dict), so LLaVA's text_config may hold little more than its
// model_type: these are LlamaConfig's and MistralConfig's defaults.
struct FamilyDefaults {
  std::string_view model_type;
  std::int64_t hidden_size, num_layers, num_heads, num_kv_heads, intermediate_size, vocab_size;
};
constexpr std::array<FamilyDefaults, 2> kNestedDefaults = {{
    {"llama", 4096, 32, 32, 32, 11008, 32000},
    {"mistral", 4096, 32, 32, 8, 14336, 32000},
}};

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

bool mentions(const json* list, std::string_view needle) {
  if (list == nullptr || !list->is_array()) return false;
  return std::any_of(list->begin(), list->end(), [&](const json& item) {
    return item.is_string() && item.get<std::string>().find(needle) != std::string::npos;
  });
}

// quantization_config as each library writes it (transformers' quantizers; AutoGPTQ's and
// AutoAWQ's quantize_config; compressed-tensors' config_groups; bitsandbytes' BnbQuantizationConfig).
void read_quantization(ObjectReader& config, ModelSpec& spec) {
  const json* quantization = config.find({"quantization_config"});
  if (!quantization) return;
  ObjectReader q(*quantization, config.path_of("quantization_config"), Nulls::mean_default);
  spec.quantization_method = q.string({"quant_method"}).value_or("");
  const std::string& method = spec.quantization_method;
  QuantizationSpec& format = spec.quantization;
  auto group = [&](std::initializer_list<std::string_view> keys) {
    return q.integer(keys, -1, kMaxDimension).value_or(128);
  };
  if (const json* skipped = q.find({"modules_to_not_convert", "ignore", "llm_int8_skip_modules"})) {
    format.attention = !mentions(skipped, "self_attn") && !mentions(skipped, "attn");
  }
  if (method == "gptq") {
    format.format = QuantFormat::gptq;
    format.bits = int(q.integer({"bits"}, 1, 16).value_or(4));
    format.group_size = group({"group_size"});
    format.scale_bytes = 2;  // fp16 scales
  } else if (method == "awq") {
    format.format = QuantFormat::awq;
    format.bits = int(q.integer({"bits", "w_bit"}, 1, 16).value_or(4));
    format.group_size = group({"group_size", "q_group_size"});
    format.scale_bytes = 2;
  } else if (method == "bitsandbytes" || q.boolean({"load_in_4bit"}).value_or(false) ||
             q.boolean({"load_in_8bit"}).value_or(false)) {
    const bool four = q.boolean({"load_in_4bit"}).value_or(method == "bitsandbytes" && !q.boolean({"load_in_8bit"}).value_or(false));
    format.format = four ? QuantFormat::bitsandbytes_4bit : QuantFormat::bitsandbytes_8bit;
    format.bits = four ? 4 : 8;
    format.double_quant = q.boolean({"bnb_4bit_use_double_quant"}).value_or(false);
  } else if (method == "fp8" || method == "fbgemm_fp8") {
    format.format = QuantFormat::fp8;
    format.bits = 8;
    format.scales = method == "fbgemm_fp8" ? ScaleGranularity::channel : ScaleGranularity::tensor;
    if (const json* block = q.find({"weight_block_size"}); block && block->is_array() && block->size() == 2) {
      format.scales = ScaleGranularity::block;  // DeepSeek-V3: an fp32 scale per 128x128 block
      format.block_rows = integer_value((*block)[0], q.path_of("weight_block_size") + "[0]", 1, kMaxDimension);
      format.block_cols = integer_value((*block)[1], q.path_of("weight_block_size") + "[1]", 1, kMaxDimension);
    }
  } else if (method == "mxfp4") {
    format.format = QuantFormat::mxfp4;  // OCP MX: 4-bit values, one 8-bit scale per 32
    format.bits = 4;
  } else if (method == "compressed-tensors") {
    // The first config group's weights: {num_bits, type "int"|"float", strategy, group_size}.
    const json* groups = q.find({"config_groups"});
    if (groups && groups->is_object() && !groups->empty() && groups->begin()->is_object() &&
        groups->begin()->contains("weights") && (*groups->begin())["weights"].is_object()) {
      ObjectReader weights((*groups->begin())["weights"], q.path_of("config_groups.weights"), Nulls::mean_default);
      format.bits = int(weights.integer({"num_bits"}, 1, 16).value_or(8));
      const bool is_float = weights.string({"type"}).value_or("int") == "float";
      format.format = is_float ? QuantFormat::fp8 : QuantFormat::int_packed;
      const std::string strategy = weights.string({"strategy"}).value_or("tensor");
      format.scales = strategy == "channel" ? ScaleGranularity::channel
                      : strategy == "group" ? ScaleGranularity::group
                      : strategy == "block" ? ScaleGranularity::block
                                            : ScaleGranularity::tensor;
      format.group_size = weights.integer({"group_size"}, 1, kMaxDimension).value_or(128);
      format.zero_points = !weights.boolean({"symmetric"}).value_or(true);
      format.scale_bytes = dtype_bytes(spec.storage_dtype.empty() ? "bfloat16" : spec.storage_dtype);
    }
  } else if (auto bits = q.integer({"bits", "weight_bits"}, 1, 16)) {
    format.format = QuantFormat::other;
    format.bits = int(*bits);
  }
  spec.quantization_bits = format.bits;
  if (format.format == QuantFormat::none || format.bits == 0) {
    format = QuantizationSpec{};
    spec.quantization_bits = 0;
    spec.warnings.push_back("quantization_config (" +
                            (method.empty() ? std::string("no quant_method") : method) +
                            ") gives no bit width: weights counted in the storage dtype");
  } else if (format.format == QuantFormat::other) {
    spec.warnings.push_back("quantization_config (" + (method.empty() ? std::string("no quant_method") : method) +
                            ") is not modelled: weights counted at " + std::to_string(format.bits) +
                            " bits times params.quantization_overhead_multiplier");
  }
}

/// Which layers slide, as transformers' modeling code (and vLLM's model files) decide it:
/// `layer_types` when the config lists them, else the family's pattern, else every layer
/// (a model-level window: Mistral v0.1, Phi-3).
void read_sliding_window(ObjectReader& config, ModelSpec& spec) {
  const auto window = config.integer({"sliding_window"}, 1, kMaxDimension);
  if (!window) return;
  // Qwen2's configs carry a window with use_sliding_window false: it is off.
  const auto enabled = config.boolean({"use_sliding_window"});
  if (enabled && !*enabled) return;
  const std::string_view type = spec.model_type;
  std::vector<bool>& layers = spec.sliding_window.layers;
  layers.assign(std::size_t(spec.num_layers), true);
  if (const json* types = config.find({"layer_types"}); types && types->is_array()) {
    if (std::int64_t(types->size()) != spec.num_layers) {
      fail(config.path_of("layer_types"), "must list num_hidden_layers (" + std::to_string(spec.num_layers) +
                                              ") layer types, got " + std::to_string(types->size()));
    }
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i] = (*types)[i].is_string() && (*types)[i].get<std::string>() == "sliding_attention";
    }
  } else if (type == "gemma2" || type == "gpt_oss") {
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = i % 2 == 0;  // even layers slide
  } else if (type == "gemma3_text" || type == "gemma3" || type == "cohere2") {
    // Every pattern-th layer is global (Gemma-3: 5 local, 1 global; Cohere2: 3 and 1).
    const std::int64_t pattern =
        config.integer({"sliding_window_pattern"}, 1, kMaxLayers).value_or(type == "cohere2" ? 4 : 6);
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = (std::int64_t(i) + 1) % pattern != 0;
  } else if (enabled) {
    // Qwen2 with use_sliding_window: layers from max_window_layers on slide.
    const std::int64_t full = config.integer({"max_window_layers"}, 0, kMaxLayers).value_or(0);
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i] = std::int64_t(i) >= full;
  }
  spec.sliding_window.window = *window;
  if (spec.sliding_window.count(0, spec.num_layers) == 0) spec.sliding_window = {};
}

// DeepSeek's multi-head latent attention (configuration_deepseek.py field names).
void read_mla(ObjectReader& config, ModelSpec& spec) {
  const auto kv_lora_rank = config.integer({"kv_lora_rank"}, 1, kMaxDimension);
  if (!kv_lora_rank) return;
  MlaShape& m = spec.attention.mla;
  m.kv_lora_rank = *kv_lora_rank;
  m.q_lora_rank = config.integer({"q_lora_rank"}, 1, kMaxDimension).value_or(0);
  m.qk_nope_head_dim = config.integer({"qk_nope_head_dim"}, 1, kMaxDimension).value_or(128);
  m.qk_rope_head_dim = config.integer({"qk_rope_head_dim"}, 1, kMaxDimension).value_or(64);
  m.v_head_dim = config.integer({"v_head_dim"}, 1, kMaxDimension).value_or(128);
  spec.attention.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
  spec.attention.num_kv_heads = spec.attention.num_heads;  // every head gets its own K and V
}

/// Layer indices a config lists (Qwen-MoE's mlp_only_layers), ignoring anything else.
std::vector<std::int64_t> index_list(ObjectReader& config, std::string_view key) {
  std::vector<std::int64_t> indices;
  const json* list = config.find({key});
  if (list == nullptr) return indices;
  if (!list->is_array()) fail(config.path_of(key), "must be an array of layer indices, got " + quote_value(*list));
  for (std::size_t i = 0; i < list->size(); ++i) {
    indices.push_back(integer_value((*list)[i], config.path_of(key) + "[" + std::to_string(i) + "]", 0, kMaxLayers));
  }
  return indices;
}

// Routed and shared experts, and which layers have them (modeling_qwen2_moe.py,
// modeling_deepseek.py, modeling_gpt_oss.py).
void read_moe(ObjectReader& config, ModelSpec& spec) {
  const auto experts = config.integer({"num_local_experts", "num_experts", "n_routed_experts"}, 0, kMaxDimension);
  if (!experts || *experts == 0) return;
  const std::string_view type = spec.model_type;
  MoeShape& moe = spec.moe;
  moe.num_experts = *experts;
  moe.experts_per_token =
      config.integer({"num_experts_per_tok", "num_experts_per_token", "experts_per_token", "top_k"}, 1, *experts)
          .value_or(1);  // the spec's default
  moe.expert_intermediate_size =
      config.integer({"moe_intermediate_size"}, 1, kMaxDimension).value_or(spec.mlp.intermediate_size);
  moe.expert_bias = moe.router_bias = type == "gpt_oss";
  if (auto shared = config.integer({"shared_expert_intermediate_size"}, 0, kMaxDimension)) {
    moe.shared_intermediate_size = *shared;  // Qwen2-MoE: one shared expert behind a sigmoid gate
    moe.shared_expert_gate = *shared > 0;
  }
  if (auto shared = config.integer({"n_shared_experts"}, 0, kMaxDimension)) {
    moe.shared_intermediate_size = *shared * moe.expert_intermediate_size;  // DeepSeek: fused
  }
  moe.router_correction_bias = config.string({"topk_method"}).value_or("") == "noaux_tc";  // DeepSeek-V3

  std::int64_t moe_layers = 0;
  if (type == "deepseek_v2" || type == "deepseek_v3") {
    // Layer i has experts from first_k_dense_replace on, every moe_layer_freq-th.
    const std::int64_t first = config.integer({"first_k_dense_replace"}, 0, kMaxLayers).value_or(0);
    const std::int64_t every = config.integer({"moe_layer_freq"}, 1, kMaxLayers).value_or(1);
    for (std::int64_t i = 0; i < spec.num_layers; ++i) moe_layers += (i >= first && i % every == 0) ? 1 : 0;
  } else {
    // Qwen-MoE: every decoder_sparse_step-th layer, except those in mlp_only_layers.
    const std::int64_t step = config.integer({"decoder_sparse_step"}, 1, kMaxLayers).value_or(1);
    const std::vector<std::int64_t> dense_only = index_list(config, "mlp_only_layers");
    for (std::int64_t i = 0; i < spec.num_layers; ++i) {
      const bool listed = std::find(dense_only.begin(), dense_only.end(), i) != dense_only.end();
      moe_layers += (!listed && (i + 1) % step == 0) ? 1 : 0;
    }
  }
  moe.dense_layers = spec.num_layers - moe_layers;
}

// A vision tower from vision_config and its projector, as transformers builds them
// (modeling_clip.py, modeling_siglip.py, modeling_qwen2_5_vl.py; the projectors of
// modeling_llava.py and modeling_gemma3.py).
void read_vision(ObjectReader& outer, const std::string& outer_type, ModelSpec& spec) {
  const json* vision = outer.find({"vision_config"});
  if (vision == nullptr) return;
  ObjectReader v(*vision, outer.path_of("vision_config"), Nulls::mean_default);
  const std::string type = v.string({"model_type"}).value_or(outer_type == "qwen2_5_vl" ? "qwen2_5_vl_vision" : "");
  spec.vision.model_type = type;
  const std::int64_t text = spec.hidden_size;
  std::int64_t tower = 0, projector = 0;
  auto dim = [&](std::initializer_list<std::string_view> keys, std::int64_t fallback) {
    return v.integer(keys, 1, kMaxDimension).value_or(fallback);
  };
  if (type == "clip_vision_model" || type == "siglip_vision_model") {
    const bool clip = type == "clip_vision_model";
    const std::int64_t h = dim({"hidden_size"}, 768), layers = dim({"num_hidden_layers"}, 12);
    const std::int64_t inner = dim({"intermediate_size"}, 3072), channels = dim({"num_channels"}, 3);
    const std::int64_t patch = dim({"patch_size"}, clip ? 32 : 16), image = dim({"image_size"}, 224);
    const std::int64_t patches = (image / patch) * (image / patch);
    // CLIP: class token, bias-free patch convolution, positions for patches + class, pre-norm;
    // SigLIP: patch convolution with bias, positions for the patches.
    const std::int64_t embeddings = clip ? h + channels * patch * patch * h + (patches + 1) * h + 2 * h
                                         : channels * patch * patch * h + h + patches * h;
    const std::int64_t layer = 4 * (h * h + h) + 4 * h + (h * inner + inner) + (inner * h + h);
    tower = embeddings + layers * layer + 2 * h;  // post_layernorm
    if (!clip && v.boolean({"vision_use_head"}).value_or(true)) {
      tower += h + (3 * h * h + 3 * h) + (h * h + h) + 2 * h + (h * inner + inner) + (inner * h + h);
    }
    if (outer_type == "llava") {
      projector = (h * text + text) + (text * text + text);  // linear_1, GELU, linear_2
    } else if (outer_type == "gemma3") {
      projector = h * text + h;  // mm_input_projection_weight, mm_soft_emb_norm
    }
  } else if (type == "qwen2_5_vl_vision") {
    const std::int64_t h = dim({"hidden_size"}, 1280), depth = dim({"depth"}, 32);
    const std::int64_t inner = dim({"intermediate_size"}, 3420), out = dim({"out_hidden_size"}, 3584);
    const std::int64_t patch = dim({"patch_size"}, 14), temporal = dim({"temporal_patch_size"}, 2);
    const std::int64_t channels = dim({"in_chans"}, 3), merge = dim({"spatial_merge_size"}, 2);
    const std::int64_t block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (h * inner + inner) + (inner * h + h);
    const std::int64_t merged = h * merge * merge;
    tower = channels * temporal * patch * patch * h + depth * block;
    projector = h + (merged * merged + merged) + (merged * out + out);  // the merger: ln_q and its MLP
  } else {
    spec.warnings.push_back("vision tower (" + (type.empty() ? std::string("no model_type") : type) +
                            ") is not counted: only the language model is");
    return;
  }
  if (projector == 0) spec.warnings.push_back("the projector between vision tower and language model is not counted");
  spec.vision.parameters = tower + projector;
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
  const std::string_view type = spec.model_type;
  const FamilyDefaults* defaults = nullptr;
  for (const FamilyDefaults& d : kNestedDefaults) {
    if (nested && d.model_type == type) defaults = &d;
  }

  auto require = [&](std::initializer_list<std::string_view> keys, std::int64_t max, std::int64_t fallback) {
    if (auto value = config.integer(keys, 1, max)) return *value;
    if (fallback > 0) return fallback;
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
  } else if (defaults) {
    spec.vocab_size = defaults->vocab_size;
  } else {
    spec.vocab_size = 50257;  // the spec's getattr default (GPT-2's vocabulary)
    spec.warnings.push_back("config has no vocab_size: assumed 50257 (GPT-2's), as the spec does");
  }

  const std::string hidden_act =
      config.string({"hidden_act", "activation_function", "hidden_activation"}).value_or("");
  const bool gpt2_style = one_of(type, kGpt2StyleFamilies);
  MlpShape& mlp = spec.mlp;
  mlp.intermediate_size = config.integer({"intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size"}, 1, kMaxDimension)
                              .value_or(defaults ? defaults->intermediate_size : 4 * spec.hidden_size);  // GPT-2: null is 4h
  mlp.gated = !gpt2_style && (one_of(type, kGatedFamilies) || hidden_act.empty() ||
                              hidden_act == "silu" || hidden_act == "swish" || hidden_act == "swiglu");
  // Linear biases: GPT-2-style families have them unless their config turns them off
  // (Falcon's "bias", StarCoder2's "use_bias", OPT's "enable_bias", InternLM2's "bias").
  bool linear_bias = gpt2_style;
  if (type == "falcon" || type == "internlm2") linear_bias = config.boolean({"bias"}).value_or(false);
  if (type == "starcoder2") linear_bias = config.boolean({"use_bias"}).value_or(true);
  if (type == "opt") linear_bias = config.boolean({"enable_bias"}).value_or(true);
  mlp.bias = linear_bias || config.boolean({"mlp_bias"}).value_or(false);
  const bool attention_bias = config.boolean({"attention_bias"}).value_or(false);
  attention.qkv_bias = linear_bias || attention_bias || type == "qwen2" || type == "qwen2_moe" ||
                       type == "qwen2_5_vl";  // Qwen2: bias on q, k, v only
  attention.output_bias = linear_bias || attention_bias;
  if (gpt2_style) spec.norm = NormKind::layer_norm;
  if (type == "cohere" || type == "cohere2") spec.norm = NormKind::layer_norm_no_bias;

  // Per-layer extras by family (transformers' modeling_<family>.py).
  if (type == "qwen3" || type == "qwen3_moe" || type == "gemma3_text") attention.qk_norm = QkNorm::per_head;
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
  read_sliding_window(config, spec);

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
